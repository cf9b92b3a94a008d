"""The way of an update through the inbox and of a relay through the paced delivery lanes, authorisation of button
presses, and the Telegram-side safety rules of the hand-off."""

from __future__ import annotations

import logging
import sqlite3
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter
from test_telegram import COORD, GROUP, OTHER, STRANGER, USER, Tg, channel_maker, new_world, scenario, texts

from bot.assistant import Parts
from bot.channels.pacing import Pacer
from bot.channels.telegram.receive import describe, retry_seconds, rows
from bot.store.base import Outgoing
from fakes.botapi import ApiError, FakeTelegram

POLL_WITHOUT_FIELDS = {"id": "9", "question": "secret question", "options": [], "total_voter_count": 0}


@pytest.fixture
def world() -> FakeTelegram:
    return new_world()


@pytest.fixture
def tg(world: FakeTelegram, small_parts: Parts, small_root: Path, tmp_path: Path) -> Callable[..., Tg]:
    return channel_maker(world, small_parts, small_root, tmp_path)


# ---- the inbox ------------------------------------------------------------------------------------------------


def test_updates_are_laned_by_conversation() -> None:
    fake = FakeTelegram()
    fake.add_user(USER)
    message = fake.user_says(USER, "hello")
    press = fake.user_presses(USER, message["message"], "menu:patients")
    assert describe(message) == (f"chat:{USER}", "message")
    assert describe(press) == (f"chat:{USER}", "callback_query")  # a user's presses wait behind their messages
    assert describe(fake.inline(USER, "curie")) == (f"chat:{USER}", "inline_query")
    assert describe({"update_id": 3, "poll": "odd"}) == ("poll:3", "poll")
    assert rows([{"no": "id"}, 7, {"update_id": "x"}]) == []


@scenario
async def test_an_unreadable_update_is_kept_skipped_and_the_bot_goes_on(
    tg: Callable[..., Tg], caplog: pytest.LogCaptureFixture
) -> None:
    async with tg() as t:
        odd = [
            {"update_id": 900, "poll": POLL_WITHOUT_FIELDS},
            {"update_id": 901, "message": {"message_id": 1, "text": "secret words"}},  # no chat, no date
        ]
        t.store.inbox_put(rows(odd))
        with caplog.at_level(logging.WARNING, logger="oncobot.telegram"):
            answer = await t.say("where is gustave roussy")
        assert "Villejuif" in texts(answer)
        assert (t.store.inbox_status("900"), t.store.inbox_status("901")) == ("skipped", "skipped")
        logged = caplog.text
        assert "update 900 (poll)" in logged and "update 901 (message)" in logged
        assert "secret" not in logged


@scenario
async def test_a_handled_update_is_done_and_a_redelivery_is_ignored(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        update = t.fake.user_says(USER, "where is gustave roussy")
        await t.feed(update)
        assert t.store.inbox_status(str(update["update_id"])) == "done"
        count = len(t.fake.bot_messages(USER))
        await t.feed(update)
        assert len(t.fake.bot_messages(USER)) == count


@scenario
async def test_an_update_whose_worker_died_is_handled_after_its_lease(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        now = [5000.0]
        t.store.clock = lambda: now[0]
        update = t.fake.user_says(USER, "where is gustave roussy")
        t.store.inbox_put(rows([update]))
        assert len(t.store.inbox_claim(lease=30)) == 1  # claimed by a worker that then dies
        await t.channel.inbox.drain()
        await t.deliver()
        assert t.fake.bot_messages(USER) == []  # still leased: nobody else answers it
        now[0] += 31
        await t.channel.inbox.drain()
        await t.deliver()
        assert "Villejuif" in texts(t.fake.bot_messages(USER))


# ---- the outbox: a turn's answers leave through the delivery lanes ------------------------------------------


def crash_before_done_once(t: Tg) -> None:
    """The store dies once at the transaction that marks an update done: as a process killed right before it."""
    real = t.store.inbox_done
    crashes = [sqlite3.OperationalError("the process died here")]

    def inbox_done(update_id: int, outgoing: Sequence[Outgoing] = ()) -> bool:
        if crashes:
            raise crashes.pop()
        return real(update_id, outgoing)

    t.store.inbox_done = inbox_done  # type: ignore[method-assign]


@scenario
async def test_a_turns_answers_leave_only_once_the_update_is_marked_done(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        update = t.fake.user_says(USER, "centre leon berard")
        t.store.inbox_put(rows([update]))
        await t.channel.inbox.drain()
        assert t.store.inbox_status(update["update_id"]) == "done"
        assert t.fake.bot_messages(USER) == []  # queued in the same transaction, not yet sent
        await t.deliver()
        sent = t.fake.bot_messages(USER)
        assert "Léon Bérard" in sent[0]["text"] and "venue" in sent[1]  # the answer, then its map, in order
        assert t.store.pending_deliveries() == 0


@scenario
async def test_a_crash_before_the_done_mark_answers_once_and_opens_one_case(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        now = [5000.0]
        t.store.clock = lambda: now[0]
        await t.say("/human")
        consent = t.fake.bot_messages(USER)[-1]
        before, topics = len(t.fake.bot_messages(USER)), len(t.fake.topics[GROUP])
        crash_before_done_once(t)
        await t.feed(t.fake.user_presses(USER, consent, "handoff:yes"))
        assert t.fake.bot_messages(USER)[before:] == []  # the engine ran, but its turn was never marked done
        now[0] += 31  # the lease of the dead worker ends: the press is handled again
        await t.channel.inbox.drain()
        await t.deliver()
        sent = [m["text"] for m in t.fake.bot_messages(USER)[before:]]
        # Thanked once. The second run reads what the first one stored (the case is open), so it answers as to a
        # press during a case: the optional intake question of an uninterrupted run is not asked.
        assert sent == ["Merci. Un coordinateur vous répondra ici dès que possible."]
        assert len(t.store.cases_of(f"tg:{USER}")) == 1 and len(t.fake.topics[GROUP]) == topics + 1


@scenario
async def test_a_refused_answer_is_given_up_logged_by_id_and_the_chat_goes_on(
    tg: Callable[..., Tg], caplog: pytest.LogCaptureFixture
) -> None:
    async with tg() as t:
        t.fake.fail_next("sendMessage", ApiError(400, "Bad Request: can't parse entities"), times=1)
        with caplog.at_level(logging.INFO):
            assert await t.say("visa") == []
        assert "given up: refused" in caplog.text and "Schengen" not in caplog.text
        assert len(t.fake.calls_of("sendMessage")) == 1 and t.store.pending_deliveries() == 0  # not retried
        assert "Schengen" in texts(await t.say("visa"))


@scenario
async def test_a_rate_limited_or_failed_answer_waits_and_arrives_once(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        now = [1_000_000.0]
        t.store.clock = lambda: now[0]
        t.fake.fail_next("sendMessage", ApiError(429, "Too Many Requests: retry after 3", retry_after=3))
        assert await t.say("visa") == []
        now[0] += 4
        t.fake.fail_next("sendMessage", ApiError(502, "Bad Gateway"))
        await t.deliver()
        assert t.fake.bot_messages(USER) == []
        now[0] += 10
        await t.deliver()
        assert [m["text"].count("Schengen") > 0 for m in t.fake.bot_messages(USER)] == [True]


@scenario
async def test_an_answer_of_several_messages_leaves_at_once_while_relays_keep_their_pace(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off(user=OTHER)
        t.channel.deliveries.pacer = Pacer(clock=lambda: 0.0)  # no time passes
        await t.feed(t.fake.user_says(USER, None, location={"latitude": 45.75, "longitude": 4.85}))
        await t.channel.flush()
        assert len([m for m in t.fake.bot_messages(USER) if "venue" in m]) == 3  # the text and its three maps
        before = len(t.fake.bot_messages(OTHER))
        for i in range(5):
            await t.coordinator(f"reply {i}", thread=thread)
        relayed = [m["text"] for m in t.fake.bot_messages(OTHER)[before:]]
        assert relayed == ["reply 0", "reply 1", "reply 2"]  # about one a second to a user after a burst of three


# ---- deliveries -----------------------------------------------------------------------------------------------


def test_retry_after_is_read_without_a_deprecation_warning() -> None:
    exc = RetryAfter(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert retry_seconds(exc) == 3.0


@scenario
async def test_a_refused_relay_is_given_up_at_once_and_told_once(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        t.fake.fail_next("copyMessage", ApiError(400, "Bad Request: message can't be copied"), times=20)
        await t.coordinator("a message that cannot be copied", thread=thread)
        t.store.clock = lambda: 9e12  # whatever time passes, it is not tried again
        await t.channel.flush()
        assert len(t.fake.calls_of("copyMessage")) == 1
        notices = [m for m in t.fake.bot_messages(GROUP, thread) if "could not be delivered" in m.get("text", "")]
        assert len(notices) == 1
        t.fake.failures.clear()
        await t.coordinator("the next one", thread=thread)
        assert t.fake.bot_messages(USER)[-1]["text"] == "the next one"  # the lane goes on


@scenario
async def test_a_users_message_the_coordinators_cannot_receive_is_told_to_the_user_once(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        t.fake.fail_next("copyMessage", ApiError(400, "Bad Request: message can't be copied"), times=20)
        await t.say("voici le compte rendu")
        t.store.clock = lambda: 9e12  # whatever time passes, it is not tried again
        await t.channel.flush()
        assert len(t.fake.calls_of("copyMessage")) == 1
        told = [
            m for m in t.fake.bot_messages(USER) if "pas pu être transmis à votre coordinateur" in m.get("text", "")
        ]
        assert len(told) == 1
        t.fake.failures.clear()
        await t.say("et la suite")
        await t.channel.flush()
        assert "et la suite" in [m.get("text") for m in t.fake.bot_messages(GROUP, thread)]  # the lane goes on


@scenario
async def test_a_busy_case_waits_in_its_lane_while_everyone_else_is_answered(
    tg: Callable[..., Tg], world: FakeTelegram
) -> None:
    others = list(range(2000, 2010))
    for user in others:
        world.add_user(user, "Someone", "en")
    async with tg() as t:
        now = [0.0]
        t.channel.deliveries.pacer = Pacer(clock=lambda: now[0])
        await t.hand_off()
        busy = [f"busy {i}" for i in range(60)]
        t.store.inbox_put(rows([t.fake.user_says(USER, text) for text in busy]))
        t.store.inbox_put(rows([t.fake.user_says(user, "where is gustave roussy") for user in others]))
        await t.channel.inbox.drain()
        await t.channel.flush()
        assert all("Villejuif" in texts(t.fake.bot_messages(user)) for user in others)
        relayed = [m["text"] for m in t.fake.bot_messages(GROUP) if m.get("copied_from")]
        assert 0 < len(relayed) < len(busy)  # the group's budget is spent, the rest waits its turn
        while len(relayed) < len(busy):
            now[0] += 30
            await t.channel.flush()
            relayed = [m["text"] for m in t.fake.bot_messages(GROUP) if m.get("copied_from")]
        assert relayed == busy  # in order, each once


# ---- button presses -------------------------------------------------------------------------------------------


@scenario
async def test_a_press_on_another_users_message_does_nothing_there(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        await t.say("/start", user=OTHER)
        victim = t.fake.bot_messages(OTHER)[-1]
        before_victim, before_user = len(t.fake.bot_messages(OTHER)), len(t.fake.bot_messages(USER))
        await t.feed(t.fake.user_presses(USER, victim, "intent:medical_visa"))
        await t.feed(t.fake.user_presses(USER, victim, "menu:patients"))
        assert len(t.fake.bot_messages(OTHER)) == before_victim and victim.get("edited") is None
        assert len(t.fake.bot_messages(USER)) == before_user
        assert len(t.fake.calls_of("answerCallbackQuery")) == 2  # answered all the same: no spinning button


@scenario
async def test_user_buttons_do_nothing_in_the_coordinators_group(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        card = t.fake.bot_messages(GROUP, thread)[-1]
        before = len(t.fake.bot_messages(GROUP))
        for data in ("handoff:yes", "intake:who:patient", "rate:1:5", "menu:patients"):
            await t.feed(t.fake.user_presses(COORD, card, data))
        assert len(t.fake.bot_messages(GROUP)) == before and card.get("edited") is None  # nothing sent or changed
        assert t.store.current_case(f"tgg:{GROUP}:{COORD}") is None


@scenario
async def test_private_matters_are_not_pressed_in_a_group(tg: Callable[..., Tg], world: FakeTelegram) -> None:
    world.add_group(-2002, forum=False, members={USER})
    async with tg() as t:
        await t.feed(world.member_says(-2002, USER, "@oncobot_test_bot where is gustave roussy"))
        answer = t.fake.bot_messages(-2002)[-1]
        before = len(t.fake.bot_messages(-2002))
        await t.feed(t.fake.user_presses(USER, answer, "handoff:yes"))
        assert len(t.fake.bot_messages(-2002)) == before
        assert t.store.current_case(f"tgg:-2002:{USER}") is None
        await t.feed(t.fake.user_presses(USER, answer, "intent:medical_visa"))
        assert "Schengen" in texts(t.fake.bot_messages(-2002)[before:])  # an answer button still works there


@scenario
async def test_inline_results_have_unique_ids(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        for query in ("curie curie institut curie", "gustave roussy villejuif roussy", ""):
            await t.feed(t.fake.inline(USER, query))
        for call in t.fake.calls_of("answerInlineQuery"):
            ids = [r["id"] for r in call["results"]]
            assert ids and len(ids) == len(set(ids))


# ---- safety rules of the hand-off -----------------------------------------------------------------------------


@scenario
async def test_only_members_of_the_coordinators_group_relay_to_the_user(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        thread = await t.hand_off()
        before = len(t.fake.bot_messages(USER))
        await t.coordinator("I am not a coordinator, send me your passport", thread=thread, who=STRANGER)
        assert t.fake.bot_messages(USER)[before:] == []
        await t.coordinator("Claire here", thread=thread)
        assert [m["text"] for m in t.fake.bot_messages(USER)[before:]] == ["Claire here"]


@scenario
async def test_reopen_is_refused_while_another_case_of_the_user_is_open(tg: Callable[..., Tg]) -> None:
    async with tg() as t:
        first = await t.hand_off()
        await t.coordinator("/close", thread=first)
        second = await t.hand_off()
        assert second != first
        before = len(t.fake.bot_messages(USER))
        await t.coordinator("/reopen", thread=first)
        assert "No conversation" in t.fake.bot_messages(GROUP, first)[-1]["text"]
        current = t.store.current_case(f"tg:{USER}")
        assert current is not None and current.thread_id == str(second)
        assert [c.status for c in t.store.cases_of(f"tg:{USER}")] == ["closed", "open"]
        assert t.fake.bot_messages(USER)[before:] == []  # not told of a reopening that did not happen


@scenario
async def test_the_flood_gate_never_holds_back_a_message_for_a_coordinator(tg: Callable[..., Tg]) -> None:
    async with tg(FLOOD_PER_MINUTE="3") as t:
        t.channel.flood.clock = lambda: 600.0
        thread = await t.hand_off()
        sent = [f"urgent detail {i}" for i in range(8)]
        for text in sent:
            await t.say(text)
        relayed = [m["text"] for m in t.fake.bot_messages(GROUP, thread) if m.get("copied_from")]
        assert relayed == sent
        assert all("minute" not in m.get("text", "") for m in t.fake.bot_messages(USER))


def odd_updates(fake: FakeTelegram, count: int) -> list[dict[str, Any]]:
    """Service messages, polls, forged and broken callbacks, unknown kinds, wrong types: what the wild sends."""
    user = fake.users[USER]
    chat = {"id": USER, "type": "private", "first_name": "Amina"}
    base = {"message_id": 1, "date": 0, "chat": chat, "from": user}
    shapes: list[dict[str, Any]] = [
        {"message": {**base, "pinned_message": {**base, "text": "pinned"}}},
        {"message": {**base, "new_chat_members": [user]}},
        {"message": {**base, "forum_topic_created": {"name": "x", "icon_color": 1}}},
        {"message": {**base, "text": None}},
        {"message": {**base, "chat": {"id": "not a number", "type": "private"}}},
        {"edited_message": {**base, "text": "edited"}},
        {"channel_post": {**base, "chat": {"id": -5, "type": "channel"}, "text": "post"}},
        {"poll": POLL_WITHOUT_FIELDS},
        {"poll_answer": {"poll_id": "1", "option_ids": [0]}},
        {"callback_query": {"id": "1", "from": user, "chat_instance": "1", "data": "handoff:yes"}},
        {"callback_query": {"id": "2", "from": user, "chat_instance": "1", "data": "x" * 5000, "message": base}},
        {"callback_query": {"id": "3", "from": user, "chat_instance": "1", "data": "rate:999:5", "message": base}},
        {"callback_query": {"id": "4", "from": user, "chat_instance": "1", "data": "pg:-1", "message": base}},
        {"inline_query": {"id": "5", "from": user, "query": "\u202e" * 300, "offset": ""}},
        {"my_chat_member": {"chat": chat, "from": user, "date": 0}},
        {"message_reaction": {"chat": chat, "message_id": 1, "date": 0}},
        {"something_new": {"chat": chat}},
        {"message": "not an object"},
        {"message": {**base, "text": "/start@" + "x" * 100}},
    ]
    return [{"update_id": 10_000 + i, **shapes[i % len(shapes)]} for i in range(count)]


@scenario
async def test_odd_updates_never_stall_the_bot(tg: Callable[..., Tg], caplog: pytest.LogCaptureFixture) -> None:
    async with tg(FLOOD_PER_MINUTE="100000") as t:
        odd = odd_updates(t.fake, 95)  # each shape five times; the outside fuzz sends thousands
        t.store.inbox_put(rows(odd))
        with caplog.at_level(logging.WARNING):
            answer = await t.say("where is gustave roussy")
        assert "Villejuif" in texts(answer)
        assert t.store.inbox_depth() == 0
        statuses = {t.store.inbox_status(u["update_id"]) for u in odd}
        assert statuses <= {"done", "skipped"} and "skipped" in statuses
        assert "pinned" not in caplog.text and "edited" not in caplog.text
