"""Checks that what the assistant states as fact can be traced: claims need a `source:`, expertise a known area."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.content.kinds.base import Registry
from bot.content.schema import KnowledgeBase

if TYPE_CHECKING:
    from bot.content.origins import Origins

_URL = re.compile(r"https?://\S+")
# What a worried reader takes as a fact to act on. Each is looked for in text whose record has no `source:`.
CLAIMS: dict[str, re.Pattern[str]] = {
    "phone number": re.compile(r"(?:\+\d{1,3}|\b0)[\s.]?\(?\d\)?(?:[\s.]?\d{2}){4}(?!\d)"),
    "price": re.compile(r"\d[\d\s.,]*\s?(?:€|euros?\b|EUR\b|USD\b|\$|£|евро|欧元|يورو)|(?:€|\$|£)\s?\d", re.IGNORECASE),
    "address": re.compile(
        r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|bd|boulevard|avenue|av\.|cours|place|chemin|allée|quai|route)\b",
        re.IGNORECASE,
    ),
    "waiting time": re.compile(
        r"\b\d+\s*(?:[-–]|to|à|a|bis|до|إلى)?\s*\d*\s*(?:days?|weeks?|months?|jours?|semaines?|mois|días|dias|"
        r"semanas|meses|Tagen?|Wochen|Monaten?|дн[ейя]|недел[ьия]|месяц[аев]*|天|周|个月|أيام|يوما|أسابيع|أشهر)",
        re.IGNORECASE,
    ),
    "ranking": re.compile(
        r"(?:\b\d{1,3}(?:st|nd|rd|th|e|ème|er|º|ª|-?[йе])?\b[^.\n]{0,40}"
        r"(?:rank|classement|classé|ranking|clasificación|classificação|Rangliste|рейтинг|排名|تصنيف|world|monde|mundo|Welt|мире))"
        r"|(?:第\s?\d+\s?[位名])",
        re.IGNORECASE,
    ),
    "figure": re.compile(r"\b\d+(?:[.,]\d+)?\s?%|\b\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+\b"),
}


def claims_in(text: str) -> Iterator[tuple[str, str]]:
    """Each kind of claim found in a text, with the words that make it (web addresses are not claims)."""
    bare = _URL.sub(" ", text)
    for kind, pattern in CLAIMS.items():
        match = pattern.search(bare)
        if match:
            yield kind, match.group(0).strip()


def source_checks(kb: KnowledgeBase, origins: Origins, kinds: Registry) -> None:
    """Warn on a claim in a record without `source:`; each kind's own checks (expertise in a known area…) first."""
    for declared in kinds:
        if declared.source_checks is not None:
            declared.source_checks(kb, origins)
    for intent in kb.intents.values():
        if intent.source:
            continue
        doc, path = origins.at("intent", intent.id)
        texts: list[tuple[tuple[str, ...], str]] = [(("answer", lang), t) for lang, t in intent.answer.items()]
        for name, by_lang in intent.variants.items():
            texts += [(("variants", name, lang), t) for lang, t in by_lang.items()]
        for where, text in texts:
            for kind, words in claims_in(text):
                doc.warn((*path, *where), f"states a {kind} ('{words}') without a 'source'")
    described: list[tuple[str, str, tuple[str, ...], dict[str, str]]] = [
        (kind.id_label, item.id, item.source, item.description)
        for kind in kinds
        if kind.described
        for item in kb.table(kind.key).values()
    ]
    for kind, id_, source, description in described:
        if source:
            continue
        doc, path = origins.at(kind, id_)
        for lang, text in description.items():
            for claim, words in claims_in(text):
                doc.warn((*path, "description", lang), f"states a {claim} ('{words}') without a 'source'")
