"""The editors' inbox: kept questions grouped as the matcher reads them, and added to the content as examples."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.nlu.matcher import Matcher
from bot.store.base import KeptQuestion

SIMILAR = 0.8  # cosine between two questions' intent-probability vectors above which they share a cluster


class InboxError(ValueError):
    """An inbox command cannot be carried out (unknown id or intent, no file holding the intent)."""


@dataclass(frozen=True)
class Cluster:
    """Kept questions of one language that the matcher reads alike, with the intents they come nearest to."""

    language: str
    questions: tuple[KeptQuestion, ...]
    nearest: tuple[tuple[str, float], ...]


def _profile(matcher: Matcher, text: str) -> np.ndarray:
    """The question as the matcher sees it: its probability over every intent, of unit length."""
    scores = matcher.scores(text) / matcher.temperature
    probs = np.exp(scores - scores.max())
    vector = probs / np.linalg.norm(probs)
    return np.asarray(vector, dtype=np.float64)


def _nearest(questions: Sequence[KeptQuestion], limit: int = 3) -> tuple[tuple[str, float], ...]:
    """The intents the questions came nearest to when they were asked, by mean confidence."""
    total: dict[str, float] = defaultdict(float)
    for q in questions:
        for intent, confidence in q.candidates:
            total[intent] += confidence
    ranked = sorted(total.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return tuple((intent, round(score / len(questions), 3)) for intent, score in ranked)


def cluster(questions: Sequence[KeptQuestion], matcher: Matcher, similar: float = SIMILAR) -> list[Cluster]:
    """Greedy single pass per language: a question joins the first cluster whose centre it is close to."""
    clusters: list[tuple[str, list[KeptQuestion], np.ndarray]] = []
    for q in questions:
        vector = _profile(matcher, q.text)
        for language, members, centre in clusters:
            if language == q.language and float(vector @ centre) / float(np.linalg.norm(centre)) >= similar:
                members.append(q)
                centre += vector
                break
        else:
            clusters.append((q.language, [q], vector.copy()))
    out = [Cluster(language, tuple(members), _nearest(members)) for language, members, _ in clusters]
    return sorted(out, key=lambda c: (-len(c.questions), c.language, c.questions[0].id))


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, key order and quoting are kept
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def add_example(root: Path, intent_id: str, language: str, text: str) -> Path:
    """Append `text` to the intent's examples in its language, in the file that defines it; returns that file."""
    yaml = _yaml()
    for path in sorted((root / "intents").glob("*.yaml")):
        source = path.read_text(encoding="utf-8")
        if f"id: {intent_id}" not in source:
            continue
        data = yaml.load(source)
        for intent in data.get("intents") or []:
            if intent.get("id") != intent_id:
                continue
            examples = intent.setdefault("examples", {})
            texts = examples.setdefault(language, [])
            if text not in texts:
                texts.append(text)
            with path.open("w", encoding="utf-8") as fh:
                yaml.dump(data, fh)
            return path
    raise InboxError(f"no file under {root / 'intents'} defines the intent '{intent_id}'")


def format_clusters(clusters: Sequence[Cluster]) -> str:
    """The inbox as an editor reads it: biggest clusters first, each question with its id."""
    if not clusters:
        return "The inbox is empty."
    lines = []
    for c in clusters:
        nearest = ", ".join(f"{intent} {confidence:.2f}" for intent, confidence in c.nearest)
        lines.append(f"[{c.language}] {len(c.questions)} question(s); nearest: {nearest}")
        lines += [f"  #{q.id}  {q.created_at[:10]}  {q.text}" for q in c.questions]
    return "\n".join(lines)
