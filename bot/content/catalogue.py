"""catalogue/*.yaml → each kind's records, read as its kind declares (content/kinds); optional files may be absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.content.fields import no_markup, read_id
from bot.content.folders import content_files
from bot.content.kinds.base import Kind, Registry
from bot.content.origins import Origins
from bot.content.yamlfile import Sink, YamlFile


def load_catalogue(
    root: Path, langs: tuple[str, ...], sink: Sink, origins: Origins, registry: Registry
) -> dict[str, dict[str, Any]]:
    """Every kind's records by id; a missing required file, or a file no kind reads, is an error."""
    out: dict[str, dict[str, Any]] = {kind.key: {} for kind in registry}
    files = registry.files()
    present = {p.name: p for p in content_files(root, "catalogue", sink)}
    for name in present:
        if name not in files:
            sink.add(f"catalogue/{name}", 1, (), f"unknown catalogue file (expected: {', '.join(sorted(files))})")
    for name, kinds in files.items():
        if name not in present:
            if any(kind.required for kind in kinds):
                sink.add(f"catalogue/{name}", 1, (), "missing catalogue file")
            continue
        doc = YamlFile.read(present[name], f"catalogue/{name}", sink, root)
        if doc is None:
            continue
        no_markup(doc, doc.data)
        doc.known_keys(doc.data, (), {"version", *(kind.key for kind in kinds)})
        for kind in kinds:
            _read_kind(doc, kind, langs, out[kind.key], origins)
    return out


def _read_kind(doc: YamlFile, kind: Kind, langs: tuple[str, ...], records: dict[str, Any], origins: Origins) -> None:
    for path, item in doc.entries(kind.key):
        id_ = read_id(doc, item, path, kind.id_label, records, origins)
        doc.known_keys(item, path, set(kind.fields))
        record = kind.parse(doc, item, path, id_, langs)
        if record is not None:
            records[record.id] = record
