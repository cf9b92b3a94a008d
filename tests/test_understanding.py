"""Understanding what people type: normalisation per script, typos, names in every script, languages."""

from __future__ import annotations

import pytest

from bot.assistant import Parts
from bot.nlu.matcher import Ranked
from bot.nlu.normalise import normalise, tokens
from conftest import Chat


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Où est l'Institut CURIE ?", "ou est l institut curie"),
        ("أَيْنَ مَعْهَدُ غوستاف روسي؟", "اين معهد غوستاف روسي"),
        ("إستشارة", "استشاره"),
        ("Ёлка ГЮСТАВ", "елка гюстав"),
        ("ＩＧＲ　ａｄｒｅｓｓｅ", "igr adresse"),
        ("Straße", "strasse"),
        ("٣ أيام", "3 ايام"),
        ("في شيء اسمه", "في شي اسمه"),  # the lone hamza, often left out
        ("شكراااا كتيييير", "شكرا كتير"),  # a stretched letter
        ("ههههههه", "ههههههه"),  # laughter stays as typed: the junk reader knows it
        ("a\x00b\u200bc", "abc"),
    ],
)
def test_normalisation_folds_what_people_leave_out(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_chinese_characters_are_tokens_of_their_own() -> None:
    assert tokens(normalise("居里研究所在哪")) == list("居里研究所在哪")


@pytest.mark.parametrize(
    ("text", "centre"),
    [
        ("IGR", "gustave-roussy"),
        ("adresse de l'IGR svp", "gustave-roussy"),
        ("Гюстав Русси", "gustave-roussy"),
        ("где находится Институт Гюстава Русси", "gustave-roussy"),
        ("古斯塔夫·鲁西在哪里", "gustave-roussy"),
        ("leon berard", "centre-leon-berard"),
        ("centre leon berad lyon", "centre-leon-berard"),
        ("Curie", "institut-curie"),
        ("gustav rousi adress", "gustave-roussy"),
        ("عنوان معهد غوستاف روسي", "gustave-roussy"),
        ("بغوستاف روسي", "gustave-roussy"),
        ("居里研究所的地址", "institut-curie"),
        ("в Институте Кюри", "institut-curie"),
        ("paoli calmettes", "institut-paoli-calmettes"),
        ("CLB", "centre-leon-berard"),
        ("ICANS strasbourg", "icans"),
        ("AP-HP", "ap-hp"),
    ],
)
def test_centres_are_found_in_any_script(real_parts: Parts, text: str, centre: str) -> None:
    assert real_parts.entities.find(text).first("centre") == centre


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("cancer centre in lyon", "city", "lyon"),
        ("مركز سرطان في ليون", "city", "lyon"),
        ("клиника в Лионе", "city", "lyon"),
        ("里昂的癌症中心", "city", "lyon"),
        ("hopital a marseille", "city", "marseille"),
        ("what is unicancer", "organisation", "unicancer"),
        ("c'est quoi l'INCa", "organisation", "inca"),
        ("speak russian please", "language", "ru"),
        ("по-русски пожалуйста", "language", "ru"),
        ("بالعربي لو سمحت", "language", "ar"),
        ("说中文", "language", "zh"),
        ("en francais svp", "language", "fr"),
    ],
)
def test_cities_organisations_and_languages_are_found(real_parts: Parts, text: str, kind: str, value: str) -> None:
    assert real_parts.entities.find(text).first(kind) == value


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("the French doctors are good?", "language"),
        ("hopitaux francais pour le cancer du sein", "language"),
        ("طبيب فرنسي جيد للسرطان", "language"),
        ("have a nice day", "city"),
        ("what a nice surprise, thank you", "city"),
        ("so nice of you", "city"),
        ("je suis assuré en Belgique, puis-je me faire soigner en France ?", "language"),
        ("which hospitals in france know sarcoma best", "language"),
        ("مراكز علاج السرطان القريبة من تولوز", "cancer_type"),  # "near" is not "lung" (الرئة)
    ],
)
def test_adjectives_are_not_taken_for_languages_or_cities(real_parts: Parts, text: str, kind: str) -> None:
    assert real_parts.entities.find(text).first(kind) is None


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("do the doctors speak French there", "language", "fr"),
        ("french please", "language", "fr"),
        ("ممكن تكلمني بالفرنسية", "language", "fr"),
        ("on habite à nice, quel hôpital", "city", "nice"),
        ("j habite a nantes, le centre le plus proche", "city", "nantes"),
        ("we live near the old port in Nice, which is the best centre", "city", "nice"),
        ("cancer centre nice", "city", "nice"),
        ("and nice?", "city", "nice"),
        ("hopital a caen", "city", "caen"),
        ("в Ниме есть онкоцентр?", "city", "nimes"),
        ("koennen wir deutsch reden?", "language", "de"),
        # of several languages named, the one asked for
        ("i almost died laughing when the bot answered me in german, can we go back to english", "language", "en"),
        ("le bot m'a repondu en chinois. on peut parler francais svp", "language", "fr"),
        ("笑死我了，机器人居然用德语回答，能说中文吗", "language", "zh"),
        ("je veux parler en français au lieu de l'anglais", "language", "fr"),
    ],
)
def test_names_that_are_also_words_are_found_where_the_context_names_them(
    real_parts: Parts, text: str, kind: str, value: str
) -> None:
    assert real_parts.entities.find(text).first(kind) == value


@pytest.mark.parametrize(
    "text",
    [
        "كان ابي مريضا",
        "По какому адресу находится институт Кюри?",
        "nice, thanks a lot for the help",
        "she has a tumour and nice doctors back home but we want france",
        "that's a nice idea but how long does the visa take",
        "se me caen las lagrimas, mil gracias",
        "o site do visto deu pau, como faco o pedido?",
        "мы будем жить с ним рядом с клиникой",
        "片子传过来全是马赛克，影像资料到底怎么发？",
    ],
)
def test_ordinary_words_are_not_taken_for_cities(real_parts: Parts, text: str) -> None:
    assert real_parts.entities.find(text).first("city") is None


@pytest.mark.parametrize("text", ["my wife has cancer", "she has a tumour, what does it cost", "who has my data"])
def test_the_word_has_is_not_the_health_authority(real_parts: Parts, text: str) -> None:
    assert real_parts.entities.find(text).first("organisation") is None


@pytest.mark.parametrize("text", ["what is HAS", "is the HAS certification public", "la HAS certifie les hopitaux"])
def test_the_health_authority_is_found_when_written_as_its_acronym(real_parts: Parts, text: str) -> None:
    assert real_parts.entities.find(text).first("organisation") == "has"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("bonjour je voudrais un rendez vous pour ma mere", "fr"),
        ("hello i would like an appointment for my mother", "en"),
        ("hola quisiera una cita para mi madre", "es"),
        ("ola gostaria de marcar uma consulta para minha mae", "pt"),
        ("hallo ich mochte einen termin fur meine mutter", "de"),
        ("مرحبا اريد موعدا لامي", "ar"),
        ("здравствуйте хочу записать маму", "ru"),
        ("你好我想给我妈妈预约", "zh"),
    ],
)
def test_languages_are_told_apart(real_parts: Parts, text: str, lang: str) -> None:
    guess = real_parts.languages.guess(text)
    assert guess.language == lang and guess.clear


def test_a_single_latin_word_is_not_a_clear_language(real_parts: Parts) -> None:
    assert not real_parts.languages.guess("ok").clear


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("do i need a visa for my treatment in france", "medical_visa"),
        ("do i nead a vsa for tretment in france", "medical_visa"),
        ("faut il un visa pour se faire soigner en france", "medical_visa"),
        ("how much does chemotherapy cost in paris", "cost_quote"),
        ("combien coute une chimiotherapie", "cost_quote"),
        ("كم تكلفة العلاج الكيماوي في فرنسا", "cost_quote"),
        ("сколько стоит лечение во франции", "cost_quote"),
        ("在法国治疗癌症要多少钱", "cost_quote"),
        ("what's the weather like in paris tomorrow", "out_of_scope"),
    ],
)
def test_intents_despite_typos_and_scripts(real_parts: Parts, text: str, intent: str) -> None:
    assert real_parts.matcher.rank(text)[0].intent == intent


def test_confidences_behave_like_probabilities(real_parts: Parts) -> None:
    ranked = real_parts.matcher.rank("where is gustave roussy", limit=50)
    assert all(0.0 <= r.confidence <= 1.0 for r in ranked)
    assert sum(r.confidence for r in ranked) == pytest.approx(1.0, abs=1e-6)
    assert ranked == sorted(ranked, key=lambda r: -r.confidence)


def test_fast_transform_equals_scikit_learns_tfidf() -> None:
    from bot.nlu.features import Features, char_ngrams, word_ngrams

    texts = [
        normalise(t) for t in ["où est l'institut curie", "visa médical pour ma mère", "居里研究所在哪", "a a a b"]
    ]
    features, matrix = Features.fit(texts, [char_ngrams, word_ngrams])
    for row, text in enumerate(texts):
        columns, values = features.transform(text)
        expected = matrix.getrow(row)
        assert sorted(columns.tolist()) == sorted(expected.indices.tolist())
        got = dict(zip(columns.tolist(), values.tolist(), strict=True))
        for column, value in zip(expected.indices.tolist(), expected.data.tolist(), strict=True):
            assert got[column] == pytest.approx(value, rel=1e-5)


def test_sparse_and_dense_weights_score_alike() -> None:
    import numpy as np

    from bot.nlu.features import LinearScorer

    rng = np.random.default_rng(0)
    coef = rng.normal(size=(5, 200)).astype(np.float32)
    coef[rng.random(coef.shape) < 0.9] = 0.0  # mostly zero: kept sparse
    sparse = LinearScorer(coef, np.arange(5, dtype=np.float32), list("abcde"))
    dense = LinearScorer(coef, np.arange(5, dtype=np.float32), list("abcde"))
    dense.dense = np.ascontiguousarray(coef.T)
    assert sparse.dense is None
    columns = np.array([3, 17, 42, 199], dtype=np.intp)
    values = np.array([0.5, 0.25, 1.0, 0.1], dtype=np.float32)
    assert np.allclose(sparse.scores(columns, values), dense.scores(columns, values), atol=1e-5)
    assert np.allclose(sparse.scores(columns[:0], values[:0]), np.arange(5))


def test_the_speller_finds_what_comparing_every_word_finds(real_parts: Parts) -> None:
    import random

    from rapidfuzz import fuzz, process

    from bot.nlu.matcher import CORRECTION_CUTOFF

    speller = real_parts.matcher.speller
    known = sorted(speller.known)
    alphabet = sorted({letter for word in known for letter in word})
    rng = random.Random(0)

    def typo(word: str) -> str:  # a letter dropped, added, changed (to any letter of the content) or swapped
        i = rng.randrange(len(word))
        kind = rng.randrange(4)
        if kind == 0:
            return word[:i] + word[i + 1 :]
        if kind == 1:
            return word[:i] + rng.choice(alphabet) + word[i:]
        if kind == 2:
            return word[:i] + rng.choice(alphabet) + word[i + 1 :]
        return word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :]

    typos = set()
    for word in rng.sample(known, 600):  # every script of the content, one to three slips each
        slipped = word
        for _ in range(rng.randint(1, 3)):
            slipped = typo(slipped) or slipped
        typos.add(slipped)
    typos -= speller.known
    found = 0
    for word in sorted(typos):
        spread = 1 if len(word) <= 5 else 2
        every = sorted((w for w in known if abs(len(w) - len(word)) <= spread), key=lambda w: (len(w), w))
        best = process.extractOne(word, every, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF)
        assert speller.nearest(word) == (best[0] if best else None), word
        found += best is not None
    assert found > len(typos) / 3  # many slips of a known word are corrected


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("وبالمستشفي", "مستشفي"),  # and + in + the
        ("فالسبيطار", "سبيطار"),  # Maghrebi "in the"
        ("للعلاج", "علاج"),
        ("والدي", "والدي"),  # a word that starts with و keeps it when short
        ("بلد", "بلد"),
        ("hospital", "hospital"),
    ],
)
def test_an_arabic_word_is_also_read_without_what_attaches_before_it(word: str, stem: str) -> None:
    from bot.nlu.features import word_ngrams
    from bot.nlu.normalise import arabic_stem

    assert arabic_stem(word) == stem
    assert stem in word_ngrams(f"{word} اخرى")


@pytest.mark.parametrize(
    ("text", "asking"),
    [
        ("We are staying near the station. Which hospital treats lung cancer?", "Which hospital treats lung cancer?"),
        ("Ya mandamos los informes. ¿Puedo hablar con alguien? Gracias.", "¿Puedo hablar con alguien?"),
        ("我们住在上海。我爸爸是肺癌。治疗费用大概多少？", "治疗费用大概多少？"),
        ("زوجي مريض. أرسلنا التقارير.كيف نبدأ؟؟", "كيف نبدأ؟"),
        ("Мы живём в Алматы.\nСколько стоит химия?!", "Сколько стоит химия?!"),
        ("Tumeur de 3.5 cm. Combien ça coûte ?", "Combien ça coûte ?"),
        ("are you a bot? what can you do?", None),  # every sentence asks: the whole message decides
        (
            "Madame, ma tante est suivie à Bamako. Pourriez-vous nous indiquer la marche à suivre. Cordialement.",
            "Pourriez-vous nous indiquer la marche à suivre.",
        ),
        (
            "Dear team, my uncle has a lymphoma. I would like to know the procedure. Kind regards",
            "I would like to know the procedure.",
        ),
        ("我妈妈去年做了手术。请问去法国需要准备什么材料", "请问去法国需要准备什么材料"),
        ("我爸爸是肺癌。可以去法国治疗吗", "可以去法国治疗吗"),
        ("where is gustave roussy", None),
        (  # what the family wants is part of the request: "is it possible?" alone says nothing
            "Дедушка лечится в Омске. Мы бы хотели, чтобы его снимки посмотрели во Франции. Это реально?",
            "Мы бы хотели, чтобы его снимки посмотрели во Франции. Это реально?",
        ),
        ("The doctors want chemo first. Is that right?", "Is that right?"),  # what the doctors want is the story
        (  # a letter: what the hospital is after, then only "how should we proceed?"
            "Dear colleagues, our clinic in Oman is building an oncology wing and would like French partners for the "
            "lab. How should we proceed? Best regards",
            "Dear colleagues, our clinic in Oman is building an oncology wing and would like French partners for the "
            "lab. How should we proceed?",
        ),
        (
            "Я хирург из Минска. Хочу поучиться во Франции. Как подать заявку?",
            "Хочу поучиться во Франции. Как подать заявку?",
        ),
        (  # the Arabic verb of wanting with "and" before it
            "أنا صيدلي من ليبيا. وأبحث عن دورة تدريبية في فرنسا. كيف أسجل؟",
            "وأبحث عن دورة تدريبية في فرنسا. كيف أسجل؟",
        ),
        ("زوجي مريض؛ كيف نبدأ؟", "كيف نبدأ؟"),  # the Arabic semicolon ends a sentence
        (  # dictated without a mark: the story is cut from the question at the question's first word
            "امي تعبانة من شهرين والدكتور هون قال لازم علاج كيماوي شو الاوراق يلي لازم نجهزها للسفارة",
            "شو الاوراق يلي لازم نجهزها للسفارة",
        ),
        # a question of three words says nothing alone: the whole message decides
        ("صار عندي الم بظهري من اسبوعين وما عم يروح ابدا شو ممكن يكون", None),
    ],
)
def test_the_asking_sentences_are_told_from_the_story(text: str, asking: str | None) -> None:
    from bot.nlu.sentences import asking_part

    assert asking_part(text) == asking


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Could you please let us know what happens next?", "what happens next?"),
        ("Könnten Sie uns bitte sagen, wie es jetzt weitergeht?", "wie es jetzt weitergeht?"),
        ("Подскажите, пожалуйста, какие документы нужны?", "какие документы нужны?"),
        ("请问我们接下来的步骤是什么？", "我们接下来的步骤是什么？"),
        ("Madame, Monsieur. Pourriez-vous nous indiquer les étapes ? Merci.", "Madame, Monsieur. les étapes ? Merci."),
        ("could you tell me?", "could you tell me?"),  # nothing would be left: the request stays as it is
        ("can you help me", "can you help me"),
    ],
)
def test_a_polite_opening_is_told_from_what_is_asked(text: str, plain: str) -> None:
    from bot.nlu.sentences import without_courtesy

    assert without_courtesy(text) == plain


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "Дедушка лечится в Омске от рака лёгкого. "
            "Мы бы хотели, чтобы его снимки посмотрели во Франции. Это реально?",
            "second_opinion",
        ),
        ("Could you kindly tell us what the steps are now?", "intl_patient_process"),
        ("Könnten Sie uns bitte sagen, wie es jetzt weitergeht?", "intl_patient_process"),
        (
            "My mother is 62, she had surgery in Cairo last year and now the doctors there say it came back. "
            "We have savings and my brother lives in France. How do we start?",
            "intl_patient_process",
        ),
        (
            "Nous avons déjà envoyé le dossier médical par mail il y a deux semaines. "
            "Est-ce que quelqu'un peut me rappeler ?",
            "human_handoff",
        ),
        (
            "Mon père a un cancer de la prostate, on habite à Alger, ma tante peut nous loger à Marseille. "
            "Combien coûte le traitement ?",
            "cost_quote",
        ),
        (
            "Мы живём в Алматы, у отца рак желудка, операцию делали дома. Сейчас нужна химия. "
            "Сколько это стоит во Франции?",
            "cost_quote",
        ),
        (
            "Minha mãe fez cirurgia em Maputo mas o câncer voltou. Temos família em Paris. Como começamos?",
            "intl_patient_process",
        ),
        ("أمي مريضة بالسرطان. سنسكن عند خالتي في باريس قرب المستشفى.هل نحتاج تأشيرة علاج؟", "medical_visa"),
        ("Mi tía vive cerca del hospital y nos quedaremos en su casa. ¿Cuánto cuesta el tratamiento?", "cost_quote"),
        ("我们已经把病历发给医院了。我们会住在亲戚家。需要办医疗签证吗？", "medical_visa"),
        (
            "Wir wohnen bei meiner Schwester in Lyon. Ich habe die Befunde schon geschickt. "
            "Wie viel kostet die Behandlung?",
            "cost_quote",
        ),
    ],
)
def test_the_question_outweighs_the_story_around_it(real_parts: Parts, text: str, intent: str) -> None:
    assert real_parts.matcher.rank(text)[0].intent == intent


@pytest.mark.parametrize(
    ("latin", "native"),
    [
        ("kam taklifa el 3ilaj", "كم تكلفة العلاج"),  # Arabizi: short vowels written, 3 for ain
        ("momken atkalem ma3 7ad", "ممكن اتكلم مع حد"),  # 7 for ha
        ("skolko stoit lechenie", "сколько стоит лечение"),
        ("gde nakhoditsya", "где находится"),  # "kh", "ts" as anyascii writes them; "h", "c" as people do
        ("gde nahodica", "где находится"),
    ],
)
def test_transliterations_meet_their_script_in_one_skeleton(latin: str, native: str) -> None:
    from bot.nlu.romanise import skeleton

    assert skeleton(normalise(latin)) == skeleton(normalise(native))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("salam, 3ayez a3raf kam el 3ilaj fi fransa", "ar"),
        ("kifach n9der nji l fransa bach ndawi mama", "ar"),
        ("shukran ktir 3ala kel shi", "ar"),
        ("shukran", "ar"),  # declared Arabic examples in Latin letters teach the detector, once read as Russian
        ("choukran bzaf", "ar"),
        ("spasibo bolshoe", "ru"),
        ("zdravstvujte, skolko stoit konsultaciya", "ru"),
        ("mne nuzhen perevodchik v bolnice", "ru"),
    ],
)
def test_arabic_and_russian_in_latin_letters_are_told_as_such(real_parts: Parts, text: str, lang: str) -> None:
    guess = real_parts.languages.guess(text)
    assert guess.language == lang and guess.clear
    assert real_parts.matcher.transliteration(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "how much does the treatment cost",
        "combien coute le traitement",
        "quanto custa o tratamento",
        "hallo",
        # skeletons that read as Arabic or Russian, in words of the Latin-script examples
        "sometimes i think everyone would be better off if i was gone",
        "is there a leukemia centre near marseille",
        "t'as vu le match hier soir ?",
        "telefonnummer gustave roussy",
        "telefono de gustave roussy",
        "vi o nome unicancer num site, o que essa organizacao faz?",
    ],
)
def test_latin_script_languages_are_not_taken_for_transliterations(real_parts: Parts, text: str) -> None:
    assert real_parts.matcher.transliteration(text) is None
    assert real_parts.languages.guess(text).language not in ("ar", "ru")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("kam ykallef el 3ilaj el kimawi 3andkom", "cost_quote"),
        ("lazem visa 3ilajiya 3ashan asafer ma3 abouya?", "medical_visa"),
        ("bghit nhder m3a chi wa7ed mn l equipe", "human_handoff"),
        ("skolko stoit himioterapiya vo francii", "cost_quote"),
        ("nuzhna li viza dlya lecheniya", "medical_visa"),
        ("kakie dokumenty nuzhno otpravit", "medical_documents"),
    ],
)
def test_intents_in_latin_letters(real_parts: Parts, text: str, intent: str) -> None:
    assert real_parts.matcher.rank(text)[0].intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "اربح المال من البيت انضم لقناتي على تليجرام",
        "crypto signals group, join now and earn from home",
        "my dog is vomiting blood, is there a vet open",
        "mon chat vomit depuis hier soir",
        "собаку рвёт с утра",
        "mdr je suis mort de rire",
    ],
)
def test_spam_pets_and_laughter_are_no_crisis_nor_question(real_parts: Parts, text: str) -> None:
    assert real_parts.matcher.rank(text)[0].intent == "out_of_scope"


def test_long_cyrillic_names_are_found_in_latin_letters(real_parts: Parts) -> None:
    assert real_parts.entities.find("gde institut kyuri").first("centre") == "institut-curie"
    assert real_parts.entities.find("lion").first("city") is None  # "Лион" is too short to be sure of


@pytest.mark.parametrize(
    "text",
    ["hahahahaha lol", "asdfghjkl", "jajajaja xd", "kkkkkkkk rsrsrs", "ههههههه", "哈哈哈哈哈", "ололо", "mdrrr ptdr"],
)
def test_laughter_and_keyboard_mash_are_junk(real_parts: Parts, text: str) -> None:
    assert real_parts.matcher.is_junk(text)
    assert real_parts.matcher.rank(text) == [Ranked("out_of_scope", 1.0)]


@pytest.mark.parametrize(
    "text",
    ["help!!!", "помогите", "救命", "socorro", "mama", "papa", "marhaba", "privet", "15", "curie", "where is igr"],
)
def test_short_words_the_assistant_knows_are_not_junk(real_parts: Parts, text: str) -> None:
    assert not real_parts.matcher.is_junk(text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ch7al yeswa el traitement f fransa ya khouya, 3afak", "ar"),  # Maghrebi, with French words
        ("bghit nhder m3a chi wa7ed", "ar"),
        ("wa9tach ykoun rendez-vous m3a tbib f gustave roussy?", "ar"),  # the skeleton alone read it as Russian
        ("mp3 player and a ps5", None),
        ("co2 and b2b in 2025", None),
        ("au 3eme etage du 7eme arrondissement", None),
    ],
)
def test_two_words_with_arabizi_digits_say_arabic(real_parts: Parts, text: str, lang: str | None) -> None:
    assert real_parts.matcher.transliteration(text) == lang


@pytest.mark.parametrize(
    ("text", "kind", "id_"),
    [
        ("skolko stoit lechenie v kyuri?", "centre", "institut-curie"),  # "Кюри" is too short to be romanised
        ("est li onkocentr v lione", "city", "lyon"),  # "в Лионе"
        ("kakie kliniki v tuluze lechat rak", "city", "toulouse"),
    ],
)
def test_names_in_russian_typed_in_latin_letters_are_found(real_chat: Chat, text: str, kind: str, id_: str) -> None:
    real_chat.say(text)
    understanding = real_chat.last.understanding
    assert understanding is not None and understanding.language == "ru"
    assert understanding.entities.get(kind) == id_


def test_names_read_in_cyrillic_are_ignored_when_the_words_do_not_line_up(real_parts: Parts) -> None:
    latin = real_parts.entities.find("v lione")
    shifted = real_parts.entities.find("в лионе сегодня")  # one word more: its spans would name other words
    assert latin.with_names_of(shifted) == latin
    assert latin.with_names_of(real_parts.entities.find("в лионе")).as_dict() == {"city": "lyon"}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("skolko stoit lechenie vo francii?", "cost_quote"),  # the skeleton alone read "the steps"
        ("skol'ko stoit himioterapiya v parizhe", "cost_quote"),  # and out of scope
    ],
)
def test_russian_in_latin_letters_is_also_read_in_cyrillic(real_parts: Parts, text: str, intent: str) -> None:
    assert real_parts.matcher.rank(text)[0].intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "tonight i want to make pancakes for the kids, easy recipe?",
        "ce soir j'ai envie d'une bonne soupe, une idee de recette ?",
        "الليلة بدي اعمل شوربة عدس، كيف بتنعمل؟",
        "сегодня вечером хочу сварить суп, подскажите рецепт",
        "esta noche quiero hacer una sopa de verduras, como se hace?",
        "hoje a noite quero fazer uma sopa de legumes, como faz?",
        "今晚想煮个汤，怎么做好喝？",
        "heute abend will ich eine gemuesesuppe kochen, wie geht das?",
    ],
)
def test_tonights_dinner_is_no_crisis_in_any_language(real_chat: Chat, text: str) -> None:
    """An everyday plan said with a crisis message's words ("tonight I want...") gets no crisis line."""
    real_chat.say(text)
    assert real_chat.intent() not in ("self_harm", "emergency"), text
    assert "3114" not in real_chat.text() and "112" not in real_chat.text(), text


@pytest.mark.parametrize(
    "text",
    [
        "credit immediat sans garant, appelez maintenant",
        "instant cash loan, no checks, call now",
        "قروض فورية بدون ضامن اتصل فورا",
        "быстрый займ на карту, звоните сейчас",
        "Sofortkredit heute noch, jetzt anrufen",
    ],
)
def test_loan_spam_saying_now_is_no_emergency(real_chat: Chat, text: str) -> None:
    """A loan advert saying "call now" is no emergency: the user sees no emergency numbers."""
    real_chat.say(text)
    assert real_chat.intent() == "out_of_scope", text
    assert "112" not in real_chat.text(), text


@pytest.mark.parametrize(
    "text",
    ["screw you, useless bot", "va te faire voir sale robot", "иди к черту, бот", "الله لا يوفقك", "滚，破机器人"],
)
def test_an_insult_gets_the_calm_reply_never_a_greeting_or_thanks(real_chat: Chat, text: str) -> None:
    """Abuse aimed at the assistant is answered with what it can do (or out of scope), never as a greeting or thanks."""
    real_chat.say(text)
    assert real_chat.intent() in ("help_capabilities", "out_of_scope"), text


@pytest.mark.parametrize("text", ["666666", "88888", "121212", "666666 666666"])
def test_repeated_digits_are_junk(real_parts: Parts, text: str) -> None:
    assert real_parts.matcher.is_junk(text)
    assert real_parts.matcher.rank(text) == [Ranked("out_of_scope", 1.0)]


@pytest.mark.parametrize("text", ["112", "15", "3114", "2020", "my mother is 58"])
def test_numbers_people_send_are_not_junk(real_parts: Parts, text: str) -> None:
    assert not real_parts.matcher.is_junk(text)


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("医院附近的房子这里昂贵吗", None),  # 这里 (here) + 昂贵 (expensive), not 里昂
        ("这个指南特别长，看不懂", None),  # 指南 (guide) + 特别 (very), not 南特
        ("我们下个月去里昂治疗", "lyon"),
        ("南特有癌症中心吗", "nantes"),
        ("住在马赛", "marseille"),
    ],
)
def test_a_chinese_city_inside_ordinary_words_is_no_city(real_parts: Parts, text: str, city: str | None) -> None:
    assert real_parts.entities.find(text).first("city") == city


@pytest.mark.parametrize(
    "text",
    [
        "el 3elag b kam fe faransa ya basha?",
        "kam el as3ar bta3et el 3elag fe faransa",
        "skolko stoit luchevaya terapiya",
    ],
)
def test_cost_questions_in_latin_letters_are_not_read_from_other_languages_words(real_parts: Parts, text: str) -> None:
    """Arabic and Russian typed in Latin letters are read against those languages' examples, not Spanish "algo"."""
    assert real_parts.matcher.rank(text)[0].intent == "cost_quote"


def test_only_a_long_word_is_heard_as_a_slip_of_a_crisis_word(real_parts: Parts) -> None:
    """A slip of a crisis word is heard in a long word ("suicde"), not in a short one ("aval", a guarantor)."""
    assert real_parts.matcher.alarm_heard("i keep thinking about suicde")
    assert not real_parts.matcher.alarm_heard("prestamos sin aval")


@pytest.mark.parametrize(
    "text",
    [
        "prestamos rapidos sin aval, escribenos ya",  # "aval" was read as a slip of French "avale" (swallowed)
        "credito facil sin aval",
    ],
)
def test_a_short_word_is_no_slip_of_a_crisis_word(real_chat: Chat, text: str) -> None:
    real_chat.say(text)
    assert real_chat.intent() not in ("self_harm", "emergency"), text
    assert "112" not in real_chat.text() and "3114" not in real_chat.text(), text


def test_a_long_misspelt_crisis_word_is_still_read(real_chat: Chat) -> None:
    real_chat.say("je pense au suicdie tout le temps")
    assert real_chat.intent() == "self_harm"


@pytest.mark.parametrize("text", ["it's me again", "我又来了"])
def test_a_returning_user_is_greeted_not_shown_the_crisis_lines(real_chat: Chat, text: str) -> None:
    real_chat.say(text)
    assert real_chat.intent() == "greeting", text
    assert "3114" not in real_chat.text()
