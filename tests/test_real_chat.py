"""Conversations on the shipped knowledge base, in the languages people write in."""

from __future__ import annotations

import re

import pytest

from bot.dialogue.actions import Handoff, Venue
from conftest import Chat


def test_where_is_curie_in_french(real_chat: Chat) -> None:
    real_chat.say("où est curie ?")
    assert real_chat.intent() == "centre_location_contact"
    assert real_chat.replies()[0].language == "fr"
    assert "Institut Curie" in real_chat.text()
    assert any(b.url and "curie.fr" in b.url for b in real_chat.buttons())


def test_and_its_website_after_a_centre(real_chat: Chat) -> None:
    real_chat.say("where is gustave roussy")
    real_chat.say("and its website?")
    assert "gustaveroussy.fr" in real_chat.text()


def test_arabic_question_about_a_centre_gets_an_arabic_card(real_chat: Chat) -> None:
    real_chat.say("وين يقع معهد غوستاف روسي")
    assert real_chat.replies()[0].language == "ar"
    assert "Gustave Roussy" in real_chat.text()
    assert "114 rue Édouard-Vaillant" in real_chat.text()


def test_bonjour_is_answered_in_french_whatever_the_phone_says(real_chat: Chat) -> None:
    real_chat.hint = "en"
    real_chat.say("bonjour")
    assert real_chat.intent() == "greeting"
    assert real_chat.replies()[0].language == "fr"


def test_cost_questions_get_no_invented_figures(real_chat: Chat) -> None:
    for text in [
        "сколько стоит лечение рака груди во франции",
        "combien coute une chimio a paris",
        "在法国治疗癌症要多少钱",
    ]:
        real_chat.say(text)
        assert real_chat.intent() == "cost_quote", text
        assert not re.search(r"\d[\d\s]*(€|eur|евро|欧元)", real_chat.text(), re.IGNORECASE)
        assert "handoff:offer" in real_chat.button_ids()


def test_chinese_emergency_gets_the_number_first(real_chat: Chat) -> None:
    real_chat.say("我爸爸现在呼吸不了，怎么办")
    assert real_chat.intent() == "emergency"
    assert "15" in real_chat.text()[:60] and "112" in real_chat.text()[:80]


def test_medical_advice_in_german_is_refused_with_a_coordinator_offered(real_chat: Chat) -> None:
    real_chat.say("soll meine mutter zuerst chemo oder operation machen?")
    assert real_chat.intent() == "medical_advice_request"
    assert "handoff:offer" in real_chat.button_ids()


def test_versailles_gets_the_nearest_paris_area_centres(real_chat: Chat) -> None:
    real_chat.say("is there a cancer centre in versailles?")
    assert real_chat.intent() == "find_cancer_centre"
    text = real_chat.text()
    assert "km" in text
    assert any(name in text for name in ("Gustave Roussy", "Institut Curie", "Hôpital Foch", "AP-HP"))
    assert len([a for a in real_chat.last.actions if isinstance(a, Venue)]) == 3


def test_centres_of_a_city_with_several(real_chat: Chat) -> None:
    real_chat.say("cancer hospitals in paris")
    assert real_chat.intent() == "find_cancer_centre"
    assert "Institut Curie" in real_chat.text()


def test_the_list_names_every_centre_by_region(real_chat: Chat) -> None:
    real_chat.say("list of the french cancer centres")
    assert real_chat.intent() == "list_centres"
    assert real_chat.text().count("• ") == 21
    assert "Île-de-France" in real_chat.text()


def test_a_centre_name_alone_gets_its_card(real_chat: Chat) -> None:
    real_chat.say("IGR")
    assert real_chat.intent() == "centre_location_contact"
    assert "Villejuif" in real_chat.text()


def test_changing_language_by_asking(real_chat: Chat) -> None:
    real_chat.say("can you speak russian please")
    assert real_chat.intent() == "change_language"
    assert real_chat.replies()[0].language == "ru"
    real_chat.say("where is gustave roussy")
    assert real_chat.replies()[0].language == "ru"
    assert "lang:en" in real_chat.button_ids()


def test_a_short_follow_up_asks_about_the_same_centre_not_an_emergency(real_chat: Chat) -> None:
    real_chat.say("where is gustave roussy")
    real_chat.say("and the phone number?")
    assert real_chat.intent() == "centre_location_contact"
    assert "+33 1 42 11 42 11" in real_chat.text()
    assert not real_chat.text().startswith("If this is an emergency")


def test_an_emergency_in_the_first_person(real_chat: Chat) -> None:
    real_chat.say("я задыхаюсь")
    assert real_chat.intent() == "emergency"
    assert "112" in real_chat.text().split("\n")[0]


def test_arabic_in_latin_letters_is_answered_in_arabic(real_chat: Chat) -> None:
    real_chat.say("kam taklefet el 3ilaj el kimawi fi fransa?")
    assert real_chat.intent() == "cost_quote"
    assert real_chat.replies()[0].language == "ar"


def test_russian_in_latin_letters_is_answered_in_russian(real_chat: Chat) -> None:
    real_chat.say("nuzhna li viza dlya lecheniya vo francii")
    assert real_chat.intent() == "medical_visa"
    assert real_chat.replies()[0].language == "ru"


def test_junk_is_out_of_scope_and_never_brings_the_coordinator_offer(real_chat: Chat) -> None:
    for text in ["hahahahaha lol", "asdfghjkl", "ههههههه", "哈哈哈哈哈", "хахаха ололо", "lalala blub blub"]:
        real_chat.say(text)
        assert real_chat.intent() == "out_of_scope", text
        assert "Would you like to talk to a coordinator?" not in real_chat.text(), text
    real_chat.say("what is the weather tomorrow")  # a real question left unanswered is the first miss
    assert "Would you like to talk to a coordinator?" not in real_chat.text()
    real_chat.say("who won the football match")
    assert "Would you like to talk to a coordinator?" in real_chat.text()


def test_junk_never_opens_a_case_nor_leaves_a_question_unanswered(real_chat: Chat) -> None:
    """Laughter, mash and digit runs, however many, bring no hand-off, no case and nothing kept as unanswered."""
    for _ in range(3):
        for text in ["666666", "88888", "hahahaha", "asdfasdf", "哈哈哈哈"]:
            turn = real_chat.say(text)
            assert real_chat.intent() == "out_of_scope", text
            assert not any(isinstance(a, Handoff) for a in turn.actions), text
            assert "Would you like to talk to a coordinator?" not in real_chat.text(), text
    state = real_chat.engine.store.load_user(real_chat.user)
    assert not state.context.get("unanswered") and not state.context.get("misses")
    assert real_chat.engine.store.open_cases() == 0


# A family's "what should we do?" is a practical question; after words of suicide it is a crisis.
WHAT_NOW = {
    "en": "What should we do?",
    "fr": "Que devons-nous faire ?",
    "ar": "كيف نتصرف؟",
    "ru": "Как нам быть?",
    "es": "¿Qué debemos hacer?",
    "pt": "O que devemos fazer?",
    "de": "Was sollen wir tun?",
    "zh": "我们该怎么办？",
}
WANTS_TO_DIE = {
    "en": "My father keeps saying he wants to end his life.",
    "fr": "Mon père répète qu'il veut mettre fin à ses jours.",
    "ar": "أبي يكرر أنه يريد أن ينهي حياته.",
    "ru": "Отец всё время говорит, что хочет покончить с собой.",
    "es": "Mi padre repite que quiere quitarse la vida.",
    "pt": "O meu pai repete que quer pôr fim à vida.",
    "de": "Mein Vater sagt immer wieder, dass er sich das Leben nehmen will.",
    "zh": "我父亲一直说他想结束自己的生命。",
}


def test_a_bare_what_should_we_do_gets_no_crisis_line_in_any_language(real_chat: Chat) -> None:
    shown = []
    for lang, question in WHAT_NOW.items():
        real_chat.user = f"what-now-{lang}"
        real_chat.say(question)
        if real_chat.intent() in ("self_harm", "emergency") or "3114" in real_chat.text():
            shown.append(question)
    assert shown == []


def test_what_should_we_do_after_words_of_suicide_gets_the_crisis_lines(real_chat: Chat) -> None:
    for lang, question in WHAT_NOW.items():
        real_chat.user = f"wants-to-die-{lang}"
        real_chat.say(f"{WANTS_TO_DIE[lang]} {question}")
        assert "3114" in real_chat.text(), lang


def test_what_a_named_centre_does_is_its_expertise_not_a_solution_to_buy(real_chat: Chat) -> None:
    for text in ["Does Eugène Marquis do radiotherapy?", "macht das centre eugène marquis strahlentherapie?"]:
        real_chat.say(text)
        assert real_chat.intent() == "centre_specialties", text
        assert "centre-eugene-marquis.fr" in real_chat.text(), text
        assert "IBA" not in real_chat.text(), text


def test_a_buyer_asking_for_radiotherapy_without_a_name_still_gets_the_buyers_answer(real_chat: Chat) -> None:
    real_chat.say("we are a ministry planning a turnkey radiotherapy centre, which french companies can build it?")
    assert real_chat.intent() == "buyer_radiotherapy_infrastructure"


def test_a_question_naming_a_cancer_is_never_out_of_scope(real_chat: Chat) -> None:
    real_chat.say("qual hospital na frança trata leucemia em adultos e faz transplante?")
    assert real_chat.intent() == "find_cancer_centre"
    assert "Paoli-Calmettes" in real_chat.text()


# Small talk matches no intent; the crisis intents, the largest, must not take what is left of the score.
SMALL_TALK = [
    "is it going to rain this weekend?",
    "recette de crêpes facile ?",
    "كيف الجو اليوم؟",
    "кто вчера выиграл матч?",
    "¿qué película me recomiendas para esta noche?",
    "quanto custa um bilhete de metrô em lisboa?",
    "wie wird das wetter morgen?",
    "明天天气怎么样？",
    "earn 500 usd a day from home, click my link",
]


def test_small_talk_and_spam_never_get_the_crisis_lines(real_chat: Chat) -> None:
    shown = []
    for index, text in enumerate(SMALL_TALK):
        real_chat.user = f"small-talk-{index}"
        real_chat.say(text)
        if real_chat.intent() in ("self_harm", "emergency") or "3114" in real_chat.text():
            shown.append(text)
    assert shown == []


def test_thoughts_of_suicide_in_english_are_answered_in_english_on_an_arabic_phone(real_chat: Chat) -> None:
    real_chat.hint = "ar"  # its skeleton once read as Arabic in Latin letters, and the reply came in Arabic
    real_chat.say("sometimes i think everyone would be better off if i was gone")
    assert real_chat.intent() == "self_harm"
    assert real_chat.replies()[0].language == "en"
    assert "3114" in real_chat.text()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("macht das centre eugène marquis strahlentherapie?", "de"),  # the centre's French name read as English
        ("kakoi sait u instituta kyuri?", "ru"),
        ("quel est le site de gustave roussy", "fr"),
    ],
)
def test_a_centre_named_does_not_decide_the_language_of_the_reply(real_chat: Chat, text: str, lang: str) -> None:
    real_chat.hint = "en" if lang != "en" else "fr"
    real_chat.say(text)
    assert real_chat.replies()[0].language == lang
