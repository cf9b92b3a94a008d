"""A chat in the terminal on the same engine: buttons become numbered choices, and a hand-off reaches `oncobot desk`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TextIO, assert_never

from bot.channels.console import mailbox
from bot.channels.console.terminal import read_lines
from bot.dialogue.actions import CaseDetails, Forgotten, Handoff, Inbound, Rated, Relay, Reply, Turn, Venue
from bot.dialogue.engine import Engine
from bot.handoff.contract import MessageRef
from bot.handoff.desk import Desk, build_desk
from bot.settings import Settings
from bot.store.base import Case, Delivery

QUIT = {"/quit", "/exit", "quit", "exit"}
POLL_EVERY = 1.0  # seconds between looks for a coordinator's reply while the user has not typed anything
NAME = "console"


class ConsoleChannel:
    """Reads lines, prints replies; the numbers shown refer to the last reply's buttons.

    The user's side of the desk's channel contract: the coordinators (`oncobot desk`, another process) get what is
    relayed through the store, and their replies are printed as they arrive.
    """

    name = NAME

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        stdin: TextIO,
        stdout: TextIO,
        user_id: str = "console:local",
    ) -> None:
        self.engine = engine
        self.store = engine.store
        self.stdin = stdin
        self.stdout = stdout
        self.user_id = user_id
        self.choices: list[Reply] = []
        self.desk: Desk = build_desk(engine, settings, self)

    # ---- the terminal ----------------------------------------------------------------------------------------
    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def show_reply(self, reply: Reply) -> None:
        """A reply and its numbered buttons; the numbers count on from the turn's earlier replies."""
        self.write(f"\n{reply.text}\n")
        number = sum(len(r.buttons) for r in self.choices)
        for button in reply.buttons:
            number += 1
            target = f" → {button.url}" if button.url else ""
            self.write(f"  [{number}] {button.label}{target}\n")
        self.choices.append(reply)

    def inbound(self, line: str) -> Inbound | None:
        """A typed number picks a button; anything else is a message."""
        text = line.strip()
        buttons = [b for r in self.choices for b in r.buttons]
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            button = buttons[int(text) - 1]
            if button.url:
                self.write(f"{button.url}\n")
                return None
            return Inbound(self.user_id, payload=button.id, channel=NAME)
        return Inbound(self.user_id, text=line, channel=NAME, message_id=mailbox.new_id())

    async def perform(self, turn: Turn, source: Inbound) -> None:
        """Replies and maps here, anything about a case at the desk."""
        self.choices = []
        for action in turn.actions:
            match action:
                case Reply():
                    self.show_reply(action)
                case Venue():
                    precision = "" if action.precision == "site" else " (city centre)"
                    self.write(f"  📍 {action.title}: {action.lat:.4f}, {action.lon:.4f}{precision}\n")
                case Handoff() | Relay() | CaseDetails() | Rated() | Forgotten():
                    ref = MessageRef(self.user_id, source.message_id, text=source.text) if source.message_id else None
                    await self.desk.act(action, self.user_id, ref)
                    if isinstance(action, Handoff) and action.event == "requested":
                        self.write("  (a coordinator can now answer from `oncobot desk`)\n")
                    elif isinstance(action, Forgotten):
                        self.write("  (stored data erased)\n")
                case _:
                    assert_never(action)

    async def line(self, line: str) -> None:
        """One line the user typed: a message or a choice, answered."""
        inbound = self.inbound(line)
        if inbound is not None:
            turn = await asyncio.to_thread(self.engine.handle, inbound)
            await self.perform(turn, inbound)
        await self.check()

    async def check(self) -> int:
        """Print what the coordinators sent since the last look; returns how many messages."""
        cases = await asyncio.to_thread(self.store.cases_of, self.user_id)
        return await mailbox.take(self.store, [c.id for c in cases], "to_user", self.desk.deliver)

    def run(self) -> int:
        return asyncio.run(self._run())

    async def _run(self) -> int:
        start = Inbound(self.user_id, payload="start", channel=NAME)
        await self.perform(await asyncio.to_thread(self.engine.handle, start), start)
        await self.check()  # what a coordinator sent while this terminal was closed
        lines = read_lines(self.stdin)
        while True:
            self.write("\n> ")
            reading = asyncio.ensure_future(lines.get())
            while not reading.done():
                await asyncio.wait([reading], timeout=POLL_EVERY)
                if not reading.done() and await self.check():
                    self.write("\n> ")
            line = reading.result()
            if not line or line.strip().lower() in QUIT:
                self.write("\n")
                return 0
            await self.line(line.rstrip("\n"))

    # ---- the channel contract (the user's side) ------------------------------------------------------------
    async def send_to_user(self, case: Case, reply: Reply) -> None:
        self.show_reply(reply)

    async def tell_coordinators(self, case: Case, text: str) -> None:
        await mailbox.post(self.store, case.id, "to_group", {"notice": text})

    async def ensure_thread(self, case: Case) -> Case | None:
        return case  # the desk console lists cases; there is no thread to make

    async def thread_changed(self, case: Case, *, reopened: bool) -> None:
        return None

    async def forget_threads(self, threads: Sequence[str]) -> None:
        return None  # the store erased the cases and what they still owed

    async def relay(self, delivery: Delivery, case: Case) -> int:
        """A coordinator's message or the desk's reply, printed in the user's terminal."""
        payload = delivery.payload
        reply = mailbox.reply_of(payload)
        if reply is not None:
            self.choices = []
            self.show_reply(reply)
            await asyncio.to_thread(self.store.delivered, delivery.id, case.id, "", [], "out")
        else:
            self.write(f"\n💬 {payload.get('text', '')}\n")
            shown = mailbox.new_id()
            sent = [str(payload["message_id"])] if payload.get("message_id") else []
            await asyncio.to_thread(self.store.delivered, delivery.id, case.id, shown, sent, "out")
        return 1
