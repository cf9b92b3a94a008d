"""The Telegram channel through Application.process_update, against the in-process fake Bot API that records calls."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.assistant import Parts, build_engine
from bot.channels.delivery import destination_of
from bot.channels.pacing import Limits, Pacer
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.receive import rows
from bot.dialogue.actions import Button, Reply
from bot.learning.reload import Reloader
from bot.learning.team import TeamDesk
from bot.settings import Settings
from bot.store.schema import MIGRATIONS
from bot.store.sqlite import SqliteStore
from fakes.botapi import BOT_USERNAME, ApiError, FakeTelegram
from fakes.recording import RecordingRequest

USER, OTHER, COORD, STRANGER = 42, 43, 501, 777
GROUP = -1001


class Tg:
    """One running channel on a fake Telegram: play users and coordinators, read what the bot sent."""

    def __init__(self, fake: FakeTelegram, parts: Parts, root: Path, db: Path, **env: str) -> None:
        self.fake = fake
        settings = Settings.from_env(
            {
                "ONCOBOT_DATA_DIR": str(root),
                "ONCOBOT_STATE_DIR": str(db.parent),
                "DATABASE_URL": f"sqlite:///{db}",
                "TELEGRAM_BOT_TOKEN": fake.token,
                "COORDINATOR_CHAT_ID": str(GROUP),
                "COORDINATOR_HOURS": "mon-sun 00:00-23:59",
                **env,
            }
        )
        self.store = SqliteStore(db)
        self.engine = build_engine(settings, store=self.store, parts=parts)
        self.channel = TelegramChannel(self.engine, settings)
        # The delivery worker's pacing reads a clock the test moves: a reply of many messages is sent whole, at the
        # pace a user would see it, without the test sleeping.
        self.paced = [0.0]
        self.pacer = Pacer(Limits.for_groups(settings.group_per_minute), clock=lambda: self.paced[0])
        self.channel.deliveries.pacer = self.pacer
        self.app: Application[Any, Any, Any, Any, Any, Any] = self.channel.build(
            RecordingRequest(fake), updater=False, rate_limit=False
        )

    async def __aenter__(self) -> Tg:
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()

    async def feed(self, update: dict[str, Any]) -> None:
        """The way production takes an update: written to the inbox, handled by the worker, deliveries sent."""
        self.store.inbox_put(rows([update]))
        await self.channel.inbox.drain()
        await self.deliver()

    async def deliver(self) -> None:
        """What the delivery worker sends in the next seconds: paced time passes until no lane waits for budget."""
        await self.channel.flush()
        while self.channel.deliveries.pacer is self.pacer and any(
            not self.pacer.ready(destination_of(lane)) for lane, _ in self.store.delivery_heads()
        ):
            self.paced[0] += 1.0
            await self.channel.flush()

    async def say(self, text: str, user: int = USER) -> list[dict[str, Any]]:
        before = len(self.fake.bot_messages(user))
        await self.feed(self.fake.user_says(user, text))
        return self.fake.bot_messages(user)[before:]

    async def press(self, data: str, user: int = USER, message: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        message = message or self.fake.bot_messages(user)[-1]
        before = len(self.fake.bot_messages(user))
        await self.feed(self.fake.user_presses(user, message, data))
        return self.fake.bot_messages(user)[before:]

    async def coordinator(
        self, text: str, *, thread: int | None = None, who: int = COORD, reply_to: dict[str, Any] | None = None
    ) -> None:
        await self.feed(self.fake.member_says(GROUP, who, text, thread=thread, reply_to=reply_to))

    async def hand_off(self, user: int = USER) -> int:
        """Consent and skip the intake; returns the case's topic."""
        await self.say("/human", user)
        await self.press("handoff:yes", user)
        for step in ("who", "country", "topic"):
            await self.press(f"intake:{step}:skip", user)
        case = self.store.current_case(f"tg:{user}")
        assert case is not None and case.thread_id is not None
        return int(case.thread_id)


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def new_world() -> FakeTelegram:
    """Two users, a coordinator, an outsider and the coordinators' forum."""
    fake = FakeTelegram()
    fake.add_user(USER, "Amina", "fr")
    fake.add_user(OTHER, "Oleg", "ru")
    fake.add_user(COORD, "Claire", "fr")
    fake.add_user(STRANGER, "Mallory", "en")
    fake.add_group(GROUP, forum=True, members={COORD})
    return fake


def channel_maker(world: FakeTelegram, parts: Parts, root: Path, tmp_path: Path) -> Callable[..., Tg]:
    def make(**env: str) -> Tg:
        return Tg(world, parts, root, tmp_path / "oncobot.sqlite3", **env)

    return make


@pytest.fixture
def world() -> FakeTelegram:
    return new_world()


@pytest.fixture
def tg(world: FakeTelegram, small_parts: Parts, small_root: Path, tmp_path: Path) -> Callable[..., Tg]:
    return channel_maker(world, small_parts, small_root, tmp_path)


def scenario(body: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test body in a fresh event loop (the project uses no asyncio test plugin)."""

    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(body(*args, **kwargs))

    run.__name__ = body.__name__
    run.__signature__ = inspect.signature(body)  # type: ignore[attr-defined]
    return run


# ---- the assistant in a private chat ---------------------------------------------------------------------------


@scenario
async def test_start_greets_with_the_main_menu_in_the_users_language(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        (reply, *_) = await t.say("/start")
        assert reply["text"].startswith("Bonjour")
        data = [b["callback_data"] for b in buttons(t.fake.bot_messages(USER)[-1])]
        assert {"menu:patients", "menu:centres", "menu:language", "handoff:offer"} <= set(data)
        assert all(len(d.encode()) <= 64 for d in data)
        assert reply["parse_mode"] == "HTML"


@scenario
async def test_commands_are_registered_in_every_language(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        await t.channel.register_commands()
        calls = t.fake.calls_of("setMyCommands")
        assert {c.get("language_code") for c in calls} == {None, "en", "fr", "ar"}
        french = next(c for c in calls if c.get("language_code") == "fr")
        assert [c["command"] for c in french["commands"]] == [
            "start",
            "help",
            "language",
            "centres",
            "human",
            "privacy",
            "forget",
        ]
        assert next(c for c in french["commands"] if c["command"] == "human")["description"] != "Talk to a coordinator"


@scenario
async def test_menus_change_in_place_and_every_button_is_answered(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        await t.say("/start")
        menu = t.fake.bot_messages(USER)[-1]
        new = await t.press("menu:patients", message=menu)
        assert new == []  # edited, not sent again
        assert menu.get("edited") == 1 and "intent:medical_visa" in [b["callback_data"] for b in buttons(menu)]
        new = await t.press("intent:medical_visa", message=menu)
        assert "Schengen" in texts(new)
        assert len(t.fake.calls_of("answerCallbackQuery")) == 2


@scenario
async def test_centre_card_has_page_buttons_and_a_venue(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        sent = await t.say("where is gustave roussy")
        card = next(m for m in sent if "text" in m)
        assert "Gustave Roussy — Villejuif" in card["text"]
        urls = [b["url"] for b in buttons(card) if "url" in b]
        assert "https://www.gustaveroussy.fr/en/international-appointment" in urls
        venue = next(m for m in sent if "venue" in m)
        assert venue["venue"]["title"] == "Gustave Roussy"


@scenario
async def test_a_shared_location_gets_the_three_nearest_centres_with_distances(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        before = len(t.fake.bot_messages(USER))
        await t.feed(t.fake.user_says(USER, None, location={"latitude": 45.75, "longitude": 4.85}))
        sent = t.fake.bot_messages(USER)[before:]
        assert "Centre Léon Bérard" in sent[0]["text"] and "km" in sent[0]["text"]
        assert len([m for m in sent if "venue" in m]) == 3


@scenario
async def test_content_and_user_text_are_escaped_and_long_answers_split(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        await t.channel.send_reply(USER, Reply("a < b & c\n\n" + ("<x>" * 1000 + "\n\n") * 3, "en"))
        sent = t.fake.bot_messages(USER)
        assert len(sent) == 3  # 9,017 characters: three messages, cut between paragraphs
        assert sent[0]["text"].startswith("a &lt; b &amp; c\n\n&lt;x&gt;")
        assert all(m["text"].startswith("&lt;x&gt;") and m["text"].endswith("&lt;x&gt;") for m in sent[1:])


@scenario
async def test_inline_mode_lists_matching_centres(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        await t.feed(t.fake.inline(USER, "curie"))
        (call,) = t.fake.calls_of("answerInlineQuery")
        assert call["results"][0]["id"] == "institut-curie"
        assert "Institut Curie" in call["results"][0]["input_message_content"]["message_text"]


@scenario
async def test_in_a_group_only_commands_mentions_and_replies_are_answered(
    tg: Callable[..., Tg], world: FakeTelegram
) -> None:
    world.add_group(-2002, forum=False, members={USER})
    async with tg() as t:
        await t.feed(world.member_says(-2002, USER, "where is gustave roussy"))
        assert t.fake.bot_messages(-2002) == []
        await t.feed(world.member_says(-2002, USER, "@oncobot_test_bot where is gustave roussy"))
        answer = t.fake.bot_messages(-2002)
        assert answer and "Villejuif" in answer[0]["text"]
        before = len(t.fake.bot_messages(-2002))
        await t.feed(world.member_says(-2002, USER, "and its website?", reply_to=answer[0]))
        assert "gustaveroussy.fr" in texts(t.fake.bot_messages(-2002)[before:])
        await t.feed(world.member_says(-2002, USER, "/human"))
        assert t.fake.calls_of("createForumTopic") == []
        assert all(
            not b.get("callback_data", "").startswith("handoff:")
            for m in t.fake.bot_messages(-2002)
            for b in buttons(m)
        )


@scenario
async def test_photos_get_a_reply_and_are_never_stored(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        before = len(t.fake.bot_messages(USER))
        await t.feed(
            t.fake.user_says(USER, None, photo=[{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}])
        )
        (reply,) = t.fake.bot_messages(USER)[before:]
        assert "canaux sécurisés" in reply["text"] or "sécuris" in reply["text"]
        assert t.fake.calls_of("getFile") == []


@scenario
async def test_a_flooding_user_is_told_once_and_others_are_not_slowed(tg: Callable[..., Tg]) -> None:
    async with tg(FLOOD_PER_MINUTE="5") as t:
        t.channel.flood.clock = lambda: 600.0  # one minute throughout, whenever the test runs
        for _ in range(5):
            await t.say("hello")
        notices = [await t.say("hello") for _ in range(4)]
        assert len(notices[0]) == 1 and "minute" in notices[0][0]["text"]
        assert notices[1:] == [[], [], []]
        assert await t.say("hello", user=OTHER)


@scenario
async def test_a_redelivered_update_is_handled_once(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        update = t.fake.user_says(USER, "where is gustave roussy")
        await t.feed(update)
        count = len(t.fake.bot_messages(USER))
        await t.feed(update)
        assert len(t.fake.bot_messages(USER)) == count


@scenario
async def test_errors_are_logged_with_a_trace_id_and_no_text(
    tg: Callable[..., Tg], caplog: pytest.LogCaptureFixture
) -> None:
    async with tg() as t:

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("failed on: my secret diagnosis text")  # an error message quoting the user

        t.engine.handle = broken  # type: ignore[method-assign]
        with caplog.at_level(logging.ERROR, logger="oncobot.telegram"):
            sent = await t.say("my secret diagnosis text")
        assert "Désolé" in texts(sent)
        record = next(r for r in caplog.records if "trace=" in r.getMessage())
        assert "update_type=message" in record.getMessage() and "RuntimeError" in record.getMessage()
        assert "secret" not in caplog.text and "Amina" not in caplog.text


@scenario
async def test_a_user_who_blocked_the_bot_does_not_crash_anything(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        t.fake.blocked.add(USER)
        await t.say("hello")
        t.fake.blocked.discard(USER)
        assert await t.say("where is gustave roussy")


# ---- hand-off to coordinators ----------------------------------------------------------------------------------


@scenario
async def test_consent_then_a_topic_with_a_card_and_no_personal_details(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        await t.say("tell me a joke")
        (consent,) = await t.say("/human")
        assert "do not send medical files here" in consent["text"]  # the question was in English
        assert t.fake.calls_of("createForumTopic") == []
        await t.press("handoff:yes")
        await t.press("intake:who:family")
        await t.say("Algérie")
        await t.press("intake:topic:care")
        (topic,) = t.fake.calls_of("createForumTopic")
        assert topic["name"] == "EN · #1"
        thread = next(iter(t.fake.topics[GROUP]))
        assert t.fake.topics[GROUP][thread]["name"] == "EN · #1 · Treatment in France"  # renamed by the intake
        in_topic = texts(t.fake.bot_messages(GROUP, thread))
        assert "Ticket #1" in in_topic and "out_of_scope" in in_topic
        assert "tell me a joke" not in in_topic  # typed before consent: never kept, so never shown
        assert "Country: Algérie" in in_topic and "Writing as: Family or friend" in in_topic
        assert "Amina" not in in_topic and str(USER) not in in_topic


@scenario
async def test_relay_both_ways_and_the_bot_stays_quiet_meanwhile(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        quiet = await t.say("where is gustave roussy")
        assert quiet == []
        relayed = t.fake.bot_messages(GROUP, thread)[-1]
        assert relayed["text"] == "where is gustave roussy" and relayed["copied_from"][0] == USER
        await t.coordinator("Bonjour, je m'occupe de votre demande", thread=thread)
        assert t.fake.bot_messages(USER)[-1]["text"] == "Bonjour, je m'occupe de votre demande"


@scenario
async def test_media_is_relayed_by_copy(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        await t.feed(t.fake.user_says(USER, None, voice={"file_id": "v", "file_unique_id": "v1", "duration": 3}))
        assert "voice" in t.fake.bot_messages(GROUP, thread)[-1]


@scenario
async def test_an_emergency_during_a_case_is_answered_and_flagged(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        (reply,) = await t.say("mon pere ne respire plus")
        assert "15" in reply["text"] and "112" in reply["text"]
        in_topic = texts(t.fake.bot_messages(GROUP, thread)[-2:])
        assert "⚠" in in_topic and "mon pere ne respire plus" in in_topic


@scenario
async def test_only_members_can_close_and_the_assistant_answers_again_after(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        t.fake.members[GROUP].add(STRANGER)
        t.fake.members[GROUP].discard(STRANGER)  # Mallory left the group
        await t.coordinator("/close", thread=thread, who=STRANGER)
        assert t.store.current_case(f"tg:{USER}") is not None
        await t.coordinator("/close", thread=thread)
        assert t.store.current_case(f"tg:{USER}") is None
        closing = t.fake.bot_messages(USER)[-2:]
        assert "clôturé" in closing[0]["text"]
        assert [b["callback_data"] for b in buttons(closing[1])] == [f"rate:1:{n}" for n in range(1, 6)]
        await t.press("rate:1:4")
        assert "4/5" in t.fake.bot_messages(GROUP, thread)[-1]["text"]
        answer = await t.say("where is gustave roussy")
        assert "Villejuif" in texts(answer)


@scenario
async def test_a_second_close_neither_tells_the_user_again_nor_asks_again_for_a_rating(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        await t.coordinator("/close", thread=thread)
        to_user, in_topic = len(t.fake.bot_messages(USER)), len(t.fake.bot_messages(GROUP, thread))
        await t.coordinator("/close", thread=thread)
        assert len(t.fake.bot_messages(USER)) == to_user
        assert len(t.fake.bot_messages(GROUP, thread)) == in_topic


@scenario
async def test_a_command_for_another_bot_is_left_to_it(tg: Callable[..., Tg]) -> None:
    """Marked as a command, as Telegram does: `/close@another_bot` is not ours, `/close@<this bot>` is."""
    async with tg() as t:
        thread = await t.hand_off()
        for text in ("/close@another_bot", f"/close@{BOT_USERNAME}"):
            before = len(t.fake.bot_messages(USER))
            command = [{"type": "bot_command", "offset": 0, "length": len(text)}]
            await t.feed(t.fake.member_says(GROUP, COORD, text, thread=thread, entities=command))
            if "another" in text:  # neither run nor passed on to the user
                assert t.store.current_case(f"tg:{USER}") is not None
                assert len(t.fake.bot_messages(USER)) == before
        assert t.store.current_case(f"tg:{USER}") is None
        assert "clôturé" in t.fake.bot_messages(USER)[-2]["text"]


@scenario
async def test_notes_stay_in_the_topic_and_who_shows_the_history(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        before = len(t.fake.bot_messages(USER))
        await t.coordinator("/note call the family tomorrow", thread=thread)
        assert len(t.fake.bot_messages(USER)) == before
        await t.coordinator("/who", thread=thread)
        assert "#1 (open)" in t.fake.bot_messages(GROUP, thread)[-1]["text"]


@scenario
async def test_ban_and_unban(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        await t.coordinator("/ban", thread=thread)
        before = len(t.fake.bot_messages(GROUP, thread))
        await t.say("are you there?")
        assert len(t.fake.bot_messages(GROUP, thread)) == before
        await t.coordinator("/unban", thread=thread)
        await t.say("are you there?")
        assert t.fake.bot_messages(GROUP, thread)[-1]["text"] == "are you there?"


@scenario
async def test_a_deleted_topic_is_recreated_and_the_message_delivered(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        t.fake.topics[GROUP][thread]["deleted"] = True
        await t.say("still there?")
        case = t.store.current_case(f"tg:{USER}")
        assert case is not None and case.thread_id is not None and int(case.thread_id) != thread
        assert t.fake.bot_messages(GROUP, int(case.thread_id))[-1]["text"] == "still there?"
        assert "Ticket #1" in texts(t.fake.bot_messages(GROUP, int(case.thread_id)))


@scenario
async def test_a_closed_topic_is_reopened_and_the_message_delivered(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        t.fake.topics[GROUP][thread]["closed"] = True
        await t.say("hello again")
        assert t.fake.topics[GROUP][thread]["closed"] is False
        assert t.fake.bot_messages(GROUP, thread)[-1]["text"] == "hello again"


@scenario
async def test_a_blocked_user_is_reported_in_the_topic(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        t.fake.blocked.add(USER)
        await t.coordinator("Are you still there?", thread=thread)
        assert (
            "bloqué" in t.fake.bot_messages(GROUP, thread)[-1]["text"]
            or "blocked" in t.fake.bot_messages(GROUP, thread)[-1]["text"]
        )


@scenario
async def test_retry_after_and_network_errors_delay_but_never_drop(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        now = [1_000_000.0]
        t.store.clock = lambda: now[0]
        t.fake.fail_next("copyMessage", ApiError(429, "Too Many Requests: retry after 3", retry_after=3))
        await t.say("first")
        assert "first" not in texts(t.fake.bot_messages(GROUP, thread))
        now[0] += 10
        t.fake.fail_next("copyMessage", ApiError(502, "Bad Gateway"))
        await t.channel.flush()
        now[0] += 10
        await t.channel.flush()
        assert [m.get("text") for m in t.fake.bot_messages(GROUP, thread)].count("first") == 1


@scenario
async def test_out_of_hours_the_user_is_told_when_coordinators_are_back(tg: Callable[..., Tg]) -> None:
    async with tg(COORDINATOR_HOURS="", COORDINATOR_HOLIDAYS="") as t:
        await t.hand_off()
        assert all("Paris" not in m.get("text", "") for m in t.fake.bot_messages(USER))
    async with tg(COORDINATOR_HOURS="mon 03:00-03:01") as t:
        t.channel.clock = lambda: datetime(2026, 12, 7, 2, 0, 30, tzinfo=UTC)  # Monday 03:00:30 in Paris: open
        await t.say("/forget")
        await t.hand_off()
        assert all("Paris" not in m.get("text", "") for m in t.fake.bot_messages(USER))
    async with tg(COORDINATOR_HOURS="mon 03:00-03:01") as t:
        t.channel.clock = lambda: datetime(2026, 12, 7, 2, 1, 30, tzinfo=UTC)  # a minute later: closed
        await t.say("/forget")
        await t.hand_off()
        assert any("lundi 03:00" in m["text"] and "Paris" in m["text"] for m in t.fake.bot_messages(USER))


@scenario
async def test_a_plain_group_works_by_replies(tg: Callable[..., Tg], world: FakeTelegram) -> None:
    world.chats[GROUP].is_forum = False
    async with tg() as t:
        await t.hand_off()
        await t.say("question for a person")
        copied = t.fake.bot_messages(GROUP)[-1]
        assert copied["text"] == "question for a person" and "reply_to_message" in copied
        await t.coordinator("answer from a person", reply_to=copied)
        assert t.fake.bot_messages(USER)[-1]["text"] == "answer from a person"
        await t.coordinator("answer to the header", reply_to=t.fake.bot_messages(GROUP)[-2])
        assert t.fake.bot_messages(USER)[-1]["text"] == "answer to the header"


@scenario
async def test_a_restart_mid_conversation_keeps_relaying_both_ways(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        await t.say("before the restart")
    async with tg() as t:
        await t.coordinator("after the restart", thread=thread)
        assert t.fake.bot_messages(USER)[-1]["text"] == "after the restart"
        await t.say("me too")
        assert t.fake.bot_messages(GROUP, thread)[-1]["text"] == "me too"


@scenario
async def test_cases_from_before_ids_were_text_still_relay_after_the_upgrade(
    tg: Callable[..., Tg], world: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database of schema version 4 (numeric ids) with a live case, its links, a delivery and an update owed."""
    monkeypatch.setattr("bot.store.sql.MIGRATIONS", MIGRATIONS[:4])
    old = SqliteStore(tmp_path / "oncobot.sqlite3")
    case, _ = old.open_case(f"tg:{USER}", str(USER), "en")
    thread = world.call("createForumTopic", {"chat_id": GROUP, "name": "EN · #1"})["message_thread_id"]
    card = world.call("sendMessage", {"chat_id": GROUP, "text": "Ticket #1", "message_thread_id": thread})
    said = world.user_says(USER, "before the upgrade")["message"]["message_id"]
    copied = world.call(
        "copyMessage", {"chat_id": GROUP, "from_chat_id": USER, "message_id": said, "message_thread_id": thread}
    )
    old.set_thread(case.id, thread)  # type: ignore[arg-type]  # numbers, as version 4 wrote them
    old.link(case.id, 0, card["message_id"], "card")  # type: ignore[arg-type]
    old.link(case.id, said, copied["message_id"], "in")  # type: ignore[arg-type]
    owed = world.user_says(USER, "queued before the upgrade")["message"]["message_id"]
    payload = {"from_chat_id": USER, "message_id": owed, "emergency": False, "reply_to": None}
    assert old.enqueue(case.id, "to_group", payload, dedupe=f"in:{USER}:{owed}")
    old.inbox_put(rows([world.user_says(USER, "written before the upgrade")]))
    assert old._one("SELECT typeof(thread_id) FROM cases")[0] == "integer"
    old.close()
    monkeypatch.undo()
    async with tg() as t:
        assert t.store._one("SELECT typeof(thread_id) FROM cases")[0] == "text"
        await t.channel.inbox.drain()
        await t.channel.flush()
        arrived = [m["text"] for m in t.fake.bot_messages(GROUP, thread)[-2:]]
        assert arrived == ["queued before the upgrade", "written before the upgrade"]
        relayed = next(m for m in t.fake.bot_messages(GROUP, thread) if m["message_id"] == copied["message_id"])
        await t.coordinator("answered after the upgrade", thread=thread, reply_to=relayed)
        answer = t.fake.bot_messages(USER)[-1]
        assert answer["text"] == "answered after the upgrade"
        assert answer["reply_to_message"]["text"] == "before the upgrade"  # the old link still joins the two sides
        await t.say("after the upgrade")
        assert t.fake.bot_messages(GROUP, thread)[-1]["text"] == "after the upgrade"
        assert len(t.fake.calls_of("createForumTopic")) == 1  # the same topic throughout


@scenario
async def test_forget_erases_the_user_and_deletes_the_topic(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        await t.say("/forget")
        assert t.fake.topics[GROUP][thread]["deleted"] is True
        assert t.store.cases_of(f"tg:{USER}") == []


@scenario
async def test_every_relayed_message_arrives_exactly_once(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        sent = [f"message {i}" for i in range(12)]
        for i, text in enumerate(sent):
            if i == 4:
                t.fake.fail_next("copyMessage", ApiError(502, "Bad Gateway"))
            update = t.fake.user_says(USER, text)
            await t.feed(update)
            await t.feed(update)  # redelivered
        t.store.clock = lambda: 9e12
        await t.channel.flush()
        arrived = [m["text"] for m in t.fake.bot_messages(GROUP, thread) if m.get("copied_from")]
        assert sorted(arrived) == sorted(sent)


@scenario
async def test_closed_cases_are_purged_after_the_retention_period(tg: Callable[..., Tg]) -> None:
    async with tg(RETENTION_DAYS="30") as t:
        thread = await t.hand_off()
        await t.coordinator("/close", thread=thread)
        t.store._write("UPDATE cases SET closed_at = '2000-01-01T00:00:00+00:00'")
        await t.channel._retention_job(None)  # type: ignore[arg-type]
        assert t.store.cases_of(f"tg:{USER}") == []
        assert t.fake.topics[GROUP][thread]["deleted"] is True


@scenario
async def test_replies_keep_their_context_on_both_sides(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        await t.say("first question")
        await t.say("second question")
        relayed_first = next(m for m in t.fake.bot_messages(GROUP, thread) if m.get("text") == "first question")
        await t.coordinator("about your first question", thread=thread, reply_to=relayed_first)
        answer = t.fake.bot_messages(USER)[-1]
        assert answer["text"] == "about your first question"
        assert answer["reply_to_message"]["text"] == "first question"
        await t.feed(t.fake.user_says(USER, "thanks for that", reply_to_message=answer))
        relayed = t.fake.bot_messages(GROUP, thread)[-1]
        assert relayed["text"] == "thanks for that"
        assert relayed["reply_to_message"]["text"] == "about your first question"


@scenario
async def test_a_message_typed_right_after_consent_reaches_the_coordinators(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        await t.say("/human")
        await t.press("handoff:yes")
        await t.say("my mother needs help with her file")  # ignoring the optional questions
        case = t.store.current_case(f"tg:{USER}")
        assert case is not None and case.thread_id
        assert t.fake.bot_messages(GROUP, int(case.thread_id))[-1]["text"] == "my mother needs help with her file"


@scenario
async def test_long_lists_of_choices_are_paged_in_place(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        choices = tuple(Button(f"centre:c{i}", f"Centre {i}") for i in range(20))
        sent = await t.channel.send_reply(USER, Reply("Choose a centre:", "en", choices))
        assert sent is not None
        message = t.fake.bot_messages(USER)[-1]
        data = [b["callback_data"] for b in buttons(message)]
        assert data[:8] == [f"centre:c{i}" for i in range(8)] and data[-1] == "pg:1"
        await t.press("pg:1", message=message)
        data = [b["callback_data"] for b in buttons(message)]
        assert data[0] == "centre:c8" and data[-2:] == ["pg:0", "pg:2"]


@scenario
async def test_a_refused_command_menu_does_not_stop_the_start(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        t.fake.fail_next("setMyCommands", ApiError(400, "Bad Request: not supported"), times=10)
        await t.channel._post_init(t.app)
        assert await t.say("hello")


# ---- the learning loop in the coordinators' group ---------------------------------------------------------------


ADMIN = 502


@scenario
async def test_group_admins_get_stats_the_inbox_digest_and_a_reload(world: FakeTelegram, tg: Callable[..., Tg]) -> None:
    world.add_user(ADMIN, "Inès", "fr")
    world.add_group(GROUP, forum=True, members={COORD}, admins=frozenset({ADMIN}))
    async with tg() as t:
        t.channel.team = TeamDesk(t.engine, Reloader(t.engine, t.engine.kb.root, None))  # type: ignore[arg-type]
        await t.say("what is the weather tomorrow")
        keep = next(b for b in buttons(t.fake.bot_messages(USER)[-1]) if b["callback_data"].startswith("keep:"))
        await t.press(keep["callback_data"])
        kept = texts(t.fake.bot_messages(USER)[-1:])
        assert "sent to the team" in kept or "transmise à l'équipe" in kept
        before = len(t.fake.bot_messages(GROUP))
        await t.coordinator("/stats")  # a member, not an admin: nothing
        assert len(t.fake.bot_messages(GROUP)) == before
        await t.coordinator("/stats", who=ADMIN)
        await t.coordinator("/inbox", who=ADMIN)
        await t.coordinator("/reload", who=ADMIN)
        said = [str(m.get("text", "")) for m in t.fake.bot_messages(GROUP)[before:]]
        assert len(said) == 3
        assert "fallback" in said[0]
        assert said[1].startswith("1 question(s) wait") and "weather" in said[1]
        assert said[2].startswith("Content reloaded")
