"""The kill test, short form: relays both ways and answers while `oncobot run` is SIGKILLed and restarted, on both
databases.

The long form (thousands of messages, more kills) is `benchmarks/telegram_pipeline.py --kill`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.botapi import FakeBotApiServer
from fakes.killing import BotProcess, bot_api, postgres_schema, run_kill_scenario


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with bot_api() as running:
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'oncobot.sqlite3'}"
    else:
        with postgres_schema() as url:
            yield url


def test_killed_and_restarted_nothing_is_lost_doubled_or_misrouted(
    server: FakeBotApiServer, small_root: Path, tmp_path: Path, database_url: str
) -> None:
    state = tmp_path / "state"
    state.mkdir()

    def start() -> BotProcess:
        return BotProcess(server, small_root, state, DATABASE_URL=database_url, LEASE_SECONDS="2").start()

    outcome = run_kill_scenario(server, start, cases=2, messages=50, kills=2, rate=20.0)
    print(outcome.line())
    assert outcome.kills == 2 and outcome.sent + outcome.asked == 50 and outcome.asked > 0
    assert (outcome.lost, outcome.misrouted, outcome.out_of_order) == ([], [], [])
    assert (outcome.answers_lost, outcome.answers_doubled) == (0, 0)
    # Exactly once: each kill comes after the fake Bot API held the bot's calls (see fakes/killing.py), so it never
    # falls in the millisecond between Telegram accepting a message and the bot removing its delivery row.
    assert outcome.doubled == []
