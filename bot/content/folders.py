"""The content files of one folder of a content root."""

from __future__ import annotations

from pathlib import Path

from bot.content.files import yaml_files
from bot.content.yamlfile import Sink


def content_files(root: Path, folder: str, sink: Sink) -> list[Path]:
    """The `.yaml` files of one content folder; a `.yml` one is reported rather than ignored in silence."""
    read, misnamed = yaml_files(root / folder)
    for path in misnamed:
        sink.add(f"{folder}/{path.name}", 1, (), f"not read: content files end in .yaml (rename it {path.stem}.yaml)")
    return read
