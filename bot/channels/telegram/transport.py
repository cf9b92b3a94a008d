"""Relays on Telegram: case topics (or headers in a plain group) and copying messages between a user and them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels.health import Metrics
from bot.channels.telegram.receive import retry_seconds
from bot.dialogue import strings as s
from bot.handoff.card import topic_name
from bot.handoff.desk import Desk
from bot.store.base import Case, Delivery, Store

log = logging.getLogger("oncobot.telegram")

MAX_ATTEMPTS = 12
FLUSH_EVERY = 2.0  # seconds a relay waits for its case's topic being made elsewhere
TOPIC_GONE = ("message thread not found", "topic_deleted", "thread not found", "topic not found")
TOPIC_CLOSED = ("topic_closed", "topic closed")


class _Wait(Exception):
    """The topic is not there yet (being created elsewhere, or no coordinators' chat): try again shortly."""


def in_thread(thread: str, forum: bool) -> dict[str, Any]:
    """Where a message about a case goes: its forum topic, or (plain group) a reply to the case's card."""
    if forum:
        return {"message_thread_id": int(thread)}
    return {"reply_parameters": ReplyParameters(int(thread), allow_sending_without_reply=True)}


def reply_to(message_id: str | None) -> ReplyParameters | None:
    return ReplyParameters(int(message_id), allow_sending_without_reply=True) if message_id else None


def _text(value: object) -> str | None:
    """A payload id as text: rows queued before ids were text hold numbers."""
    return None if value is None else str(value)


class RelayTransport:
    """The coordinators' side of the Telegram channel: the desk's threads and the sending of delivery rows."""

    store: Store
    desk: Desk
    metrics: Metrics
    group: int | None
    _forum: bool | None

    def _bot(self) -> Bot:
        raise NotImplementedError

    async def send_answer(self, delivery: Delivery) -> int:
        raise NotImplementedError

    async def is_forum(self) -> bool:
        """Whether the coordinators' chat has topics; asked once (a topic the API refuses also tells)."""
        if self._forum is None and self.group is not None:
            try:
                chat = await self._bot().get_chat(self.group)
                self._forum = bool(chat.is_forum)
            except (TelegramError, TypeError, KeyError, ValueError) as exc:
                log.warning("could not read the coordinators' chat (%s); trying topics", type(exc).__name__)
                return True
        return bool(self._forum)

    # ---- threads (the channel contract) ----------------------------------------------------------------------
    async def ensure_thread(self, case: Case) -> Case | None:
        """The case's topic (forum) or header (plain group), created once even with several replicas."""
        if self.group is None:
            return None
        fresh = await asyncio.to_thread(self.store.get_case, case.id)
        if fresh is None:
            return None
        if fresh.has_thread:
            return fresh
        if fresh.thread_id is not None or not await asyncio.to_thread(self.store.claim_thread, case.id):
            return None  # another worker is creating it; the delivery waits for its next pass
        try:
            card = self.desk.card(fresh, forum=await self.is_forum())
            topic = None
            if await self.is_forum():
                try:
                    topic = await self._bot().create_forum_topic(
                        self.group, topic_name(fresh, self.desk.ui, self.desk.language)
                    )
                except BadRequest as exc:
                    if "forum" not in str(exc).lower():
                        raise
                    self._forum = False  # a plain group after all: cases live under headers
                    card = self.desk.card(fresh, forum=False)
            if topic is not None:
                thread = str(topic.message_thread_id)
                sent = await self._bot().send_message(self.group, card, message_thread_id=topic.message_thread_id)
            else:
                sent = await self._bot().send_message(self.group, card)
                thread = str(sent.message_id)
            await asyncio.to_thread(self.store.set_thread, case.id, thread)
            await asyncio.to_thread(self.store.link, case.id, "0", str(sent.message_id), "card")
        except BaseException:
            await asyncio.to_thread(self.store.set_thread, case.id, None)  # let the next pass try again
            raise
        return await asyncio.to_thread(self.store.get_case, case.id)

    async def _thread_of(self, case: Case) -> str:
        """The case's thread, made if need be; waits (`_Wait`) while another worker makes it."""
        current = await self.ensure_thread(case)
        if current is None or current.thread_id is None or not current.has_thread:
            raise _Wait
        return current.thread_id

    async def tell_coordinators(self, case: Case, text: str) -> None:
        if self.group is None or case.thread_id is None or not case.has_thread:
            return
        with contextlib.suppress(TelegramError):
            await self._bot().send_message(self.group, text, **in_thread(case.thread_id, await self.is_forum()))

    async def thread_changed(self, case: Case, *, reopened: bool) -> None:
        """A reopened case reopens its topic; a case whose topic became known renames it."""
        if self.group is None or case.thread_id is None or not case.has_thread or not await self.is_forum():
            return
        with contextlib.suppress(TelegramError):
            if reopened:
                await self._bot().reopen_forum_topic(self.group, int(case.thread_id))
            else:
                fresh = await asyncio.to_thread(self.store.get_case, case.id) or case
                name = topic_name(fresh, self.desk.ui, self.desk.language)
                await self._bot().edit_forum_topic(self.group, int(case.thread_id), name=name)

    async def forget_threads(self, threads: Sequence[str]) -> None:
        if self.group is None:
            return
        for thread in threads:
            try:
                if await self.is_forum():
                    await self._bot().delete_forum_topic(self.group, int(thread))
                else:
                    await self._bot().delete_message(self.group, int(thread))
            except TelegramError:
                with contextlib.suppress(TelegramError):
                    await self._bot().send_message(
                        self.group,
                        self.desk.g(s.GROUP_FORGOTTEN),
                        message_thread_id=int(thread) if await self.is_forum() else None,
                    )

    # ---- deliveries ----------------------------------------------------------------------------------------
    async def send_delivery(self, delivery: Delivery) -> int:
        """One delivery, its outcome recorded: sent, postponed (rate limit, network, topic being made) or refused.

        `BadRequest` is a kind of `NetworkError` in python-telegram-bot: a permanent refusal is told apart first.
        """
        try:
            if delivery.direction == "reply":
                return await self.send_answer(delivery)
            return await self.desk.deliver(delivery)
        except RetryAfter as exc:
            self.metrics.retried.inc()
            await asyncio.to_thread(self.store.postpone, delivery.id, retry_seconds(exc) + 0.5, "retry after")
        except _Wait:
            await asyncio.to_thread(self.store.postpone, delivery.id, FLUSH_EVERY, "waiting for the topic")
        except Forbidden as exc:
            await self._undeliverable(delivery, "blocked", str(exc))
        except BadRequest as exc:
            await self._undeliverable(delivery, "refused", str(exc))
        except (TimedOut, NetworkError) as exc:
            if delivery.attempts >= MAX_ATTEMPTS:
                await self._undeliverable(delivery, type(exc).__name__)
            else:
                self.metrics.retried.inc()
                await asyncio.to_thread(
                    self.store.postpone, delivery.id, min(300.0, 2.0**delivery.attempts), type(exc).__name__
                )
        return 1

    async def _undeliverable(self, delivery: Delivery, reason: str, detail: str = "") -> None:
        """Given up: a relay's refusal is told to the other side once; an answer is logged by id, never its text."""
        if delivery.direction == "reply":
            if reason != "blocked":  # a user who blocked the bot is no failure of ours
                self.metrics.undeliverable.inc()
            log.warning("reply %s given up: %s", delivery.id, reason)
            await asyncio.to_thread(self.store.delivery_done, delivery.id)
            return
        self.metrics.undeliverable.inc()
        with contextlib.suppress(TelegramError):
            await self.desk.undeliverable(delivery, reason, detail)

    async def relay(self, delivery: Delivery, case: Case) -> int:
        """Copy the message the row names to the other side (the channel contract)."""
        payload = delivery.payload
        if delivery.direction == "to_group":
            return await self._relay_to_group(delivery, case, payload)
        answered = (
            await asyncio.to_thread(self.store.user_message_for, case.id, str(payload["reply_to"]))
            if payload.get("reply_to")
            else None
        )
        copied = await self._bot().copy_message(
            chat_id=int(case.chat_id),
            from_chat_id=int(payload["from_chat_id"]),
            message_id=int(payload["message_id"]),
            reply_parameters=reply_to(answered),
        )
        source = str(payload["message_id"])
        await asyncio.to_thread(self.store.delivered, delivery.id, case.id, str(copied.message_id), [source], "out")
        return 1

    async def _relay_to_group(self, delivery: Delivery, case: Case, payload: dict[str, Any]) -> int:
        group = self.group
        if group is None:
            raise _Wait
        thread = await self._thread_of(case)
        forum = await self.is_forum()
        source, origin = int(payload["message_id"]), int(payload["from_chat_id"])
        group_ids: list[str] = []
        for attempt in range(2):
            try:
                if payload.get("emergency"):
                    flag = await self._bot().send_message(
                        group, self.desk.g(s.GROUP_EMERGENCY), **in_thread(thread, forum)
                    )
                    group_ids.append(str(flag.message_id))
                answered = (
                    await asyncio.to_thread(self.store.group_message_for, case.id, str(payload["reply_to"]))
                    if payload.get("reply_to")
                    else None
                )
                if forum:
                    copied = await self._bot().copy_message(
                        group,
                        origin,
                        source,
                        message_thread_id=int(thread),
                        reply_parameters=reply_to(answered),
                    )
                else:
                    header = await self._bot().send_message(
                        group,
                        f"{self.desk.g(s.CARD_TITLE).format(ticket=case.id)} · {case.language.upper()}\n"
                        f"{self.desk.g(s.CARD_HOW_TO_REPLY)}",
                    )
                    group_ids.append(str(header.message_id))
                    copied = await self._bot().copy_message(
                        group, origin, source, reply_parameters=ReplyParameters(header.message_id)
                    )
                group_ids.append(str(copied.message_id))
                break
            except BadRequest as exc:
                reason = str(exc).lower()
                if forum and attempt == 0 and any(k in reason for k in TOPIC_GONE):
                    await asyncio.to_thread(self.store.set_thread, case.id, None)
                    thread = await self._thread_of(case)
                    continue
                if forum and attempt == 0 and any(k in reason for k in TOPIC_CLOSED):
                    await self._bot().reopen_forum_topic(group, int(thread))
                    continue
                raise
        await asyncio.to_thread(self.store.delivered, delivery.id, case.id, str(source), group_ids, "in")
        return len(group_ids)
