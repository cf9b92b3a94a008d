"""The kill scenario: `oncobot run` as a process relays hand-off messages both ways and answers questions while it is
SIGKILLed and restarted.

Shared by the short form in the test suite and the long form in benchmarks/. It counts, per relayed message, where
its copies landed: none (lost), more than one (doubled), in another conversation (misrouted), and whether each
conversation's messages arrived in the order they were written; per question, whether its answer arrived once.

Telegram has no idempotency key: a kill in the millisecond between Telegram accepting a message and the bot
removing its delivery row sends that message again. To count exactly, each kill comes after the fake Bot API has
held the bot's calls unanswered for `quiesce` seconds (what it accepted before is recorded meanwhile), and the held
calls are then refused unprocessed. The bot keeps taking and handling updates meanwhile, so a kill can still land
mid-turn, before or after the transaction that queues a turn's answers, with sends in flight; never in that window.
(The crash between a turn and that transaction is also tested in process, deterministically, in
test_telegram_pipeline.py.)
"""

from __future__ import annotations

import contextlib
import difflib
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
# Questions and what their answers hold, message by message (a word of a text, or a venue's title): asked in turn,
# so a lost or doubled message shows in the sequence a user's chat receives.
QUESTIONS = (
    ("visa", ("Schengen",)),
    ("centre leon berard", ("Léon Bérard", "venue:Centre Léon Bérard")),
    ("how much does it cost", ("Quotes come",)),
)


@dataclass
class Outcome:
    """What happened to every relayed message."""

    sent: int = 0
    asked: int = 0
    answers_lost: int = 0
    answers_doubled: int = 0
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
            f"{len(self.misrouted)} misrouted, {len(self.out_of_order)} conversations out of order; "
            f"{self.asked} questions: {self.answers_lost} answer messages lost, {self.answers_doubled} doubled "
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
    askers: int = 2,
    asking: float = 0.25,
    quiesce: float = 1.0,
) -> Outcome:
    """Relay `messages` both ways over `cases` conversations at `rate` per second, killing the bot `kills` times.

    A share `asking` of the messages are questions from `askers` users without a case, each answered by the bot.
    """
    fake = server.fake
    rng = random.Random(seed)
    users = [3000 + k for k in range(cases)]
    for user in users:
        fake.add_user(user, "Patient", "en")
    curious = [3500 + k for k in range(askers)]
    for user in curious:
        fake.add_user(user, "Visitor", "en")
    fake.add_user(COORD, "Claire", "fr")
    bot = start()
    started = time.monotonic()
    try:
        fake.wait_for(lambda: fake.calls_of("setMyCommands"), timeout=90)
        threads = {user: hand_off(fake, user) for user in users}
        answered_before = {user: _first_answer(fake, user) for user in curious}
        written: list[tuple[str, int, str]] = []  # (text, destination chat, "in" or "out")
        questions: dict[int, list[str]] = {user: [] for user in curious}  # the answers each asker's chat expects
        asked: dict[int, int] = dict.fromkeys(curious, 0)
        duration = messages / rate
        kill_at = sorted(rng.uniform(0.1, 0.9) * duration for _ in range(kills))

        def traffic() -> None:
            for i in range(messages):
                k = rng.randrange(cases)
                user = users[k]
                if curious and rng.random() < asking:
                    asker = curious[i % len(curious)]
                    question, words = QUESTIONS[asked[asker] % len(QUESTIONS)]
                    asked[asker] += 1
                    questions[asker].extend(words)
                    fake.user_says(asker, question)
                elif rng.random() < 0.5:
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
            if quiesce:
                server.hold()
                time.sleep(quiesce)  # what Telegram accepted before the hold is recorded by the bot meanwhile
            bot.kill()
            if quiesce:
                server.release(drop=True)  # the held calls never reached Telegram
            done += 1
            time.sleep(rng.uniform(0.0, 0.5))
            bot = start()
        sender.join()

        def arrived() -> bool:
            landed = {m["text"] for chat in (GROUP, *users) for m in _copies(fake, chat)}
            answers = all(
                len(_answers(fake, user, answered_before[user])) >= len(words) for user, words in questions.items()
            )
            return answers and all(text in landed for text, _, _ in written)

        with contextlib.suppress(AssertionError):  # what never arrived is counted as lost below
            fake.wait_for(arrived, timeout=settle)
        time.sleep(1.0)  # a late double would land now
        outcome = _count(fake, users, threads, written, done, time.monotonic() - started)
        outcome.asked = sum(asked.values())
        for user, words in questions.items():
            landed = [_word_of(m) for m in _answers(fake, user, answered_before[user])]
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=words, b=landed, autojunk=False).get_opcodes():
                if tag in ("delete", "replace"):
                    outcome.answers_lost += i2 - i1
                if tag in ("insert", "replace"):
                    outcome.answers_doubled += j2 - j1
        return outcome
    finally:
        bot.stop()


def _first_answer(fake: FakeTelegram, user: int) -> int:
    """A first question answered before the traffic (a first contact may say more); returns the messages so far."""
    question, (word,) = QUESTIONS[-1]
    fake.user_says(user, question)
    fake.wait_for(lambda: any(word in m.get("text", "") for m in fake.bot_messages(user)), timeout=60)
    return len(fake.bot_messages(user))


def _answers(fake: FakeTelegram, user: int, skip: int) -> list[dict[str, Any]]:
    return [m for m in fake.bot_messages(user)[skip:] if not m.get("copied_from")]


def _word_of(message: dict[str, Any]) -> str:
    """Which answer message this is, by the word it holds or its venue's title ('?' for anything else)."""
    if "venue" in message:
        return f"venue:{message['venue']['title']}"
    return next((word for _, words in QUESTIONS for word in words if word in message.get("text", "")), "?")


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
