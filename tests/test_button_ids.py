"""Button ids: one grammar, built and read in one place, so a press always reaches the part that made the button."""

from __future__ import annotations

from bot.dialogue import button_ids as bid
from conftest import Chat


def test_an_id_is_read_back_as_it_was_made() -> None:
    assert bid.parse(bid.make(bid.RATE, 12, 5)) == bid.ButtonId(bid.RATE, "12:5")
    assert bid.parse(bid.make(bid.INTAKE, "who", "skip")) == bid.ButtonId(bid.INTAKE, "who:skip")
    assert bid.parse(bid.START) == bid.ButtonId(bid.START, "")


def test_every_button_a_conversation_shows_speaks_the_grammar(chat: Chat) -> None:
    seen: set[str] = set()
    for step in ("/start", "/centres", "/language", "tell me a joke please", "/human"):
        chat.say(step)
        seen.update(chat.button_ids())
    chat.press("handoff:yes")
    seen.update(chat.button_ids())
    kinds = {bid.parse(i).kind for i in seen}
    assert {bid.MENU, bid.LANG, bid.HANDOFF, bid.INTAKE} <= kinds
    assert kinds <= bid.KINDS
