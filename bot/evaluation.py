"""Measure understanding on a labelled set: per-language accuracy, out-of-scope recall, entities, latency."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.problems import ContentError
from bot.content.yamlfile import Sink, YamlFile
from bot.dialogue.actions import Inbound
from bot.dialogue.policies import EMERGENCY, OUT_OF_SCOPE
from bot.settings import Settings
from bot.store.sqlite import SqliteStore

SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass(frozen=True)
class Case:
    """One labelled question."""

    text: str
    lang: str
    intent: str
    entities: dict[str, str]


@dataclass
class Report:
    """The figures of one evaluation run."""

    cases: int = 0
    accuracy: float = 0.0
    per_language: dict[str, dict[str, float]] = field(default_factory=dict)
    oos_recall: float = 0.0
    oos_precision: float = 0.0
    emergency_recall: float = 0.0
    emergency_missed: list[str] = field(default_factory=list)
    entity_accuracy: float = 0.0
    confused: list[tuple[str, str, int]] = field(default_factory=list)
    sweep: list[dict[str, float]] = field(default_factory=list)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"} | {"errors": self.errors[:50]}


def read_cases(path: Path) -> list[Case]:
    """Read an evaluation file; problems are reported like content problems, with their line."""
    sink = Sink()
    doc = YamlFile.read(path, path.name, sink)
    cases = []
    if doc is not None:
        for where, item in doc.entries("cases"):
            doc.known_keys(item, where, {"text", "lang", "intent", "entities"})
            text, lang, intent = (
                doc.text(item, "text", where),
                doc.text(item, "lang", where),
                doc.text(item, "intent", where),
            )
            entities = item.get("entities") or {}
            if not isinstance(entities, dict):
                doc.error((*where, "entities"), "expected a mapping")
                entities = {}
            if text and lang and intent:
                cases.append(Case(text, lang, intent, {str(k): str(v) for k, v in entities.items()}))
    if sink.errors:
        raise ContentError(sink.errors)
    return cases


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile of the values, as the nearest rank below (0 for none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def evaluate(settings: Settings, cases: list[Case]) -> Report:
    """Run every case through the real engine, each as a new user, and through the matcher for the sweep."""
    from bot.assistant import build_engine

    engine = build_engine(settings, store=SqliteStore(":memory:"))
    report = Report(cases=len(cases))
    by_lang: dict[str, list[bool]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    latencies: list[float] = []
    oos_tp = oos_fp = oos_fn = 0
    entity_ok = entity_total = 0
    emergencies = emergency_hits = 0
    ranked_all = []
    for i, case in enumerate(cases):
        start = time.perf_counter()
        turn = engine.handle(Inbound(f"eval:{i}", text=case.text))
        latencies.append((time.perf_counter() - start) * 1000)
        predicted = turn.understanding.intent if turn.understanding else OUT_OF_SCOPE
        ranked_all.append(engine.matcher.rank(case.text, limit=1))
        ok = predicted == case.intent
        by_lang[case.lang].append(ok)
        if not ok:
            confusion[(case.intent, predicted)] += 1
            report.errors.append({"text": case.text, "lang": case.lang, "expected": case.intent, "got": predicted})
        if case.intent == OUT_OF_SCOPE:
            oos_tp += predicted == OUT_OF_SCOPE
            oos_fn += predicted != OUT_OF_SCOPE
        elif predicted == OUT_OF_SCOPE:
            oos_fp += 1
        if case.intent == EMERGENCY:
            emergencies += 1
            emergency_hits += predicted == EMERGENCY
            if predicted != EMERGENCY:
                report.emergency_missed.append(case.text)
        if case.entities:
            entity_total += 1
            got = turn.understanding.entities if turn.understanding else {}
            entity_ok += all(got.get(k) == v for k, v in case.entities.items())
    total_ok = sum(ok for oks in by_lang.values() for ok in oks)
    report.accuracy = total_ok / len(cases) if cases else 0.0
    report.per_language = {
        lang: {"cases": len(oks), "accuracy": sum(oks) / len(oks)} for lang, oks in sorted(by_lang.items())
    }
    report.oos_recall = oos_tp / (oos_tp + oos_fn) if oos_tp + oos_fn else 0.0
    report.oos_precision = oos_tp / (oos_tp + oos_fp) if oos_tp + oos_fp else 0.0
    report.emergency_recall = emergency_hits / emergencies if emergencies else 1.0
    report.entity_accuracy = entity_ok / entity_total if entity_total else 1.0
    report.confused = [(a, b, n) for (a, b), n in confusion.most_common(10)]
    report.p50_ms = percentile(latencies, 0.5)
    report.p99_ms = percentile(latencies, 0.99)
    for threshold in SWEEP:
        in_ok = in_n = oos_ok = oos_n = 0
        for case, ranked in zip(cases, ranked_all, strict=True):
            top = ranked[0] if ranked else None
            guess = top.intent if top and top.confidence >= threshold else OUT_OF_SCOPE
            if case.intent == OUT_OF_SCOPE:
                oos_n += 1
                oos_ok += guess == OUT_OF_SCOPE
            else:
                in_n += 1
                in_ok += guess == case.intent
        report.sweep.append(
            {
                "threshold": threshold,
                "in_scope_accuracy": in_ok / in_n if in_n else 0.0,
                "oos_recall": oos_ok / oos_n if oos_n else 0.0,
            }
        )
    engine.store.close()
    return report


def format_report(report: Report) -> str:
    """The figures as a short text table."""
    lines = [
        f"cases: {report.cases}   intent accuracy: {report.accuracy:.1%}",
        "",
        "language  cases  accuracy",
    ]
    for lang, row in report.per_language.items():
        lines.append(f"{lang:<8}  {int(row['cases']):>5}  {row['accuracy']:>8.1%}")
    lines += [
        "",
        f"out-of-scope recall: {report.oos_recall:.1%}   precision: {report.oos_precision:.1%}",
        f"emergency recall: {report.emergency_recall:.1%}"
        + (f"   MISSED: {report.emergency_missed}" if report.emergency_missed else ""),
        f"entity accuracy: {report.entity_accuracy:.1%}",
        f"latency per message: p50 {report.p50_ms:.2f} ms, p99 {report.p99_ms:.2f} ms",
        "",
        "most confused (expected → got):",
    ]
    lines += [f"  {a} → {b}: {n}" for a, b, n in report.confused] or ["  none"]
    lines += ["", "threshold sweep (matcher only): threshold  in-scope accuracy  OOS recall"]
    lines += [
        f"  {row['threshold']:.1f}  {row['in_scope_accuracy']:.1%}  {row['oos_recall']:.1%}" for row in report.sweep
    ]
    return "\n".join(lines)
