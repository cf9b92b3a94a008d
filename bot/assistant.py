"""Assemble the engine from settings: content, interface strings, matcher (cached), entities, languages, store."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, is_dataclass, replace
from pathlib import Path

from bot import __version__
from bot.content import fields, schema
from bot.content.kinds import registered
from bot.content.kinds.base import Registry
from bot.content.loader import content_fingerprint, load_or_raise, packaged_root
from bot.content.schema import KnowledgeBase
from bot.dialogue import strings
from bot.dialogue.context import Lifespan
from bot.dialogue.policies import Bands
from bot.i18n import Interface
from bot.learning.counting import TurnCounter
from bot.learning.engine import LearningEngine
from bot.nlu.entities import EntityIndex
from bot.nlu.features import Block, Features, LinearScorer, char_ngrams, short_char_ngrams, word_ngrams
from bot.nlu.language import LanguageGuesser
from bot.nlu.matcher import REFIT_MOST, Matcher, Speller, Transliterated, prepare_examples
from bot.nlu.romanise import Transliteration, skeleton_letters, skeleton_ngrams
from bot.plaindata import Codec
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
    compiled: Compiled | None = None  # what the cache holds of them

    @property
    def exact(self) -> bool:
        """False: warm-started from the last build; a clean build may replace it (Reloader.refine)."""
        return self.compiled is None or self.compiled.drift == 0


def content_root(settings: Settings) -> Path:
    """The content root in force: the operator's, or the packaged one."""
    return settings.data_dir if settings.data_dir is not None else packaged_root()


def training_pairs(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Every example of every language, labelled with its intent (in the order of train's (text, language) pairs)."""
    return [(text, intent.id) for intent in kb.intents.values() for texts in intent.examples.values() for text in texts]


def entity_names(kb: KnowledgeBase, kinds: Registry | None = None) -> Iterator[tuple[str, str, str]]:
    """Every way to name a record of a kind found in messages (centre, city, language…), in every declared language."""
    for _, entity in (kinds or registered()).entities():
        for id_, name in entity.names(kb):
            yield entity.kind, id_, name


COMPILED_VERSION = 12  # bump when the loader, the matcher or the records change shape


@dataclass(frozen=True)
class Compiled:
    """What a start needs from one version of the content: checked records and trained models."""

    kb: KnowledgeBase
    matcher: Matcher
    languages: LanguageGuesser
    entities: EntityIndex
    prepared: tuple[str, ...] = ()  # the examples' texts as the matcher learned them, in training_pairs order
    drift: int = 0  # examples added by a warm start since the last clean build (0: this is one)


def _codec() -> Codec:
    """The classes and functions a compiled content is made of: nothing else can come out of the cache file."""
    classes: list[type] = [
        Compiled,
        *_records(),
        Matcher,
        Transliterated,
        Transliteration,
        Speller,
        Features,
        Block,
        LinearScorer,
        LanguageGuesser,
        EntityIndex,
    ]
    analyzers = (char_ngrams, word_ngrams, short_char_ngrams, skeleton_ngrams, skeleton_letters)
    return Codec({f"{c.__module__}.{c.__qualname__}": c for c in classes}, {f.__name__: f for f in analyzers})


def _records() -> list[type]:
    """Every record class of the schema and of each kind's module, new ones included without a list to keep."""
    modules = [schema, fields, *(sys.modules[kind.record.__module__] for kind in registered())]
    return list(
        dict.fromkeys(
            value
            for module in modules
            for value in vars(module).values()
            if isinstance(value, type) and is_dataclass(value) and value.__module__ == module.__name__
        )
    )


def _cache_key(fingerprint: str) -> str:
    return f"compiled-{__version__}-{COMPILED_VERSION}-{fingerprint}"


def _cache_file(cache_dir: Path, fingerprint: str) -> Path:
    return cache_dir / f"{_cache_key(fingerprint)}.data"


def _load_compiled(cache_dir: Path, fingerprint: str) -> Compiled | None:
    """The compiled content for exactly these files and this code, or None (then it is rebuilt)."""
    path = _cache_file(cache_dir, fingerprint)
    if not path.is_file():
        return None
    try:
        key, compiled = _codec().load(path)  # data only: JSON and arrays of numbers, never unpickled
        if key != _cache_key(fingerprint) or not isinstance(compiled, Compiled):
            return None
        compiled.matcher.rank("hello")  # a file that decodes but does not answer is rebuilt, not served
    except Exception:  # a corrupt or crafted file: whatever it holds, it costs a rebuild and nothing else
        return None
    return compiled


def _load_previous(cache_dir: Path, fingerprint: str) -> Compiled | None:
    """The compiled content of another version of the files, by this code, to warm-start from; or None."""
    prefix = _cache_key("")
    for path in sorted(cache_dir.glob(f"{prefix}*.data")) if cache_dir.is_dir() else ():
        other = path.stem[len(prefix) :]
        if other != fingerprint:
            compiled = _load_compiled(cache_dir, other)
            if compiled is not None:
                return compiled
    return None


def _save_compiled(cache_dir: Path, fingerprint: str, compiled: Compiled) -> None:
    """Write atomically and drop older versions, so the folder holds one compiled content at a time."""
    with contextlib.suppress(OSError, TypeError):  # a read-only folder or a model with an embedder: rebuilt next time
        cache_dir.mkdir(parents=True, exist_ok=True)
        path = _cache_file(cache_dir, fingerprint)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as fh:
                _codec().save(fh, (_cache_key(fingerprint), compiled))
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        for old in cache_dir.glob("compiled-*"):  # older versions, and the pickles of older code: never read
            if old != path and old.suffix in (".data", ".npz", ".pickle"):
                old.unlink(missing_ok=True)


def train(kb: KnowledgeBase, kinds: Registry | None = None) -> Compiled:
    """Train the matcher and the language guesser on checked content, finding the names of the kinds in force."""
    examples = [
        (text, lang) for intent in kb.intents.values() for lang, texts in intent.examples.items() for text in texts
    ]
    kinds = kinds or registered()
    entities = EntityIndex(entity_names(kb, kinds), kinds.masks(), kinds.reported())
    pairs = training_pairs(kb)
    prepared = prepare_examples(pairs, entities)
    matcher = Matcher.build(pairs, entities=entities, prepared=prepared, languages=[lang for _, lang in examples])
    detector = matcher.transliterated.detector if matcher.transliterated else None  # one detector, asked once
    languages = LanguageGuesser(examples, kb.config.languages, detector)
    return Compiled(kb, matcher, languages, entities, tuple(prepared))


def warm_start(previous: Compiled, kb: KnowledgeBase) -> Compiled | None:
    """The previous build updated for a few examples added; None when the change asks for a clean build.

    The entity index is kept when every name is the same, the language guesser when the languages are (a few
    examples among thousands hardly move it; the clean build that follows trains it again).
    """
    if kb.config.languages != previous.kb.config.languages or not previous.prepared:
        return None
    if list(entity_names(kb)) != list(entity_names(previous.kb)):
        return None
    before, after = training_pairs(previous.kb), training_pairs(kb)
    old, new = Counter(before), Counter(after)
    drift = previous.drift + (new - old).total()
    if drift > REFIT_MOST:
        return None
    refitted = previous.matcher.refit(before, previous.prepared, after)
    if refitted is None:
        return None
    matcher, prepared = refitted
    return Compiled(kb, matcher, previous.languages, previous.entities, tuple(prepared), drift)


def compile_content(root: Path) -> Compiled:
    """Check the content and its interface catalogues (refusing them on any error), then train."""
    kb = load_or_raise(root)
    Interface(root, kb.config.languages, strings.EVERY)  # a broken .po stops here, not after seconds of training
    return train(kb)


def build_parts(root: Path, cache_dir: Path | None, *, quick: bool = False) -> Parts:
    """Everything read-only an engine needs; content that changed since the last start is checked and trained again.

    Quick (a live reload, the server's start): a small change is warm-started from the cached build of the previous
    content in about a second, and the parts say they are not exact; otherwise, or when not quick, a clean build.
    """
    fingerprint = content_fingerprint(root)
    compiled = _load_compiled(cache_dir, fingerprint) if cache_dir else None
    if compiled is not None and (compiled.drift == 0 or quick):
        interface = Interface(root, compiled.kb.config.languages, strings.EVERY)
    else:
        kb = load_or_raise(root)
        interface = Interface(root, kb.config.languages, strings.EVERY)  # checked before the matcher is trained
        previous = _load_previous(cache_dir, fingerprint) if quick and cache_dir else None
        compiled = (warm_start(previous, kb) if previous is not None else None) or train(kb)
        if cache_dir and compiled.drift == 0:  # a warm start is not kept: the next one starts from a clean build
            _save_compiled(cache_dir, fingerprint, compiled)
    return parts_of(compiled, root, interface)


def parts_of(compiled: Compiled, root: Path, interface: Interface) -> Parts:
    """The parts an engine answers from, out of a compiled content."""
    kb = replace(compiled.kb, root=root)
    return Parts(kb, interface, compiled.matcher, compiled.entities, compiled.languages, compiled)


def save_parts(cache_dir: Path | None, fingerprint: str, parts: Parts) -> None:
    """Keep built parts in the cache, as the build of the content with this fingerprint."""
    if cache_dir is not None and parts.compiled is not None:
        _save_compiled(cache_dir, fingerprint, parts.compiled)


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
