"""The whole loop without a restart: asked, sent to the team, filed by an editor, reloaded, answered."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from bot.assistant import build_engine
from bot.cli import main
from bot.dialogue.actions import Inbound
from bot.learning.engine import LearningEngine
from bot.learning.inbox import add_example
from bot.learning.reload import Reloader
from bot.learning.team import TeamDesk
from bot.settings import Settings
from conftest import make_content_root

ASKED = "is there wifi in the patient rooms"
NOT_SENT = "my neighbour zqxmarker asked about parking permits"
INTENT = "centre_specialties"


def _files_holding(folder: Path, marker: str) -> list[Path]:
    needle = marker.encode("utf-8")
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_question_sent_to_the_team_is_answered_after_an_editor_files_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_content_root(tmp_path / "kb")
    state = tmp_path / "state"
    env = {"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(state)}
    engine = build_engine(Settings.from_env(env))
    evaluation = tmp_path / "eval.yaml"
    evaluation.write_text(f"version: 1\ncases:\n  - text: {ASKED}\n    lang: en\n    intent: {INTENT}\n")

    # A user asks what the assistant cannot answer, and presses the button.
    turn = engine.handle(Inbound("u1", text=ASKED))
    assert turn.understanding is not None and turn.understanding.intent == "out_of_scope"
    keep = next(b for b in turn.replies[0].buttons if b.id.startswith("keep:"))
    engine.handle(Inbound("u1", payload=keep.id))
    # Another asks something unanswerable and does not press it: its words reach no file.
    engine.handle(Inbound("u2", text=NOT_SENT))
    assert _files_holding(state, "zqxmarker") == []
    assert _files_holding(state, "wifi in the patient")  # the scan sees a text that was kept

    # The editor reads the inbox and files the question under an intent.
    assert main(["inbox"], env) == 0
    listing = capsys.readouterr().out
    assert ASKED in listing and "zqxmarker" not in listing
    question_id = int(listing.split("#", 1)[1].split()[0])
    assert main(["inbox", "add", str(question_id), INTENT, "--eval", str(evaluation)], env) == 0
    out = capsys.readouterr().out
    assert "intent accuracy: before 0.0%, after 100.0%" in out
    assert ASKED in (root / "intents" / "care.yaml").read_text(encoding="utf-8")
    assert main(["inbox"], env) == 0
    assert "The inbox is empty." in capsys.readouterr().out

    # The running engine reloads, and the same question is now answered.
    assert Reloader(engine, root, Settings.from_env(env).cache_dir).reload() == []
    again = engine.handle(Inbound("u3", text=ASKED))
    assert again.understanding is not None and again.understanding.intent == INTENT


def test_content_with_an_error_is_refused_and_the_last_good_one_kept(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    env = {"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(tmp_path / "state")}
    engine = build_engine(Settings.from_env(env))
    care = root / "intents" / "care.yaml"
    care.write_text(care.read_text(encoding="utf-8").replace("follow_ups:", "follow_upz:", 1), encoding="utf-8")
    problems = Reloader(engine, root, None).reload()
    assert problems and all("care.yaml:" in p for p in problems)
    turn = engine.handle(Inbound("u1", text="where is gustave roussy?"))
    assert turn.understanding is not None and turn.understanding.intent == "centre_location_contact"


def test_inbox_dismiss_and_unknown_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content_root(tmp_path / "kb")
    env = {"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(tmp_path / "state")}
    engine = build_engine(Settings.from_env(env))
    engine.store.keep_question("u1", "en", "a question", [("out_of_scope", 0.9)])
    files = {p: p.read_bytes() for p in (root / "intents").glob("*.yaml")}
    assert main(["inbox", "add", "1", "no_such_intent"], env) == 1
    assert "unknown intent 'no_such_intent'" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in (root / "intents").glob("*.yaml")} == files
    assert main(["inbox", "dismiss", "1"], env) == 0
    assert main(["inbox", "dismiss", "1"], env) == 1
    assert "no question #1" in capsys.readouterr().err
    assert main(["inbox"], env) == 0
    assert "The inbox is empty." in capsys.readouterr().out


def test_the_team_desk_answers_stats_inbox_and_reload(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    env = {"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(tmp_path / "state")}
    engine = build_engine(Settings.from_env(env))
    desk = TeamDesk(engine, Reloader(engine, root, None))
    assert desk.answer("inbox") == "No question waits in the inbox."
    for text in ("is there wifi in the rooms", "is there wifi in the patient rooms", "the weather tomorrow"):
        turn = engine.handle(Inbound("u1", text=text))
        engine.handle(Inbound("u1", payload=next(b.id for b in turn.replies[0].buttons if b.id.startswith("keep:"))))
    digest = desk.answer("inbox")
    assert digest.startswith("3 question(s) wait") and "oncobot inbox add" in digest
    assert "[en] 2 × “is there wifi in the rooms”" in digest and "[en] 1 × “the weather tomorrow”" in digest
    assert "answered" in desk.answer("stats")
    assert desk.answer("reload").startswith("Content reloaded")
    care = root / "intents" / "care.yaml"
    care.write_text(care.read_text(encoding="utf-8").replace("follow_ups:", "follow_upz:", 1), encoding="utf-8")
    refused = desk.answer("reload")
    assert refused.startswith("Content refused") and "care.yaml:" in refused


def test_sighup_reloads_the_running_engine(tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "kb")
    env = {"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(tmp_path / "state")}
    engine = build_engine(Settings.from_env(env))
    assert _intent(engine, ASKED) == "out_of_scope"
    add_example(root, INTENT, "en", ASKED)
    reloader = Reloader(engine, root, None)
    previous = signal.getsignal(signal.SIGHUP)
    try:
        reloader.on_sighup()
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(1000):  # the handler runs between two bytecodes of this thread
            if reloader.running is not None:
                break
            time.sleep(0.01)
        assert reloader.running is not None
        reloader.running.join()
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert _intent(engine, ASKED) == INTENT


def _intent(engine: LearningEngine, text: str) -> str | None:
    turn = engine.handle(Inbound("someone", text=text))
    return turn.understanding.intent if turn.understanding else None
