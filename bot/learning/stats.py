"""Statistics for the team from counters and case times only: no message text, no user id."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.learning.counting import ANSWERED, CONVERSATION, FALLBACK, RELAYED, SUGGESTED
from bot.store.base import Store

BANDS = (ANSWERED, SUGGESTED, FALLBACK)
VERDICTS = ("up", "down")


class PeriodError(ValueError):
    """A --since value that is not a number of days or hours."""


def parse_since(text: str) -> timedelta:
    """'7d', '24h' or a bare number of days."""
    match = re.fullmatch(r"\s*(\d+)\s*([dh]?)\s*", text)
    if not match or int(match.group(1)) == 0:
        raise PeriodError(f"--since {text!r}: give days or hours, e.g. 7d or 24h")
    n = int(match.group(1))
    return timedelta(hours=n) if match.group(2) == "h" else timedelta(days=n)


@dataclass
class Stats:
    """What happened since a date, in counts; shares are of text messages the assistant read itself."""

    since: str
    conversations: int = 0
    messages: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)
    relayed: int = 0
    handoffs_opened: int = 0
    handoffs_closed: int = 0
    median_first_reply_minutes: float | None = None
    ratings: dict[str, int] = field(default_factory=dict)
    feedback_by_intent: dict[str, dict[str, int]] = field(default_factory=dict)
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)
    by_day: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def compute(store: Store, period: timedelta, now: datetime | None = None) -> Stats:
    """Add up the counters and case times of the period."""
    start = (now or datetime.now(UTC)) - period
    stats = Stats(since=start.isoformat(timespec="seconds"))
    by_language: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*BANDS, *VERDICTS), 0))
    by_day: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys((CONVERSATION, *BANDS), 0))
    feedback: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(VERDICTS, 0))
    bands = dict.fromkeys(BANDS, 0)
    for day, kind, language, intent, n in store.counters(start.date().isoformat()):
        if kind == CONVERSATION:
            stats.conversations += n
            by_day[day][CONVERSATION] += n
        elif kind in BANDS:
            bands[kind] += n
            by_language[language][kind] += n
            by_day[day][kind] += n
        elif kind == RELAYED:
            stats.relayed += n
        elif kind in VERDICTS:
            feedback[intent][kind] += n
            by_language[language][kind] += n
    stats.bands = bands
    stats.messages = sum(bands.values()) + stats.relayed
    read = sum(bands.values())
    stats.shares = {band: round(count / read, 4) if read else 0.0 for band, count in bands.items()}
    waits = []
    ratings: dict[str, int] = {}
    for case in store.case_times(start.isoformat(timespec="seconds")):
        stats.handoffs_opened += 1
        stats.handoffs_closed += case.closed_at is not None
        if case.first_reply_at:
            waits.append((_parse(case.first_reply_at) - _parse(case.created_at)).total_seconds() / 60)
        if case.rating is not None:
            ratings[str(case.rating)] = ratings.get(str(case.rating), 0) + 1
    stats.median_first_reply_minutes = round(statistics.median(waits), 1) if waits else None
    stats.ratings = dict(sorted(ratings.items()))
    stats.feedback_by_intent = dict(sorted(feedback.items()))
    stats.by_language = dict(sorted(by_language.items()))
    stats.by_day = dict(sorted(by_day.items()))
    return stats


def format_text(stats: Stats) -> str:
    """The figures as a person reads them in a terminal."""
    wait = "—" if stats.median_first_reply_minutes is None else f"{stats.median_first_reply_minutes} min"
    lines = [
        f"since {stats.since}",
        f"conversations: {stats.conversations}   messages: {stats.messages} ({stats.relayed} relayed to coordinators)",
        "answered {answered:.0%}   did you mean {suggested:.0%}   fallback {fallback:.0%}".format(**stats.shares),
        f"hand-offs opened: {stats.handoffs_opened}   closed: {stats.handoffs_closed}   "
        f"median time to a coordinator's first reply: {wait}",
        "ratings: " + (", ".join(f"{k}★ ×{v}" for k, v in stats.ratings.items()) or "none"),
        "",
        "language  answered  did-you-mean  fallback   👍   👎",
    ]
    for lang, row in stats.by_language.items():
        lines.append(
            f"{lang:<8}  {row[ANSWERED]:>8}  {row[SUGGESTED]:>12}  {row[FALLBACK]:>8}  {row['up']:>3}  {row['down']:>3}"
        )
    lines += ["", "intent                          👍   👎"]
    for intent, row in stats.feedback_by_intent.items():
        lines.append(f"{intent:<30}  {row['up']:>3}  {row['down']:>3}")
    lines += ["", "day         conversations  answered  did-you-mean  fallback"]
    for day, row in stats.by_day.items():
        lines.append(f"{day}  {row[CONVERSATION]:>13}  {row[ANSWERED]:>8}  {row[SUGGESTED]:>12}  {row[FALLBACK]:>8}")
    return "\n".join(lines)
