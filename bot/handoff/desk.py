"""The hand-off desk: a case's life from consent to rating, the same whichever channel the user and coordinators use.

It speaks to the store and to a `Channel` (bot/handoff/contract.py), never to a platform's library. Relays go
through the store's delivery rows, so a crash or a refusal loses nothing; the channel sends them (`Channel.relay`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, assert_never

from bot.dialogue import button_ids as bid
from bot.dialogue import strings as s
from bot.dialogue.actions import Button, CaseDetails, Forgotten, Handoff, Rated, Relay, Reply
from bot.handoff.card import card_details, card_text
from bot.handoff.contract import Channel, MessageRef
from bot.handoff.hours import WorkingHours
from bot.i18n import Interface
from bot.settings import Settings
from bot.store.base import Case, Delivery, Store

if TYPE_CHECKING:
    from bot.dialogue.engine import Engine

log = logging.getLogger("oncobot.handoff")

DeskAction = Handoff | Relay | CaseDetails | Rated | Forgotten  # the actions a channel passes to the desk
CASE_COMMANDS = ("close", "reopen", "note", "ban", "unban", "who")


class Desk:
    """Opens, relays, closes and rates cases for one channel; coordinators' commands answer in their language."""

    def __init__(
        self,
        store: Store,
        ui: Interface,
        channel: Channel,
        hours: WorkingHours,
        coordinator_language: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.ui = ui
        self.channel = channel
        self.hours = hours
        self.language = coordinator_language
        self.clock = clock  # working hours read it; tests set the day and hour

    def g(self, msgid: str) -> str:
        """A text in the coordinators' language."""
        return self.ui.gettext(self.language, msgid)

    def card(self, case: Case, *, forum: bool, how_to: bool = True) -> str:
        """The first message coordinators see for a case."""
        return card_text(case, self.ui, self.language, forum=forum, how_to=how_to)

    # ---- what the engine decided -----------------------------------------------------------------------------
    async def act(self, action: DeskAction, chat: str, source: MessageRef | None = None) -> None:
        """Carry out one hand-off action of a user's turn; `source` is the user's message, for a relay."""
        match action:
            case Handoff():
                if action.event == "requested":
                    await self.open_case(action, chat)
            case Relay():
                if source is not None:
                    await self.relay_to_coordinators(action, source)
            case CaseDetails():
                await self.add_details(action)
            case Rated():
                await self.tell(action.case_id, self.g(s.GROUP_RATED).format(rating=action.rating))
            case Forgotten():
                await self.channel.forget_threads(action.threads)
            case _:
                assert_never(action)

    async def open_case(self, event: Handoff, chat: str) -> Case:
        """The user consented: their case opens (once), its thread is made, out of hours they are told when."""
        case, created = await asyncio.to_thread(
            self.store.open_case, event.user_id, chat, event.language, unanswered=event.unanswered
        )
        if created:
            await self.channel.ensure_thread(case)
        now = self.clock()
        if not self.hours.is_open(now):
            when = self.hours.when(now, event.language)
            if when:
                notice = self.ui.gettext(event.language, s.OUT_OF_HOURS).format(when=when)
                await self.channel.send_to_user(case, Reply(notice, event.language))
        return case

    async def add_details(self, details: CaseDetails) -> None:
        """What the user told after consenting: kept on the case and shown in its thread."""
        await asyncio.to_thread(
            self.store.set_case_details, details.case_id, details.user_type, details.country, details.topic
        )
        case = await asyncio.to_thread(self.store.get_case, details.case_id)
        if case is None:
            return
        told = replace(case, user_type=details.user_type, country=details.country, topic=details.topic)
        lines = card_details(told, self.ui, self.language)  # only what this step told
        if lines:
            await self.channel.tell_coordinators(case, "\n".join(lines))
        if details.topic and case.has_thread:
            await self.channel.thread_changed(case, reopened=False)

    async def relay_to_coordinators(self, relay: Relay, source: MessageRef) -> bool:
        """Queue the user's message for the case's thread, once however often its update is handled."""
        payload = {**_payload(source), "emergency": relay.emergency}
        dedupe = f"in:{source.chat}:{source.message}"
        return await asyncio.to_thread(self.store.enqueue, relay.case_id, "to_group", payload, dedupe)

    async def relay_to_user(self, case: Case, source: MessageRef) -> bool:
        """Queue a coordinator's message for the user of an open case; False when the case is not open."""
        if not case.is_open:
            return False
        dedupe = f"out:{source.chat}:{source.message}"
        return await asyncio.to_thread(self.store.enqueue, case.id, "to_user", _payload(source), dedupe)

    async def tell(self, case_id: int, text: str) -> None:
        """A notice in a case's thread (a rating, a refusal)."""
        case = await asyncio.to_thread(self.store.get_case, case_id)
        if case is not None:
            await self.channel.tell_coordinators(case, text)

    # ---- deliveries --------------------------------------------------------------------------------------------
    async def deliver(self, delivery: Delivery) -> int:
        """Send one delivery through the channel; a case erased meanwhile drops it."""
        case = await asyncio.to_thread(self.store.get_case, delivery.case_id)
        if case is None:
            await asyncio.to_thread(self.store.give_up, delivery.id, "case erased")
            return 0
        return await self.channel.relay(delivery, case)

    async def undeliverable(self, delivery: Delivery, reason: str, detail: str = "") -> None:
        """Give a delivery up and tell the other side, once for that message."""
        await asyncio.to_thread(self.store.give_up, delivery.id, f"{reason} {detail}".strip())
        log.warning("delivery %s to %s given up: %s", delivery.id, delivery.direction, reason)
        case = await asyncio.to_thread(self.store.get_case, delivery.case_id)
        if case is None:
            return
        if delivery.direction == "to_user":
            blocked = reason == "blocked"
            notice = self.g(s.GROUP_BLOCKED) if blocked else self.g(s.GROUP_UNDELIVERED).format(reason=reason)
            await self.channel.tell_coordinators(case, notice)
        else:  # the user's message cannot reach the coordinators: the user is told
            await self.channel.send_to_user(case, Reply(self.ui.gettext(case.language, s.NOT_RELAYED), case.language))

    # ---- coordinators' commands ----------------------------------------------------------------------------
    async def command(self, name: str, case: Case | None, *, forum: bool = True, how_to: bool = True) -> list[str]:
        """Run a case command (`close`, `reopen`, `note`, `ban`, `unban`, `who`); returns the coordinator's answers.

        A channel checks first that the sender is a coordinator, and finds the case the command is about.
        """
        if name not in CASE_COMMANDS:
            return []
        if case is None:
            return [self.g(s.GROUP_NO_CASE)]
        lang = case.language
        if name == "note":
            return [self.g(s.GROUP_NOTE)]
        if name == "close":
            if not await asyncio.to_thread(self.store.close_case, case.id):
                return []  # closed already: the user is not told twice nor asked again for a rating
            await self.channel.send_to_user(case, Reply(self.ui.gettext(lang, s.CASE_CLOSED), lang))
            await self.channel.send_to_user(case, self.rating_prompt(case))
            return [self.g(s.GROUP_CLOSED)]  # the thread stays open: the rating arrives there
        if name == "reopen":
            if await asyncio.to_thread(self.store.current_case, case.user_id) is not None and not case.is_open:
                return [self.g(s.GROUP_NO_CASE)]
            await asyncio.to_thread(self.store.reopen_case, case.id)
            if case.has_thread:
                await self.channel.thread_changed(case, reopened=True)
            await self.channel.send_to_user(case, Reply(self.ui.gettext(lang, s.CASE_REOPENED), lang))
            return [self.g(s.GROUP_REOPENED)]
        if name == "ban":
            await asyncio.to_thread(self.store.ban, case.user_id)
            return [self.g(s.GROUP_BANNED)]
        if name == "unban":
            await asyncio.to_thread(self.store.unban, case.user_id)
            return [self.g(s.GROUP_UNBANNED)]
        history = ", ".join(f"#{c.id} ({c.status})" for c in await asyncio.to_thread(self.store.cases_of, case.user_id))
        return [f"{self.card(case, forum=forum, how_to=how_to)}\n\n{self.g(s.GROUP_WHO).format(tickets=history)}"]

    def rating_prompt(self, case: Case) -> Reply:
        """One to five, as buttons the engine reads back (`rate:<case>:<n>`)."""
        buttons = tuple(Button(bid.make(bid.RATE, case.id, n), str(n)) for n in range(1, 6))
        return Reply(self.ui.gettext(case.language, s.RATE_PROMPT), case.language, buttons)


def _payload(source: MessageRef) -> dict[str, object]:
    """A delivery row's message: where to copy it from, what it answers, and its text where it cannot be copied."""
    payload: dict[str, object] = {
        "from_chat_id": source.chat,
        "message_id": source.message,
        "reply_to": source.reply_to,
    }
    if source.text is not None:
        payload["text"] = source.text
    return payload


def build_desk(
    engine: Engine, settings: Settings, channel: Channel, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Desk:
    """The desk as the settings describe it: working hours, and the coordinators' language if it is served."""
    hours = WorkingHours.parse(settings.coordinator_hours, settings.coordinator_holidays, settings.coordinator_timezone)
    config = engine.kb.config
    language = settings.coordinator_language
    return Desk(
        engine.store,
        engine.ui,
        channel,
        hours,
        language if language in config.languages else config.default_language,
        clock,
    )
