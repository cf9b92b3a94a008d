"""A content root that lost one of its safety answers is refused by `oncobot check`, whatever else it holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.content.loader import load
from conftest import Chat, make_content_root

# Written out, not read from the code: a rule that lost one of them must fail here.
SAFETY_INTENTS = ("emergency", "self_harm", "medical_advice_request", "out_of_scope", "human_handoff")


def _drop_intent(root: Path, intent_id: str) -> None:
    for path in (root / "intents").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kept = [i for i in data["intents"] if i["id"] != intent_id]
        if len(kept) != len(data["intents"]):
            data["intents"] = kept
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return
    raise AssertionError(f"the test content has no {intent_id} intent")


def test_the_test_content_has_every_safety_intent(small_root: Path) -> None:
    assert load(small_root).errors == []


@pytest.mark.parametrize("intent_id", SAFETY_INTENTS)
def test_a_root_without_a_safety_intent_is_refused(tmp_path: Path, intent_id: str) -> None:
    root = make_content_root(tmp_path / "kb")
    _drop_intent(root, intent_id)
    rendered = [str(p) for p in load(root).errors]
    assert rendered == [
        f"intents:1: (file): no '{intent_id}' intent: every content root needs it, answered in every language"
    ]
    out = subprocess.run(
        [sys.executable, "-m", "bot", "--data-dir", str(root), "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "ONCOBOT_STATE_DIR": str(tmp_path / "state"), "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert out.returncode == 1 and rendered[0] in out.stdout, out.stdout


@pytest.mark.parametrize("intent_id", SAFETY_INTENTS)
def test_a_safety_answer_missing_a_language_is_refused(tmp_path: Path, intent_id: str) -> None:
    root = make_content_root(tmp_path / "kb")
    path = root / "intents" / "basics.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (intent,) = [i for i in data["intents"] if i["id"] == intent_id]
    del intent["answer"]["ar"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    loaded = load(root)
    assert loaded.kb is None
    assert any(p.file == "intents/basics.yaml" and p.message == "missing language 'ar'" for p in loaded.errors)


def test_a_chinese_wish_to_be_dead_is_read_as_self_harm(real_chat: Chat) -> None:
    """Its characters also come in everyday laughter ("笑死") and hunger ("饿死了"): the reading stands on its own."""
    real_chat.say("有时候觉得我死了大家都轻松")
    assert real_chat.intent() == "self_harm"
    assert "3114" in real_chat.text()


@pytest.mark.parametrize(
    "text", ["how long does my father have left?", "wie lange hat er noch?", "combien de temps il lui reste a vivre ?"]
)
def test_how_long_someone_has_left_is_a_medical_question_not_the_length_of_a_stay(real_chat: Chat, text: str) -> None:
    real_chat.say(text)
    assert real_chat.intent() == "medical_advice_request", text
