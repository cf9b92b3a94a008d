"""Assemble the engine from settings: content, interface strings, matcher (cached), entities, languages, store."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from babel import Locale

from bot import __version__
from bot.content.loader import content_fingerprint, load_or_raise, packaged_root
from bot.content.schema import KnowledgeBase
from bot.dialogue import strings
from bot.dialogue.context import Lifespan
from bot.dialogue.policies import Bands
from bot.i18n import Interface
from bot.learning.counting import TurnCounter
from bot.learning.engine import LearningEngine
from bot.nlu.entities import EntityIndex
from bot.nlu.language import LanguageGuesser
from bot.nlu.matcher import Matcher
from bot.settings import Settings
from bot.store import Store, open_store


@dataclass(frozen=True)
class Parts:
    """The read-only parts built from one content root, shared by every conversation."""

    kb: KnowledgeBase
    interface: Interface
    matcher: Matcher
    entities: EntityIndex
    languages: LanguageGuesser


def content_root(settings: Settings) -> Path:
    """The content root in force: the operator's, or the packaged one."""
    return settings.data_dir if settings.data_dir is not None else packaged_root()


def training_pairs(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Every example of every language, labelled with its intent."""
    return [(text, intent.id) for intent in kb.intents.values() for texts in intent.examples.values() for text in texts]


def entity_names(kb: KnowledgeBase) -> Iterator[tuple[str, str, str]]:
    """Every way to name a centre, city, region, organisation or language, in every declared language."""
    for c in kb.centres.values():
        for name in (c.name, *c.aliases):
            yield "centre", c.id, name
    for org in kb.organisations.values():
        for name in (org.name, *org.aliases):
            yield "organisation", org.id, name
    for city in kb.cities.values():
        for name in (*city.name.values(), *city.aliases):
            if name not in city.unmatched_names:
                yield "city", city.id, name
    for region in kb.regions.values():
        for name in (*region.name.values(), *region.aliases):
            yield "region", region.id, name
    for code in kb.config.languages:
        for ui in kb.config.languages:
            cldr_name = Locale.parse(ui).languages.get(code)
            if cldr_name:
                yield "language", code, str(cldr_name)
        aliases = kb.language_aliases.get(code)
        for name in aliases.aliases if aliases else ():
            yield "language", code, name


COMPILED_VERSION = 6  # bump when the loader, the matcher or the records change shape


@dataclass(frozen=True)
class Compiled:
    """What a start needs from one version of the content: checked records and trained models."""

    kb: KnowledgeBase
    matcher: Matcher
    languages: LanguageGuesser
    entities: EntityIndex


def _cache_key(fingerprint: str) -> str:
    return f"compiled-{__version__}-{COMPILED_VERSION}-{fingerprint}"


def _load_compiled(cache_dir: Path, fingerprint: str) -> Compiled | None:
    """The compiled content for exactly these files and this code, or None."""
    path = cache_dir / f"{_cache_key(fingerprint)}.pickle"
    try:
        with path.open("rb") as fh:
            key, compiled = pickle.load(fh)  # our own cache file, in the user's data folder
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError, TypeError):
        return None
    return compiled if key == _cache_key(fingerprint) and isinstance(compiled, Compiled) else None


def _save_compiled(cache_dir: Path, fingerprint: str, compiled: Compiled) -> None:
    """Write atomically and drop older versions, so the folder holds one compiled content at a time."""
    with contextlib.suppress(OSError):  # a read-only folder only costs a rebuild at the next start
        cache_dir.mkdir(parents=True, exist_ok=True)
        path = cache_dir / f"{_cache_key(fingerprint)}.pickle"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump((_cache_key(fingerprint), compiled), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in cache_dir.glob("compiled-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)


def compile_content(root: Path) -> Compiled:
    """Check the content (refusing it on any error) and train the matcher and the language guesser."""
    kb = load_or_raise(root)
    examples = [
        (text, lang) for intent in kb.intents.values() for lang, texts in intent.examples.items() for text in texts
    ]
    entities = EntityIndex(entity_names(kb))
    matcher = Matcher.build(training_pairs(kb), entities=entities)
    return Compiled(kb, matcher, LanguageGuesser(examples, kb.config.languages), entities)


def build_parts(root: Path, cache_dir: Path | None) -> Parts:
    """Everything read-only an engine needs; content that changed since the last start is checked and trained again."""
    fingerprint = content_fingerprint(root)
    compiled = _load_compiled(cache_dir, fingerprint) if cache_dir else None
    if compiled is None:
        compiled = compile_content(root)
        if cache_dir:
            _save_compiled(cache_dir, fingerprint, compiled)
    kb = replace(compiled.kb, root=root)
    interface = Interface(root, kb.config.languages, strings.EVERY)
    return Parts(kb, interface, compiled.matcher, compiled.entities, compiled.languages)


def build_engine(settings: Settings, store: Store | None = None, parts: Parts | None = None) -> LearningEngine:
    """An engine ready to answer, on the settings' content and storage, with the learning loop around it."""
    parts = parts or build_parts(content_root(settings), settings.cache_dir)
    gc.freeze()  # the parts live as long as the process: keep the collector from walking them on every message
    bands = Bands(answer=settings.answer_threshold, suggest=settings.suggest_threshold)
    store = store or open_store(settings.database_url)
    return LearningEngine(
        parts.kb,
        parts.interface,
        parts.matcher,
        parts.entities,
        parts.languages,
        store,
        bands,
        parts.kb.config.menus,
        Lifespan(settings.context_turns, settings.context_minutes * 60.0),
        counter=TurnCounter(store, gap=settings.context_minutes * 60.0),
        inbox_days=settings.inbox_days,
    )
