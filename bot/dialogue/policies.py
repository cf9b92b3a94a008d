"""The rules that come before matching quality: safety first, then how sure is sure enough."""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.matcher import Ranked

EMERGENCY = "emergency"
MEDICAL_ADVICE = "medical_advice_request"
OUT_OF_SCOPE = "out_of_scope"
HUMAN = "human_handoff"
MISSES_BEFORE_OFFER = 2
MAX_TEXT = 2000  # characters read from one message; the rest cannot change what it asks


@dataclass(frozen=True)
class Bands:
    """Confidence bands: answer at or above `answer`, suggest at or above `suggest`, else fall back."""

    answer: float = 0.5
    suggest: float = 0.2
    emergency: float = 0.2  # an emergency is answered on weaker evidence: a false alarm costs little

    def decide(self, ranked: list[Ranked]) -> str:
        if not ranked:
            return "fallback"
        top = ranked[0]
        if top.intent == OUT_OF_SCOPE:
            return "fallback"
        if top.confidence >= self.answer:
            return "answer"
        if top.confidence >= self.suggest:
            return "suggest"
        return "fallback"

    def is_emergency(self, ranked: list[Ranked]) -> bool:
        """The most likely reading is an emergency, even a weak one: the number comes first, nothing else."""
        return bool(ranked) and ranked[0].intent == EMERGENCY and ranked[0].confidence >= self.emergency

    def might_be_emergency(self, ranked: list[Ranked]) -> bool:
        """An emergency is a plausible second reading: answer the question, with the number above it."""
        return any(r.intent == EMERGENCY and r.confidence >= self.emergency for r in ranked[1:3])
