"""The learning loop as a user and an editor see it: a question kept only on request, feedback, counters."""

from __future__ import annotations

from bot.dialogue.actions import Inbound
from bot.learning.engine import LearningEngine
from bot.learning.pending import PendingQuestions
from bot.learning.redact import redact
from conftest import Chat

SEND = "Send this question to the team"


def _kept_texts(chat: Chat) -> list[str]:
    return [q.text for q in chat.engine.store.kept_questions()]


def test_an_unanswered_question_is_kept_only_when_the_user_presses_the_button(chat: Chat) -> None:
    chat.say("what is the weather tomorrow in my village")
    assert chat.intent() == "out_of_scope"
    assert _kept_texts(chat) == []  # shown the button, not yet kept
    chat.press(SEND)
    assert "sent to the team" in chat.text() and "30 days" in chat.text()
    kept = chat.engine.store.kept_questions()
    assert [q.text for q in kept] == ["what is the weather tomorrow in my village"]
    assert kept[0].language == "en" and len(kept[0].candidates) == 3
    assert all(0.0 <= confidence <= 1.0 for _, confidence in kept[0].candidates)


def test_a_second_press_or_another_user_cannot_keep_the_question_twice(chat: Chat) -> None:
    chat.say("what is the weather tomorrow")
    button = next(b for b in chat.buttons() if b.label == SEND)
    other = chat.engine.handle(Inbound("someone-else", payload=button.id))
    assert "send your question again" in other.replies[0].text
    chat.press(SEND)
    chat.engine.handle(Inbound(chat.user, payload=button.id))
    assert len(_kept_texts(chat)) == 1


def test_a_press_after_the_holding_time_asks_for_the_question_again(chat: Chat) -> None:
    now = [1000.0]
    assert isinstance(chat.engine, LearningEngine)
    chat.engine.pending = PendingQuestions(seconds=600, clock=lambda: now[0])
    chat.say("what is the weather tomorrow")
    now[0] += 601
    chat.press(SEND)
    assert "send your question again" in chat.text()
    assert _kept_texts(chat) == []


def test_the_holding_map_keeps_only_the_newest_questions() -> None:
    pending = PendingQuestions(size=2)
    first = pending.hold("u", "one", "en")
    pending.hold("u", "two", "en")
    pending.hold("u", "three", "en")
    assert len(pending) == 2 and pending.take(first, "u") is None


def test_kept_questions_are_redacted_and_erased_by_forget(chat: Chat) -> None:
    chat.say("call me on +33 6 12 34 56 78 or mail jo.doe@example.org, passport 12AB34567, what weather")
    chat.press(SEND)
    (text,) = _kept_texts(chat)
    assert "12 34" not in text and "example.org" not in text and "12AB34567" not in text
    assert "passport" in text and "weather" in text
    chat.say("/forget")
    assert _kept_texts(chat) == []


def test_redaction_masks_numbers_and_keeps_words() -> None:
    assert redact("my number is 0612345678") == "my number is […]"
    assert redact("ref AB-123456 ok") == "ref […] ok"
    assert redact("stage 4 cancer, 3 months, 2024") == "stage 4 cancer, 3 months, 2024"


def test_answers_get_thumbs_and_a_thumb_down_offers_to_send_the_question(chat: Chat) -> None:
    chat.say("where is gustave roussy?")
    labels = [b.label for b in chat.buttons()]
    assert "👍" in labels and "👎" in labels and SEND not in labels
    chat.press("👎")
    assert "Sorry this did not help" in chat.text()
    chat.press(SEND)
    assert _kept_texts(chat) == ["where is gustave roussy?"]
    rows = chat.engine.store.counters("0000")
    assert any(kind == "down" and intent == "centre_location_contact" for _, kind, _, intent, _ in rows)


def test_a_thumb_up_is_counted_without_text(chat: Chat) -> None:
    chat.say("where is gustave roussy?")
    answer = chat.last
    chat.press("👍")
    assert "Thank you for your feedback" in chat.text()
    chat.turns.append(answer)
    chat.press("👍")  # a second tap on the same answer
    ups = [row for row in chat.engine.store.counters("0000") if row[1] == "up"]
    assert [(r[2], r[3], r[4]) for r in ups] == [("en", "centre_location_contact", 1)]


def test_safety_answers_and_menus_get_no_thumbs(chat: Chat) -> None:
    chat.say("my father collapsed and is not breathing")
    assert not {"👍", "👎"} & {b.label for b in chat.buttons()}
    chat.say("should my mother do chemo or surgery?")
    assert not {"👍", "👎"} & {b.label for b in chat.buttons()}
    chat.say("/start")
    assert not {"👍", "👎"} & {b.label for b in chat.buttons()}


def test_each_message_is_counted_by_its_band(chat: Chat) -> None:
    chat.say("where is gustave roussy?")
    chat.say("what is the weather tomorrow")
    kinds = {(r[1], r[3]): r[4] for r in chat.engine.store.counters("0000")}
    assert kinds[("answered", "centre_location_contact")] == 1
    assert kinds[("fallback", "out_of_scope")] == 1
    assert kinds[("conversation", "-")] == 1
