"""YAML → typed records; every problem reported as `path:line: field: message`, all of them, not only the first."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bot.content.catalogue import load_catalogue
from bot.content.config import read_config
from bot.content.files import CONTENT_SUFFIX, FileRefused, read_bounded
from bot.content.intents import load_intents
from bot.content.kinds import registered
from bot.content.kinds.base import Registry
from bot.content.origins import Origins
from bot.content.problems import ContentError, Problem
from bot.content.schema import KnowledgeBase
from bot.content.yamlfile import Sink

__all__ = ["Loaded", "Origins", "content_fingerprint", "load", "load_or_raise", "packaged_root"]


@dataclass
class Loaded:
    """The outcome of loading a content root: records when usable, and every problem found."""

    kb: KnowledgeBase | None
    problems: list[Problem]
    origins: Origins

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def packaged_root() -> Path:
    """The content shipped with the package (installed), or the repository it runs from (development)."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_content"
    return installed if (installed / "content.yaml").exists() else here.parent


def content_fingerprint(root: Path) -> str:
    """A hash of every content file (and of every name in the content folders), to know when to rebuild."""
    digest = hashlib.sha256()
    paths = [root / "content.yaml"]
    for folder in ("intents", "catalogue"):
        if (root / folder).is_dir():
            paths += sorted((root / folder).iterdir())
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(read_bounded(path, root) if path.suffix == CONTENT_SUFFIX else b"")
        except FileRefused as exc:  # loading reports it; the hash only has to differ from a good file's
            digest.update(f"refused: {exc}".encode())
    return digest.hexdigest()[:16]


def load(root: Path, *, near_duplicates: bool = True, safety: bool = True, kinds: Registry | None = None) -> Loaded:
    """Read and validate a whole content root with the declared kinds (or those given); all problems, not the first."""
    from bot.content.checks import cross_checks

    registry = kinds or registered()

    sink = Sink()
    origins = Origins()
    if not (root / "content.yaml").exists():
        sink.add("content.yaml", 1, (), f"not a content root: no content.yaml in {root.name or root}")
        return Loaded(None, sink.problems, origins)
    config = read_config(root, sink, origins)
    if config is None:
        return Loaded(None, sink.problems, origins)
    intents = load_intents(root, config.languages, sink, origins, registry.answers)
    catalogue = load_catalogue(root, config.languages, sink, origins, registry)
    kb = KnowledgeBase(root=root, config=config, intents=intents, catalogue=catalogue)
    cross_checks(kb, origins, sink, registry, near_duplicates=near_duplicates, safety=safety)
    return Loaded(None if sink.errors else kb, sink.problems, origins)


def load_or_raise(root: Path, *, strict: bool = False) -> KnowledgeBase:
    """Load for running: any error (or warning, when strict) stops the start with every problem listed.

    Content without the safety intents (checks.SAFETY_INTENTS) in every language is refused, at start as by check.
    """
    loaded = load(root, near_duplicates=strict)
    blocking = loaded.problems if strict else loaded.errors
    if blocking or loaded.kb is None:
        raise ContentError(blocking or loaded.problems)
    return loaded.kb
