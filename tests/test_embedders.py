"""Meaning vectors (distilled word vectors, a small sentence encoder): unseen words reach the intent they mean."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from benchmarks.embedders.encoder import Encoder
from benchmarks.embedders.vectors import WordVectors, basic_words
from bot.nlu.matcher import Matcher
from bot.nlu.semantic import Embedder

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


def mean_pooling_model(table: np.ndarray) -> bytes:
    """An ONNX encoder with the real one's inputs and output: the unit-length masked mean of its pieces' rows."""
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["rows"]),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "last"], ["mask3"]),
        helper.make_node("Mul", ["rows", "mask3"], ["kept"]),
        helper.make_node("ReduceSum", ["kept", "pieces_axis"], ["total"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "pieces_axis"], ["count"], keepdims=0),
        helper.make_node("Div", ["total", "count"], ["mean"]),
        helper.make_node("ReduceL2", ["mean"], ["length"], axes=[1], keepdims=1),
        helper.make_node("Div", ["mean", "length"], ["embedding"]),
    ]
    graph = helper.make_graph(
        nodes,
        "mean",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "pieces"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "pieces"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", table.shape[1]])],
        [
            numpy_helper.from_array(table.astype(np.float32), "table"),
            numpy_helper.from_array(np.array([-1], dtype=np.int64), "last"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "pieces_axis"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    serialized: bytes = model.SerializeToString()
    return serialized


SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
SPECIAL_ROWS = [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0.1, 0.1], [0, 0, 0, 0, 0.1, 0], [0, 0, 0, 0, 0, 0.1]]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    table = np.array(SPECIAL_ROWS + list(MEANINGS.values()))
    return Encoder(mean_pooling_model(table), SPECIAL + list(MEANINGS))


@pytest.fixture(params=["vectors", "encoder"])
def embedder(request: pytest.FixtureRequest) -> Embedder:
    found: Embedder = request.getfixturevalue(request.param)
    return found


RENTALS = [
    *[(f"{w} a car", "rent_car") for w in ("i want to rent", "rent", "can i rent", "where to rent", "renting")],
    *[(f"{w} a flat", "rent_flat") for w in ("i want to rent", "rent", "can i rent", "where to rent", "renting")],
]
TABLES = [(t, "book_table") for t in ("book a table", "a table for two", "reserve a table tonight", "book dinner")]


def test_text_is_split_as_an_uncased_bert_tokenizer_splits_it() -> None:
    assert basic_words("Héllo, WORLD!居里") == ["hello", ",", "world", "!", "居", "里"]


def test_words_are_cut_into_the_longest_known_pieces(vectors: WordVectors) -> None:
    pieces = [vectors.pieces[i] for i in vectors.vocabulary.ids("Unaffable automobile")]
    assert pieces == ["un", "##aff", "##able", "automobile"]
    assert vectors.vocabulary.ids("unknownword") == []
    assert not vectors.embed("zzz").any()


def test_a_synonym_never_seen_in_training_reaches_its_intent(embedder: Embedder) -> None:
    with_vectors = Matcher.build(RENTALS + TABLES, embedder=embedder)
    without = Matcher.build(RENTALS + TABLES)
    for query, intent in (("i want to rent an automobile", "rent_car"), ("hire an apartment", "rent_flat")):
        best = with_vectors.rank(query)[0]
        assert best.intent == intent
        plain = {r.intent: r.confidence for r in without.rank(query)}
        assert best.confidence > plain.get(intent, 0.0)


def test_two_intents_and_vectors_still_give_probabilities(embedder: Embedder) -> None:
    matcher = Matcher.build(RENTALS, embedder=embedder)
    ranked = matcher.rank("hire an apartment")
    assert [r.intent for r in ranked] == ["rent_flat", "rent_car"]
    assert sum(r.confidence for r in ranked) == pytest.approx(1.0, abs=1e-5)


def test_a_matcher_with_vectors_answers_the_same_after_being_cached(embedder: Embedder) -> None:
    matcher = Matcher.build(RENTALS + TABLES, embedder=embedder)
    again = pickle.loads(pickle.dumps(matcher))
    assert again.rank("rent an automobile") == matcher.rank("rent an automobile")


def test_distilled_vectors_survive_a_round_trip_through_a_file(vectors: WordVectors, tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    vectors.save(path)
    loaded = WordVectors.load(path)
    assert loaded.pieces == vectors.pieces
    assert np.allclose(loaded.embed("rent an automobile"), vectors.embed("rent an automobile"), atol=1e-3)


def test_the_encoder_sees_unknown_words_as_bert_does_and_batches_as_it_answers(encoder: Encoder) -> None:
    assert encoder.piece_ids("zzz car") == [2, 1, len(SPECIAL) + list(MEANINGS).index("car"), 3]
    texts = ["i want to rent an automobile", "hire", "a table at a restaurant for two"]
    assert np.allclose(encoder.embed_many(texts), np.vstack([encoder.embed(t) for t in texts]), atol=1e-6)


def test_an_exported_encoder_is_loaded_from_its_folder(encoder: Encoder, tmp_path: Path) -> None:
    (tmp_path / "encoder.onnx").write_bytes(encoder.model)
    (tmp_path / "vocab.txt").write_text("\n".join(encoder.vocabulary.pieces) + "\n", encoding="utf-8")
    loaded = Encoder.load(tmp_path)
    assert loaded.model == encoder.model
    assert np.allclose(loaded.embed("rent a car"), encoder.embed("rent a car"))
