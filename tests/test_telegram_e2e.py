"""`oncobot run` as a real process against the fake Bot API served on 127.0.0.1: polling, a restart, a webhook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes.botapi import FakeBotApiServer, FakeTelegram
from fakes.killing import BotProcess, free_port

USER, COORD, STRANGER = 42, 501, 777
GROUP = -1001


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    fake = FakeTelegram()
    fake.add_user(USER, "Amina", "fr")
    fake.add_user(COORD, "Claire", "fr")
    fake.add_group(GROUP, forum=True, members={COORD})
    running = FakeBotApiServer(fake).start()
    yield running
    running.stop()


def last_text(fake: FakeTelegram, chat: int, thread: int | None = None) -> str:
    messages = [m for m in fake.bot_messages(chat, thread) if m.get("text")]
    return str(messages[-1]["text"]) if messages else ""


def wait_reply(fake: FakeTelegram, chat: int, count_before: int) -> dict[str, Any]:
    return fake.wait_for(lambda: [m for m in fake.bot_messages(chat)[count_before:] if m.get("text")])[-1]


def test_polling_hand_off_and_a_restart_mid_conversation(
    server: FakeBotApiServer, small_root: Path, tmp_path: Path
) -> None:
    fake = server.fake
    bot = BotProcess(server, small_root, tmp_path).start()
    try:
        fake.wait_for(lambda: fake.calls_of("setMyCommands"), timeout=60)
        before = len(fake.bot_messages(USER))
        fake.user_says(USER, "où se trouve gustave roussy ?")
        assert "Villejuif" in wait_reply(fake, USER, before)["text"]

        for step in ("/human", "handoff:yes", "intake:who:patient", "intake:country:skip", "intake:topic:care"):
            before = len(fake.bot_messages(USER))
            if step.startswith("/"):
                fake.user_says(USER, step)
            else:
                fake.user_presses(USER, fake.bot_messages(USER)[-1], step)
            wait_reply(fake, USER, before)
        thread = fake.wait_for(lambda: list(fake.topics[GROUP]))[0]
        fake.user_says(USER, "ma mère a besoin d'aide")
        fake.wait_for(lambda: last_text(fake, GROUP, thread) == "ma mère a besoin d'aide")
        assert bot.stop() == 0  # SIGTERM: pending work finished, storage closed
    finally:
        if bot.process and bot.process.poll() is None:
            bot.process.kill()

    fake.member_says(GROUP, COORD, "Bonjour, je suis Claire, coordinatrice", thread=thread)
    fake.user_says(USER, "merci !")
    again = BotProcess(server, small_root, tmp_path).start()
    try:
        fake.wait_for(lambda: last_text(fake, USER) == "Bonjour, je suis Claire, coordinatrice", timeout=60)
        fake.wait_for(lambda: last_text(fake, GROUP, thread) == "merci !")
        fake.add_user(STRANGER, "Mallory", "en")  # not a member of the coordinators' group
        fake.member_says(GROUP, STRANGER, "/close", thread=thread)
        fake.topics[GROUP][thread]["deleted"] = True  # a coordinator deletes the topic by mistake
        fake.user_says(USER, "vous êtes là ?")
        case_thread = fake.wait_for(lambda: [t for t, v in fake.topics[GROUP].items() if not v["deleted"]])[0]
        fake.wait_for(lambda: last_text(fake, GROUP, case_thread) == "vous êtes là ?")
        fake.blocked.add(USER)
        fake.member_says(GROUP, COORD, "Toujours là ?", thread=case_thread)
        fake.wait_for(
            lambda: "bloqué" in last_text(fake, GROUP, case_thread) or "blocked" in last_text(fake, GROUP, case_thread)
        )
        fake.blocked.discard(USER)
        thread = case_thread
        fake.member_says(GROUP, COORD, "/close", thread=thread)
        fake.wait_for(lambda: "(1 = " in last_text(fake, USER))  # told, then asked for a rating
        before = len(fake.bot_messages(USER))
        fake.user_says(USER, "où se trouve gustave roussy ?")
        assert "Villejuif" in wait_reply(fake, USER, before)["text"]
        relayed_in = [m["text"] for m in fake.bot_messages(GROUP) if m.get("copied_from")]
        relayed_out = [m["text"] for m in fake.bot_messages(USER) if m.get("copied_from")]
        assert sorted(relayed_in) == sorted(["ma mère a besoin d'aide", "merci !", "vous êtes là ?"])
        assert relayed_out == ["Bonjour, je suis Claire, coordinatrice"]  # each exactly once
        assert again.stop() == 0
    finally:
        if again.process and again.process.poll() is None:
            again.process.kill()


def post(url: str, update: dict[str, Any], secret: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_webhook_mode_checks_the_secret_on_every_request(
    server: FakeBotApiServer, small_root: Path, tmp_path: Path
) -> None:
    fake = server.fake
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    bot = BotProcess(
        server,
        small_root,
        tmp_path,
        WEBHOOK_URL=url,
        WEBHOOK_SECRET="s3cret-Token_1",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        LOG_FORMAT="json",
    ).start()
    try:
        fake.wait_for(lambda: fake.webhook.get("url") == url, timeout=60)
        assert fake.webhook.get("secret_token") == "s3cret-Token_1"
        update = fake.user_says(USER, "où se trouve gustave roussy ?")
        fake.updates.clear()  # delivered by the webhook, not by getUpdates
        assert post(url, update, "wrong") == 403
        before = len(fake.bot_messages(USER))
        status = fake.wait_for(lambda: post(url, update, "s3cret-Token_1") == 200 or None, timeout=30)
        assert status
        assert "Villejuif" in wait_reply(fake, USER, before)["text"]
        assert post(url, update, "s3cret-Token_1") == 200  # Telegram sending it again: written, not answered
        assert post(url, {"no": "update id"}, "s3cret-Token_1") == 400
        assert get(f"http://127.0.0.1:{port}/healthz") == (200, "ok\n")
        assert get(f"http://127.0.0.1:{port}/readyz") == (200, "content ok, database ok\n")
        status, metrics = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and 'oncobot_updates_total{type="message"} 1.0' in metrics
        assert "oncobot_inbox_depth 0.0" in metrics and "oncobot_answers_total{" in metrics
        assert bot.stop() == 0
    finally:
        if bot.process and bot.process.poll() is None:
            bot.process.kill()
    assert len([m for m in fake.bot_messages(USER) if "Villejuif" in m.get("text", "")]) == 1
    lines = [json.loads(line) for line in bot.log.read_text().splitlines() if line.startswith("{")]
    assert lines and {"time", "level", "logger", "message"} <= set(lines[0])
    assert "gustave" not in bot.log.read_text().lower()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode()


def test_run_without_a_token_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={**env, "ONCOBOT_STATE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "oncobot: error: TELEGRAM_BOT_TOKEN is not set (the token @BotFather gave you)"
    ]
