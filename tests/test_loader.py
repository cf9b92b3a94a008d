"""Malformed content is refused with every problem named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import load
from conftest import GOOD_INTENT, make_content_root

# (file, content, expected problem line: "path:line: field: message" or its start)
CASES = [
    pytest.param(
        "intents/care.yaml",
        "version: 1\nintents:\n  - id: x\n    title: [unclosed\n",
        "intents/care.yaml:5: (file): malformed YAML",
        id="malformed-yaml",
    ),
    pytest.param(
        "intents/care.yaml",
        "intents: []\n",
        "intents/care.yaml:1: (file): expected 'version: 1'",
        id="missing-version",
    ),
    pytest.param(
        "intents/care.yaml",
        "version: 2\nintents: []\n",
        "intents/care.yaml:1: version: expected 'version: 1'",
        id="wrong-version",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT.replace("ar: [تأشيرة, احتاج تأشيرة, تأشيرة علاج]", "ar: []"),
        "intents/care.yaml:8: intents[0].examples.ar: empty list",
        id="empty-examples",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT.replace("      ar: [تأشيرة, احتاج تأشيرة, تأشيرة علاج]\n", ""),
        "intents/care.yaml:5: intents[0].examples: missing language 'ar'",
        id="missing-language",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT.replace(", ar: اسأل القنصلية.}", "}"),
        "intents/care.yaml:9: intents[0].answer: missing language 'ar'",
        id="missing-answer",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT.replace("id: medical_visa", "id: greeting"),
        "intents/care.yaml:3: intents[0].id: duplicate intent id 'greeting' (first at intents/basics.yaml:3)",
        id="duplicate-id",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT + "    follow_ups: [nowhere]\n",
        "intents/care.yaml:10: intents[0].follow_ups[0]: unknown intent 'nowhere'",
        id="unknown-reference",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT.replace("answer: {en: Ask the consulate.", "answer: {en: [a, b]"),
        "intents/care.yaml:9: intents[0].answer.en: expected text, got list",
        id="wrong-type",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT + "    kind: centre_map\n",
        "intents/care.yaml:10: intents[0].kind: unknown kind 'centre_map'",
        id="unknown-kind",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT.replace("en: Ask the consulate.", "en: 'Ask {consulate}.'"),
        "intents/care.yaml:9: intents[0].answer.en: placeholders need a 'kind'",
        id="stray-placeholder",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT + "    colour: blue\n",
        "intents/care.yaml:10: intents[0].colour: unknown field",
        id="unknown-field",
    ),
    pytest.param(
        "intents/care.yaml",
        GOOD_INTENT.replace("      fr: [visa svp", "      xx: [a]\n      fr: [visa svp"),
        "intents/care.yaml:7: intents[0].examples.xx: unknown language 'xx'",
        id="unknown-language",
    ),
    pytest.param(
        "intents/care.yaml",
        "version: 1\nintents:\n  - id: a\n    id: b\n",
        "intents/care.yaml:4: (file): malformed YAML: duplicate key 'id'",
        id="duplicate-key",
    ),
    pytest.param(
        "catalogue/centres.yaml",
        "version: 1\ncentres:\n  - id: gustave-roussy\n    name: Gustave Roussy\n    network: unicancer\n"
        "    city: atlantis\n",
        "catalogue/centres.yaml:6: centres[0].city: unknown city 'atlantis'",
        id="unresolved-city",
    ),
    pytest.param(
        "catalogue/centres.yaml",
        "version: 1\ncentres:\n  - id: gustave-roussy\n    name: GR\n    network: unicancer\n    city: paris\n"
        "    coordinates: {lat: 95, lon: 2, precision: city}\n",
        "catalogue/centres.yaml:7: centres[0].coordinates: latitude or longitude out of range",
        id="bad-coordinates",
    ),
    pytest.param(
        "catalogue/places.yaml",
        "version: 1\nregions: []\ncities:\n  - {id: paris, name: {en: Paris}, region: r}\n",
        "catalogue/places.yaml:4: cities[0].name: missing language 'fr'",
        id="city-missing-language",
    ),
    pytest.param(
        "content.yaml",
        "version: 1\nlanguages: [en, fr, ar]\ndefault_language: it\n",
        "content.yaml:3: default_language: 'it' is not among the declared languages",
        id="bad-default",
    ),
    pytest.param(
        "catalogue/extra.yaml",
        "version: 1\n",
        "catalogue/extra.yaml:1: (file): unknown catalogue file",
        id="unknown-file",
    ),
    pytest.param(
        "intents/care.yaml",
        b"version: 1\nintents: [\xff]\n",
        "intents/care.yaml:1: (file): not UTF-8 text",
        id="not-utf8",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), CASES)
def test_malformed_content_names_path_line_and_field(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    root = make_content_root(tmp_path / "kb")
    target = root / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    loaded = load(root)
    rendered = [str(p) for p in loaded.errors]
    assert any(line.startswith(expected) for line in rendered), rendered
    assert loaded.kb is None


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    (root / "intents" / "care.yaml").write_text(
        GOOD_INTENT.replace("ar: [تأشيرة, احتاج تأشيرة, تأشيرة علاج]", "ar: []") + "    follow_ups: [nowhere]\n",
        encoding="utf-8",
    )
    (root / "catalogue" / "specialties.yaml").write_text("version: 1\nspecialties: [oops]\n", encoding="utf-8")
    rendered = [str(p) for p in load(root).errors]
    assert any("examples.ar: empty list" in r for r in rendered)
    assert any("unknown intent 'nowhere'" in r for r in rendered)
    assert any(r.startswith("catalogue/specialties.yaml:2: specialties[0]: expected a mapping") for r in rendered)


def test_warnings_for_near_duplicates_few_examples_and_unsourced_phones(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    care = (root / "intents" / "care.yaml").read_text(encoding="utf-8")
    care = care.replace("do i need a visa for treatment in france", "how much does treatment cost!")
    (root / "intents" / "care.yaml").write_text(care, encoding="utf-8")
    (root / "content.yaml").write_text(
        (root / "content.yaml").read_text().replace("min_examples: 3", "min_examples: 5")
    )
    centres = (root / "catalogue" / "centres.yaml").read_text(encoding="utf-8")
    centres = centres.replace("    source: [https://www.gustaveroussy.fr/]\n", "", 1)
    (root / "catalogue" / "centres.yaml").write_text(centres, encoding="utf-8")
    loaded = load(root)
    warnings = [str(p) for p in loaded.problems if p.severity == "warning"]
    assert not loaded.errors, loaded.errors
    assert any(
        "'how much does treatment cost' nearly duplicates 'how much does treatment cost!' of intent "
        "medical_visa (intents/care.yaml:6)" in w
        for w in warnings
    ), warnings
    assert any("fewer than the minimum 5" in w for w in warnings)
    assert any("centres[0].phone: warning: a phone needs a 'source'" in w for w in warnings)


def test_context_rules_name_real_intents_and_never_a_crisis(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    config = root / "content.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "context:\n  about_centre: [cost_quote, nowhere]\n"
        + "  follow_ups:\n    - after: [medical_visa]\n      read: {emergency: cost_quote}\n",
        encoding="utf-8",
    )
    rendered = [str(p) for p in load(root).errors]
    assert any("context.about_centre[1]: unknown intent 'nowhere'" in r for r in rendered), rendered
    assert any("context.follow_ups[0].read: 'emergency' is read first" in r for r in rendered), rendered


def test_a_name_never_turns_a_safety_answer_into_a_question_of_expertise(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    config = root / "content.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "context:\n  expertise: [cost_quote, medical_advice_request]\n",
        encoding="utf-8",
    )
    rendered = [str(p) for p in load(root).errors]
    assert any("context.expertise[1]: 'medical_advice_request' is a safety answer" in r for r in rendered), rendered
