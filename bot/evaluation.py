"""Measure understanding on a labelled set: per-language accuracy, out-of-scope recall, entities, latency."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content.problems import ContentError
from bot.content.yamlfile import Sink, YamlFile
from bot.dialogue import strings
from bot.dialogue.actions import Inbound, Turn
from bot.dialogue.policies import CRISIS, EMERGENCY, MEDICAL_ADVICE, OUT_OF_SCOPE, SELF_HARM
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.dialogue.engine import Engine
from bot.store.sqlite import SqliteStore

SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
FALSE_ENTITY = "false_entity"  # the tag of a case whose ordinary words must not be read as names


@dataclass(frozen=True)
class Case:
    """One labelled question."""

    text: str
    lang: str
    intent: str
    entities: dict[str, str]
    tags: tuple[str, ...] = ()
    answer_has: tuple[str, ...] = ()  # strings every acceptable answer contains ("3114")
    source: str = ""  # the file it comes from
    also: tuple[str, ...] = ()  # other intents whose answer is as right ("help_capabilities" for an insult)


@dataclass(frozen=True)
class Dialogue:
    """Turns said one after the other by one user: later turns are judged in the context of earlier ones."""

    lang: str
    turns: tuple[Case, ...]


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
    self_harm_recall: float = 1.0  # self-harm cases given a crisis answer (self-harm or emergency)
    self_harm_missed: list[str] = field(default_factory=list)
    no_advice_recall: float = 1.0  # medical-advice cases given the no-advice answer
    # Ordinary cases answered as a crisis (first, or with the crisis lines above the answer), per language: cases, hits.
    false_crisis: dict[str, tuple[int, int]] = field(default_factory=dict)
    false_crisis_texts: list[str] = field(default_factory=list)
    answer_checks: float = 1.0  # cases with `answer_has` whose answer contains every string
    answer_missed: list[str] = field(default_factory=list)
    per_tag: dict[str, dict[str, float]] = field(default_factory=dict)
    per_file: dict[str, dict[str, float]] = field(default_factory=dict)
    dialogues: int = 0
    first_turns: dict[str, float] = field(default_factory=dict)  # cases, accuracy (intent and entities)
    later_turns: dict[str, float] = field(default_factory=dict)
    entity_accuracy: float = 0.0  # cases naming entities, and `false_entity` cases, whose entities are all right
    entity_missed: list[str] = field(default_factory=list)
    confused: list[tuple[str, str, int]] = field(default_factory=list)
    sweep: list[dict[str, float]] = field(default_factory=list)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"} | {"errors": self.errors[:50]}


def _case(doc: YamlFile, item: dict[str, Any], where: tuple[str | int, ...], lang: str | None = None) -> Case | None:
    """One case; a dialogue's turn takes the dialogue's language unless it says its own (a switch)."""
    doc.known_keys(item, where, {"text", "lang", "intent", "also", "entities", "tags", "answer_has"})
    text, intent = doc.text(item, "text", where), doc.text(item, "intent", where)
    lang = doc.text(item, "lang", where, required=lang is None) or lang
    entities = item.get("entities") or {}
    if not isinstance(entities, dict):
        doc.error((*where, "entities"), "expected a mapping")
        entities = {}
    tags, answer_has = doc.texts(item, "tags", where), doc.texts(item, "answer_has", where)
    if not (text and lang and intent):
        return None
    entities_ = {str(k): str(v) for k, v in entities.items()}
    return Case(text, lang, intent, entities_, tags, answer_has, doc.rel, doc.texts(item, "also", where))


def read_eval(path: Path) -> tuple[list[Case], list[Dialogue]]:
    """Read an evaluation file of single `cases` or of `dialogues`; problems are reported with their line."""
    sink = Sink()
    doc = YamlFile.read(path, path.name, sink)
    cases: list[Case] = []
    dialogues: list[Dialogue] = []
    if doc is not None and "dialogues" in doc.data:
        for where, item in doc.entries("dialogues"):
            doc.known_keys(item, where, {"lang", "turns"})
            lang = doc.text(item, "lang", where)
            turns = item.get("turns")
            if not isinstance(turns, list) or not turns:
                doc.error((*where, "turns"), "expected a non-empty list")
                continue
            said = []
            for i, turn in enumerate(turns):
                if not isinstance(turn, dict):
                    doc.error((*where, "turns", i), "expected a mapping")
                elif lang and (case := _case(doc, turn, (*where, "turns", i), lang)):
                    said.append(case)
            if lang and len(said) == len(turns):
                dialogues.append(Dialogue(lang, tuple(said)))
    elif doc is not None:
        for where, item in doc.entries("cases"):
            if case := _case(doc, item, where):
                cases.append(case)
    if sink.errors:
        raise ContentError(sink.errors)
    return cases, dialogues


def read_cases(path: Path) -> list[Case]:
    """The single cases of an evaluation file."""
    return read_eval(path)[0]


def read_all(paths: Sequence[Path]) -> tuple[list[Case], list[Dialogue]]:
    """The cases and dialogues of several evaluation files, in order."""
    cases: list[Case] = []
    dialogues: list[Dialogue] = []
    for path in paths:
        more_cases, more_dialogues = read_eval(path)
        cases += more_cases
        dialogues += more_dialogues
    return cases, dialogues


def eval_files(paths: Sequence[Path]) -> list[Path]:
    """Every evaluation file named, a folder standing for the YAML files in it."""
    out: list[Path] = []
    for path in paths:
        out.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile of the values, as the nearest rank below (0 for none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _answered(case: Case, predicted: str) -> bool:
    """A crisis case is answered by either crisis answer: both carry the emergency numbers and the crisis line."""
    return predicted in (case.intent, *case.also) or (case.intent in CRISIS and predicted in CRISIS)


def _ordinary(case: Case) -> bool:
    """A case no crisis answer would be right for: its intent, its other right answers and its tags name no crisis."""
    return not {case.intent, *case.also, *case.tags} & set(CRISIS)


def crisis_shown(engine: Engine, turn: Turn, predicted: str) -> bool:
    """Whether the user was shown a crisis: a crisis answer, or a crisis line put above another answer."""
    if predicted in CRISIS:
        return True
    first = turn.replies[0] if turn.replies else None
    if first is None:
        return False
    hints = (engine.ui.gettext(first.language, msgid) for msgid in (strings.SELF_HARM_HINT, strings.EMERGENCY_HINT))
    return any(hint in first.text for hint in hints)


def _share(hits: list[bool]) -> float:
    return sum(hits) / len(hits) if hits else 1.0


def evaluate(settings: Settings, cases: list[Case], dialogues: Sequence[Dialogue] = ()) -> Report:
    """Run every case through the real engine, each as a new user, and through the matcher for the sweep."""
    from bot.assistant import build_engine

    engine = build_engine(settings, store=SqliteStore(":memory:"))
    report = Report(cases=len(cases))
    by_tag: dict[str, list[bool]] = defaultdict(list)
    by_file: dict[str, list[bool]] = defaultdict(list)
    self_harm: list[bool] = []
    no_advice: list[bool] = []
    false_crisis: dict[str, list[bool]] = defaultdict(list)
    answers: list[bool] = []
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
        ok = _answered(case, predicted)
        by_lang[case.lang].append(ok)
        by_file[case.source].append(ok)
        for tag in case.tags:
            by_tag[tag].append(ok)
        if case.intent == SELF_HARM or (case.intent in CRISIS and "self_harm" in case.tags):
            self_harm.append(predicted in CRISIS)
            if predicted not in CRISIS:
                report.self_harm_missed.append(case.text)
        if _ordinary(case):
            false_crisis[case.lang].append(crisis_shown(engine, turn, predicted))
            if false_crisis[case.lang][-1]:
                report.false_crisis_texts.append(case.text)
        if case.intent == MEDICAL_ADVICE:
            no_advice.append(predicted == MEDICAL_ADVICE)
        if case.answer_has:
            said = "\n".join(r.text for r in turn.replies)
            answers.append(all(needle in said for needle in case.answer_has))
            if not answers[-1]:
                report.answer_missed.append(case.text)
        if not ok:
            confusion[(case.intent, predicted)] += 1
            report.errors.append({"text": case.text, "lang": case.lang, "expected": case.intent, "got": predicted})
        if case.intent == OUT_OF_SCOPE:
            oos_tp += ok  # out of scope, or another answer as right (an insult: what the assistant can do)
            oos_fn += not ok
        elif predicted == OUT_OF_SCOPE:
            oos_fp += 1
        if case.intent == EMERGENCY:
            emergencies += 1
            emergency_hits += predicted == EMERGENCY
            if predicted != EMERGENCY:
                report.emergency_missed.append(case.text)
        if case.entities or FALSE_ENTITY in case.tags:  # a false_entity case expects no other entity than it names
            entity_total += 1
            got = turn.understanding.entities if turn.understanding else {}
            right = all(got.get(k) == v for k, v in case.entities.items())
            right = right and (FALSE_ENTITY not in case.tags or set(got) <= set(case.entities))
            entity_ok += right
            if not right:
                report.entity_missed.append(case.text)
    total_ok = sum(ok for oks in by_lang.values() for ok in oks)
    report.accuracy = total_ok / len(cases) if cases else 0.0
    report.per_language = {
        lang: {"cases": len(oks), "accuracy": sum(oks) / len(oks)} for lang, oks in sorted(by_lang.items())
    }
    report.oos_recall = oos_tp / (oos_tp + oos_fn) if oos_tp + oos_fn else 0.0
    report.oos_precision = oos_tp / (oos_tp + oos_fp) if oos_tp + oos_fp else 0.0
    report.emergency_recall = emergency_hits / emergencies if emergencies else 1.0
    report.entity_accuracy = entity_ok / entity_total if entity_total else 1.0
    report.self_harm_recall, report.no_advice_recall = _share(self_harm), _share(no_advice)
    report.answer_checks = _share(answers)
    report.false_crisis = {lang: (len(hits), sum(hits)) for lang, hits in sorted(false_crisis.items())}
    report.per_tag = {tag: {"cases": len(oks), "accuracy": _share(oks)} for tag, oks in sorted(by_tag.items())}
    report.per_file = {name: {"cases": len(oks), "accuracy": _share(oks)} for name, oks in sorted(by_file.items())}
    _dialogues(engine, dialogues, report)
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


def _dialogues(engine: Engine, dialogues: Sequence[Dialogue], report: Report) -> None:
    """Each dialogue as one user: a turn is right when its intent and every expected entity are."""
    first: list[bool] = []
    later: list[bool] = []
    for i, dialogue in enumerate(dialogues):
        for j, case in enumerate(dialogue.turns):
            turn = engine.handle(Inbound(f"dialogue:{i}", text=case.text))
            got = turn.understanding
            ok = got is not None and _answered(case, got.intent)
            ok = ok and all(got is not None and got.entities.get(k) == v for k, v in case.entities.items())
            (later if j else first).append(ok)
            if not ok:
                report.errors.append(
                    {"dialogue": i, "turn": j, "text": case.text, "expected": case.intent, "got": got and got.intent}
                )
    report.dialogues = len(dialogues)
    report.first_turns = {"cases": len(first), "accuracy": _share(first)}
    report.later_turns = {"cases": len(later), "accuracy": _share(later)}


def _false_crisis_line(report: Report) -> str:
    """How many ordinary messages were shown a crisis, overall and per language, and which (the first ten)."""
    cases = sum(n for n, _ in report.false_crisis.values())
    hits = sum(k for _, k in report.false_crisis.values())
    langs = "  ".join(f"{lang} {k}/{n}" for lang, (n, k) in report.false_crisis.items())
    line = f"false crisis: {hits} of {cases}" + (f"   ({langs})" if langs else "")
    return line + (f"   SHOWN: {report.false_crisis_texts[:10]}" if report.false_crisis_texts else "")


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
        f"self-harm recall: {report.self_harm_recall:.1%}"
        + (f"   MISSED: {report.self_harm_missed}" if report.self_harm_missed else ""),
        f"no-advice recall (medical questions): {report.no_advice_recall:.1%}",
        _false_crisis_line(report),
        f"answers carrying the expected facts: {report.answer_checks:.1%}"
        + (f"   MISSED: {report.answer_missed[:10]}" if report.answer_missed else ""),
        f"entity accuracy (false entities included): {report.entity_accuracy:.1%}"
        + (f"   MISSED: {report.entity_missed[:10]}" if report.entity_missed else ""),
        f"latency per message: p50 {report.p50_ms:.2f} ms, p99 {report.p99_ms:.2f} ms",
        "",
        "most confused (expected → got):",
    ]
    if report.dialogues:
        first, later = report.first_turns, report.later_turns
        lines[-2:-2] = [
            f"dialogues: {report.dialogues}   first turns: {first['accuracy']:.1%} of {int(first['cases'])}"
            f"   later turns: {later['accuracy']:.1%} of {int(later['cases'])}",
        ]
    if len(report.per_file) > 1:
        lines[-2:-2] = ["", "file  cases  accuracy"] + [
            f"{name:<18}  {int(row['cases']):>5}  {row['accuracy']:>8.1%}" for name, row in report.per_file.items()
        ]
    if report.per_tag:
        lines[-2:-2] = ["", "tag  cases  accuracy"] + [
            f"{tag:<18}  {int(row['cases']):>5}  {row['accuracy']:>8.1%}" for tag, row in report.per_tag.items()
        ]
    lines += [f"  {a} → {b}: {n}" for a, b, n in report.confused] or ["  none"]
    lines += ["", "threshold sweep (matcher only): threshold  in-scope accuracy  OOS recall"]
    lines += [
        f"  {row['threshold']:.1f}  {row['in_scope_accuracy']:.1%}  {row['oos_recall']:.1%}" for row in report.sweep
    ]
    return "\n".join(lines)
