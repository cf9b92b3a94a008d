"""The command line as people and scripts use it: clear one-line errors, JSON in and out, nothing crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_content_root


def run(args: list[str], *, root: Path, state: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "ONCOBOT_DATA_DIR": str(root),
        "ONCOBOT_STATE_DIR": str(state),
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_content_root(tmp_path_factory.mktemp("cli") / "kb")


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state")


def test_ask_json_gives_intent_entities_and_answer(root: Path, state: Path) -> None:
    out = run(["ask", "--json", "where", "is", "gustave", "roussy"], root=root, state=state)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["intent"] == "centre_location_contact"
    assert answer["entities"] == {"centre": "gustave-roussy"}
    assert answer["language"] == "en"
    assert 0 < answer["confidence"] <= 1
    assert "Villejuif" in answer["answer"]
    assert answer["context"] == []  # nothing carried: the centre was named in this question
    assert set(answer) == {
        "intent",
        "confidence",
        "language",
        "entities",
        "context",
        "answer",
        "suggestions",
        "handoff",
    }


def test_ask_with_a_language(root: Path, state: Path) -> None:
    out = run(["ask", "--lang", "fr", "--json", "where is gustave roussy"], root=root, state=state)
    answer = json.loads(out.stdout)
    assert answer["language"] == "fr" and "Adresse" in answer["answer"]


def test_jsonl_serves_every_line_even_after_bad_ones(root: Path, state: Path) -> None:
    lines = (
        b"\n".join(
            [
                json.dumps({"text": "ou se trouve l'institut curie ?", "user": "a"}).encode(),
                b"this is not json",
                b"\xff\xfe invalid utf-8",
                json.dumps({"text": 42}).encode(),
                json.dumps({"text": "hello", "lang": "xx"}).encode(),
                json.dumps({"text": "et son site web ?", "user": "a"}).encode(),
                json.dumps({"text": "my father cannot breathe", "lang": "en"}).encode(),
            ]
        )
        + b"\n"
    )
    out = run(["ask", "--jsonl"], root=root, state=state, stdin=lines)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(rows) == 7
    assert rows[0]["entities"].get("centre") == "institut-curie"
    assert rows[1]["error"].startswith("line 2: not JSON")
    assert rows[2]["error"] == "line 3: not UTF-8 text"
    assert "'text' must be a string" in rows[3]["error"]
    assert "unknown language 'xx'" in rows[4]["error"]
    assert "https://www.curie.fr/" in rows[5]["answer"]  # the context of user "a" carried over
    assert rows[5]["entities"] == {"centre": "institut-curie"} and rows[5]["context"] == ["centre"]
    assert rows[6]["intent"] == "emergency" and rows[6]["answer"].startswith("Call 15")


HOSTILE_LINES = [
    (b"[" * 100_000, "not JSON (nested too deeply)"),
    (b'{"text": "hi", "deep": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "not JSON (nested too deeply)"),
    (b"1" * 5_000, "not JSON"),
    (b'["text", "hi"]', "expected a JSON object"),
    (b'{"text": null}', "'text' must be a string"),
    (b'{"text": "hi", "lang": ""}', "'lang' must be a language code"),
    (b'{"text": "hi", "lang": 0}', "'lang' must be a language code"),
    (b'{"text": "hi", "lang": false}', "'lang' must be a language code"),
    (b'{"text": "hi", "lang": []}', "'lang' must be a language code"),
    (b'{"text": "hi", "lang": {}}', "'lang' must be a language code"),
    (b'{"text": "hi", "user": true}', "'user' must be a string or a whole number"),
    (b'{"text": "hi", "user": false}', "'user' must be a string or a whole number"),
    (b'{"text": "hi", "user": 1.5}', "'user' must be a string or a whole number"),
    (b'{"text": "hi", "user": ["a"]}', "'user' must be a string or a whole number"),
    (b'{"text": "hi \\ud800"}', "unpaired surrogate"),
    (b'{"text": "hi", "user": "\\udfff"}', "unpaired surrogate"),
]


def test_jsonl_answers_hostile_lines_with_errors_and_still_serves_the_next(root: Path, state: Path) -> None:
    good = json.dumps({"text": "where is gustave roussy", "lang": "en", "user": 7}).encode()
    stdin = b"\n".join([line for line, _ in HOSTILE_LINES] + [good]) + b"\n"
    out = run(["ask", "--jsonl"], root=root, state=state, stdin=stdin)
    assert out.returncode == 0, out.stderr
    assert b"Traceback" not in out.stderr
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(rows) == len(HOSTILE_LINES) + 1
    for number, ((_, expected), row) in enumerate(zip(HOSTILE_LINES, rows, strict=False), start=1):
        assert set(row) == {"error"}, (number, row)
        assert row["error"].startswith(f"line {number}: ") and expected in row["error"], (number, row)
    assert rows[-1]["entities"] == {"centre": "gustave-roussy"} and "Villejuif" in rows[-1]["answer"]


def test_check_passes_on_good_content_and_fails_with_lines(root: Path, state: Path, tmp_path: Path) -> None:
    ok = run(["check"], root=root, state=state)
    assert ok.returncode == 0, ok.stdout
    assert b"OK: 0 error(s)" in ok.stdout
    broken = make_content_root(tmp_path / "broken")
    (broken / "intents" / "care.yaml").write_text("version: 1\nintents:\n  - id: x\n    title: [unclosed\n")
    bad = run(["check"], root=broken, state=state)
    assert bad.returncode == 1
    assert b"intents/care.yaml:5: (file): malformed YAML" in bad.stdout


def test_strict_check_fails_on_warnings(root: Path, state: Path, tmp_path: Path) -> None:
    warned = make_content_root(tmp_path / "warned")
    (warned / "content.yaml").write_text(
        (warned / "content.yaml").read_text().replace("min_examples: 3", "min_examples: 9")
    )
    assert run(["check"], root=warned, state=state).returncode == 0
    strict = run(["check", "--strict"], root=warned, state=state)
    assert strict.returncode == 1 and b"fewer than the minimum 9" in strict.stdout


def test_the_assistant_refuses_to_start_on_broken_content(state: Path, tmp_path: Path) -> None:
    broken = make_content_root(tmp_path / "broken")
    (broken / "intents" / "care.yaml").write_text("version: 1\nintents:\n  - id: x\n    title: [unclosed\n")
    out = run(["ask", "hello"], root=broken, state=state)
    assert out.returncode == 1
    assert b"intents/care.yaml:5: (file): malformed YAML" in out.stderr
    assert b"Traceback" not in out.stderr


def test_a_missing_catalogue_is_an_error_not_silent_english(state: Path, tmp_path: Path) -> None:
    root = make_content_root(tmp_path / "nolocale", languages=("en", "fr"))
    out = run(["ask", "hello"], root=root, state=state)
    assert out.returncode == 1
    assert b"locales/ar/LC_MESSAGES/oncobot.po:1: (file): missing catalogue for language 'ar'" in out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["ask"],
        ["ask", "--lang", "xx", "hi"],
        ["chat", "--lang", "xx"],
        ["--data-dir", "/nonexistent-folder", "check"],
    ],
)
def test_command_line_errors_are_one_line(root: Path, state: Path, args: list[str]) -> None:
    out = run(args, root=root, state=state, stdin=b"")
    assert out.returncode != 0
    lines = out.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("oncobot: error:"), lines


def test_console_chat_numbers_buttons_and_accepts_them(root: Path, state: Path) -> None:
    out = run(["chat", "--lang", "en"], root=root, state=state, stdin=b"where is gustave roussy\n1\n/quit\n")
    text = out.stdout.decode()
    assert out.returncode == 0, out.stderr
    assert "[1] Patients and families" in text
    assert "Gustave Roussy — Villejuif" in text
    assert "[1] Website → https://www.gustaveroussy.fr/" in text
    assert text.count("https://www.gustaveroussy.fr/\n") >= 1


def test_python_m_bot_is_the_oncobot_command(root: Path, state: Path) -> None:
    out = run(["--version"], root=root, state=state)
    assert out.returncode == 0 and out.stdout.startswith(b"oncobot ")


def test_console_chat_survives_invalid_utf8_and_control_characters(root: Path, state: Path) -> None:
    out = run(["chat"], root=root, state=state, stdin=b"\xff\xfe\x00\n\x1b[2J\n\nwhere is gustave roussy\n")
    assert out.returncode == 0, out.stderr
    assert "Gustave Roussy — Villejuif" in out.stdout.decode()


def test_a_console_hand_off_is_answered_from_oncobot_desk(root: Path, state: Path) -> None:
    """Two terminals, one after the other: the user consents and writes; the desk replies and closes; the user rates."""
    chat = run(["chat", "--lang", "en"], root=root, state=state, stdin=b"/human\n1\nmy file is ready\n/quit\n")
    assert chat.returncode == 0, chat.stderr
    assert "oncobot desk" in chat.stdout.decode()
    desk = run(["desk"], root=root, state=state, stdin=b"list\nshow 1\nreply 1 Send it to us\nclose 1\nquit\n")
    shown = desk.stdout.decode()
    assert desk.returncode == 0, desk.stderr
    assert "#1 EN" in shown and "#1 user: my file is ready" in shown and "#1: Conversation closed" in shown
    back = run(["chat"], root=root, state=state, stdin=b"5\n/quit\n")
    seen = back.stdout.decode()
    assert "💬 Send it to us" in seen and "[5] 5" in seen and "Thank you for your rating." in seen
    rated = run(["desk"], root=root, state=state, stdin=b"show 1\n")
    assert "#1: The user rated this conversation 5/5." in rated.stdout.decode()
