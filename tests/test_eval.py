"""The public evaluation set: independent of the examples, and understood well enough in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from bot.assistant import Parts
from bot.evaluation import Case, Report, evaluate, read_cases
from bot.nlu.normalise import normalise
from conftest import REPO, settings_for

EVAL = Path(__file__).parent / "eval" / "public.yaml"
NEAR_COPY = 90.0  # rapidfuzz ratio on normalised text


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return read_cases(EVAL)


@pytest.fixture(scope="module")
def report(cases: list[Case], tmp_path_factory: pytest.TempPathFactory) -> Report:
    return evaluate(settings_for(REPO, tmp_path_factory.mktemp("eval")), cases)


def test_cases_are_not_near_copies_of_examples(real_parts: Parts, cases: list[Case]) -> None:
    examples: dict[str, list[str]] = {}
    for intent in real_parts.kb.intents.values():
        for lang, texts in intent.examples.items():
            examples.setdefault(lang, []).extend(normalise(t) for t in texts)
    copies = []
    for case in cases:
        best = process.extractOne(normalise(case.text), examples[case.lang], scorer=fuzz.ratio)
        if best and best[1] >= NEAR_COPY:
            copies.append(f"{case.lang}: {case.text}")
    assert copies == []


def test_every_language_has_enough_cases_covering_every_intent(real_parts: Parts, cases: list[Case]) -> None:
    for lang in real_parts.kb.config.languages:
        mine = [c for c in cases if c.lang == lang]
        assert len(mine) >= 20, lang
        assert {c.intent for c in mine} == set(real_parts.kb.intents), lang


def test_expected_ids_exist(real_parts: Parts, cases: list[Case]) -> None:
    kb = real_parts.kb
    known = {
        "centre": kb.centres,
        "city": kb.cities,
        "organisation": kb.organisations,
        "language": set(kb.config.languages),
    }
    for case in cases:
        assert case.intent in kb.intents, case
        for kind, value in case.entities.items():
            assert value in known[kind], case


def test_each_language_reaches_ninety_percent(report: Report) -> None:
    weak = {lang: row["accuracy"] for lang, row in report.per_language.items() if row["accuracy"] < 0.9}
    assert weak == {}


def test_no_emergency_is_missed(report: Report) -> None:
    assert report.emergency_missed == []


def test_named_entities_are_resolved(report: Report) -> None:
    assert report.entity_accuracy >= 0.9
