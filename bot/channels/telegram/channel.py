"""The Telegram channel: updates become the engine's inbound messages, actions become Bot API calls.

This package is the only one that imports `telegram`. It decides nothing about what to answer and nothing about
cases: it translates, hands hand-off actions to the desk (bot/handoff/desk.py) and implements the desk's channel
contract. Here: building the application and routing updates; the user interface is in `ui.py`, relays and topics in
`transport.py`, the coordinators' group in `coordinators.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, assert_never

from telegram import Bot, BotCommand, BotCommandScopeDefault, CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.channels.delivery import DeliveryWorker
from bot.channels.flood import FloodGate
from bot.channels.health import Metrics
from bot.channels.inbox import InboxWorker
from bot.channels.pacing import Limits, Pacer
from bot.channels.telegram.answers import QueuedAnswers
from bot.channels.telegram.coordinators import Coordinators
from bot.channels.telegram.jobs import Jobs
from bot.channels.telegram.transport import RelayTransport
from bot.channels.telegram.ui import UserInterface, user_key
from bot.dialogue import button_ids as bid
from bot.dialogue import strings as s
from bot.dialogue.actions import CaseDetails, Forgotten, Handoff, Inbound, Location, Rated, Relay, Reply, Turn, Venue
from bot.dialogue.engine import Engine
from bot.handoff.contract import MessageRef
from bot.handoff.desk import build_desk
from bot.learning.team import TeamDesk
from bot.settings import Settings
from bot.store.base import InboxItem

log = logging.getLogger("oncobot.telegram")

NAME = "telegram"
COMMANDS = (
    ("start", s.MENU_BACK),
    ("help", s.CMD_HELP),
    ("language", s.MENU_LANGUAGE),
    ("centres", s.MENU_CENTRES),
    ("human", s.MENU_HUMAN),
    ("privacy", s.CMD_PRIVACY),
    ("forget", s.CMD_FORGET),
)
App = Application[Any, Any, Any, Any, Any, Any]


class TelegramChannel(UserInterface, QueuedAnswers, RelayTransport, Coordinators, Jobs):
    """Wires an engine and the hand-off desk into a python-telegram-bot Application."""

    name = NAME

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        team: TeamDesk | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.team = team  # the group admins' /stats, /reload, /inbox and the weekly digest
        self.settings = settings
        self.store = engine.store
        self.ui = engine.ui
        self.flood = FloodGate(settings.flood_per_minute, self.store)
        self.group = settings.coordinator_chat_id
        self.desk = build_desk(engine, settings, self, clock)
        self._forum: bool | None = None
        self._members: dict[int, tuple[bool, datetime]] = {}
        self.deliveries = DeliveryWorker(
            self.store,
            self.send_delivery,
            Pacer(Limits.for_groups(settings.group_per_minute)),
            lease=settings.lease_seconds,
        )
        self.inbox = InboxWorker(
            self.store, self.handle_item, lease=settings.lease_seconds, queued=self.deliveries.poke
        )
        self.replica = uuid.uuid4().hex[:12]  # who holds a periodic job's lease
        self.metrics = Metrics(settings.answer_threshold, settings.suggest_threshold)
        self.metrics.watch(self.store)
        self.application: App | None = None

    @property
    def clock(self) -> Callable[[], datetime]:
        """Working hours and membership checks read it; tests set the day and hour."""
        return self.desk.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self.desk.clock = clock

    def now(self) -> datetime:
        return self.desk.clock()

    def poke_deliveries(self) -> None:
        self.deliveries.poke()

    # ---- building --------------------------------------------------------------------------------------------
    def build(self, request: BaseRequest | None = None, *, updater: bool = True, rate_limit: bool = True) -> App:
        """The Application; tests pass a recording request and no updater, production neither."""
        if not self.settings.telegram_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = ApplicationBuilder().token(
            self.settings.telegram_token
        )
        if self.settings.telegram_base_url:
            base = self.settings.telegram_base_url.rstrip("/")
            builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
        if request is not None:
            builder = builder.request(request).get_updates_request(request)
        if not updater:
            builder = builder.updater(None)
        if rate_limit:
            builder = builder.rate_limiter(
                AIORateLimiter(max_retries=2, group_max_rate=self.settings.group_per_minute, group_time_period=60)
            )
        builder = builder.post_init(self._post_init).post_shutdown(self._post_shutdown)
        application = builder.build()
        application.add_handlers(self.command_handlers())
        application.add_handler(TypeHandler(Update, self.on_update))
        application.add_error_handler(self.on_error)
        self.application = application
        return application

    async def _post_init(self, application: App) -> None:
        try:
            await self.register_commands()
        except TelegramError as exc:  # a menu we could not set must not keep the assistant from answering
            log.warning("could not register the command menu: %s", type(exc).__name__)
        if application.job_queue is not None:
            self.schedule(application.job_queue)
        if self.group is None:
            log.warning("COORDINATOR_CHAT_ID is not set: hand-off requests will wait in the queue")

    async def _post_shutdown(self, application: App) -> None:
        self.store.close()

    async def register_commands(self) -> None:
        """The command menu in every language Telegram users may have, plus the default one."""
        default = self.engine.kb.config.default_language
        for lang in (None, *self.engine.kb.config.languages):
            commands = [BotCommand(name, self.ui.gettext(lang or default, label)[:256]) for name, label in COMMANDS]
            await self._bot().set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=lang)

    def _bot(self) -> Bot:
        assert self.application is not None, "build() first"
        bot: Bot = self.application.bot
        return bot

    # ---- dispatch ----------------------------------------------------------------------------------------------
    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every update that is not a coordinators' command (those have their own handlers)."""
        if update.inline_query is not None:
            query = update.inline_query
            lang = await self._lang_of(user_key(query.from_user.id), query.from_user.language_code)
            await self.answer_inline(query, lang)
        elif update.callback_query is not None:
            await self.on_callback(update.callback_query)
        elif update.effective_message is not None and update.effective_chat is not None:
            message = update.effective_message
            chat = update.effective_chat
            if self.group is not None and chat.id == self.group:
                await self.on_coordinator_message(message)
            elif chat.type == ChatType.PRIVATE and update.message is not None:
                await self.on_private_message(message)
            elif chat.type in (ChatType.GROUP, ChatType.SUPERGROUP) and update.message is not None:
                await self.on_group_message(message)

    async def handle_item(self, item: InboxItem) -> bool:
        """One update from the inbox: False (kept, skipped) when this python-telegram-bot cannot read it."""
        assert self.application is not None, "build() first"
        try:
            update = Update.de_json(json.loads(item.raw), self.application.bot)
        except Exception as exc:  # an update newer or older than the library: its id and type only, never text
            log.warning("update %s (%s) cannot be read: %s; skipped", item.update_id, item.kind, type(exc).__name__)
            self.metrics.skipped.inc()
            return False
        self.metrics.updates.labels(item.kind).inc()
        await self.application.process_update(update)
        return True

    async def think(self, inbound: Inbound) -> Turn:
        """The engine's turn, off the event loop (it reads and writes the store), timed for the metrics."""
        started = time.perf_counter()
        turn = await asyncio.to_thread(self.engine.handle, inbound)
        self.metrics.turn(turn, time.perf_counter() - started)
        return turn

    # ---- users -------------------------------------------------------------------------------------------------
    async def on_private_message(self, message: Message) -> None:
        sender = message.from_user
        if sender is None or sender.is_bot:
            return
        user = user_key(sender.id)
        verdict = await asyncio.to_thread(self.flood.check, user)
        if verdict != "ok" and await asyncio.to_thread(self.store.current_case, user) is None:
            # a user with an open case is never held back: what they write goes to a coordinator
            self.metrics.throttled.inc()
            if verdict == "warn":
                lang = await self._lang_of(user, sender.language_code)
                await self.send_reply(message.chat_id, Reply(self.ui.gettext(lang, s.FLOODING), lang))
            return
        text = message.text or message.caption
        location = Location(message.location.latitude, message.location.longitude) if message.location else None
        media = bool(
            message.photo
            or message.document
            or message.voice
            or message.sticker
            or message.video
            or message.audio
            or message.animation
            or message.video_note
            or message.contact
        )
        inbound = Inbound(
            user,
            text=message.text,
            language_hint=sender.language_code,
            location=location,
            media=media or (text is not None and message.text is None),
            channel=NAME,
            message_id=str(message.message_id),
        )
        turn = await self.think(inbound)
        await self.perform(turn, message.chat_id, source=message)

    async def on_group_message(self, message: Message) -> None:
        """In a group the assistant speaks only when spoken to: commands, mentions, replies to its messages."""
        me = self._bot().username or ""
        text = message.text or ""
        addressed = (
            text.startswith("/")
            or (me and f"@{me}".lower() in text.lower())
            or (
                message.reply_to_message is not None
                and message.reply_to_message.from_user is not None
                and message.reply_to_message.from_user.id == self._bot().id
            )
        )
        if not addressed or message.from_user is None:
            return
        if text.startswith("/") and "@" in text.split()[0] and not text.split()[0].lower().endswith(f"@{me}".lower()):
            return  # a command for another bot
        cleaned = text.replace(f"@{me}", " ").strip() if me else text
        user = f"tgg:{message.chat_id}:{message.from_user.id}"
        inbound = Inbound(user, text=cleaned, language_hint=message.from_user.language_code, channel=NAME)
        turn = self.engine.for_group(await self.think(inbound))
        await self.perform(turn, message.chat_id, reply_to=message.message_id)

    async def on_callback(self, query: CallbackQuery) -> None:
        """Every button press is answered; menus change in place, answers arrive as new messages."""
        data = query.data or ""
        sender = query.from_user
        user = user_key(sender.id)
        message = query.message if isinstance(query.message, Message) else None
        with contextlib.suppress(TelegramError):
            await query.answer()
        if message is None or not self._may_press(message, sender.id, data):
            return  # answered, and nothing else: the press is not the presser's to make there
        pressed = bid.parse(data)
        if pressed.kind == bid.PAGE:
            await self.turn_page(message, int(pressed.value) if pressed.value.isdigit() else 0)
            return
        in_group = message.chat.type != ChatType.PRIVATE
        if in_group:
            user = f"tgg:{message.chat.id}:{sender.id}"
        turn = await self.think(Inbound(user, payload=data, language_hint=sender.language_code, channel=NAME))
        if in_group:
            turn = self.engine.for_group(turn)
        replies = turn.replies
        in_place = pressed.kind in bid.EDITED_IN_PLACE and len(turn.actions) == len(replies) == 1
        if in_place and await self.edit(message, replies[0]):
            return
        await self.perform(turn, message.chat.id)

    def _may_press(self, message: Message, presser: int, data: str) -> bool:
        """A button acts only where it was shown: its user's own private chat, or a group for group buttons.

        A press on another user's private message, any press in the coordinators' group, and a private matter
        (hand-off, intake, rating, erasure) pressed in a group do nothing.
        """
        chat = message.chat
        if chat.type == ChatType.PRIVATE:
            return chat.id == presser
        if self.group is not None and chat.id == self.group:
            return False
        return bid.parse(data).kind not in bid.PRIVATE

    # ---- performing actions ------------------------------------------------------------------------------------
    async def perform(
        self, turn: Turn, chat_id: int, *, source: Message | None = None, reply_to: int | None = None
    ) -> None:
        """Every action of a turn, in order: replies and maps here, anything about a case at the desk."""
        for action in turn.actions:
            match action:
                case Reply():
                    await self.send_reply(chat_id, action, reply_to=reply_to)
                case Venue():
                    await self.send_venue(chat_id, action)
                case Handoff() | Relay() | CaseDetails() | Rated() | Forgotten():
                    await self.desk.act(action, str(chat_id), self._ref(chat_id, source))
                    if isinstance(action, Relay):
                        self.deliveries.poke()
                case _:
                    assert_never(action)

    @staticmethod
    def _ref(chat_id: int, source: Message | None) -> MessageRef | None:
        if source is None:
            return None
        replied = source.reply_to_message
        return MessageRef(str(chat_id), str(source.message_id), str(replied.message_id) if replied else None)

    async def flush(self) -> None:
        """Send every delivery that is due and within the budgets (tests; the worker does this continuously)."""
        await self.deliveries.flush()
