"""A channel that lives in memory: users' screens and coordinators' threads as lists, to drive the desk alone."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import assert_never

from bot.dialogue.actions import CaseDetails, Forgotten, Handoff, Inbound, Rated, Relay, Reply, Turn, Venue
from bot.dialogue.engine import Engine
from bot.handoff.contract import MessageRef
from bot.handoff.desk import build_desk
from bot.settings import Settings
from bot.store.base import Case, Delivery


class MemoryChannel:
    """Implements the desk's channel contract with nothing but lists; it imports no platform library."""

    name = "memory"

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.store = engine.store
        self.desk = build_desk(engine, settings, self)
        self.screens: dict[str, list[str]] = {}  # chat -> what its user saw, in order
        self.buttons: dict[str, list[str]] = {}  # chat -> the ids of the last reply's buttons
        self.threads: dict[str, list[str]] = {}  # thread -> what the coordinators saw, in order
        self._ids = itertools.count(1)

    # ---- playing a user and a coordinator ---------------------------------------------------------------------
    async def say(self, chat: str, text: str) -> None:
        message = str(next(self._ids))
        inbound = Inbound(chat, text=text, channel=self.name, message_id=message)
        await self.perform(self.engine.handle(inbound), chat, MessageRef(chat, message, text=text))

    async def press(self, chat: str, button: str) -> None:
        assert button in self.buttons.get(chat, []), f"{button} not shown to {chat}"
        await self.perform(self.engine.handle(Inbound(chat, payload=button, channel=self.name)), chat, None)

    async def coordinator_says(self, case_id: int, text: str) -> bool:
        case = self.store.get_case(case_id)
        assert case is not None
        return await self.desk.relay_to_user(case, MessageRef("coordinators", str(next(self._ids)), text=text))

    async def command(self, name: str, case_id: int) -> list[str]:
        return await self.desk.command(name, self.store.get_case(case_id))

    async def flush(self) -> None:
        """Send every delivery owed, as a delivery worker would."""
        while heads := self.store.delivery_heads():
            for _, head in heads:
                delivery = self.store.claim_delivery(head)
                assert delivery is not None
                await self.desk.deliver(delivery)

    async def perform(self, turn: Turn, chat: str, source: MessageRef | None) -> None:
        for action in turn.actions:
            match action:
                case Reply():
                    self._show(chat, action)
                case Venue():
                    self.screens.setdefault(chat, []).append(f"📍 {action.title}")
                case Handoff() | Relay() | CaseDetails() | Rated() | Forgotten():
                    await self.desk.act(action, chat, source)
                case _:
                    assert_never(action)

    def _show(self, chat: str, reply: Reply) -> None:
        self.screens.setdefault(chat, []).append(reply.text)
        self.buttons[chat] = [b.id for b in reply.buttons]

    # ---- the channel contract ---------------------------------------------------------------------------------
    async def send_to_user(self, case: Case, reply: Reply) -> None:
        self._show(case.chat_id, reply)

    async def tell_coordinators(self, case: Case, text: str) -> None:
        if case.thread_id is not None and case.has_thread:
            self.threads[case.thread_id].append(text)

    async def ensure_thread(self, case: Case) -> Case | None:
        fresh = self.store.get_case(case.id)
        if fresh is None or fresh.has_thread or not self.store.claim_thread(case.id):
            return fresh
        thread = f"thread-{case.id}"
        self.store.set_thread(case.id, thread)
        self.threads[thread] = [self.desk.card(fresh, forum=True)]
        return self.store.get_case(case.id)

    async def thread_changed(self, case: Case, *, reopened: bool) -> None:
        return None

    async def forget_threads(self, threads: Sequence[str]) -> None:
        for thread in threads:
            self.threads.pop(thread, None)

    async def relay(self, delivery: Delivery, case: Case) -> int:
        text, source = str(delivery.payload["text"]), str(delivery.payload["message_id"])
        copy = str(next(self._ids))
        if delivery.direction == "to_group":
            current = await self.ensure_thread(case)
            assert current is not None and current.thread_id is not None
            self.threads[current.thread_id].append(text)
            await asyncio.to_thread(self.store.delivered, delivery.id, case.id, source, [copy], "in")
        else:
            self.screens.setdefault(case.chat_id, []).append(text)
            await asyncio.to_thread(self.store.delivered, delivery.id, case.id, copy, [source], "out")
        return 1
