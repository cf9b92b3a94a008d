"""Assemble the engine from settings: content, interface strings, matcher (cached), entities, languages, store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

from bot.content.loader import load_or_raise, packaged_root
from bot.content.schema import KnowledgeBase
from bot.dialogue import strings
from bot.dialogue.engine import Engine
from bot.dialogue.policies import Bands
from bot.i18n import Interface
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


def build_matcher(kb: KnowledgeBase, cache_dir: Path | None) -> Matcher:
    """The matcher for this content, from the cache when the content has not changed."""
    path = cache_dir / f"matcher-{kb.fingerprint}.pickle" if cache_dir else None
    if path is not None:
        cached = Matcher.load(path, kb.fingerprint)
        if cached is not None:
            return cached
    matcher = Matcher.build(training_pairs(kb))
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only home only costs a rebuild at the next start
            matcher.save(path, kb.fingerprint)
    return matcher


def build_parts(root: Path, cache_dir: Path | None) -> Parts:
    """Load and check everything; raises ContentError with every problem when anything is wrong."""
    kb = load_or_raise(root)
    interface = Interface(root, kb.config.languages, strings.ALL)
    matcher = build_matcher(kb, cache_dir)
    entities = EntityIndex(entity_names(kb))
    examples = [
        (text, lang) for intent in kb.intents.values() for lang, texts in intent.examples.items() for text in texts
    ]
    languages = LanguageGuesser(examples, kb.config.languages)
    return Parts(kb, interface, matcher, entities, languages)


def build_engine(settings: Settings, store: Store | None = None, parts: Parts | None = None) -> Engine:
    """An engine ready to answer, on the settings' content and storage."""
    parts = parts or build_parts(content_root(settings), settings.cache_dir)
    bands = Bands(answer=settings.answer_threshold, suggest=settings.suggest_threshold)
    return Engine(
        parts.kb,
        parts.interface,
        parts.matcher,
        parts.entities,
        parts.languages,
        store or open_store(settings.database_url),
        bands,
        parts.kb.config.menus,
    )
