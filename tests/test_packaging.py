"""A non-editable install ships the content, so `oncobot` works from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("oncobot-*.whl"))


def test_the_wheel_carries_intents_catalogue_locales_and_schemas(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "bot/_content/content.yaml",
        "bot/_content/intents/safety.yaml",
        "bot/_content/catalogue/centres.yaml",
        "bot/_content/locales/ar/LC_MESSAGES/oncobot.po",
        "bot/_content/schemas/intents.schema.json",
        "bot/_content/tests/eval/public.yaml",
        "bot/cli.py",
    ):
        assert expected in names, expected
    assert not any(n.startswith("tests/") for n in names)
    assert not any(n.startswith(("bot/nlu/encoder", "bot/nlu/vectors", "benchmarks/")) for n in names)
    metadata = next(zipfile.Path(wheel, n) for n in names if n.endswith(".dist-info/METADATA")).read_text()
    headers = metadata.split("\n\n", 1)[0].splitlines()  # the README follows the first blank line
    extras = [h for h in headers if h.startswith("Provides-Extra:")]
    required = " ".join(h for h in headers if h.startswith("Requires-Dist:"))
    assert extras == ["Provides-Extra: postgres"]  # the test tools are a dependency group, never installed by users
    assert "pytest" not in required and "ruff" not in required and "onnx" not in required


def test_the_installed_assistant_answers_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "ONCOBOT_STATE_DIR": str(tmp_path / "state")}
    env.pop("ONCOBOT_DATA_DIR", None)
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "où est l'institut curie ?"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["entities"].get("centre") == "institut-curie"
    assert "curie.fr" in answer["answer"]
    evaluated = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--json"],  # the default set, shipped with the package
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["cases"] > 400 and report["accuracy"] > 0.5
