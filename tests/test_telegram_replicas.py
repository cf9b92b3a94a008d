"""Two webhook replicas on one PostgreSQL behind a round-robin proxy; one is stopped and restarted during traffic
(a rolling upgrade): every message is answered, and answered once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.botapi import FakeBotApiServer
from fakes.killing import BotProcess, bot_api, free_port, postgres_schema, ready
from fakes.proxy import TcpProxy

SECRET = "replica-Secret_1"


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with bot_api() as running:
        yield running


def test_a_rolling_restart_behind_a_proxy_answers_every_message_once(
    server: FakeBotApiServer, small_root: Path, tmp_path: Path
) -> None:
    fake = server.fake
    users = list(range(4000, 4012))
    for user in users:
        fake.add_user(user, "Someone", "en")
    ports = [free_port(), free_port()]
    proxy = TcpProxy([("127.0.0.1", p) for p in ports]).start()
    with postgres_schema() as database_url:
        replicas: list[BotProcess] = []
        for index, port in enumerate(ports):
            state = tmp_path / f"replica{index}"
            state.mkdir()
            replicas.append(
                BotProcess(
                    server,
                    small_root,
                    state,
                    DATABASE_URL=database_url,
                    WEBHOOK_URL=f"http://127.0.0.1:{proxy.port}/telegram",
                    WEBHOOK_SECRET=SECRET,
                    WEBHOOK_PORT=str(port),
                    LEASE_SECONDS="3",
                ).start()
            )
        try:
            fake.wait_for(lambda: all(ready(p) for p in ports), timeout=90)
            server.push_webhook()
            asked: dict[int, int] = dict.fromkeys(users, 0)
            for i in range(48):
                user = users[i % len(users)]
                fake.user_says(user, "where is gustave roussy")
                asked[user] += 1
                time.sleep(0.05)
                if i == 16:
                    assert replicas[0].stop() == 0  # SIGTERM mid-traffic: finishes what it holds, exits 0
                if i == 30:
                    replicas[0].start()

            def answers(user: int) -> int:
                return len([m for m in fake.bot_messages(user) if "Villejuif" in m.get("text", "")])

            fake.wait_for(lambda: all(answers(u) >= asked[u] for u in users), timeout=90)
            time.sleep(1.0)  # a late second answer would land now
            assert {u: answers(u) for u in users} == asked
        finally:
            for replica in replicas:
                replica.stop()
            proxy.stop()
