"""A small content change is warm-started from the cached build: answered at once, as a clean build answers, and a
cache never serves a build of other content nor a warm start where a clean build is asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.assistant import Parts, _cache_file, _codec, build_engine, build_parts
from bot.content.loader import content_fingerprint
from bot.dialogue.actions import Inbound
from bot.learning.inbox import add_example
from bot.learning.reload import Reloader
from bot.nlu.features import Features, char_ngrams, word_ngrams
from bot.nlu.refit import refit_features
from bot.settings import Settings
from conftest import make_content_root

ASKED = "is there wifi in the patient rooms"
INTENT = "centre_specialties"
QUESTIONS = [
    "do i need a visa for my treatment",
    "how much is chemotherapy",
    "where is institut curie",
    "what does leon berard treat",
    "a cancer centre near lyon",
    "list all the centres",
    "what is unicancer",
    "combien coute une operation",
    "ou se trouve l institut curie",
    "كم تكلفة العلاج الكيماوي",
    "hello",
    "the weather tomorrow",
    ASKED,
    "wifi in the rooms",
]


def _top(parts: Parts, text: str) -> str | None:
    ranked = parts.matcher.rank(text, limit=1)
    return ranked[0].intent if ranked else None


def _answers(parts: Parts) -> list[str | None]:
    return [_top(parts, text) for text in QUESTIONS]


def _built(tmp_path: Path) -> tuple[Path, Path, Parts]:
    root = make_content_root(tmp_path / "kb")
    cache = tmp_path / "cache"
    return root, cache, build_parts(root, cache)


def test_an_added_example_is_answered_at_once_as_a_clean_build_answers(tmp_path: Path) -> None:
    root, cache, before = _built(tmp_path)
    assert before.exact and _top(before, ASKED) == "out_of_scope"
    add_example(root, INTENT, "en", ASKED)
    warm = build_parts(root, cache, quick=True)
    assert not warm.exact
    assert _top(warm, ASKED) == INTENT
    kept = _cache_file(cache, content_fingerprint(root))
    assert not kept.exists() or _codec().load(kept)[1].drift == 0  # a warm start is never what the cache keeps
    clean = build_parts(root, cache)  # not quick: the cache holds no warm start, so this is a clean build
    assert clean.exact
    assert _answers(warm) == _answers(clean)
    stored = _codec().load(_cache_file(cache, content_fingerprint(root)))[1]
    assert stored.drift == 0  # what the cache keeps for this content is the clean build


def test_a_removed_example_is_built_cleanly(tmp_path: Path) -> None:
    root, cache, _ = _built(tmp_path)
    care = root / "intents" / "care.yaml"
    removed = "estimate for surgery"
    care.write_text(care.read_text(encoding="utf-8").replace(f", {removed}]", "]", 1), encoding="utf-8")
    parts = build_parts(root, cache, quick=True)
    assert parts.exact
    assert _answers(parts) == _answers(build_parts(root, None))


def test_a_large_change_is_built_cleanly(tmp_path: Path) -> None:
    root, cache, _ = _built(tmp_path)
    for i in range(21):
        add_example(root, "medical_visa", "en", f"visa question {i}")
    assert build_parts(root, cache, quick=True).exact


def test_a_reload_warm_starts_then_swaps_in_the_clean_build(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    settings = Settings.from_env({"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(tmp_path / "state")})
    engine = build_engine(settings)
    add_example(root, INTENT, "en", ASKED)
    reloader = Reloader(engine, root, settings.cache_dir)
    assert reloader.reload() == []
    warm = engine.matcher
    turn = engine.handle(Inbound("u1", text=ASKED))
    assert turn.understanding is not None and turn.understanding.intent == INTENT
    assert reloader.refining is not None
    reloader.refining.join()
    assert engine.matcher is not warm  # the clean build answers now
    turn = engine.handle(Inbound("u2", text=ASKED))
    assert turn.understanding is not None and turn.understanding.intent == INTENT
    assert build_parts(root, settings.cache_dir).matcher.features.size == engine.matcher.features.size
    assert _codec().load(_cache_file(settings.cache_dir, content_fingerprint(root)))[1].drift == 0


def _vector(features: Features, text: str) -> dict[str, float]:
    """A text's TF-IDF values by term, whatever the columns' order."""
    columns, values = features.transform(text)
    names = {}
    for block, offset in zip(features.blocks, features.offsets, strict=False):
        names.update({column + offset: term for term, column in block.vocabulary.items()})
    return {names[int(c)]: float(v) for c, v in zip(columns, values, strict=True)}


def test_features_counted_again_equal_features_fitted_from_scratch() -> None:
    texts = ["visa for treatment", "price of chemo", "visa price", "where is curie", "curie treats children"]
    probes = ["visa for chemo children", "where is the new wifi", "curie price"]
    analyzers = [char_ngrams, word_ngrams]
    added, _ = refit_features(Features.fit(texts, analyzers)[0], len(texts), ["new wifi for curie"], [])
    scratch, _ = Features.fit([*texts, "new wifi for curie"], analyzers)
    removed, moved = refit_features(scratch, len(texts) + 1, [], ["new wifi for curie"])
    original, _ = Features.fit(texts, analyzers)
    for probe in probes:
        for counted, fitted in ((added, scratch), (removed, original)):
            got, want = _vector(counted, probe), _vector(fitted, probe)
            assert got.keys() == want.keys()
            assert np.allclose([got[k] for k in want], list(want.values()), atol=1e-6)
    assert removed.size == original.size and int((moved < 0).sum()) == scratch.size - original.size
