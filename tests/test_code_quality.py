"""The house rules that tools can check: ruff and mypy clean, only the Telegram channel (package) imports telegram."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_ruff_is_clean() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "bot", "tests", "benchmarks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean() -> None:
    out = subprocess.run([sys.executable, "-m", "mypy", "bot"], cwd=REPO, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_only_the_telegram_channel_imports_telegram() -> None:
    offenders = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "bot").rglob("*.py")
        if p.relative_to(REPO).parts[:3] != ("bot", "channels", "telegram")
        and any(
            line.startswith(("import telegram", "from telegram")) for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
