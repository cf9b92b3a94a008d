"""Distilled word vectors: words never seen in training reach the intent whose words mean the same."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from bot.nlu.matcher import Matcher
from bot.nlu.vectors import WordVectors, basic_words

# Six made-up axes: vehicles, homes, renting, tables, and two for the small words.
MEANINGS = {
    "car": [1, 0, 0, 0, 0, 0],
    "automobile": [0.95, 0.05, 0, 0, 0, 0],
    "flat": [0, 1, 0, 0, 0, 0],
    "apartment": [0.05, 0.95, 0, 0, 0, 0],
    "rent": [0, 0, 1, 0, 0, 0],
    "hire": [0, 0, 0.9, 0, 0.1, 0],
    "table": [0, 0, 0, 1, 0, 0],
    "restaurant": [0, 0, 0, 0.9, 0, 0.1],
    "i": [0, 0, 0, 0, 1, 0],
    "want": [0, 0, 0, 0, 0.7, 0.7],
    "to": [0, 0, 0, 0, 0, 1],
    "a": [0, 0, 0, 0, 0.5, 0.5],
    "an": [0, 0, 0, 0, 0.5, 0.5],
    "un": [0, 0, 0, 0, 0.2, 0.1],
    "##aff": [0, 0, 0, 0, 0.1, 0.2],
    "##able": [0, 0, 0, 0, 0.3, 0.3],
}


@pytest.fixture(scope="module")
def vectors() -> WordVectors:
    return WordVectors(list(MEANINGS), np.array(list(MEANINGS.values()), dtype=np.float32))


RENTALS = [
    *[(f"{w} a car", "rent_car") for w in ("i want to rent", "rent", "can i rent", "where to rent", "renting")],
    *[(f"{w} a flat", "rent_flat") for w in ("i want to rent", "rent", "can i rent", "where to rent", "renting")],
]
TABLES = [(t, "book_table") for t in ("book a table", "a table for two", "reserve a table tonight", "book dinner")]


def test_text_is_split_as_an_uncased_bert_tokenizer_splits_it() -> None:
    assert basic_words("Héllo, WORLD!居里") == ["hello", ",", "world", "!", "居", "里"]


def test_words_are_cut_into_the_longest_known_pieces(vectors: WordVectors) -> None:
    pieces = [vectors.pieces[i] for i in vectors.ids("Unaffable automobile")]
    assert pieces == ["un", "##aff", "##able", "automobile"]
    assert vectors.ids("unknownword") == []
    assert not vectors.embed("zzz").any()


def test_a_synonym_never_seen_in_training_reaches_its_intent(vectors: WordVectors) -> None:
    with_vectors = Matcher.build(RENTALS + TABLES, vectors=vectors)
    without = Matcher.build(RENTALS + TABLES)
    for query, intent in (("i want to rent an automobile", "rent_car"), ("hire an apartment", "rent_flat")):
        best = with_vectors.rank(query)[0]
        assert best.intent == intent
        plain = {r.intent: r.confidence for r in without.rank(query)}
        assert best.confidence > plain.get(intent, 0.0)


def test_two_intents_and_vectors_still_give_probabilities(vectors: WordVectors) -> None:
    matcher = Matcher.build(RENTALS, vectors=vectors)
    ranked = matcher.rank("hire an apartment")
    assert [r.intent for r in ranked] == ["rent_flat", "rent_car"]
    assert sum(r.confidence for r in ranked) == pytest.approx(1.0, abs=1e-5)


def test_a_matcher_with_vectors_answers_the_same_after_being_cached(vectors: WordVectors) -> None:
    matcher = Matcher.build(RENTALS + TABLES, vectors=vectors)
    again = pickle.loads(pickle.dumps(matcher))
    assert again.rank("rent an automobile") == matcher.rank("rent an automobile")


def test_distilled_vectors_survive_a_round_trip_through_a_file(vectors: WordVectors, tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    vectors.save(path)
    loaded = WordVectors.load(path)
    assert loaded.pieces == vectors.pieces
    assert np.allclose(loaded.embed("rent an automobile"), vectors.embed("rent an automobile"), atol=1e-3)
    assert loaded.fingerprint() != WordVectors(["car"], np.ones((1, 6), dtype=np.float32)).fingerprint()
