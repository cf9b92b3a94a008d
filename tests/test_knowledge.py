"""Questions about what each centre treats and where its sites are, answered from the sourced catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_safety import ScriptedChat, ScriptedMatcher

from bot.assistant import Parts, build_engine, entity_names
from bot.content.loader import load
from bot.nlu.entities import EntityIndex
from bot.store.sqlite import SqliteStore
from conftest import REPO, Chat, make_content_root, settings_for

NETSARC = "groupe-sarcome-francais.fr"


@pytest.fixture
def scripted_real(real_parts: Parts, tmp_path: Path, store: SqliteStore) -> ScriptedChat:
    """The shipped content answering readings the test sets: the rules about names and places, on real records."""
    engine = build_engine(settings_for(REPO, tmp_path), store=store, parts=real_parts)
    matcher = ScriptedMatcher()
    engine.matcher = matcher  # type: ignore[assignment]
    return ScriptedChat(engine, matcher=matcher)


def test_which_hospital_for_sarcoma_names_the_network_centres_with_a_source(real_chat: Chat) -> None:
    real_chat.say("which hospital treats sarcoma?")
    text = real_chat.text()
    for centre in ("Institut Bergonié", "Centre Léon Bérard", "Gustave Roussy"):
        assert centre in text
    assert "NETSARC+" in text and NETSARC in text
    assert "Which city" not in text


def test_sarcoma_near_a_city_lists_the_closest_first(real_chat: Chat) -> None:
    real_chat.say("sarcoma centre near toulouse")
    lines = [line for line in real_chat.text().split("\n") if line.startswith("•")]
    # The centre in the city itself first, without a distance ("0 km" says nothing); the next ones with theirs.
    assert lines[0].startswith("• Oncopole Claudius Regaud") and "km" not in lines[0]
    assert "km" in lines[1]
    assert len(lines) <= 5


def test_uveal_melanoma_points_to_curie_and_nice(real_chat: Chat) -> None:
    real_chat.say("where is uveal melanoma treated in france")
    text = real_chat.text()
    assert "Institut Curie" in text and "Mélachonat" in text
    assert "Centre Antoine Lacassagne" in text


def test_retinoblastoma_is_answered_with_curie(real_chat: Chat) -> None:
    real_chat.say("my son has retinoblastoma, which hospital in france?")
    text = real_chat.text()
    assert "Institut Curie" in text and "retinoblastoma" in text.lower()


def test_blood_cancer_in_russian_and_arabic_finds_paoli_calmettes(real_chat: Chat) -> None:
    real_chat.say("где во Франции лечат рак крови?")
    assert "Institut Paoli-Calmettes" in real_chat.text()
    real_chat.say("أين يعالج سرطان الدم في فرنسا؟")
    assert "Institut Paoli-Calmettes" in real_chat.text()


def test_sarcoma_in_chinese_lists_the_network(real_chat: Chat) -> None:
    real_chat.say("法国哪家医院治疗肉瘤？")
    assert "Institut Bergonié" in real_chat.text()


def test_what_a_centre_is_known_for_shows_each_area_with_its_page(real_chat: Chat) -> None:
    real_chat.say("what is Centre Léon Bérard known for?")
    text = real_chat.text()
    assert "NETSARC+" in text and NETSARC in text
    assert "ihope.fr" in text


def test_does_a_centre_treat_a_cancer_it_is_recorded_for(real_chat: Chat) -> None:
    real_chat.say("does institut curie treat retinoblastoma?")
    text = real_chat.text()
    assert "Institut Curie" in text and "curie.fr/retinoblastome" in text


def test_a_cancer_not_recorded_for_a_centre_is_said_so_without_a_guess(real_chat: Chat) -> None:
    real_chat.say("does centre eugene marquis treat breast cancer?")
    text = real_chat.text()
    assert "nothing recorded" in text and "does not mean" in text
    assert "https://www.centre-eugene-marquis.fr/" in text


def test_nantes_gets_the_ico_site_in_saint_herblain_first(real_chat: Chat) -> None:
    real_chat.say("cancer centres near Nantes")
    first = next(line for line in real_chat.text().split("\n") if line.startswith("•"))
    assert "Institut de Cancérologie de l'Ouest — Saint-Herblain" in first


def test_paris_area_covers_every_ile_de_france_site(real_chat: Chat) -> None:
    real_chat.say("cancer hospitals in the Paris area")
    text = real_chat.text()
    for city in ("Villejuif", "Saint-Cloud", "Orsay", "Suresnes", "Neuilly-sur-Seine"):
        assert city in text, city


def test_paris_also_lists_the_sites_just_outside_it(real_chat: Chat) -> None:
    real_chat.say("cancer centre in Paris")
    text = real_chat.text()
    assert "Institut Curie — Paris" in text
    assert "Gustave Roussy — Villejuif (" in text


@pytest.mark.parametrize(
    ("text", "cancer"),
    [
        ("tumeur au cerveau chez mon pere", "brain"),
        ("рак крови у мамы", "leukaemia"),
        ("肉瘤在哪里治疗", "sarcoma"),
        ("سرطان الدم عند ابني", "leukaemia"),
        ("blood cancer specialist", "leukaemia"),
        ("cancer de mama en paris", "breast"),
    ],
)
def test_cancer_types_are_found_in_every_script(real_parts: Parts, text: str, cancer: str) -> None:
    index = EntityIndex(entity_names(real_parts.kb))
    assert index.find(text).first("cancer_type") == cancer


def _centre_with(root: Path, expertise: str) -> None:
    path = root / "catalogue" / "centres.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    specialties: [", expertise + "    specialties: [", 1), encoding="utf-8")


def test_expertise_without_a_source_is_refused(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    _centre_with(root, "    expertise:\n      - specialty: proton-therapy\n")
    rendered = [str(p) for p in load(root).errors]
    assert any("expertise[0].source" in line and "address of a page" in line for line in rendered), rendered


def test_expertise_in_an_unknown_area_is_refused(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    _centre_with(root, "    expertise:\n      - specialty: magic\n        source: https://example.org/\n")
    rendered = [str(p) for p in load(root).errors]
    assert any("unknown specialty 'magic'" in line for line in rendered), rendered


@pytest.mark.parametrize(
    ("answer", "claim"),
    [
        ("Call +33 1 42 11 42 11 to book.", "phone number"),
        ("A first consultation costs 350 €.", "price"),
        ("Come to 12 rue de la Paix.", "address"),
        ("Admission takes 2 to 3 weeks.", "waiting time"),
        ("It is 3rd in the world ranking.", "ranking"),
        ("About 2,000 foreign patients come each year.", "figure"),
    ],
)
def test_strict_check_warns_on_an_unsourced_claim(tmp_path: Path, answer: str, claim: str) -> None:
    root = make_content_root(tmp_path / "kb")
    path = root / "intents" / "care.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: cost_quote")
    head, tail = text[:start], text[start:]
    tail = tail.replace("    answer:\n      en: ", f"    answer:\n      en: {answer} ", 1)
    path.write_text(head + _without_source(tail), encoding="utf-8")
    warnings = [str(p) for p in load(root).problems if p.severity == "warning"]
    assert any(f"states a {claim}" in line for line in warnings), warnings


def test_a_sourced_claim_is_not_warned_about(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    path = root / "intents" / "care.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Ask the French consulate", "Call +33 1 42 11 42 11 or ask the French consulate"))
    warnings = [str(p) for p in load(root).problems if p.severity == "warning"]
    assert not any("states a" in line for line in warnings), warnings


def _without_source(intent_text: str) -> str:
    """The first intent of the text with its `source:` lines removed."""
    lines = intent_text.split("\n")
    out, skipping = [], False
    for i, line in enumerate(lines):
        if line.startswith("    source:") and not skipping and "- id:" not in "".join(lines[:i][1:]):
            skipping = True
            continue
        if skipping and line.startswith("      - "):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out)


def test_arabic_and_chinese_lists_give_the_local_name_with_the_official_one(real_chat: Chat) -> None:
    real_chat.say("أين يعالج سرطان العظام في فرنسا؟")
    assert "معهد بيرغونييه (Institut Bergonié)" in real_chat.text()
    real_chat.say("法国哪家医院治疗肉瘤？")
    assert "贝尔戈尼研究所（Institut Bergonié）" in real_chat.text()


def test_waiting_time_at_a_centre_is_answered_without_an_invented_delay(real_chat: Chat) -> None:
    real_chat.say("What is the waiting time at Gustave Roussy?")
    assert real_chat.intent() == "intl_patient_process"
    text = real_chat.text()
    assert "publishes no delay" in text
    # The only figure is the consulate's usual visa decision time, sourced and said as the consulate's.
    visa = [line for line in text.split("\n") if "France-Visas" in line]
    assert visa and "15 days" in visa[0]
    rest = "\n".join(line for line in text.split("\n") if line not in visa)
    assert not any(word in rest for word in (" days", " weeks", " months"))


def test_a_card_without_an_international_office_does_not_invent_one(real_chat: Chat) -> None:
    real_chat.say("address of centre eugene marquis")
    text = real_chat.text()
    assert "Centre Eugène Marquis — Rennes" in text
    assert "where it has one" in text
    assert "International patients:" not in text


SCHENGEN_DECISION = "home-affairs.ec.europa.eu/policies/schengen-borders-and-visa/visa-policy/decision-visa-application"


def test_the_visa_answer_gives_the_schengen_decision_time_with_its_source_in_every_language(real_parts: Parts) -> None:
    """The standard 15 days (45 at most) comes with the European Commission's page, never an unsourced range."""
    for lang in real_parts.kb.config.languages:
        text = real_parts.kb.intents["medical_visa"].answer[lang]
        assert "15" in text and "45" in text and SCHENGEN_DECISION in text, lang
        assert "2–10" not in text and "2 to 10" not in text, lang


def test_a_second_opinion_says_the_fee_is_paid_first_at_curie_in_every_language(real_parts: Parts) -> None:
    for lang in real_parts.kb.intents["second_opinion"].answer:
        text = real_parts.kb.intents["second_opinion"].answer[lang]
        assert "institut-curie.org/page/international-patient-steps-your-care" in text, lang
        assert "Curie" in text or "居里" in text or "كوري" in text or "Кюри" in text, lang


def test_the_deposit_without_a_prepaid_quote_is_told_as_one_hospital_s_rule(real_chat: Chat) -> None:
    real_chat.say("I have no French insurance, how much is the deposit asked on admission?")
    text = real_chat.text()
    assert "IUCT-Oncopole" in text and "10 days" in text


@pytest.mark.parametrize(
    ("question", "centre_area", "page"),
    [
        ("what is Centre Eugène Marquis known for?", "MRI-guided radiotherapy", "centre-eugene-marquis.fr"),
        ("what is Centre Jean Perrin known for?", "oncogenetics consultation (1987)", "livret-d-accueil"),
        ("what is the American Hospital of Paris known for?", "breast cancer surgery", "neuillyjournal.com"),
    ],
)
def test_the_centres_once_without_areas_now_give_a_sourced_one(
    real_chat: Chat, question: str, centre_area: str, page: str
) -> None:
    real_chat.say(question)
    text = real_chat.text()
    assert centre_area in text and page in text
    assert "no specific information" not in text


def test_lung_cancer_at_foch_is_answered_from_its_own_page(real_chat: Chat) -> None:
    real_chat.say("L'hôpital Foch soigne-t-il le cancer du poumon ?")
    text = real_chat.text()
    assert "centre national de référence" in text and "hopital-foch.com/nous-connaitre" in text


def test_eye_melanoma_in_spanish_is_an_eye_cancer_not_a_skin_one(real_parts: Parts) -> None:
    index = EntityIndex(entity_names(real_parts.kb))
    assert index.find("¿qué centro trata el melanoma de ojo?").first("cancer_type") == "eye"
    assert index.find("melanoma en la piel").first("cancer_type") == "skin-melanoma"


def test_a_medical_question_naming_a_cancer_and_a_city_starts_with_the_no_advice_line(real_chat: Chat) -> None:
    """Read as medical or as where to be treated (the centres: see the scripted test below), never without the line."""
    real_chat.say("mon pere a un lymphome, une greffe de moelle est-elle possible pour lui a paris ?")
    assert real_chat.intent() in ("find_cancer_centre", "medical_advice_request")
    assert real_chat.text().startswith("Je ne peux pas donner d'avis médical")
    assert "(0 km)" not in real_chat.text()


def test_centres_near_a_city_asked_unsurely_get_the_list_not_a_did_you_mean(real_chat: Chat) -> None:
    real_chat.say("مراكز علاج السرطان القريبة من تولوز")
    assert real_chat.intent() == "find_cancer_centre"
    assert "IUCT-Oncopole" in real_chat.text()


def test_a_child_with_an_eye_tumour_gets_the_centres_not_a_did_you_mean(real_chat: Chat) -> None:
    real_chat.say("hi, my daughter is 4, they found a tumor in her eye, they said retinoblastoma. where in france?")
    assert real_chat.intent() in ("find_cancer_centre", "paediatric_cancer")
    assert "Institut Curie" in real_chat.text()


def test_a_practical_answer_about_a_centre_gives_its_page_in_the_text(real_chat: Chat) -> None:
    """Channels without buttons still get the address to write to."""
    real_chat.say("how long before institut curie answers a patient from abroad?")
    assert "https://www.curie.fr/page/relations-internationales" in real_chat.text()


@pytest.mark.parametrize("lang", ["en", "fr", "ar", "ru", "es", "pt", "zh", "de"])
def test_practical_answers_carry_the_sourced_facts_in_every_language(real_parts: Parts, lang: str) -> None:
    """Uninsured tariffs (L.174-20), the consulate's visa decision time, and the three trial registries."""
    intents = real_parts.kb.intents
    assert "L.174-20" in intents["payment_insurance"].answer[lang]
    assert (
        "France-Visas" in intents["intl_patient_process"].answer[lang]
        and "15" in intents["intl_patient_process"].answer[lang]
    )
    for intent in ("clinical_trials_access", "french_research"):
        answer = intents[intent].answer[lang]
        assert all(registry in answer for registry in ("e-cancer.fr", "CTIS", "ClinicalTrials.gov")), intent


def test_sarcoma_membership_known_only_from_the_press_says_so(real_chat: Chat) -> None:
    real_chat.say("which hospital treats sarcoma?")
    line = next(line for line in real_chat.text().split("\n") if line.startswith("• Institut Godinot"))
    assert "medical press" in line and "labelled by INCa" not in line


@pytest.mark.parametrize(
    ("text", "lang", "mark"),
    [
        ("quels centres pour un sarcome près de lyon ?", "fr", "\u00a0: "),  # French: a no-break space before it
        ("里昂附近哪里治疗肉瘤？", "zh", "："),
        ("sarcoma centre near lyon", "en", ": "),
    ],
)
def test_composed_centre_lines_punctuate_as_their_language_writes(
    real_chat: Chat, text: str, lang: str, mark: str
) -> None:
    real_chat.say(text)
    assert real_chat.replies()[0].language == lang
    line = next(ln for ln in real_chat.text().splitlines() if "Léon Bérard" in ln or "莱昂·贝拉尔" in ln)
    assert mark in line and (lang == "en" or not re.search(r"(?<!\u00a0): ", line))


@pytest.mark.parametrize(
    "text",
    ["what hospitals are in paris", "quels hopitaux a paris", "какие больницы в Париже", "quais hospitais em paris"],
)
def test_hospitals_of_a_city_are_its_cancer_centres_not_out_of_scope(real_chat: Chat, text: str) -> None:
    real_chat.say(text)
    assert real_chat.intent() == "find_cancer_centre"
    assert "Gustave Roussy" in real_chat.text() and "Curie" in real_chat.text()


def test_a_medical_reading_of_where_to_be_treated_gets_the_centres_with_the_no_advice_line(
    scripted_real: ScriptedChat,
) -> None:
    """A cancer and a place named, read as medical first: where to go needs no advice, so the centres come, below
    the no-advice line."""
    chat = scripted_real
    chat.hint = "fr"
    chat.reads(("medical_advice_request", 0.6), ("find_cancer_centre", 0.3)).say("lymphome et greffe, a paris ?")
    assert chat.intent() == "find_cancer_centre"
    assert chat.text().startswith("Je ne peux pas donner d'avis médical")
    assert "AP-HP" in chat.text()


def test_where_a_cancer_is_treated_read_first_gets_the_centres_under_the_no_advice_line(
    scripted_real: ScriptedChat,
) -> None:
    """A cancer named, no place, where to be treated read first but unsure and a medical reading behind it: the
    centres for that cancer, below the no-advice line, not the refusal alone."""
    chat = scripted_real
    chat.hint = "fr"
    chat.reads(("find_cancer_centre", 0.32), ("medical_advice_request", 0.21), ("paediatric_cancer", 0.19))
    chat.say("ma fille a un retinoblastome, ou est-ce qu'on soigne ca ?")
    assert chat.intent() == "find_cancer_centre"
    assert chat.text().startswith("Je ne peux pas donner d'avis médical")
    assert "Institut Curie" in chat.text()
    # Read medical first, it stays the no-advice answer.
    other = ScriptedChat(chat.engine, user="user-2", matcher=chat.matcher, hint="fr")
    other.reads(("medical_advice_request", 0.32), ("find_cancer_centre", 0.21))
    other.say("retinoblastome : chimio ou laser ?")
    assert other.intent() == "medical_advice_request"


def test_what_a_named_centre_treats_read_first_but_unsure_is_answered_for_that_centre(
    scripted_real: ScriptedChat,
) -> None:
    """A centre and a cancer named, the centre's areas the best but unsure reading and a medical one behind it: that
    centre's recorded areas under the no-advice line, not the refusal alone."""
    chat = scripted_real
    chat.hint = "es"
    chat.reads(("centre_specialties", 0.33), ("medical_advice_request", 0.29), ("intl_patient_process", 0.13))
    chat.say("cancer de pulmon, en el hospital foch lo operan?")
    assert chat.intent() == "centre_specialties"
    assert chat.text().startswith("No puedo dar consejos médicos")
    assert "hopital-foch.com" in chat.text()


@pytest.mark.parametrize(
    ("text", "local", "nothing_recorded"),
    [
        ("centre for pancreatic cancer near lyon", "Centre Léon Bérard", "nothing about pancreatic cancer"),
        ("ابحث عن مستشفى لسرطان الثدي قريب من ليون", "(Centre Léon Bérard)", "لم أسجل عنها شيئًا"),
        ("рак груди, лечиться рядом с марселем", "Paoli-Calmettes", "ничего не записано"),
    ],
)
def test_a_cancer_near_a_city_also_shows_the_local_centre_without_a_guess(
    real_chat: Chat, text: str, local: str, nothing_recorded: str
) -> None:
    """The centre of the city itself is shown beside those recorded far away, saying nothing is recorded for it."""
    real_chat.say(text)
    said = real_chat.text()
    assert local in said and nothing_recorded in said
    line = next(line for line in said.split("\n") if local in line)
    assert "http" in line  # the page to ask it on


def test_a_local_centre_recorded_for_the_cancer_is_not_shown_twice(real_chat: Chat) -> None:
    real_chat.say("breast cancer hospital near bordeaux")
    said = real_chat.text()
    assert said.count("Institut Bergonié") == 1
    assert "nothing about breast cancer" not in said
    assert "bergonie.fr/cancer/les-cancers-du-sein" in said


def test_does_a_named_centre_operate_on_a_cancer_is_answered_for_that_centre(real_chat: Chat) -> None:
    """Asking whether a hospital does a surgery is about the hospital, not advice: its recorded area and page."""
    real_chat.say("meu pai tem um tumor no pulmao, o hospital foch em suresnes faz essa cirurgia?")
    assert real_chat.intent() == "centre_specialties"
    text = real_chat.text()
    assert "Hôpital Foch" in text and "hopital-foch.com" in text
    assert "Outros centros da região" not in text  # that centre, not the list of the place


def test_a_treatment_question_naming_a_centre_and_a_cancer_stays_medical(real_chat: Chat) -> None:
    real_chat.say("my mother has breast cancer and is treated at curie, should she stop her tamoxifen?")
    assert real_chat.intent() == "medical_advice_request"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("we need to know how long we will be in france for the treatment", "Length of stay"),
        ("combien de temps je vais rester en france pour mon traitement ?", "Durée du séjour"),
        ("сколько времени придется провести во франции на лечении?", "Длительность пребывания"),
        ("法国治疗要待多久？", "停留时间"),
    ],
)
def test_how_long_the_stay_lasts_says_what_decides_it_without_a_figure(real_chat: Chat, text: str, label: str) -> None:
    """No source gives a length of stay: the answer says what sets it and who tells you, never a number of days."""
    real_chat.say(text)
    line = next(line for line in real_chat.text().split("\n") if line.startswith(label))
    assert not re.search(r"\d", line)


@pytest.mark.parametrize(
    ("text", "answered"),
    [
        # the cancer only in the story: the question asks where the treatment is given
        (
            "My daughter is 12 and has a brain tumour, the doctors at home mentioned protons. "
            "Where in France can she get proton therapy?",
            "proton_therapy",
        ),
        ("proton therapy for a brain tumour, where in france?", "find_cancer_centre"),  # one sentence: its centres
        ("We live in Dakar. Which centres give proton therapy for a brain tumour?", "find_cancer_centre"),
    ],
)
def test_a_cancer_told_only_in_the_story_does_not_turn_a_question_about_a_treatment(
    scripted_real: ScriptedChat, text: str, answered: str
) -> None:
    """Where proton therapy is given is the proton-therapy answer; a cancer named in the question asks its centres."""
    chat = scripted_real
    chat.hint = "en"
    chat.reads(("proton_therapy", 0.9), ("buyer_radiotherapy_infrastructure", 0.05)).say(text)
    assert chat.intent() == answered


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("南特附近有癌症中心吗", "圣埃尔布兰（Saint-Herblain，"),
        ("مستشفيات السرطان في منطقة باريس", "فيلجويف (Villejuif)"),
        ("cancer centres near nantes", "— Saint-Herblain ("),
    ],
)
def test_a_town_in_the_readers_script_keeps_its_official_spelling(real_chat: Chat, text: str, line: str) -> None:
    """Chinese and Arabic lists name a site's town in their script and, in brackets, as it is written in France."""
    real_chat.say(text)
    assert line in real_chat.text()


def test_what_baclesse_is_known_for_names_its_proton_centre_and_year(real_chat: Chat) -> None:
    """Proton therapy in Caen is given on the CYCLHAD site since 2018 (the centre's own page)."""
    real_chat.say("чем известен центр баклесс?")
    text = real_chat.text()
    assert "CYCLHAD" in text and "2018" in text and "baclesse.fr/en/speciality/proton-therapy" in text
