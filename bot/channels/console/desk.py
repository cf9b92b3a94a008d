"""`oncobot desk`: the coordinators' side in a terminal — list open cases, read what waits, reply, close."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TextIO

from bot.channels.console import mailbox
from bot.channels.console.terminal import read_lines
from bot.dialogue import strings as s
from bot.dialogue.actions import Reply
from bot.dialogue.engine import Engine
from bot.handoff.contract import MessageRef
from bot.handoff.desk import CASE_COMMANDS, Desk, build_desk
from bot.settings import Settings
from bot.store.base import Case, Delivery

NAME = "console-desk"
HELP = """\
  list              open cases
  show N            case N's card and the messages waiting in it
  reply N TEXT      send TEXT to the user of case N
  close N           close case N (its user is asked for a rating)
  reopen|note|who|ban|unban N
  quit"""


class DeskConsole:
    """The coordinators' side of the desk's channel contract, for the console's users."""

    name = NAME

    def __init__(self, engine: Engine, settings: Settings, stdin: TextIO, stdout: TextIO) -> None:
        self.store = engine.store
        self.stdin = stdin
        self.stdout = stdout
        self.desk: Desk = build_desk(engine, settings, self)

    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    async def line(self, line: str) -> None:
        """One command of the coordinator's."""
        words = line.strip().split(maxsplit=2)
        if not words:
            return
        command, number = words[0].lower().lstrip("/"), words[1] if len(words) > 1 else ""
        if command == "list":
            await self.list_cases()
            return
        if command not in ("show", "reply", *CASE_COMMANDS) or not number.lstrip("#").isdigit():
            self.write(HELP + "\n")
            return
        case = await asyncio.to_thread(self.store.get_case, int(number.lstrip("#")))
        if case is None:
            self.write(f"no case #{number.lstrip('#')}\n")
        elif command == "show":
            self.write(self.desk.card(case, forum=True, how_to=False) + "\n")
            if not await self.show(case):
                self.write("(nothing waiting)\n")
        elif command == "reply":
            text = words[2] if len(words) > 2 else ""
            if not text or not await self.desk.relay_to_user(case, MessageRef(NAME, mailbox.new_id(), text=text)):
                self.write(f"#{case.id}: not sent (the case is closed, or nothing to send)\n")
        else:
            for answer in await self.desk.command(command, case, how_to=False):
                self.write(f"#{case.id}: {answer}\n")

    async def list_cases(self) -> None:
        cases = await asyncio.to_thread(self.store.open_case_list)
        if not cases:
            self.write("no open case\n")
        for case in cases:
            about = ", ".join(x for x in (case.user_type, case.country, case.topic) if x)
            self.write(f"#{case.id} {case.language.upper()} {case.created_at}{f' ({about})' if about else ''}\n")

    async def show(self, case: Case) -> int:
        """Everything waiting in the case's lane to the coordinators, read in order."""
        return await mailbox.take(self.store, [case.id], "to_group", self.desk.deliver)

    def run(self) -> int:
        return asyncio.run(self._run())

    async def _run(self) -> int:
        self.write(HELP + "\n")
        lines = read_lines(self.stdin)
        while True:
            self.write("\ndesk> ")
            line = await lines.get()
            if not line or line.strip().lower() in ("quit", "exit", "/quit", "/exit"):
                self.write("\n")
                return 0
            await self.line(line)

    # ---- the channel contract (the coordinators' side) -------------------------------------------------------
    async def send_to_user(self, case: Case, reply: Reply) -> None:
        await mailbox.post(self.store, case.id, "to_user", mailbox.reply_payload(reply))

    async def tell_coordinators(self, case: Case, text: str) -> None:
        self.write(f"#{case.id}: {text}\n")

    async def ensure_thread(self, case: Case) -> Case | None:
        return case

    async def thread_changed(self, case: Case, *, reopened: bool) -> None:
        return None

    async def forget_threads(self, threads: Sequence[str]) -> None:
        return None

    async def relay(self, delivery: Delivery, case: Case) -> int:
        """The user's message (or the desk's notice from the user's side), printed for the coordinator."""
        payload = delivery.payload
        if "notice" in payload:
            self.write(f"#{case.id}: {payload['notice']}\n")
            await asyncio.to_thread(self.store.delivered, delivery.id, case.id, "", [], "in")
            return 1
        if payload.get("emergency"):
            self.write(f"#{case.id}: {self.desk.g(s.GROUP_EMERGENCY)}\n")
        self.write(f"#{case.id} user: {payload.get('text', '')}\n")
        shown = mailbox.new_id()
        await asyncio.to_thread(self.store.delivered, delivery.id, case.id, str(payload["message_id"]), [shown], "in")
        return 1
