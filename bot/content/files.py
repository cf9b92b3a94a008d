"""Reading content files within bounds: place, kind and size checked before a byte is parsed, so no file can hang it."""

from __future__ import annotations

import stat
from pathlib import Path

MAX_FILE_BYTES = 2_000_000  # ten times the largest shipped file; a YAML or .po file above it is refused unread
CONTENT_SUFFIX = ".yaml"
_YAML_SUFFIXES = (".yaml", ".yml")


class FileRefused(Exception):
    """A content file that is not read: outside the root, not a regular file, too large or unreadable."""


def read_bounded(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES, inside `root` (links followed) when one is given."""
    try:
        real = path.resolve(strict=True)
        if root is not None and not real.is_relative_to(root.resolve()):
            raise FileRefused("links to a file outside the content root (refused)")
        info = real.stat()
    except FileRefused:
        raise
    except RuntimeError as exc:  # a loop of symbolic links, on Python versions that report it so
        raise FileRefused("cannot read: a loop of symbolic links") from exc
    except OSError as exc:
        raise FileRefused(f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("not a regular file (refused)")
    if info.st_size > MAX_FILE_BYTES:
        raise FileRefused(f"file too large ({info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    try:
        with real.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # a file that grows while read is still cut at the limit
    except OSError as exc:
        raise FileRefused(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(f"file too large (more than {MAX_FILE_BYTES:,} bytes)")
    return data


def yaml_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The folder's `.yaml` files, and the YAML files it would otherwise ignore in silence (`.yml`, `.YAML`)."""
    if not folder.is_dir():
        return [], []
    read, misnamed = [], []
    for path in sorted(folder.iterdir()):
        if path.suffix == CONTENT_SUFFIX:
            read.append(path)
        elif path.suffix.lower() in _YAML_SUFFIXES:
            misnamed.append(path)
    return read, misnamed
