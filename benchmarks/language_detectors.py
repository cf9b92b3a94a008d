"""The assistant's language guesser against a general-purpose detector, on every evaluation case's language.

Run: python benchmarks/language_detectors.py (the other detector, langdetect, is measured when it is installed).
Measured 2026-12 on 1,313 cases: the guesser 98.0 %, langdetect 83.0 %; Arabic and Russian in Latin letters
91.0 % against 0 % (langdetect has no such languages); messages of three words or fewer 78.7 % against 28.0 %.
So the guesser stays: it learns the languages and the spellings the assistant's own examples use.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.assistant import build_parts  # noqa: E402
from bot.evaluation import Case, eval_files, read_all  # noqa: E402

Detector = Callable[[str], str | None]


def langdetect_detector() -> Detector | None:
    """langdetect with a fixed seed, its Chinese variants read as "zh"; None when it is not installed."""
    try:
        from langdetect import DetectorFactory, detect  # type: ignore[import-not-found,import-untyped,unused-ignore]
        from langdetect.lang_detect_exception import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
            LangDetectException,
        )
    except ImportError:
        return None
    DetectorFactory.seed = 0

    def guess(text: str) -> str | None:
        try:
            found = str(detect(text))
        except LangDetectException:
            return None
        return "zh" if found.startswith("zh") else found

    return guess


def share(cases: Sequence[Case], detector: Detector) -> str:
    right = sum(detector(case.text) == case.lang for case in cases)
    return f"{right / len(cases):6.1%}" if cases else "     -"


def main() -> None:
    parts = build_parts(REPO, None)
    cases, _ = read_all(eval_files([REPO / "tests" / "eval"]))
    detectors: dict[str, Detector] = {"guesser": lambda text: parts.languages.guess(text).language}
    other = langdetect_detector()
    if other is not None:
        detectors["langdetect"] = other
    groups = {
        "all cases": cases,
        "in Latin letters (translit)": [c for c in cases if "translit" in c.tags],
        "three words or fewer": [c for c in cases if len(c.text.split()) <= 3 and c.lang != "zh"],
    }
    print(f"{'cases':34s}" + "".join(f"{name:>12s}" for name in detectors))
    for label, group in groups.items():
        print(f"{label:28s}{len(group):6d}" + "".join(f"{share(group, d):>12s}" for d in detectors.values()))


if __name__ == "__main__":
    main()
