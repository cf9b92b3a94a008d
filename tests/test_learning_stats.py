"""Statistics and the HTML report: figures a team reads, from counters and case times only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.assistant import build_engine
from bot.cli import main
from bot.dialogue.actions import Inbound
from bot.learning.stats import PeriodError, compute, parse_since
from bot.settings import Settings
from bot.store.base import CaseTimes
from conftest import make_content_root

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class FiguresStore:
    """A store holding given counters and case times, as the SQL store returns them."""

    def __init__(self, counters: list[tuple[str, str, str, str, int]], cases: list[CaseTimes]) -> None:
        self.rows = counters
        self.cases = cases
        self.asked: list[str] = []

    def counters(self, since_day: str) -> list[tuple[str, str, str, str, int]]:
        self.asked.append(since_day)
        return [r for r in self.rows if r[0] >= since_day]

    def case_times(self, since: str) -> list[CaseTimes]:
        return [c for c in self.cases if c.created_at >= since]


def _case(opened_minutes_ago: int, reply_after: int | None, closed: bool, rating: int | None) -> CaseTimes:
    opened = NOW - timedelta(minutes=opened_minutes_ago)
    reply = (opened + timedelta(minutes=reply_after)).isoformat() if reply_after is not None else None
    return CaseTimes(opened.isoformat(), NOW.isoformat() if closed else None, reply, rating)


def test_shares_medians_and_feedback_are_added_up_over_the_period() -> None:
    store = FiguresStore(
        [
            ("2026-12-02", "answered", "fr", "cost_quote", 6),
            ("2026-12-02", "suggested", "fr", "out_of_scope", 2),
            ("2026-12-03", "fallback", "ar", "out_of_scope", 2),
            ("2026-12-03", "conversation", "fr", "-", 3),
            ("2026-12-03", "up", "fr", "cost_quote", 4),
            ("2026-12-03", "down", "fr", "cost_quote", 1),
            ("2026-11-01", "answered", "fr", "cost_quote", 100),  # before the period
        ],
        [_case(300, 10, True, 5), _case(200, 30, True, 4), _case(100, 80, False, None), _case(50, None, False, None)],
    )
    stats = compute(store, timedelta(days=7), NOW)  # type: ignore[arg-type]
    assert stats.messages == 10 and stats.conversations == 3
    assert stats.shares == {"answered": 0.6, "suggested": 0.2, "fallback": 0.2}
    assert stats.handoffs_opened == 4 and stats.handoffs_closed == 2
    assert stats.median_first_reply_minutes == 30.0
    assert stats.ratings == {"4": 1, "5": 1}
    assert stats.feedback_by_intent == {"cost_quote": {"up": 4, "down": 1}}
    assert stats.by_language["ar"]["fallback"] == 2 and stats.by_day["2026-12-02"]["answered"] == 6


def test_periods_are_days_or_hours() -> None:
    assert parse_since("7d") == timedelta(days=7) and parse_since("24h") == timedelta(hours=24)
    with pytest.raises(PeriodError):
        parse_since("last week")


def test_stats_and_report_from_a_real_conversation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content_root(tmp_path / "kb")
    env = {"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(tmp_path / "state")}
    engine = build_engine(Settings.from_env(env))
    turn = engine.handle(Inbound("u1", text="where is gustave roussy?"))
    thumbs_up = next(b for b in turn.replies[0].buttons if b.label == "👍")
    engine.handle(Inbound("u1", payload=thumbs_up.id))
    engine.handle(Inbound("u1", text="what is the weather tomorrow zqxmarker"))
    case, _ = engine.store.open_case("u1", "1", "en")
    engine.store.link(case.id, 5, 6, "out")
    engine.store.close_case(case.id)
    engine.store.rate_case(case.id, 4)
    engine.store.close()

    assert main(["stats", "--json"], env) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["messages"] == 2 and figures["conversations"] == 1
    assert figures["shares"]["answered"] == 0.5 and figures["shares"]["fallback"] == 0.5
    assert figures["feedback_by_intent"] == {"centre_location_contact": {"up": 1, "down": 0}}
    assert figures["handoffs_opened"] == 1 and figures["handoffs_closed"] == 1 and figures["ratings"] == {"4": 1}
    assert figures["median_first_reply_minutes"] is not None

    page = tmp_path / "report.html"
    assert main(["report", "--html", str(page)], env) == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 4 and "centre_location_contact" in html
    assert "<script" not in html and "http" not in html and "zqxmarker" not in html
