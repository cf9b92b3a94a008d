"""Safety rules in conversation: crisis lines first, never a did-you-mean for a crisis, no advice, nothing kept unasked.

The matcher here is scripted (it returns the readings a test gives it), so each rule is tested at its thresholds,
whatever a trained model would make of the words.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bot.assistant import Parts, build_engine
from bot.dialogue.actions import Relay
from bot.dialogue.engine import Engine
from bot.nlu.entities import Entities
from bot.nlu.matcher import Ranked
from bot.store.sqlite import SqliteStore
from conftest import Chat, settings_for

CRISIS_LINE = "3114"
EMERGENCY_LINE = "Call 15 (SAMU) or 112"


@dataclass
class ScriptedMatcher:
    """Answers every message with the readings the test set last; records what it was asked."""

    readings: list[Ranked] = field(default_factory=list)
    titled: list[Ranked] | None = None  # what it reads when the engine adds the topic's title to a short message
    asked: list[str] = field(default_factory=list)

    def rank(self, text: str, limit: int = 5, found: Entities | None = None) -> list[Ranked]:
        self.asked.append(text)
        if "\n" in text and self.titled is not None:
            return self.titled[:limit]
        return self.readings[:limit]

    def is_junk(self, text: str, found: Entities | None = None) -> bool:
        return False

    def transliteration(self, text: str) -> str | None:
        return None


@dataclass
class ScriptedChat(Chat):
    matcher: ScriptedMatcher = field(default_factory=ScriptedMatcher)

    def reads(self, *pairs: tuple[str, float]) -> ScriptedChat:
        self.matcher.readings = [Ranked(intent, confidence) for intent, confidence in pairs]
        self.matcher.titled = None
        return self

    def with_topic_reads(self, *pairs: tuple[str, float]) -> ScriptedChat:
        self.matcher.titled = [Ranked(intent, confidence) for intent, confidence in pairs]
        return self


@pytest.fixture
def scripted(small_parts: Parts, small_root: Path, tmp_path: Path, store: SqliteStore) -> ScriptedChat:
    engine = build_engine(settings_for(small_root, tmp_path), store=store, parts=small_parts)
    matcher = ScriptedMatcher()
    engine.matcher = matcher  # type: ignore[assignment]
    return ScriptedChat(engine, matcher=matcher)


def test_a_weak_emergency_on_top_gets_the_number_and_nothing_else(scripted: ScriptedChat) -> None:
    scripted.reads(("emergency", 0.25), ("cost_quote", 0.24), ("medical_visa", 0.2)).say("tell me more please")
    assert scripted.intent() == "emergency"
    assert scripted.text().startswith(EMERGENCY_LINE)
    assert "Did you mean" not in scripted.text()


def test_below_the_emergency_threshold_it_is_a_did_you_mean_with_the_number_above(scripted: ScriptedChat) -> None:
    scripted.reads(("emergency", 0.19), ("cost_quote", 0.3), ("medical_visa", 0.2))
    # The scripted order is the matcher's: put the practical reading first, the weak emergency second.
    scripted.reads(("cost_quote", 0.3), ("emergency", 0.19), ("medical_visa", 0.2)).say("tell me more please")
    assert scripted.intent() == "out_of_scope"  # a did-you-mean is reported as not understood
    assert "Did you mean" in scripted.text()
    assert "If this is an emergency" not in scripted.text()  # 0.19 is below the floor: no hint either


def test_an_emergency_as_second_reading_puts_the_number_above_the_answer(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.6), ("emergency", 0.25)).say("tell me more please")
    assert scripted.intent() == "cost_quote"
    first = scripted.replies()[0].text
    assert first.startswith("If this is an emergency: in France call 15 or 112")
    assert "quote" in first.lower()


def test_a_middling_reading_is_suggested_not_answered(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.35), ("medical_visa", 0.3), ("list_centres", 0.2)).say("tell me more please")
    assert scripted.intent() == "out_of_scope"
    assert "Did you mean" in scripted.text()
    assert {"intent:cost_quote", "intent:medical_visa"} <= set(scripted.button_ids())


def test_a_clear_reading_is_answered(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.55), ("medical_visa", 0.3)).say("tell me more please")
    assert scripted.intent() == "cost_quote"
    assert "Did you mean" not in scripted.text()


def test_self_harm_on_top_gets_the_crisis_lines_and_a_person(scripted: ScriptedChat) -> None:
    scripted.reads(("self_harm", 0.16), ("cost_quote", 0.15), ("medical_visa", 0.1)).say("tell me more please")
    assert scripted.intent() == "self_harm"
    text = scripted.text()
    assert CRISIS_LINE in text and "15" in text and "112" in text
    assert "Did you mean" not in text
    assert scripted.button_ids() == ["handoff:offer"]


def test_self_harm_as_a_plausible_second_reading_never_ends_in_a_did_you_mean(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.3), ("self_harm", 0.2), ("medical_visa", 0.2)).say("tell me more please")
    assert scripted.intent() == "self_harm"
    assert CRISIS_LINE in scripted.text() and "Did you mean" not in scripted.text()


def test_self_harm_second_to_an_out_of_scope_reading_is_not_a_fallback(scripted: ScriptedChat) -> None:
    scripted.reads(("out_of_scope", 0.7), ("self_harm", 0.2)).say("tell me more please")
    assert scripted.intent() == "self_harm"
    assert "only help with cancer care" not in scripted.text()


def test_self_harm_beside_a_clear_answer_puts_the_crisis_lines_above_it(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.6), ("self_harm", 0.16)).say("tell me more please")
    assert scripted.intent() == "cost_quote"
    first = scripted.replies()[0].text
    assert first.index(CRISIS_LINE) < first.lower().index("quote")
    assert "15 or 112" in first


def test_crises_are_never_offered_as_suggestions(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.3), ("medical_visa", 0.25), ("self_harm", 0.12)).say("tell me more please")
    assert "Did you mean" in scripted.text()
    assert "intent:self_harm" not in scripted.button_ids()


def test_no_centre_or_topic_buttons_under_an_emergency(scripted: ScriptedChat) -> None:
    scripted.reads(("emergency", 0.9)).say("my father collapsed at gustave roussy")
    assert scripted.intent() == "emergency"
    assert not [b for b in scripted.buttons() if b.id.startswith(("url:", "intent:", "centre:"))]
    assert not [a for a in scripted.last.actions if type(a).__name__ == "Venue"]


def test_medical_question_beside_a_practical_one_gets_the_no_advice_line_first(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.55), ("medical_advice_request", 0.3)).say("tell me more please")
    assert scripted.intent() == "cost_quote"
    first = scripted.replies()[0].text
    assert first.startswith("I cannot give medical advice")
    assert "quote" in first.lower()


def test_a_practical_question_alone_gets_no_advice_line(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.8), ("medical_advice_request", 0.05)).say("tell me more please")
    assert "medical advice" not in scripted.text()


def test_a_crisis_during_an_open_case_reaches_the_user_and_flags_the_case(scripted: ScriptedChat) -> None:
    scripted.engine.store.open_case(scripted.user, "1", "en")
    scripted.reads(("self_harm", 0.4), ("cost_quote", 0.3)).say("tell me more please")
    assert CRISIS_LINE in scripted.text()
    relays = [a for a in scripted.last.actions if isinstance(a, Relay)]
    assert relays and relays[0].emergency
    scripted.reads(("cost_quote", 0.9)).say("tell me more again")
    relays = [a for a in scripted.last.actions if isinstance(a, Relay)]
    assert relays and not relays[0].emergency and not scripted.replies()


def test_no_message_text_is_stored_before_consent(small_parts: Parts, small_root: Path, tmp_path: Path) -> None:
    """A conversation of misses, suggestions and answers leaves no word of what was typed in the state folder."""
    settings = settings_for(small_root, tmp_path)
    database = tmp_path / "state.sqlite3"
    store = SqliteStore(str(database))
    chat = Chat(build_engine(settings, store=store, parts=small_parts))
    markers = ["zorglubian passport X99271", "john.marker@example.org", "flurbish +33612345678"]
    for marker in markers:
        chat.say(f"what is the {marker} weather tomorrow")
    chat.say("how much does treatment cost for a zorglubian")
    chat.press("handoff:offer")
    chat.press("handoff:no")  # offered a person, and declined: still nothing kept
    store.close()
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for needle in ("zorglubian", "john.marker", "flurbish", "612345678", "X99271"):
        assert needle.encode() not in written, needle
    rows = sqlite3.connect(database).execute("SELECT context FROM users").fetchall()
    assert rows and all("weather" not in (row[0] or "") for row in rows)


def test_unanswered_questions_reach_the_card_as_readings_not_text(scripted: ScriptedChat) -> None:
    scripted.reads(("out_of_scope", 0.8)).say("secret words one")
    scripted.reads(("out_of_scope", 0.8)).say("secret words two")
    scripted.press("handoff:offer")
    scripted.press("handoff:yes")
    events = [a for a in scripted.last.actions if type(a).__name__ == "Handoff"]
    assert events and len(events[0].unanswered) == 2
    assert all(item.intent == "out_of_scope" for item in events[0].unanswered)
    assert "secret words" not in repr(events[0].unanswered)


def test_engine_reads_its_matcher_through_the_policy(scripted: ScriptedChat) -> None:
    """The scripted matcher is the one asked: guards the tests above against testing a trained model instead."""
    scripted.reads(("cost_quote", 0.9)).say("hello there")
    assert scripted.matcher.asked[-1] == "hello there"
    assert isinstance(scripted.engine, Engine)


def test_a_strong_self_harm_second_reading_is_answered_first(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.62), ("self_harm", 0.33)).say("tell me more please")
    assert scripted.intent() == "self_harm" and CRISIS_LINE in scripted.text()


def test_the_topic_never_turns_a_medical_or_crisis_reading_into_another(scripted: ScriptedChat) -> None:
    scripted.reads(("medical_visa", 0.95)).say("i need a visa for treatment")
    assert scripted.intent() == "medical_visa"
    scripted.reads(("medical_advice_request", 0.8), ("medical_visa", 0.1))
    scripted.with_topic_reads(("medical_visa", 0.99)).say("should she stop it?")
    assert scripted.intent() == "medical_advice_request"
    # The same short message with an unsure ordinary reading is read with the topic.
    scripted.reads(("cost_quote", 0.6), ("medical_visa", 0.1))
    scripted.with_topic_reads(("medical_visa", 0.99)).say("how long?")
    assert scripted.intent() == "medical_visa"


def test_a_crisis_answer_has_no_follow_up_buttons_whatever_the_content_says(
    small_parts: Parts, small_root: Path, tmp_path: Path, store: SqliteStore
) -> None:
    kb = small_parts.kb
    emergency = replace(kb.intents["emergency"], follow_ups=("centre_location_contact",))
    parts = replace(small_parts, kb=replace(kb, intents={**kb.intents, "emergency": emergency}))
    chat = ScriptedChat(build_engine(settings_for(small_root, tmp_path), store=store, parts=parts))
    chat.engine.matcher = chat.matcher  # type: ignore[assignment]
    chat.reads(("emergency", 0.9)).say("help")
    assert chat.intent() == "emergency" and chat.button_ids() == []


def test_an_unsure_medical_reading_gets_the_no_advice_answer_not_a_did_you_mean(scripted: ScriptedChat) -> None:
    scripted.reads(("cost_quote", 0.3), ("medical_advice_request", 0.25), ("medical_visa", 0.2)).say(
        "tell me more please"
    )
    assert scripted.intent() == "medical_advice_request"
    assert "cannot give medical advice" in scripted.text() and "Did you mean" not in scripted.text()
    assert "handoff:offer" in scripted.button_ids()
