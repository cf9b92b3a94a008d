"""The kill test, short form: relays both ways while `oncobot run` is SIGKILLed and restarted, on both databases.

The long form (thousands of messages, more kills) is benchmarks/telegram_kill.py.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.botapi import FakeBotApiServer, FakeTelegram
from fakes.killing import COORD, GROUP, BotProcess, run_kill_scenario

PG_URL = os.environ.get("ONCOBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    fake = FakeTelegram()
    fake.add_group(GROUP, forum=True, members={COORD})
    running = FakeBotApiServer(fake).start()
    yield running
    running.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'oncobot.sqlite3'}"
        return
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise AssertionError(f"CI must test PostgreSQL, but it does not answer: {exc}") from exc
        pytest.skip(f"no PostgreSQL server answers at {PG_URL}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def test_killed_and_restarted_nothing_is_lost_doubled_or_misrouted(
    server: FakeBotApiServer, small_root: Path, tmp_path: Path, database_url: str
) -> None:
    state = tmp_path / "state"
    state.mkdir()

    def start() -> BotProcess:
        return BotProcess(server, small_root, state, DATABASE_URL=database_url, LEASE_SECONDS="2").start()

    outcome = run_kill_scenario(server, start, cases=2, messages=50, kills=2, rate=20.0)
    print(outcome.line())
    assert outcome.kills == 2 and outcome.sent == 50
    assert (outcome.lost, outcome.doubled, outcome.misrouted, outcome.out_of_order) == ([], [], [], [])
