"""The rules that come before matching quality: safety first, then how sure is sure enough."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.nlu.matcher import Ranked

EMERGENCY = "emergency"
SELF_HARM = "self_harm"
MEDICAL_ADVICE = "medical_advice_request"
OUT_OF_SCOPE = "out_of_scope"
HUMAN = "human_handoff"
# Read before anything else: a crisis reading wins over a better-scored ordinary one.
CRISIS = (EMERGENCY, SELF_HARM)
# The intents every content root must have, in every language: without them the assistant is not safe to run.
SAFETY_INTENTS = (EMERGENCY, SELF_HARM, MEDICAL_ADVICE, OUT_OF_SCOPE, HUMAN)
MISSES_BEFORE_OFFER = 2
MAX_TEXT = 2000  # characters read from one message; the rest cannot change what it asks

Band = Literal["answer", "suggest", "fallback"]


@dataclass(frozen=True)
class Bands:
    """Confidence bands: answer at or above `answer`, suggest at or above `suggest`, else fall back."""

    answer: float = 0.5
    suggest: float = 0.2
    emergency: float = 0.2  # an emergency is answered on weaker evidence: a false alarm costs little
    self_harm: float = 0.15  # the crisis lines cost less still when unneeded than when missing
    self_harm_second: float = 0.3  # a second reading this strong is answered first, whatever the first one is
    emergency_second: float = 0.4  # an emergency this strong behind a medical reading is answered first
    medical: float = 0.2  # an unsure reading this likely to be medical gets the no-advice answer, not a menu
    medical_line: float = 0.1  # a medical question beside a practical one: the no-advice line (it costs a line) above

    def decide(self, ranked: list[Ranked]) -> Band:
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

    def _floor(self, intent: str) -> float:
        return self.self_harm if intent == SELF_HARM else self.emergency

    def crisis(self, ranked: list[Ranked]) -> str | None:
        """The crisis to answer first, nothing else before it: the most likely reading, even a weak one.

        A self-harm reading is also answered first when the ordinary answer would only be a did-you-mean or a
        fallback (someone who may be thinking of suicide never gets "Did you mean" or "I can't help with that"),
        and when it is a strong second reading ("I wrote a letter to my children, tonight I end it"). An emergency is
        answered first when it is a strong second reading of a medical question: symptoms told as they happen ("she is
        bleeding a lot from the mouth now, on chemo") need the number before the no-advice answer.
        """
        if not ranked:
            return None
        top = ranked[0]
        if top.intent in CRISIS and top.confidence >= self._floor(top.intent):
            return top.intent
        if self.second_crisis(ranked) == SELF_HARM and (
            self.decide(ranked) != "answer"
            or any(r.intent == SELF_HARM for r in ranked[1:3] if r.confidence >= self.self_harm_second)
        ):
            return SELF_HARM
        if top.intent == MEDICAL_ADVICE and any(
            r.intent == EMERGENCY and r.confidence >= self.emergency_second for r in ranked[1:3]
        ):
            return EMERGENCY
        return None

    def second_crisis(self, ranked: list[Ranked]) -> str | None:
        """A crisis that is a plausible second reading: the ordinary answer is given with the crisis lines above it.

        Self-harm is looked for before an emergency: its lines (3114, then 15/112) cover both.
        """
        runners = ranked[1:3]
        for intent in (SELF_HARM, EMERGENCY):
            if any(r.intent == intent and r.confidence >= self._floor(intent) for r in runners):
                return intent
        return None

    def unsure_medical(self, ranked: list[Ranked]) -> bool:
        """An unsure reading that may be a medical question gets the no-advice answer, not a menu of topics."""
        return self.decide(ranked) == "suggest" and any(
            r.intent == MEDICAL_ADVICE and r.confidence >= self.medical for r in ranked[:2]
        )

    def medical_beside(self, ranked: list[Ranked]) -> bool:
        """A medical question is a plausible second reading of a practical one: answer it, saying no advice first."""
        return any(r.intent == MEDICAL_ADVICE and r.confidence >= self.medical_line for r in ranked[1:3])
