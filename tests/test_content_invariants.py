"""Invariants over the real knowledge base: complete in every language, every reference resolves, nothing unsourced."""

from __future__ import annotations

import re

import pytest
import yaml
from babel.messages.pofile import read_po

import taxonomy
from bot.assistant import Parts
from bot.content.kinds import registered
from bot.content.loader import load
from bot.dialogue import strings
from bot.dialogue.render import Renderer
from conftest import REPO

PHONE = re.compile(r"(?:\+\d{1,3}[ .]?)?(?:\d[ .]?){8,}")  # "+33 1 42 11 42 11", "01.42.11.42.11"
SCRIPTS = {
    "arabic": re.compile(r"[\u0600-\u06ff]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "han": re.compile(r"[\u4e00-\u9fff]"),
}


def test_the_content_loads_without_errors_or_warnings() -> None:
    assert [str(p) for p in load(REPO).problems] == []


def test_languages_and_ids_of_the_taxonomy_are_all_there(real_parts: Parts) -> None:
    kb = real_parts.kb
    assert kb.config.languages == taxonomy.LANGUAGES
    assert set(taxonomy.INTENTS) <= set(kb.intents)
    assert set(kb.centres) == set(taxonomy.CENTRES)
    assert set(kb.organisations) == set(taxonomy.ORGANISATIONS)
    assert set(kb.cancer_types) == set(taxonomy.CANCER_TYPES)
    assert sum(c.network == "unicancer" for c in kb.centres.values()) == 18


def test_every_intent_has_examples_title_and_answer_in_every_language(real_parts: Parts) -> None:
    for intent in real_parts.kb.intents.values():
        for lang in taxonomy.LANGUAGES:
            assert len(intent.examples[lang]) >= 15, (intent.id, lang)
            assert intent.title[lang].strip() and intent.answer[lang].strip(), (intent.id, lang)


def test_emergency_answers_start_with_the_emergency_number(real_parts: Parts) -> None:
    for lang, text in real_parts.kb.intents["emergency"].answer.items():
        first_sentence = re.split(r"[.!。؛;]", text, maxsplit=1)[0]
        assert "15" in first_sentence and "112" in first_sentence, (lang, first_sentence)


def test_both_crisis_answers_give_every_line_in_every_language(real_parts: Parts) -> None:
    """Someone in danger, or thinking of suicide, may land on either answer: each carries 3114, 15 and 112."""
    for intent in ("emergency", "self_harm"):
        for lang in real_parts.kb.config.languages:
            text = real_parts.kb.intents[intent].answer[lang]
            assert all(line in text for line in ("3114", "15", "112")), (intent, lang)
    assert real_parts.kb.intents["self_harm"].offers_handoff  # then the offer of a person


def test_answers_state_no_phone_number_of_their_own(real_parts: Parts) -> None:
    for intent in real_parts.kb.intents.values():
        texts = [*intent.answer.values(), *(t for v in intent.variants.values() for t in v.values())]
        for text in texts:
            assert not PHONE.search(text), (intent.id, text)


def test_answers_with_web_addresses_cite_sources(real_parts: Parts) -> None:
    for intent in real_parts.kb.intents.values():
        if any("http" in text for text in intent.answer.values()):
            assert intent.source, intent.id


def test_phones_and_addresses_of_centres_are_sourced(real_parts: Parts) -> None:
    for centre in real_parts.kb.centres.values():
        if centre.phone or centre.address:
            assert centre.source, centre.id
        assert centre.website and centre.coordinates, centre.id


def test_centres_can_be_named_in_arabic_cyrillic_and_chinese_script(real_parts: Parts) -> None:
    for centre in real_parts.kb.centres.values():
        for script, pattern in SCRIPTS.items():
            assert any(pattern.search(a) for a in centre.aliases), (centre.id, script)


@pytest.mark.parametrize("lang", taxonomy.LANGUAGES)
def test_every_template_fills_for_every_entity(real_parts: Parts, lang: str) -> None:
    kb = real_parts.kb
    render = Renderer(kb, real_parts.interface)
    entities = {
        "centre_card": list(kb.centres),
        "centre_specialties": list(kb.centres),
        "centres_near": list(kb.cities) + list(kb.regions),
        "organisation": list(kb.organisations),
        "language_switch": list(kb.config.languages),
        "centre_list": [None],
    }
    declared_by = {answer.name: kind for kind in registered() for answer in kind.answers}
    for intent in kb.intents.values():
        if intent.kind is None:
            continue
        ids = entities.get(intent.kind) or list(kb.table(declared_by[intent.kind].key))  # a new kind: its own records
        for entity in [*ids, None]:
            out = render.render(intent, lang, entity)
            assert out.text and "{" not in out.text and "}" not in out.text, (intent.id, entity, out.text)


def test_list_of_centres_names_all_of_them(real_parts: Parts) -> None:
    kb = real_parts.kb
    text = Renderer(kb, real_parts.interface).render(kb.intents["list_centres"], "en", None).text
    assert all(c.name in text for c in kb.centres.values())


def test_catalogues_translate_every_interface_string_and_match_the_template() -> None:
    template = {m.id for m in read_po((REPO / "locales" / "oncobot.pot").open("rb")) if m.id}
    assert template == set(strings.EVERY), "run pybabel extract and update (see README)"
    for lang in taxonomy.LANGUAGES:
        catalog = read_po((REPO / "locales" / lang / "LC_MESSAGES" / "oncobot.po").open("rb"))
        assert {m.id for m in catalog if m.id and m.string and not m.fuzzy} >= template, lang


def test_language_names_come_from_cldr_in_their_own_language(real_parts: Parts) -> None:
    names = {lang: real_parts.interface.language_name(lang) for lang in taxonomy.LANGUAGES}
    assert names["fr"] == "Français" and names["ru"] == "Русский" and names["ar"] == "العربية"
    assert names["zh"] == "中文" and names["de"] == "Deutsch"


def _french_texts(node: object, examples: bool = False) -> list[str]:
    """Every French text of a content file but the examples (what people type is theirs)."""
    if isinstance(node, dict):
        found = [node["fr"]] if isinstance(node.get("fr"), str) and not examples else []
        for key, value in node.items():
            found += _french_texts(value, examples or key == "examples")
        return found
    if isinstance(node, list):
        return [text for item in node for text in _french_texts(item, examples)]
    return []


def test_french_answers_put_a_no_break_space_before_colons_and_semicolons() -> None:
    """French typography: "Étape suivante : …" with U+00A0, never an ordinary space that can break the line."""
    files = [*sorted((REPO / "intents").glob("*.yaml")), *sorted((REPO / "catalogue").glob("*.yaml"))]
    bad = [
        f"{path.name}: {line.strip()[:60]}"
        for path in files
        for text in _french_texts(yaml.safe_load(path.read_text(encoding="utf-8")))
        for line in text.split("\n")
        if re.search(r"(?: [:;])|(?:[\w)»][:;](?=\s))", line)
    ]
    assert bad == []
