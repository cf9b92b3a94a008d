"""What the conversation is about: slots that live a few turns and some minutes, so follow-ups can be understood."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.schema import ContextRules
from bot.nlu.matcher import Ranked

SHORT = 8  # words: a follow-up ("and in Bordeaux?", "how much?") is short; a new question says what it is about
PRIOR = 1.0  # how much more likely the current topic's readings are, for a short message
CONFIDENT = 0.9  # a reading this sure stands on its own, context or not


@dataclass(frozen=True)
class Lifespan:
    """How long a slot lives unless it is used again: a number of turns, and minutes of silence for all of them."""

    turns: int = 5
    seconds: float = 1800.0


class Slots:
    """The live slots of one user's conversation, kept in their stored context as {kind: [value, turn set]}."""

    def __init__(self, context: dict[str, Any]) -> None:
        self._context = context

    @staticmethod
    def age(context: dict[str, Any], lifespan: Lifespan, now: float) -> None:
        """Count this turn, and drop what has lived longer than its lifespan (all of it after a long silence)."""
        turn = int(context.get("turn", 0)) + 1
        silent = now - float(context.get("at", now)) > lifespan.seconds
        slots = {} if silent else context.get("slots") or {}
        context["slots"] = {
            kind: held
            for kind, held in slots.items()
            if isinstance(held, list) and len(held) == 2 and turn - int(held[1]) <= lifespan.turns
        }
        context["turn"], context["at"] = turn, round(now, 1)

    def get(self, kind: str) -> str | None:
        held = self._context.get("slots", {}).get(kind)
        return str(held[0]) if held else None

    def use(self, kind: str) -> str | None:
        """A slot's value, read for this turn: being used keeps it alive."""
        value = self.get(kind)
        if value is not None:
            self.set(kind, value)
        return value

    def set(self, kind: str, value: str) -> None:
        self._context.setdefault("slots", {})[kind] = [value, int(self._context.get("turn", 0))]

    def clear(self) -> None:
        self._context["slots"] = {}


def is_short(words: int) -> bool:
    return 0 < words <= SHORT


def with_subject(plain: list[Ranked], said: list[Ranked], family: frozenset[str], keep: frozenset[str]) -> list[Ranked]:
    """The reading of the message with the topic's title added, when the message alone is unsure and it continues.

    Only a confident reading that continues the topic replaces the message's own, and never one the message alone
    gives confidently or one in `keep` (a crisis, a medical question): "what is the weather tomorrow" stays what it is.
    """
    if not plain or not said or plain[0].intent in keep or plain[0].confidence >= CONFIDENT:
        return plain
    return said if said[0].intent in family and said[0].confidence >= CONFIDENT else plain


def read_in_context(
    ranked: list[Ranked], topic: str | None, rules: ContextRules, words: int, keep: frozenset[str] = frozenset()
) -> list[Ranked]:
    """Re-read a short message in the light of the topic: its follow-up readings, then a prior toward the topic.

    "How much?" after a question about training reads as the course's fees; "in which language?" as the course's
    language; "how long?" after a visa question as the visa's delay. Readings in `keep` are never moved: a crisis,
    or a reading whose subject the message names itself ("in English please" still changes the language).
    """
    if topic is None or not ranked or not is_short(words):
        return ranked
    readings: dict[str, float] = {}
    for r in ranked:
        meant = r.intent if r.intent in keep else rules.follow_up(topic, r.intent) or r.intent
        readings[meant] = readings.get(meant, 0.0) + r.confidence
    family = rules.family(topic) - keep
    boosted = {i: p * (1 + PRIOR) if i in family else p for i, p in readings.items()}
    total = 1 + sum(boosted.values()) - sum(readings.values())
    return sorted((Ranked(i, p / total) for i, p in boosted.items()), key=lambda r: -r.confidence)
