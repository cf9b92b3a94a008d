"""Follow-up questions read in the context of the chat, on the real content, as people ask them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assistant import Parts, build_engine
from bot.store.sqlite import SqliteStore
from conftest import REPO, Chat, settings_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(real_chat: Chat) -> Clock:
    tick = Clock()
    real_chat.engine.clock = tick
    return tick


def understood(chat: Chat) -> tuple[str | None, dict[str, str], tuple[str, ...]]:
    u = chat.last.understanding
    assert u is not None
    return u.intent, u.entities, u.context


def test_a_pronoun_asks_about_the_centre_in_context(real_chat: Chat) -> None:
    real_chat.say("où se trouve l'institut curie ?")
    real_chat.say("et ils ont des interprètes ?")
    assert understood(real_chat) == ("interpreter_services", {"centre": "institut-curie"}, ("centre",))
    assert "Institut Curie" in real_chat.text()
    assert any(b.url and "curie.fr" in b.url for b in real_chat.buttons())
    real_chat.say("où j'envoie les comptes rendus ?")
    assert understood(real_chat)[:2] == ("medical_documents", {"centre": "institut-curie"})


def test_a_centre_named_now_overrides_the_one_in_context(real_chat: Chat) -> None:
    real_chat.say("where is institut curie")
    real_chat.say("does gustave roussy have interpreters?")
    intent, entities, carried = understood(real_chat)
    assert (intent, entities["centre"], carried) == ("interpreter_services", "gustave-roussy", ())


@pytest.mark.parametrize(
    ("first", "then", "city"),
    [
        ("centres anticancer à lyon ?", "et à bordeaux ?", "bordeaux"),
        ("cancer hospitals in lyon", "what about nice?", "nice"),
        ("¿hospitales de cáncer en lyon?", "¿y en Lille?", "lille"),
        ("какие онкоцентры есть в Лионе?", "а в Бордо?", "bordeaux"),
    ],
)
def test_ellipsis_asks_the_last_question_about_a_new_city(real_chat: Chat, first: str, then: str, city: str) -> None:
    real_chat.say(first)
    real_chat.say(then)
    intent, entities, _ = understood(real_chat)
    assert intent == "find_cancer_centre" and entities.get("city") == city


def test_a_city_after_a_question_about_a_centre_gets_that_citys_centre(real_chat: Chat) -> None:
    real_chat.say("где находится центр Леон Берар?")
    real_chat.say("а в Тулузе?")
    intent, entities, _ = understood(real_chat)
    assert intent == "centre_location_contact" and entities["centre"] == "oncopole-claudius-regaud"


def test_an_out_of_scope_turn_keeps_the_context(real_chat: Chat) -> None:
    real_chat.say("centres anticancer à lyon ?")
    real_chat.say("quel temps fait-il demain ?")
    assert real_chat.intent() == "out_of_scope"
    real_chat.say("et à nice ?")
    assert understood(real_chat)[:2] == ("find_cancer_centre", {"city": "nice"})


def test_a_bare_follow_up_is_read_against_the_topic(real_chat: Chat) -> None:
    real_chat.say("do you have oncology fellowships for foreign doctors?")
    real_chat.say("how much does it cost?")
    assert real_chat.intent() == "training_practicalities"  # the course's fees, not the cost of treatment
    real_chat.say("in which language?")
    assert real_chat.intent() == "training_practicalities"
    assert real_chat.engine.store.load_user(real_chat.user).language is None  # asked about, not switched to


def test_naming_a_language_still_switches_after_a_training_question(real_chat: Chat) -> None:
    real_chat.say("do you have oncology fellowships for foreign doctors?")
    real_chat.say("in Russian please")
    assert real_chat.intent() == "change_language"
    assert real_chat.engine.store.load_user(real_chat.user).language == "ru"


def test_cost_after_a_treatment_question_is_the_quote(real_chat: Chat) -> None:
    real_chat.say("how does a foreign patient get treated in france")
    real_chat.say("how much does it cost?")
    assert real_chat.intent() == "cost_quote"


def test_how_long_after_a_visa_question_is_the_visa(real_chat: Chat) -> None:
    real_chat.say("I need a medical visa for my mother")
    real_chat.say("how long does it take?")
    assert real_chat.intent() == "medical_visa"


def test_the_only_centre_of_an_answer_becomes_the_centre_in_context(real_chat: Chat) -> None:
    real_chat.say("cancer centres in caen")
    real_chat.say("do they have interpreters?")
    intent, entities, carried = understood(real_chat)
    assert (intent, entities.get("centre"), carried) == (
        "interpreter_services",
        "centre-francois-baclesse",
        ("centre",),
    )


def test_the_context_fades_after_some_turns(real_chat: Chat, clock: Clock) -> None:
    real_chat.say("where is institut curie")
    for _ in range(6):
        real_chat.say("thank you")
    real_chat.say("do they have interpreters?")
    intent, entities, carried = understood(real_chat)
    assert intent == "interpreter_services" and "centre" not in entities and carried == ()


def test_the_context_fades_after_minutes_of_silence(real_chat: Chat, clock: Clock) -> None:
    real_chat.say("where is institut curie")
    clock.now += 29 * 60
    real_chat.say("do they have interpreters?")
    assert understood(real_chat)[2] == ("centre",)
    clock.now += 31 * 60
    real_chat.say("where do i send the reports?")
    assert understood(real_chat)[2] == ()


def test_starting_over_and_forgetting_clear_the_context(real_chat: Chat) -> None:
    real_chat.say("where is institut curie")
    real_chat.say("/start")
    real_chat.say("do they have interpreters?")
    assert understood(real_chat)[2] == ()
    real_chat.say("where is institut curie")
    real_chat.say("/forget")
    real_chat.say("do they have interpreters?")
    assert understood(real_chat)[2] == ()


def test_a_language_switch_keeps_the_context(real_chat: Chat) -> None:
    real_chat.say("where is institut curie")
    real_chat.press("lang:fr") if "lang:fr" in real_chat.button_ids() else real_chat.say("/language")
    real_chat.press("lang:fr")
    real_chat.say("et ils ont des interprètes ?")
    assert understood(real_chat)[1:] == ({"centre": "institut-curie"}, ("centre",))


def test_the_context_survives_a_restart(real_parts: Parts, tmp_path: Path) -> None:
    database = str(tmp_path / "state.sqlite3")
    settings = settings_for(REPO, tmp_path)
    first = Chat(build_engine(settings, store=SqliteStore(database), parts=real_parts))
    first.say("where is institut curie")
    first.engine.store.close()
    again = Chat(build_engine(settings, store=SqliteStore(database), parts=real_parts))
    again.say("do they have interpreters?")
    assert again.last.understanding is not None and again.last.understanding.context == ("centre",)


def test_how_to_contact_them_after_a_centre_is_the_centres_contact_not_the_suppliers(real_chat: Chat) -> None:
    real_chat.say("what is gustave roussy known for")
    real_chat.say("comment les contacter ?")
    assert real_chat.intent() == "centre_location_contact"
    assert "gustaveroussy.fr" in real_chat.text()
