"""Checks across files: references that must resolve, gaps in languages, examples that contradict each other."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.content.context_rules import check_context_rules
from bot.content.kinds.base import Registry
from bot.content.schema import KnowledgeBase
from bot.content.sources import source_checks
from bot.content.yamlfile import Sink
from bot.nlu.normalise import normalise

if TYPE_CHECKING:
    from bot.content.origins import Origins

# Intents a content root cannot do without: the assistant's answers to danger, to medical questions and to what it
# does not know, and the way to a person. Their ids are fixed by the taxonomy.
SAFETY_INTENTS = ("emergency", "self_harm", "medical_advice_request", "out_of_scope", "human_handoff")
NEAR_DUPLICATE = 92.0  # rapidfuzz ratio on normalised text, 0-100
MAX_ANSWER = 800
MAX_TITLE = 40


def cross_checks(
    kb: KnowledgeBase,
    origins: Origins,
    sink: Sink,
    kinds: Registry,
    *,
    near_duplicates: bool = True,
    safety: bool = True,
) -> None:
    """Run every check that needs more than one record in view."""
    if safety:
        _safety_intents(kb, origins, sink)
    _intent_references(kb, origins)
    check_context_rules(kb, origins)
    for kind in kinds:
        if kind.references is not None:
            kind.references(kb, origins)
    _aliases(kb, origins, kinds)
    _example_counts(kb, origins)
    source_checks(kb, origins, kinds)
    if near_duplicates:
        _near_duplicates(kb, origins)
    if not kb.intents:
        sink.add("intents", 1, (), "no intents defined")


def _safety_intents(kb: KnowledgeBase, origins: Origins, sink: Sink) -> None:
    """Content that lost an emergency or self-harm answer must never pass as good content."""
    for id_ in SAFETY_INTENTS:
        if ("intent", id_) not in origins.where:
            sink.add("intents", 1, (), f"no '{id_}' intent: every content root needs it, answered in every language")
            continue
        intent = kb.intents.get(id_)
        if intent is None:
            continue  # defined but broken: its own errors say where
        doc, path = origins.at("intent", id_)
        for lang in kb.config.languages:
            if not intent.answer.get(lang, "").strip():
                doc.error((*path, "answer"), f"the '{id_}' intent has no answer in '{lang}'")


def _intent_references(kb: KnowledgeBase, origins: Origins) -> None:
    for menu, ids in kb.config.menus.items():
        for i, ref in enumerate(ids):
            if ref not in kb.intents:
                origins.config.error(("menus", menu, i), f"unknown intent '{ref}'")
    for intent in kb.intents.values():
        doc, path = origins.at("intent", intent.id)
        for i, ref in enumerate(intent.follow_ups):
            if ref not in kb.intents:
                doc.error((*path, "follow_ups", i), f"unknown intent '{ref}'")
            elif ref == intent.id:
                doc.error((*path, "follow_ups", i), "an intent cannot follow itself")
        for lang, text in intent.answer.items():
            if len(text) > MAX_ANSWER:
                doc.warn(
                    (*path, "answer", lang),
                    f"{len(text)} characters: too long for a phone (max {MAX_ANSWER})",
                )
        for lang, text in intent.title.items():
            if len(text) > MAX_TITLE:
                doc.warn((*path, "title", lang), f"{len(text)} characters: too long for a button (max {MAX_TITLE})")


def _aliases(kb: KnowledgeBase, origins: Origins, kinds: Registry) -> None:
    """An alias naming two things would make the assistant answer about the wrong one."""
    owners: dict[str, tuple[str, str]] = {}
    groups: list[tuple[str, str, list[str]]] = []
    for kind, entity in kinds.entities():
        if entity.distinct:
            named: dict[str, list[str]] = {}
            for id_, name in entity.names(kb):
                named.setdefault(id_, []).append(name)
            groups += [(kind.id_label, id_, names) for id_, names in named.items()]
    for label, id_, names in groups:
        for name in names:
            key = normalise(name)
            if not key:
                continue
            owner = owners.setdefault(key, (label, id_))
            if owner != (label, id_):
                doc, path = origins.at(label, id_)
                doc.error((*path, "aliases"), f"'{name}' also names {owner[0].rstrip('s')} '{owner[1]}'")


def _example_counts(kb: KnowledgeBase, origins: Origins) -> None:
    minimum = kb.config.min_examples
    for intent in kb.intents.values():
        doc, path = origins.at("intent", intent.id)
        for lang, examples in intent.examples.items():
            if len(examples) < minimum:
                doc.warn((*path, "examples", lang), f"{len(examples)} examples, fewer than the minimum {minimum}")
            seen: set[str] = set()
            for i, example in enumerate(examples):
                key = normalise(example)
                if key in seen:
                    doc.warn((*path, "examples", lang, i), f"repeats an earlier example: '{example}'")
                seen.add(key)


def _near_duplicates(kb: KnowledgeBase, origins: Origins) -> None:
    """Examples of two intents that read the same teach the matcher two answers to one question."""
    by_lang: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    for intent in kb.intents.values():
        for lang, examples in intent.examples.items():
            for i, example in enumerate(examples):
                by_lang[lang].append((intent.id, i, example, normalise(example)))
    for lang, rows in by_lang.items():
        keys = [r[3] for r in rows]
        matrix = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE, workers=1)
        reported: set[tuple[int, int]] = set()
        for a, b in zip(*matrix.nonzero(), strict=True):
            a, b = int(a), int(b)
            if a >= b or rows[a][0] == rows[b][0] or (a, b) in reported:
                continue
            reported.add((a, b))
            doc, path = origins.at("intent", rows[b][0])
            other_doc, other_path = origins.at("intent", rows[a][0])
            doc.warn(
                (*path, "examples", lang, rows[b][1]),
                f"'{rows[b][2]}' nearly duplicates '{rows[a][2]}' of intent {rows[a][0]} "
                f"({other_doc.rel}:{other_doc.line((*other_path, 'examples', lang, rows[a][1]))})",
            )
