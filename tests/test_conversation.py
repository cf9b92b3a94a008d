"""Conversations on the small test knowledge base, read as a chat: what the user says, what they see."""

from __future__ import annotations

from bot.dialogue.actions import CaseDetails, Forgotten, Handoff, Inbound, Rated, Relay, Venue
from conftest import Chat


def test_greeting_shows_the_main_menu(chat: Chat) -> None:
    chat.hint = "fr"
    chat.say("bonjour")
    assert "J'aide pour les soins du cancer" in chat.text()
    assert {"menu:patients", "menu:centres", "menu:language", "handoff:offer"} <= set(chat.button_ids())


def test_start_greets_in_the_channel_language_and_offers_the_menu(chat: Chat) -> None:
    chat.hint = "fr"
    chat.say("/start")
    assert "menu:patients" in chat.button_ids() and "handoff:offer" in chat.button_ids()
    assert chat.text().startswith("Bonjour")


def test_named_centre_gets_its_card_with_pages_and_venue(chat: Chat) -> None:
    chat.say("where is gustave roussy?")
    text = chat.text()
    assert "Gustave Roussy — Villejuif" in text
    assert "114 rue Édouard-Vaillant" in text
    assert "+33 1 42 11 42 11" in text
    urls = {b.url for b in chat.buttons() if b.url}
    assert "https://www.gustaveroussy.fr/en/international-appointment" in urls
    assert any(isinstance(a, Venue) and a.centre_id == "gustave-roussy" for a in chat.last.actions)


def test_lines_for_unrecorded_fields_are_dropped(chat: Chat) -> None:
    chat.say("address of institut curie")
    text = chat.text()
    assert "Institut Curie — Paris" in text
    assert "Address:" not in text and "Phone:" not in text


def test_follow_up_question_uses_the_centre_talked_about(chat: Chat) -> None:
    chat.say("ou se trouve l'institut curie ?")
    assert "Institut Curie" in chat.text()
    chat.say("et son site web ?")
    assert "https://www.curie.fr/" in chat.text()


def test_centre_without_a_name_asks_which_with_buttons(chat: Chat) -> None:
    chat.say("what is the website of the centre")
    assert "Which centre" in chat.text()
    chat.press("Centre Léon Bérard")
    assert "Centre Léon Bérard — Lyon" in chat.text()
    assert "28 rue Laennec" in chat.text()


def test_specialties_are_honest_when_nothing_is_recorded(chat: Chat) -> None:
    chat.say("what does curie treat")
    assert "Proton therapy" in chat.text()
    chat.say("specialties of leon berard")
    assert "Nothing specific is recorded here about Centre Léon Bérard" in chat.text()


def test_city_without_a_centre_gets_the_nearest_with_distances(chat: Chat) -> None:
    chat.say("is there a cancer centre in versailles?")
    text = chat.text()
    assert "No centre in Versailles itself" in text
    first = text.split("\n")[1]
    assert "km" in first and "(" in first
    assert "Centre Léon Bérard" not in text.split("\n")[1]


def test_city_with_centres_lists_them(chat: Chat) -> None:
    chat.hint = "fr"
    chat.say("centre anticancer a lyon")
    assert "À Lyon" in chat.text() and "Centre Léon Bérard" in chat.text()


def test_shared_location_gives_the_three_nearest_centres(chat: Chat) -> None:
    chat.send_location(45.75, 4.85)  # Lyon
    text = chat.text()
    assert text.index("Centre Léon Bérard") < text.index("Gustave Roussy")
    assert len([a for a in chat.last.actions if isinstance(a, Venue)]) == 3


def test_emergency_gets_the_number_first(chat: Chat) -> None:
    chat.say("my father cant breathe help")
    assert chat.intent() == "emergency"
    assert chat.text().startswith("Call 15 (SAMU) or 112")


def test_emergency_in_arabic(chat: Chat) -> None:
    chat.say("ابي لا يتنفس")
    assert chat.intent() == "emergency"
    assert "15" in chat.text() and "112" in chat.text()


def test_medical_advice_is_refused_and_a_coordinator_offered(chat: Chat) -> None:
    chat.say("should my mother do chemo or surgery?")
    assert chat.intent() == "medical_advice_request"
    assert "cannot give medical advice" in chat.text()
    assert "handoff:offer" in chat.button_ids()


def test_two_misses_offer_a_coordinator(chat: Chat) -> None:
    chat.say("what is the weather tomorrow")
    assert chat.intent() == "out_of_scope"
    assert "only help with cancer care" in chat.text()
    chat.say("who won the football match")
    assert "Would you like to talk to a coordinator?" in chat.text()
    assert "handoff:offer" in chat.button_ids()


def test_handoff_asks_consent_before_anything_is_shared(chat: Chat) -> None:
    chat.say("i want to talk to a human")
    assert chat.intent() == "human_handoff"
    assert "Shall I pass the conversation to a coordinator?" in chat.text()
    assert "do not send medical files" in chat.text()
    assert not any(isinstance(a, Handoff) for a in chat.last.actions)
    chat.press("Yes")
    events = [a for a in chat.last.actions if isinstance(a, Handoff)]
    assert events and events[0].event == "requested"
    assert "A coordinator will answer you here" in chat.text() and "Who are you?" in chat.text()


def open_case_like_a_channel(chat: Chat) -> int:
    """What a channel does with the hand-off event: open the case in the store."""
    case, _ = chat.engine.store.open_case(chat.user, "1", "en")
    return case.id


def test_the_optional_intake_refines_the_open_case(chat: Chat) -> None:
    chat.say("/human")
    chat.press("Yes")
    case_id = open_case_like_a_channel(chat)
    chat.press("Family or friend")
    assert CaseDetails(case_id, user_type="family") in chat.last.actions
    assert "Which country" in chat.text()
    chat.say("Algérie")
    assert CaseDetails(case_id, country="Algérie") in chat.last.actions
    assert "What is it about?" in chat.text()
    chat.press("Treatment in France")
    assert CaseDetails(case_id, topic="care") in chat.last.actions
    chat.say("here are the details of our request")
    assert chat.last.actions == (Relay(case_id),)


def test_a_message_instead_of_a_country_is_relayed_not_stored(chat: Chat) -> None:
    chat.say("/human")
    chat.press("Yes")
    case_id = open_case_like_a_channel(chat)
    chat.press("Skip")
    chat.say("we are in Oran and here are the details of our request")
    assert chat.last.actions == (Relay(case_id),)


def test_every_intake_step_can_be_skipped(chat: Chat) -> None:
    chat.say("/human")
    chat.press("Yes")
    open_case_like_a_channel(chat)
    for _ in range(3):
        chat.press("Skip")
    assert not any(isinstance(a, CaseDetails) for t in chat.turns for a in t.actions)
    assert "A coordinator will answer you here" in chat.text()


def test_declining_the_handoff_shares_nothing(chat: Chat) -> None:
    chat.say("/human")
    chat.press("No")
    assert "nothing has been shared" in chat.text()
    assert all(a.event == "declined" for a in chat.last.actions if isinstance(a, Handoff))


def test_unanswered_questions_travel_with_the_handoff(chat: Chat) -> None:
    chat.say("tell me a joke please")
    chat.say("/human")
    chat.press("Yes")
    event = next(a for a in chat.last.actions if isinstance(a, Handoff))
    # What the assistant made of it travels; the words themselves were never kept before consent.
    assert event.unanswered and event.unanswered[0].intent == "out_of_scope"
    assert "tell me a joke" not in str(event.unanswered)


def test_while_a_case_is_open_messages_go_to_the_coordinator_not_to_the_bot(chat: Chat) -> None:
    case, _ = chat.engine.store.open_case(chat.user, "1", "en")
    turn = chat.say("where is gustave roussy")
    assert turn.actions == (Relay(case.id),)
    turn = chat._run(Inbound(chat.user, media=True))
    assert turn.actions == (Relay(case.id),)


def test_an_emergency_during_a_case_still_gets_the_number_and_flags_the_topic(chat: Chat) -> None:
    case, _ = chat.engine.store.open_case(chat.user, "1", "en")
    chat.say("my father cant breathe help")
    assert chat.text().startswith("Call 15 (SAMU) or 112")
    assert Relay(case.id, emergency=True) in chat.last.actions


def test_after_the_case_closes_the_assistant_answers_again_and_takes_a_rating(chat: Chat) -> None:
    case, _ = chat.engine.store.open_case(chat.user, "1", "en")
    chat.engine.store.close_case(case.id)
    chat.say("where is gustave roussy")
    assert "Gustave Roussy — Villejuif" in chat.text()
    chat._run(Inbound(chat.user, payload=f"rate:{case.id}:5"))
    assert Rated(case.id, 5) in chat.last.actions
    assert "Thank you for your rating" in chat.text()


def test_someone_else_cannot_rate_a_case(chat: Chat) -> None:
    case, _ = chat.engine.store.open_case("someone-else", "2", "en")
    chat._run(Inbound(chat.user, payload=f"rate:{case.id}:1"))
    assert not any(isinstance(a, Rated) for a in chat.last.actions)


def test_photos_are_not_read_and_point_to_secure_channels(chat: Chat) -> None:
    chat._run(Inbound(chat.user, media=True))
    assert "secure channels" in chat.text()


def test_a_banned_user_gets_nothing(chat: Chat) -> None:
    chat.engine.store.ban(chat.user)
    assert chat.say("hello").actions == ()


def test_reply_follows_the_message_language_when_clear(chat: Chat) -> None:
    chat.hint = "en"
    chat.say("faut il un visa pour se soigner en france")
    assert chat.last.understanding and chat.last.understanding.language == "fr"
    assert "consulat de France" in chat.text()


def test_channel_hint_decides_when_the_message_is_unclear(chat: Chat) -> None:
    chat.hint = "ar"
    chat.say("curie")
    assert chat.replies()[0].language == "ar"


def test_chosen_language_wins_and_a_switch_is_offered_not_imposed(chat: Chat) -> None:
    chat.say("/language")
    chat.press("lang:ar")
    assert chat.replies()[0].language == "ar"
    chat.say("comment avoir un visa pour traitement en france")
    assert chat.replies()[0].language == "ar"
    assert "lang:fr" in chat.button_ids()
    switch = next(b for b in chat.buttons() if b.id == "lang:fr")
    assert "Français" in switch.label


def test_language_switch_by_text(chat: Chat) -> None:
    chat.say("can you answer in arabic")
    assert chat.intent() == "change_language"
    assert chat.replies()[0].language == "ar"
    assert "العربية" in chat.text()


def test_arabic_lines_opening_with_latin_names_stay_right_to_left(chat: Chat) -> None:
    chat.say("عنوان معهد كوري")
    first_line = chat.text().split("\n")[0]
    assert first_line.startswith("\u200f") and "Institut Curie" in first_line


def test_a_reply_amended_with_a_switch_button_keeps_one_right_to_left_mark(chat: Chat) -> None:
    chat.say("/language")
    chat.press("lang:ar")
    chat.say("quelle est l'adresse de l'institut curie")
    assert "lang:fr" in chat.button_ids()
    first_line = chat.text().split("\n")[0]
    assert first_line.startswith("\u200f") and not first_line.startswith("\u200f\u200f")


def test_buttons_carry_stable_ids_and_translated_labels(chat: Chat) -> None:
    chat.hint = "fr"
    chat.say("/start")
    fr = {b.id: b.label for b in chat.buttons()}
    chat.hint = "en"
    chat.user = "user-2"
    chat.say("/start")
    en = {b.id: b.label for b in chat.buttons()}
    assert fr.keys() == en.keys()
    assert fr["handoff:offer"] != en["handoff:offer"]


def test_patients_menu_lists_its_topics(chat: Chat) -> None:
    chat.say("/start")
    chat.press("menu:patients")
    assert {"intent:medical_visa", "intent:cost_quote", "menu:main"} <= set(chat.button_ids())
    chat.press("intent:medical_visa")
    assert "Schengen" in chat.text()
    assert "intent:cost_quote" in chat.button_ids()


def test_centre_browser_by_region(chat: Chat) -> None:
    chat.say("/centres")
    chat.press("region:auvergne-rhone-alpes")
    assert "Centre Léon Bérard" in chat.text()


def test_organisation_named_and_unnamed(chat: Chat) -> None:
    chat.say("what is unicancer")
    assert "federation of the French comprehensive cancer centres" in chat.text()
    chat.user = "user-3"
    chat.say("tell me about the organisations")
    assert chat.intent() in ("about_organisations", "out_of_scope")


def test_list_of_centres_is_grouped_by_region(chat: Chat) -> None:
    chat.say("list of cancer centres")
    text = chat.text()
    assert "Île-de-France" in text and "Auvergne-Rhône-Alpes" in text
    assert text.index("Others:") < text.index("American Hospital of Paris")


def test_forget_erases_the_user(chat: Chat) -> None:
    chat.say("/language")
    chat.press("lang:fr")
    chat.say("/forget")
    assert any(isinstance(a, Forgotten) for a in chat.last.actions)
    assert chat.engine.store.load_user(chat.user).language is None


def test_bad_input_never_crashes_and_the_next_message_is_served(chat: Chat) -> None:
    for text in ["", "   ", "😀😀😀", "\x00\x07\x1b[31m", "a" * 10_000, "Curie кюри 居里 كوري", "\ud800"]:
        turn = chat.say(text)
        assert turn.replies, text
    chat.say("where is gustave roussy")
    assert "Gustave Roussy — Villejuif" in chat.text()


def test_empty_message_asks_for_a_question(chat: Chat) -> None:
    chat.say("   ")
    assert "Please type your question" in chat.text()


def test_stale_button_returns_to_the_menu(chat: Chat) -> None:
    chat._run(Inbound(chat.user, payload="centre:gone"))
    assert "menu:patients" in chat.button_ids()
