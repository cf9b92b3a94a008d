"""The compiled content in the state folder is data: a crafted or corrupt file there is rebuilt, never run."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from bot.assistant import Compiled, Parts, _cache_file, _codec, build_parts
from bot.content.loader import content_fingerprint
from bot.nlu.matcher import Ranked

QUESTIONS = ["where is gustave roussy", "combien coûte le traitement", "مرحبا", "visa please", "гюстав русси"]


class _TouchWhenUnpickled:
    """An object whose unpickling creates a file: the proof that a cache loader ran code it read."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return Path.touch, (self.marker,)


def _answers(parts: Parts | Compiled) -> list[list[Ranked]]:
    return [parts.matcher.rank(text) for text in QUESTIONS]


def _cache_of(root: Path, cache: Path) -> Path:
    return _cache_file(cache, content_fingerprint(root))


def test_a_pickle_named_like_the_cache_is_rebuilt_never_run(
    small_root: Path, small_parts: Parts, tmp_path: Path
) -> None:
    payload = pickle.dumps(_TouchWhenUnpickled(tmp_path / "proof"))
    pickle.loads(payload)
    assert (tmp_path / "proof").exists(), "the payload runs code when unpickled"
    marker = tmp_path / "ran"
    payload = pickle.dumps(_TouchWhenUnpickled(marker))
    cache = tmp_path / "state"
    cache.mkdir()
    target = _cache_of(small_root, cache)
    target.write_bytes(payload)
    target.with_suffix(".pickle").write_bytes(payload)  # where older versions kept it
    parts = build_parts(small_root, cache)
    assert not marker.exists()
    assert _answers(parts) == _answers(small_parts)
    assert not target.with_suffix(".pickle").exists()
    key, compiled = _codec().load(target)  # rebuilt in place, as data
    assert isinstance(compiled, Compiled) and key.endswith(content_fingerprint(small_root))


def _object_array_npz() -> bytes:
    out = io.BytesIO()
    np.savez(out, meta=np.array([{"a": 1}], dtype=object))
    return out.getvalue()


def _deep_json_npz() -> bytes:
    out = io.BytesIO()
    np.savez(out, meta=np.frombuffer(b"[" * 100_000 + b"]" * 100_000, dtype=np.uint8))
    return out.getvalue()


def _unknown_class_npz() -> bytes:
    out = io.BytesIO()
    document = json.dumps({"T": ["key", {"O": "os.system", "s": {}}]}).encode()
    np.savez(out, meta=np.frombuffer(document, dtype=np.uint8))
    return out.getvalue()


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda good: good[: len(good) // 2], id="truncated"),
        pytest.param(lambda good: b"\x00garbage" * 100, id="garbage"),
        pytest.param(lambda good: _object_array_npz(), id="object-array"),
        pytest.param(lambda good: _deep_json_npz(), id="deeply-nested-document"),
        pytest.param(lambda good: _unknown_class_npz(), id="unknown-class"),
    ],
)
def test_a_corrupt_or_crafted_cache_is_rebuilt(
    small_root: Path, small_parts: Parts, tmp_path: Path, spoil: object
) -> None:
    cache = tmp_path / "state"
    build_parts(small_root, cache)
    target = _cache_of(small_root, cache)
    good = target.read_bytes()
    target.write_bytes(spoil(good))  # type: ignore[operator]
    parts = build_parts(small_root, cache)
    assert _answers(parts) == _answers(small_parts)
    assert _codec().load(target)[1].kb == parts.kb  # rewritten, readable


def test_a_cache_for_other_content_is_not_served(small_root: Path, small_parts: Parts, tmp_path: Path) -> None:
    cache = tmp_path / "state"
    build_parts(small_root, cache)
    target = _cache_of(small_root, cache)
    other = tmp_path / "other"
    stored = _codec().load(target)
    with target.open("wb") as fh:
        _codec().save(fh, ("compiled-of-other-content", stored[1]))
    other.write_bytes(target.read_bytes())
    build_parts(small_root, cache)
    assert target.read_bytes() != other.read_bytes()  # the stranger's key was refused and the file rewritten


def test_the_shipped_content_comes_back_from_the_cache_answering_the_same(real_parts: Parts) -> None:
    compiled = Compiled(real_parts.kb, real_parts.matcher, real_parts.languages, real_parts.entities)
    stored = io.BytesIO()
    _codec().save(stored, compiled)
    stored.seek(0)
    again = _codec().load(stored)
    assert again.kb == real_parts.kb
    assert again.matcher.entities is again.entities  # one index, as when it was built, not two copies
    assert _answers(again) == _answers(real_parts)
    for text in QUESTIONS:
        assert again.languages.guess(text) == real_parts.languages.guess(text)
        assert again.entities.find(text) == real_parts.entities.find(text)
