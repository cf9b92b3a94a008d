"""The update pipeline from outside: `oncobot run` processes against the fake Bot API, reply latency and throughput.

Run: python benchmarks/telegram_pipeline.py [--busy] [--replicas] [--kill]
  --busy      other users' reply latency, quiet and while one user with an open case sends 200 messages in 10 s
              (target: p99 within 3x of the quiet run)
  --replicas  updates/s and p50/p99 reply latency through the webhook for one and two replicas on PostgreSQL,
              and with a PostgreSQL that adds 5 ms per query (a delaying proxy in front of it)
  --kill      the long kill test: 1,200 messages (relays both ways, and questions the bot answers), SIGKILL 5 times,
              on both databases; each kill after the fake Bot API held the bot's calls (see tests/fakes/killing.py)
Without a flag, all three. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from conftest import make_content_root  # noqa: E402 - the paths above make the test helpers importable
from fakes.botapi import FakeBotApiServer, FakeTelegram  # noqa: E402
from fakes.killing import (  # noqa: E402
    COORD,
    GROUP,
    BotProcess,
    free_port,
    hand_off,
    postgres_schema,
    ready,
    run_kill_scenario,
)
from fakes.proxy import TcpProxy  # noqa: E402

QUESTION = "where is gustave roussy"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def latencies(fake: FakeTelegram, asked: dict[int, list[int]]) -> list[float]:
    """Per question: from the user's message to the bot's first text message after it in that chat."""
    out = []
    for user, questions in asked.items():
        replies = [m["message_id"] for m in fake.bot_messages(user) if m.get("text")]
        for question in questions:
            answer = next((r for r in replies if r > question), None)
            if answer is not None:
                out.append(fake.arrived[(user, answer)] - fake.arrived[(user, question)])
    return out


def ask(fake: FakeTelegram, users: list[int], count: int, seconds: float) -> dict[int, list[int]]:
    """`count` questions spread over `seconds`, round robin over users; returns each user's question ids."""
    asked: dict[int, list[int]] = {u: [] for u in users}
    for i in range(count):
        user = users[i % len(users)]
        asked[user].append(fake.user_says(user, QUESTION)["message"]["message_id"])
        time.sleep(seconds / count)
    return asked


def wait_answered(fake: FakeTelegram, asked: dict[int, list[int]], timeout: float = 120.0) -> None:
    total = sum(len(q) for q in asked.values())
    fake.wait_for(lambda: len(latencies(fake, asked)) >= total, timeout=timeout)


def world() -> FakeBotApiServer:
    fake = FakeTelegram()
    fake.add_group(GROUP, forum=True, members={COORD})
    fake.add_user(COORD, "Claire", "fr")
    return FakeBotApiServer(fake).start()


def one_busy_run(root: Path, label: str) -> tuple[float, float]:
    """Other users' p50 and p99 reply latency, with or without one busy case beside them."""
    server = world()
    fake = server.fake
    others = list(range(5000, 5010))
    for user in others:
        fake.add_user(user, "Someone", "en")
    with tempfile.TemporaryDirectory() as state:
        bot = BotProcess(server, root, Path(state), FLOOD_PER_MINUTE="1000").start()
        try:
            fake.wait_for(lambda: fake.calls_of("setMyCommands"), timeout=90)
            flood: threading.Thread | None = None
            if label == "busy":
                fake.add_user(6000, "Busy", "en")
                hand_off(fake, 6000)

                def send_busy() -> None:
                    for i in range(200):
                        fake.user_says(6000, f"busy message {i}")
                        time.sleep(10 / 200)

                flood = threading.Thread(target=send_busy)
                flood.start()
            asked = ask(fake, others, 100, 10.0)
            wait_answered(fake, asked)
            if flood is not None:
                flood.join()
            values = latencies(fake, asked)
            relayed = len([m for m in fake.bot_messages(GROUP) if m.get("copied_from")])
            figures = (percentile(values, 0.5), percentile(values, 0.99))
            print(
                f"{label}: 100 questions from 10 users answered, p50 {figures[0] * 1000:.0f} ms, "
                f"p99 {figures[1] * 1000:.0f} ms"
                + (f"; busy case relayed so far {relayed}/200 (group paced at 20/min)" if label == "busy" else "")
            )
            return figures
        finally:
            bot.stop()
            server.stop()


def busy(root: Path) -> None:
    quiet = one_busy_run(root, "quiet")
    loaded = one_busy_run(root, "busy")
    print(f"busy/quiet p99 ratio: {loaded[1] / quiet[1]:.2f} (target ≤ 3)")


def replicas(root: Path, count: int, delay: float, messages: int = 400) -> None:
    server = world()
    fake = server.fake
    users = list(range(7000, 7050))
    for user in users:
        fake.add_user(user, "Someone", "en")
    with postgres_schema() as url, tempfile.TemporaryDirectory() as state:
        db_proxy: TcpProxy | None = None
        if delay:
            parts = urlsplit(url)
            db_proxy = TcpProxy([(parts.hostname or "127.0.0.1", parts.port or 5432)], delay=delay).start()
            url = url.replace(f"{parts.hostname}:{parts.port or 5432}", f"127.0.0.1:{db_proxy.port}")
        ports = [free_port() for _ in range(count)]
        proxy = TcpProxy([("127.0.0.1", p) for p in ports]).start()
        bots = []
        for index, port in enumerate(ports):
            folder = Path(state) / str(index)
            folder.mkdir()
            bots.append(
                BotProcess(
                    server,
                    root,
                    folder,
                    DATABASE_URL=url,
                    FLOOD_PER_MINUTE="1000",
                    WEBHOOK_URL=f"http://127.0.0.1:{proxy.port}/telegram",
                    WEBHOOK_SECRET="bench-Secret",
                    WEBHOOK_PORT=str(port),
                ).start()
            )
        try:
            fake.wait_for(lambda: all(ready(p) for p in ports), timeout=120)
            server.push_webhook(connections=8)
            started = time.monotonic()
            asked = ask(fake, users, messages, 0.0)
            wait_answered(fake, asked, timeout=300)
            elapsed = time.monotonic() - started
            values = latencies(fake, asked)
            print(
                f"{count} replica(s), PostgreSQL{f' +{delay * 1000:.0f} ms per query' if delay else ''}: "
                f"{messages / elapsed:.0f} updates/s, reply p50 {percentile(values, 0.5) * 1000:.0f} ms, "
                f"p99 {percentile(values, 0.99) * 1000:.0f} ms (median {statistics.median(values) * 1000:.0f} ms)"
            )
        finally:
            for bot in bots:
                bot.stop()
            proxy.stop()
            if db_proxy is not None:
                db_proxy.stop()
            server.stop()


def one_kill_run(root: Path, engine: str, url: str | None) -> None:
    server = world()
    with tempfile.TemporaryDirectory() as state:
        database = url or f"sqlite:///{Path(state) / 'oncobot.sqlite3'}"

        def start() -> BotProcess:
            # The fake has no group limit: lifted, so 2,000 relays are checked in minutes, not in 50 minutes at 20/min.
            return BotProcess(
                server,
                root,
                Path(state),
                DATABASE_URL=database,
                LEASE_SECONDS="3",
                GROUP_PER_MINUTE="100000",
                FLOOD_PER_MINUTE="1000",
            ).start()

        try:
            # 6 messages/s over 3 cases keeps each user's chat within Telegram's ~1 message/s, so all can arrive.
            outcome = run_kill_scenario(
                server, start, cases=3, messages=1200, kills=5, rate=6.0, settle=240.0, askers=3
            )
            print(f"kill test on {engine}: {outcome.line()}")
        finally:
            server.stop()


def kill(root: Path) -> None:
    one_kill_run(root, "sqlite", None)
    with postgres_schema() as url:
        one_kill_run(root, "postgres", url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", action="store_true")
    parser.add_argument("--replicas", action="store_true")
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    every = not (args.busy or args.replicas or args.kill)
    with tempfile.TemporaryDirectory() as folder:
        root = make_content_root(Path(folder) / "kb")
        if args.busy or every:
            busy(root)
        if args.replicas or every:
            for count, delay in ((1, 0.0), (2, 0.0), (1, 0.005), (2, 0.005)):
                replicas(root, count, delay)
        if args.kill or every:
            kill(root)


if __name__ == "__main__":
    main()
