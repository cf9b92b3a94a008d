"""The kill scenario: `oncobot run` as a process relays hand-off messages both ways while it is SIGKILLed and restarted.

Shared by the short form in the test suite and the long form in benchmarks/. It counts, per relayed message, where
its copies landed: none (lost), more than one (doubled), in another conversation (misrouted), and whether each
conversation's messages arrived in the order they were written.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakes.botapi import FakeBotApiServer, FakeTelegram

GROUP = -1001
COORD = 501


@dataclass
class Outcome:
    """What happened to every relayed message."""

    sent: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    misrouted: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    kills: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.sent} relayed messages, {self.kills} kills: {len(self.lost)} lost "
            f"({sum(t.startswith('u') for t in self.lost)} user→topic), {len(self.doubled)} doubled, "
            f"{len(self.misrouted)} misrouted, {len(self.out_of_order)} conversations out of order "
            f"({self.seconds:.1f} s)"
        )


class BotProcess:
    """The assistant as a separate process, configured only through its environment."""

    def __init__(self, server: FakeBotApiServer, root: Path, state: Path, **extra: str) -> None:
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": server.fake.token,
            "TELEGRAM_BASE_URL": server.base_url,
            "COORDINATOR_CHAT_ID": str(GROUP),
            "ONCOBOT_DATA_DIR": str(root),
            "ONCOBOT_STATE_DIR": str(state),
            "COORDINATOR_HOURS": "mon-sun 00:00-23:59",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
        self.log = state / "bot.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A PostgreSQL URL on a schema of its own, dropped after; skips when no server answers (outside CI)."""
    import pytest

    url = os.environ.get("ONCOBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise AssertionError(f"CI must test PostgreSQL, but it does not answer: {exc}") from exc
        pytest.skip(f"no PostgreSQL server answers at {url}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def _copies(fake: FakeTelegram, chat: int) -> list[dict[str, Any]]:
    return [m for m in fake.bot_messages(chat) if m.get("copied_from")]


def hand_off(fake: FakeTelegram, user: int) -> int:
    """Consent through the bot, skip the intake; returns the new case's topic."""
    known = set(fake.topics[GROUP])
    before = len(fake.bot_messages(user))
    fake.user_says(user, "/human")
    fake.wait_for(lambda: len(fake.bot_messages(user)) > before, timeout=60)
    before = len(fake.bot_messages(user))
    fake.user_presses(user, fake.bot_messages(user)[-1], "handoff:yes")
    fake.wait_for(lambda: len(fake.bot_messages(user)) > before, timeout=60)
    return int(fake.wait_for(lambda: [t for t in fake.topics[GROUP] if t not in known], timeout=60)[0])


def run_kill_scenario(
    server: FakeBotApiServer,
    start: Callable[[], BotProcess],
    *,
    cases: int = 2,
    messages: int = 120,
    kills: int = 3,
    rate: float = 20.0,
    seed: int = 12,
    settle: float = 90.0,
) -> Outcome:
    """Relay `messages` both ways over `cases` conversations at `rate` per second, killing the bot `kills` times."""
    fake = server.fake
    rng = random.Random(seed)
    users = [3000 + k for k in range(cases)]
    for user in users:
        fake.add_user(user, "Patient", "en")
    fake.add_user(COORD, "Claire", "fr")
    bot = start()
    started = time.monotonic()
    try:
        fake.wait_for(lambda: fake.calls_of("setMyCommands"), timeout=90)
        threads = {user: hand_off(fake, user) for user in users}
        written: list[tuple[str, int, str]] = []  # (text, destination chat, "in" or "out")
        duration = messages / rate
        kill_at = sorted(rng.uniform(0.1, 0.9) * duration for _ in range(kills))

        def traffic() -> None:
            for i in range(messages):
                k = rng.randrange(cases)
                user = users[k]
                if rng.random() < 0.5:
                    text = f"u{k}-{i}"
                    written.append((text, GROUP, f"thread:{threads[user]}"))
                    fake.user_says(user, text)
                else:
                    text = f"c{k}-{i}"
                    written.append((text, user, "user"))
                    fake.member_says(GROUP, COORD, text, thread=threads[user])
                time.sleep(1 / rate)

        sender = threading.Thread(target=traffic)
        begun = time.monotonic()
        sender.start()
        done = 0
        for moment in kill_at:
            time.sleep(max(0.0, moment - (time.monotonic() - begun)))
            bot.kill()
            done += 1
            time.sleep(rng.uniform(0.0, 0.5))
            bot = start()
        sender.join()

        def arrived() -> bool:
            landed = {m["text"] for chat in (GROUP, *users) for m in _copies(fake, chat)}
            return all(text in landed for text, _, _ in written)

        with contextlib.suppress(AssertionError):  # what never arrived is counted as lost below
            fake.wait_for(arrived, timeout=settle)
        time.sleep(1.0)  # a late double would land now
        return _count(fake, users, threads, written, done, time.monotonic() - started)
    finally:
        bot.stop()


def _count(
    fake: FakeTelegram,
    users: list[int],
    threads: dict[int, int],
    written: list[tuple[str, int, str]],
    kills: int,
    seconds: float,
) -> Outcome:
    outcome = Outcome(sent=len(written), kills=kills, seconds=seconds)
    where: dict[str, list[str]] = {}
    for chat in (GROUP, *users):
        for message in _copies(fake, chat):
            place = f"thread:{message.get('message_thread_id')}" if chat == GROUP else f"user:{chat}"
            where.setdefault(message["text"], []).append(place)
    for text, chat, kind in written:
        expected = kind if chat == GROUP else f"user:{chat}"
        places = where.get(text, [])
        if not places:
            outcome.lost.append(text)
        elif len(places) > 1:
            outcome.doubled.append(text)
        if any(place != expected for place in places):
            outcome.misrouted.append(text)
    for place in {*(f"thread:{t}" for t in threads.values()), *(f"user:{u}" for u in users)}:
        expected_order = [t for t, c, k in written if (k if c == GROUP else f"user:{c}") == place]
        landed = [
            m["text"]
            for chat in (GROUP, *users)
            for m in _copies(fake, chat)
            if (f"thread:{m.get('message_thread_id')}" if chat == GROUP else f"user:{chat}") == place
        ]
        # A message re-sent after a kill lands right after its first copy (its lane waits for it): counted as a
        # double above, not as disorder.
        seen = [t for i, t in enumerate(landed) if t in expected_order and (i == 0 or landed[i - 1] != t)]
        if seen != [t for t in expected_order if t in seen]:
            outcome.out_of_order.append(place)
    return outcome


def free_port() -> int:
    """A port of this machine nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ready(port: int) -> bool:
    """The assistant's webhook on this port says it can serve (content loaded, database reachable)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def bot_api() -> Iterator[FakeBotApiServer]:
    """A fake Bot API on 127.0.0.1 with the coordinators' forum group, stopped after."""
    fake = FakeTelegram()
    fake.add_group(GROUP, forum=True, members={COORD})
    running = FakeBotApiServer(fake).start()
    try:
        yield running
    finally:
        running.stop()
