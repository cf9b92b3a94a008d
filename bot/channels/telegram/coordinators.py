"""The coordinators' group on Telegram: their replies go to users through the desk, their commands run on it.

Commands come through python-telegram-bot handlers limited to the group's chat: `CommandHandler` for what Telegram
marks as a command (it also skips `/close@another_bot`), and a `PrefixHandler` for the same words sent without that
mark (some clients and servers leave it out).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, PrefixHandler, filters

from bot.channels.text import split_message
from bot.handoff.contract import MessageRef
from bot.handoff.desk import CASE_COMMANDS, Desk
from bot.learning.team import TEAM_COMMANDS, TeamDesk
from bot.store.base import Case, Store

MEMBER_STATUSES = {"creator", "administrator", "member"}
ADMIN_STATUSES = {"creator", "administrator"}
MEMBERSHIP_TTL = timedelta(minutes=2)

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class Coordinators:
    """Members of the coordinators' group speak to users and run case commands; its admins, the team's."""

    store: Store
    desk: Desk
    team: TeamDesk | None
    group: int | None
    _members: dict[int, tuple[bool, datetime]]

    def _bot(self) -> Bot:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    async def is_forum(self) -> bool:
        raise NotImplementedError

    def poke_deliveries(self) -> None:
        raise NotImplementedError

    def command_handlers(self) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
        """One handler per command, each limited to the coordinators' chat (none without one)."""
        if self.group is None:
            return []
        here = filters.Chat(chat_id=self.group)
        handlers: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = []
        for name, callback in [
            *((name, self._case_command(name)) for name in CASE_COMMANDS),
            *((name, self._team_command(name)) for name in TEAM_COMMANDS),
        ]:
            handlers.append(CommandHandler(name, callback, filters=here))
            handlers.append(PrefixHandler("/", name, callback, filters=here))
        return handlers

    async def is_member(self, user_id: int) -> bool:
        cached = self._members.get(user_id)
        now = self.now()
        if cached and now - cached[1] < MEMBERSHIP_TTL:
            return cached[0]
        assert self.group is not None
        try:
            member = await self._bot().get_chat_member(self.group, user_id)
            ok = str(member.status) in MEMBER_STATUSES
        except TelegramError:
            ok = False
        self._members[user_id] = (ok, now)
        return ok

    async def is_admin(self, user_id: int) -> bool:
        assert self.group is not None
        try:
            member = await self._bot().get_chat_member(self.group, user_id)
        except TelegramError:
            return False
        return str(member.status) in ADMIN_STATUSES

    async def _case_of(self, message: Message) -> Case | None:
        if message.is_topic_message and message.message_thread_id:
            return await asyncio.to_thread(self.store.case_for_thread, str(message.message_thread_id))
        if message.reply_to_message is not None:
            return await asyncio.to_thread(self.store.case_for_group_message, str(message.reply_to_message.message_id))
        return None

    def _sender(self, update: Update) -> tuple[Message, int] | None:
        """The message and its sender's id, unless this bot sent it."""
        message = update.effective_message
        sender = message.from_user if message is not None else None
        if message is None or sender is None or sender.id == self._bot().id:
            return None
        return message, sender.id

    def _case_command(self, name: str) -> Callback:
        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            sent = self._sender(update)
            if sent is None or not await self.is_member(sent[1]):
                return  # commands from anyone else do nothing
            message = sent[0]
            case = await self._case_of(message)
            for answer in await self.desk.command(name, case, forum=await self.is_forum()):
                await message.reply_text(answer)

        return run

    def _team_command(self, name: str) -> Callback:
        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            sent = self._sender(update)
            if sent is None or self.team is None or not await self.is_member(sent[1]):
                return
            if not await self.is_admin(sent[1]):
                return
            answer = await asyncio.to_thread(self.team.answer, name)  # a reload builds off the event loop
            for part in split_message(answer):
                await sent[0].reply_text(part)

        return run

    async def on_coordinator_message(self, message: Message) -> None:
        """A member's message in a case's thread goes to its user; service messages and commands do not."""
        sender = message.from_user
        if (
            sender is None
            or sender.id == self._bot().id
            or message.forum_topic_created
            or message.forum_topic_closed
            or message.forum_topic_reopened
            or message.forum_topic_edited
            or (message.text or "").startswith("/")  # a command for another bot, or none of ours
        ):
            return
        case = await self._case_of(message)
        if case is None or not case.is_open or not await self.is_member(sender.id):
            return
        replied = message.reply_to_message
        source = MessageRef(str(message.chat_id), str(message.message_id), str(replied.message_id) if replied else None)
        await self.desk.relay_to_user(case, source)
        self.poke_deliveries()
