"""Multilingual intent accuracy of the project's matcher: xSID (8 languages) and the Spanish task-oriented set.

Run: python benchmarks/multilingual.py [--data DIR]   (DIR holds xsid/ and fb_multilingual_tod/; by default the
shared bench folder beside the repository, ../shared/bench).
Protocol: xSID <lang>.valid.conll are the examples, <lang>.test.conll the queries; Spanish: train-es.tsv are the
examples, test-es.tsv the queries. No out-of-scope queries here; a query whose intent has no example counts wrong.
Target: the weakest language within 5 points of English. Calibration columns show whether the confidence bands
(answer ≥ 0.5, did-you-mean ≥ 0.2) mean the same in every language: ECE is the expected calibration error over
10 bins of top confidence, "answered" the share of queries at or above the answer band and their accuracy.
The last line printed is one JSON object with the per-language accuracies.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
XSID_LANGS = ("en", "de", "it", "tr", "id", "ar", "zh", "ja")
ANSWER_BAND = 0.5  # the engine's default answer threshold (ONCOBOT_ANSWER_THRESHOLD)

# Measured on this project's machines (BASELINES.md of the shared bench folder): in-language accuracy, %.
BASELINE_SVC = {
    "en": 91.4,
    "de": 92.4,
    "it": 92.8,
    "tr": 93.8,
    "id": 91.8,
    "ar": 86.2,
    "zh": 90.8,
    "ja": 93.6,
    "es": 98.4,
}
BASELINE_TOKEN_SET = {
    "en": 87.0,
    "de": 88.8,
    "it": 87.6,
    "tr": 89.0,
    "id": 87.8,
    "ar": 81.8,
    "zh": 87.0,
    "ja": 86.0,
    "es": 89.9,
}


def read_conll(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs from the comment lines of an xSID CoNLL file."""
    pairs: list[tuple[str, str]] = []
    text: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            text = line[len("# text = ") :]
        elif line.startswith("# intent = ") and text is not None:
            pairs.append((text, line[len("# intent = ") :].strip()))
            text = None
    return pairs


def read_tod(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs from a TSV file of the Facebook multilingual task-oriented set."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 3 and cols[2].strip():
            pairs.append((cols[2].strip(), cols[0].strip()))
    return pairs


def datasets(root: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]]:
    """Per language: (examples, queries)."""
    out = {}
    for lang in XSID_LANGS:
        out[lang] = (
            read_conll(root / "xsid" / f"{lang}.valid.conll"),
            read_conll(root / "xsid" / f"{lang}.test.conll"),
        )
    es = root / "fb_multilingual_tod" / "es"
    out["es"] = (read_tod(es / "train-es.tsv"), read_tod(es / "test-es.tsv"))
    return out


@dataclass(frozen=True)
class LanguageResult:
    """The figures of one language."""

    lang: str
    examples: int
    queries: int
    intents: int
    accuracy: float
    ece: float
    answered: float
    answered_accuracy: float
    build_s: float
    p99_ms: float


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Mean gap between confidence and accuracy, weighted by how many answers fall in each confidence bin."""
    total = len(confidences)
    gap = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if lo < c <= hi or (b == 0 and c == 0)]
        if idx:
            acc = sum(correct[i] for i in idx) / len(idx)
            conf = sum(confidences[i] for i in idx) / len(idx)
            gap += len(idx) / total * abs(acc - conf)
    return gap


def measure(lang: str, examples: list[tuple[str, str]], queries: list[tuple[str, str]]) -> LanguageResult:
    """Build on the examples, answer every query, and score the top intent and its confidence."""
    from bot.evaluation import percentile
    from bot.nlu.matcher import Matcher

    start = time.perf_counter()
    matcher = Matcher.build(examples)
    build_s = time.perf_counter() - start
    confidences: list[float] = []
    correct: list[bool] = []
    latencies: list[float] = []
    for text, intent in queries:
        t = time.perf_counter()
        ranked = matcher.rank(text, limit=1)
        latencies.append((time.perf_counter() - t) * 1000)
        top = ranked[0] if ranked else None
        confidences.append(top.confidence if top else 0.0)
        correct.append(bool(top and top.intent == intent))
    answered = [i for i, c in enumerate(confidences) if c >= ANSWER_BAND]
    return LanguageResult(
        lang,
        len(examples),
        len(queries),
        len({i for _, i in examples}),
        sum(correct) / len(correct),
        expected_calibration_error(confidences, correct),
        len(answered) / len(queries),
        sum(correct[i] for i in answered) / len(answered) if answered else 0.0,
        build_s,
        percentile(latencies, 0.99),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "bench", help="the bench data folder")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    results = [measure(lang, ex, qs) for lang, (ex, qs) in datasets(args.data).items()]
    print(
        "lang  examples  queries  intents  accuracy  baseline SVC  baseline rf token_set   ECE   answered (acc)  "
        "build s  p99 ms"
    )
    for r in results:
        print(
            f"{r.lang:<4}  {r.examples:>8}  {r.queries:>7}  {r.intents:>7}  {r.accuracy:>8.1%}  "
            f"{BASELINE_SVC[r.lang]:>11.1f}%  {BASELINE_TOKEN_SET[r.lang]:>19.1f}%  {r.ece:>5.3f}  "
            f"{r.answered:>6.1%} ({r.answered_accuracy:.1%})  {r.build_s:>7.2f}  {r.p99_ms:>6.2f}"
        )
    by_lang = {r.lang: r.accuracy for r in results}
    weakest = min(by_lang, key=by_lang.__getitem__)
    gap = by_lang["en"] - by_lang[weakest]
    print(
        f"\nweakest: {weakest} {by_lang[weakest]:.1%}, {gap * 100:.1f} points below English (target ≤ 5); "
        "baselines measured on this project's machines (TF-IDF + LinearSVC, rapidfuzz token_set_ratio nearest example)"
    )
    figures: dict[str, object] = {f"{lang}_accuracy": round(acc * 100, 2) for lang, acc in by_lang.items()}
    figures |= {"weakest": weakest, "gap_to_en_points": round(gap * 100, 2)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
