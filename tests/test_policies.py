"""The safety and confidence rules on their own: which reading is answered first, and how sure is sure enough."""

from __future__ import annotations

import pytest

from bot.dialogue.policies import Bands
from bot.nlu.matcher import Ranked
from conftest import Chat

BANDS = Bands(
    answer=0.5, suggest=0.2, emergency=0.2, self_harm=0.15, self_harm_second=0.3, medical=0.2, medical_line=0.1
)


def ranked(*pairs: tuple[str, float]) -> list[Ranked]:
    return [Ranked(intent, confidence) for intent, confidence in pairs]


@pytest.mark.parametrize(
    ("confidence", "band"),
    [(0.9, "answer"), (0.5, "answer"), (0.49, "suggest"), (0.2, "suggest"), (0.19, "fallback"), (0.0, "fallback")],
)
def test_bands_split_at_their_thresholds(confidence: float, band: str) -> None:
    assert BANDS.decide(ranked(("cost_quote", confidence), ("medical_visa", 0.05))) == band


def test_out_of_scope_on_top_always_falls_back() -> None:
    assert BANDS.decide(ranked(("out_of_scope", 0.95))) == "fallback"
    assert BANDS.decide([]) == "fallback"


def test_an_emergency_on_top_is_answered_first_even_on_weak_evidence() -> None:
    assert BANDS.crisis(ranked(("emergency", 0.21), ("cost_quote", 0.2))) == "emergency"
    assert BANDS.crisis(ranked(("emergency", 0.19), ("cost_quote", 0.18))) is None


def test_self_harm_on_top_is_answered_first_even_on_weaker_evidence() -> None:
    assert BANDS.crisis(ranked(("self_harm", 0.16), ("cost_quote", 0.15))) == "self_harm"
    assert BANDS.crisis(ranked(("self_harm", 0.14), ("cost_quote", 0.13))) is None


def test_self_harm_second_wins_over_a_did_you_mean_or_a_fallback() -> None:
    assert BANDS.crisis(ranked(("cost_quote", 0.3), ("self_harm", 0.2))) == "self_harm"
    assert BANDS.crisis(ranked(("out_of_scope", 0.6), ("self_harm", 0.2))) == "self_harm"
    # ... but not over a clear answer: that answer gets the crisis lines above it instead, unless it is strong.
    assert BANDS.crisis(ranked(("cost_quote", 0.6), ("self_harm", 0.2))) is None
    assert BANDS.crisis(ranked(("cost_quote", 0.6), ("self_harm", 0.29))) is None
    assert BANDS.crisis(ranked(("paediatric_cancer", 0.65), ("self_harm", 0.31))) == "self_harm"
    assert BANDS.second_crisis(ranked(("cost_quote", 0.6), ("self_harm", 0.2))) == "self_harm"


def test_a_second_reading_counts_only_in_second_or_third_place_and_above_its_floor() -> None:
    assert BANDS.second_crisis(ranked(("cost_quote", 0.5), ("medical_visa", 0.3), ("emergency", 0.2))) == "emergency"
    assert BANDS.second_crisis(ranked(("cost_quote", 0.5), ("medical_visa", 0.3), ("emergency", 0.19))) is None
    assert BANDS.second_crisis(ranked(("cost_quote", 0.5), ("a", 0.2), ("b", 0.2), ("emergency", 0.2))) is None
    assert BANDS.second_crisis(ranked(("emergency", 0.9))) is None


def test_self_harm_lines_are_preferred_when_both_crises_are_second_readings() -> None:
    assert BANDS.second_crisis(ranked(("cost_quote", 0.5), ("emergency", 0.25), ("self_harm", 0.2))) == "self_harm"


def test_a_medical_question_beside_a_practical_one() -> None:
    assert BANDS.medical_beside(ranked(("cost_quote", 0.6), ("medical_advice_request", 0.1)))
    assert not BANDS.medical_beside(ranked(("cost_quote", 0.6), ("medical_advice_request", 0.09)))
    assert not BANDS.medical_beside(ranked(("medical_advice_request", 0.6), ("cost_quote", 0.3)))


def test_an_unsure_reading_that_may_be_medical_is_not_a_menu() -> None:
    assert BANDS.unsure_medical(ranked(("intl_patient_process", 0.24), ("medical_advice_request", 0.21)))
    assert not BANDS.unsure_medical(ranked(("intl_patient_process", 0.24), ("medical_advice_request", 0.19)))
    assert not BANDS.unsure_medical(ranked(("intl_patient_process", 0.6), ("medical_advice_request", 0.3)))
    assert not BANDS.unsure_medical(ranked(("a", 0.3), ("b", 0.25), ("medical_advice_request", 0.21)))


def test_a_strong_emergency_behind_a_medical_reading_is_answered_first() -> None:
    """Symptoms told as they happen read as a medical question and an emergency: the number comes first."""
    assert BANDS.crisis(ranked(("medical_advice_request", 0.59), ("emergency", 0.4))) == "emergency"
    assert BANDS.crisis(ranked(("medical_advice_request", 0.6), ("emergency", 0.39))) is None  # its line, above
    assert BANDS.crisis(ranked(("cost_quote", 0.6), ("emergency", 0.35))) is None  # a practical answer keeps its place


def test_symptoms_told_now_in_egyptian_arabic_get_the_emergency_number_first(real_chat: Chat) -> None:
    real_chat.say("ماما بتنزف دم كتير من بقها دلوقتي وهي بتاخد كيماوي")
    assert real_chat.intent() == "emergency"
    assert "112" in real_chat.replies()[0].text.split("\n")[0] or "15" in real_chat.replies()[0].text.split("\n")[0]


def test_a_treatment_choice_asked_with_a_cancer_and_a_city_gets_the_no_advice_line(real_chat: Chat) -> None:
    """Read mostly as where to be treated, it still asks which treatment is better: the line comes first."""
    real_chat.say("leukemia in paris, transplant or car-t, which is better?")
    assert real_chat.text().startswith("I cannot give medical advice")


def test_by_default_a_faint_medical_reading_beside_an_answer_still_gets_the_line() -> None:
    """The line costs one sentence; a treatment question missed costs more: it comes from a tenth of the evidence."""
    assert Bands().medical_beside(ranked(("find_cancer_centre", 0.8), ("medical_advice_request", 0.12)))
    assert not Bands().medical_beside(ranked(("find_cancer_centre", 0.9), ("medical_advice_request", 0.05)))
