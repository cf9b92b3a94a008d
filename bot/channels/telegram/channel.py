"""The Telegram channel: updates become the engine's inbound messages, actions become Bot API calls.

This package is the only one that imports `telegram`. It decides nothing about what to answer; it translates,
relays hand-off messages through the store's delivery queue (so a crash, a deleted topic or a refusal loses nothing),
and keeps Telegram's limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process
from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.channels.delivery import DeliveryWorker
from bot.channels.flood import FloodGate
from bot.channels.health import Metrics
from bot.channels.inbox import InboxWorker
from bot.channels.outbox import current as current_outbox
from bot.channels.pacing import Limits, Pacer
from bot.channels.telegram.receive import retry_seconds
from bot.channels.text import fits_callback, rows, split_message, to_html
from bot.dialogue import button_ids as bid
from bot.dialogue import strings as s
from bot.dialogue.actions import (
    Button,
    CaseDetails,
    Forgotten,
    Handoff,
    Inbound,
    Location,
    Rated,
    Relay,
    Reply,
    Turn,
    Venue,
)
from bot.dialogue.engine import Engine
from bot.handoff.card import card_details, card_text, topic_name
from bot.handoff.hours import WorkingHours
from bot.learning.team import TEAM_COMMANDS, TeamDesk
from bot.settings import Settings
from bot.store.base import Case, Delivery, InboxItem

log = logging.getLogger("oncobot.telegram")

PAGE = 8  # choices shown at once; more go behind "›"
MEMBER_STATUSES = {"creator", "administrator", "member"}
ADMIN_STATUSES = {"creator", "administrator"}
DIGEST_EVERY = 7 * 86400.0  # the inbox digest posted to the coordinators' group
MEMBERSHIP_TTL = timedelta(minutes=2)
MAX_ATTEMPTS = 12
FLUSH_EVERY = 2.0  # seconds a relay waits for its case's topic being made elsewhere
DONE_KEPT = 2 * 86400.0  # handled update ids are remembered this long (Telegram redelivers within a day)
RAW_KEPT = 3 * 86400.0  # an update that could not be read is kept this long for diagnosis, then erased
COMMANDS = (
    ("start", s.MENU_BACK),
    ("help", s.CMD_HELP),
    ("language", s.MENU_LANGUAGE),
    ("centres", s.MENU_CENTRES),
    ("human", s.MENU_HUMAN),
    ("privacy", s.CMD_PRIVACY),
    ("forget", s.CMD_FORGET),
)
TOPIC_GONE = ("message thread not found", "topic_deleted", "thread not found", "topic not found")
TOPIC_CLOSED = ("topic_closed", "topic closed")


def user_key(user_id: int) -> str:
    return f"tg:{user_id}"


def in_thread(thread: int, forum: bool) -> dict[str, Any]:
    """Where a message about a case goes: its forum topic, or (plain group) a reply to the case's card."""
    if forum:
        return {"message_thread_id": thread}
    return {"reply_parameters": ReplyParameters(thread, allow_sending_without_reply=True)}


class TelegramChannel:
    """Wires an engine into a python-telegram-bot Application."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        team: TeamDesk | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.clock = clock  # working hours and membership checks read it; tests set the day and hour
        self.team = team  # the group admins' /stats, /reload, /inbox and the weekly digest
        self.settings = settings
        self.store = engine.store
        self.ui = engine.ui
        self.hours = WorkingHours.parse(
            settings.coordinator_hours, settings.coordinator_holidays, settings.coordinator_timezone
        )
        self.flood = FloodGate(settings.flood_per_minute, self.store)
        self.group = settings.coordinator_chat_id
        self.group_lang = (
            settings.coordinator_language
            if settings.coordinator_language in engine.kb.config.languages
            else engine.kb.config.default_language
        )
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
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None

    # ---- building --------------------------------------------------------------------------------------------
    def build(
        self, request: BaseRequest | None = None, *, updater: bool = True, rate_limit: bool = True
    ) -> Application[Any, Any, Any, Any, Any, Any]:
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
        application.add_handler(TypeHandler(Update, self.on_update))
        application.add_error_handler(self.on_error)
        self.application = application
        return application

    async def _post_init(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        try:
            await self.register_commands()
        except TelegramError as exc:  # a menu we could not set must not keep the assistant from answering
            log.warning("could not register the command menu: %s", type(exc).__name__)
        if application.job_queue is not None:
            application.job_queue.run_repeating(self._tidy_job, interval=60, first=5, name="tidy")
            if self.settings.retention_days:
                application.job_queue.run_repeating(self._retention_job, interval=6 * 3600, first=60, name="retention")
            if self.team is not None and self.group is not None:
                application.job_queue.run_repeating(
                    self._digest_job, interval=DIGEST_EVERY, first=DIGEST_EVERY, name="digest"
                )
        if self.group is None:
            log.warning("COORDINATOR_CHAT_ID is not set: hand-off requests will wait in the queue")

    async def _post_shutdown(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.store.close()

    async def register_commands(self) -> None:
        """The command menu in every language Telegram users may have, plus the default one."""
        bot = self._bot()
        default = self.engine.kb.config.default_language
        for lang in (None, *self.engine.kb.config.languages):
            commands = [BotCommand(name, self.ui.gettext(lang or default, label)[:256]) for name, label in COMMANDS]
            await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=lang)

    def _bot(self) -> Any:
        assert self.application is not None, "build() first"
        return self.application.bot

    # ---- dispatch ----------------------------------------------------------------------------------------------
    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every update once: a redelivered update id is skipped; it is marked only once fully handled."""
        if update.inline_query is not None:
            await self.on_inline(update)
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

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a trace id and the kind of update, never text or names; apologise to the user."""
        trace = uuid.uuid4().hex[:12]
        kind = "unknown"
        if isinstance(update, Update):
            kind = next(
                (
                    k
                    for k in ("message", "edited_message", "callback_query", "inline_query", "channel_post")
                    if getattr(update, k, None) is not None
                ),
                "other",
            )
        error = context.error
        # Where it failed, by file and line only: an exception's own message may quote what the user wrote.
        frames = traceback.extract_tb(error.__traceback__)[-6:] if error else []
        log.error(
            "trace=%s update_type=%s error=%s at %s",
            trace,
            kind,
            type(error).__name__,
            " < ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" for frame in reversed(frames)),
        )
        if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
            user = update.effective_user
            lang = await self._lang_of(user_key(user.id), user.language_code if user else None) if user else "en"
            with contextlib.suppress(TelegramError):
                await self._bot().send_message(update.effective_chat.id, self.ui.gettext(lang, s.SORRY))

    async def _lang_of(self, user: str, hint: str | None) -> str:
        return self.engine.language_for(await asyncio.to_thread(self.store.load_user, user), hint)

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
                await self._send(message.chat_id, Reply(self.ui.gettext(lang, s.FLOODING), lang))
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
        )
        turn = await self.think(inbound)
        await self.perform(turn, message.chat_id, user, source=message)

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
        turn = await self.think(Inbound(user, text=cleaned, language_hint=message.from_user.language_code))
        await self.perform(self._for_group(turn), message.chat_id, user, reply_to=message.message_id)

    @staticmethod
    def _for_group(turn: Turn) -> Turn:
        """A group gets answers and maps only: a hand-off is a private matter, so its buttons are left out."""
        kept: list[Reply | Venue] = []
        for action in turn.actions:
            if isinstance(action, Reply):
                buttons = tuple(b for b in action.buttons if bid.parse(b.id).kind != bid.HANDOFF)
                kept.append(Reply(action.text, action.language, buttons))
            elif isinstance(action, Venue):
                kept.append(action)
        return Turn(tuple(kept), turn.understanding)

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
            await self._turn_page(message, int(pressed.value) if pressed.value.isdigit() else 0)
            return
        in_group = message.chat.type != ChatType.PRIVATE
        if in_group:
            user = f"tgg:{message.chat.id}:{sender.id}"
        turn = await self.think(Inbound(user, payload=data, language_hint=sender.language_code))
        if in_group:
            turn = self._for_group(turn)
        replies = turn.replies
        in_place = pressed.kind in bid.EDITED_IN_PLACE and len(turn.actions) == len(replies) == 1
        if in_place and await self._edit(message, replies[0]):
            return
        await self.perform(turn, message.chat.id, user)

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

    async def on_inline(self, update: Update) -> None:
        """`@bot curie` in any chat: matching centres, each as a card the user can send."""
        query = update.inline_query
        assert query is not None
        lang = await self._lang_of(user_key(query.from_user.id), query.from_user.language_code)
        kb = self.engine.kb
        ids: list[str] = []
        text = query.query.strip()
        if text:
            found = self.engine.entities.find(text)
            ids = [f.id for f in found.found if f.kind == "centre"]
            names = {f"{c.id}\x00{n}": n for c in kb.centres.values() for n in (c.name, *c.aliases)}
            for _, _, key in process.extract(text, names, scorer=fuzz.WRatio, limit=20, score_cutoff=70):
                matched = key.split("\x00", 1)[0]
                if matched not in ids:
                    ids.append(matched)
        else:
            ids = list(kb.centres)
        intent = kb.intents.get("centre_location_contact")
        results = []
        for centre_id in list(dict.fromkeys(ids))[:10]:  # each centre once: result ids must be unique
            centre = kb.centres[centre_id]
            body = self.engine.render.render(intent, lang, centre_id).text if intent else centre.name
            links = self.engine.render.centre_buttons(centre, lang)
            buttons = [[InlineKeyboardButton(b.label, url=b.url)] for b in links]
            results.append(
                InlineQueryResultArticle(
                    id=centre_id[:64],
                    title=centre.name,
                    description=self.engine.render.city_name(centre.city, lang),
                    input_message_content=InputTextMessageContent(
                        to_html(body),
                        parse_mode=ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    ),
                    reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
                )
            )
        await query.answer(results, cache_time=300, is_personal=False)

    # ---- performing actions ------------------------------------------------------------------------------------
    async def perform(
        self, turn: Turn, chat_id: int, user: str, *, source: Message | None = None, reply_to: int | None = None
    ) -> None:
        for action in turn.actions:
            if isinstance(action, Reply):
                await self._send(chat_id, action, reply_to=reply_to)
            elif isinstance(action, Venue):
                outbox = current_outbox()
                if outbox is not None:  # handling an update: queued with its done mark (see _send)
                    venue = {"lat": action.lat, "lon": action.lon, "title": action.title, "address": action.address}
                    outbox.add(chat_id, {"kind": "venue", "chat": chat_id, **venue})
                    continue
                with contextlib.suppress(Forbidden):
                    await self._bot().send_venue(chat_id, action.lat, action.lon, action.title, action.address)
            elif isinstance(action, Handoff) and action.event == "requested":
                await self.open_case(action, chat_id)
            elif isinstance(action, Relay) and source is not None:
                await asyncio.to_thread(
                    self.store.enqueue,
                    action.case_id,
                    "to_group",
                    {
                        "from_chat_id": chat_id,
                        "message_id": source.message_id,
                        "emergency": action.emergency,
                        "reply_to": source.reply_to_message.message_id if source.reply_to_message else None,
                    },
                    dedupe=f"in:{chat_id}:{source.message_id}",
                )
                self.deliveries.poke()
            elif isinstance(action, CaseDetails):
                await self.add_details(action)
            elif isinstance(action, Rated):
                await self._tell_group(action.case_id, self._g(s.GROUP_RATED).format(rating=action.rating))
            elif isinstance(action, Forgotten):
                await self._forget_threads(action.threads)

    async def _send(self, chat_id: int, reply: Reply, *, reply_to: int | None = None) -> Message | None:
        """An answer as HTML, split under Telegram's limit, its buttons under the last part.

        While an update is being handled, each part is queued in its chat's lane instead (sent by the delivery
        worker once the update is marked done, see `_deliver_reply`); outside one (a delivery's notice) it goes now.
        """
        parts = split_message(reply.text)
        outbox = current_outbox()
        if outbox is not None:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                buttons = [[b.id, b.label, b.url] for b in reply.buttons] if last else []
                first = reply_to if index == 0 else None
                outbox.add(
                    chat_id, {"kind": "text", "chat": chat_id, "text": part, "buttons": buttons, "reply_to": first}
                )
            return None
        sent = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            markup = self._markup(reply.buttons) if last else None
            try:
                sent = await self._bot().send_message(
                    chat_id,
                    to_html(part),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to and index == 0
                    else None,
                )
            except Forbidden:
                log.info("a chat refuses messages (the user blocked the bot)")
                return None
            if last and sent is not None and len(self._choices(reply.buttons)) > PAGE:
                await self._remember_pages(sent, reply)
        return sent

    async def _edit(self, message: Message, reply: Reply) -> bool:
        try:
            await message.edit_text(
                to_html(split_message(reply.text)[0]),
                parse_mode=ParseMode.HTML,
                reply_markup=self._markup(reply.buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            return "not modified" in str(exc).lower()
        if len(self._choices(reply.buttons)) > PAGE:
            await self._remember_pages(message, reply)
        return True

    @staticmethod
    def _choices(buttons: Sequence[Button]) -> list[Button]:
        return [b for b in buttons if not b.url]

    def _markup(self, buttons: Sequence[Button], page: int = 0) -> InlineKeyboardMarkup | None:
        links = [b for b in buttons if b.url]
        choices = [b for b in self._choices(buttons) if fits_callback(b.id)]
        shown = choices[page * PAGE : (page + 1) * PAGE]
        keyboard = [
            [InlineKeyboardButton(b.label, url=b.url) for b in row]
            if row[0].url
            else [InlineKeyboardButton(b.label, callback_data=b.id) for b in row]
            for row in rows([*links, *shown])
        ]
        nav = []
        if page > 0:
            nav.append(InlineKeyboardButton("‹", callback_data=bid.make(bid.PAGE, page - 1)))
        if (page + 1) * PAGE < len(choices):
            nav.append(InlineKeyboardButton("›", callback_data=bid.make(bid.PAGE, page + 1)))
        if nav:
            keyboard.append(nav)
        return InlineKeyboardMarkup(keyboard) if keyboard else None

    async def _remember_pages(self, message: Message, reply: Reply) -> None:
        """Kept in the store, so a page turned on any replica finds the list."""
        buttons = json.dumps([[b.id, b.label, b.url] for b in reply.buttons], ensure_ascii=False)
        await asyncio.to_thread(self.store.remember_pages, str(message.chat.id), str(message.message_id), buttons)

    async def _turn_page(self, message: Message, page: int) -> None:
        kept = await asyncio.to_thread(self.store.pages_of, str(message.chat.id), str(message.message_id))
        if kept is None:
            return
        remembered = tuple(Button(id_, label, url) for id_, label, url in json.loads(kept))
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(self._markup(remembered, page))

    # ---- hand-off: cases and topics ----------------------------------------------------------------------------
    def _g(self, msgid: str) -> str:
        return self.ui.gettext(self.group_lang, msgid)

    async def open_case(self, event: Handoff, chat_id: int) -> None:
        case, created = await asyncio.to_thread(
            self.store.open_case, event.user_id, str(chat_id), event.language, unanswered=event.unanswered
        )
        if created:
            await self._ensure_thread(case)
        now = self.clock()
        if not self.hours.is_open(now):
            when = self.hours.when(now, event.language)
            if when:
                await self._send(
                    chat_id, Reply(self.ui.gettext(event.language, s.OUT_OF_HOURS).format(when=when), event.language)
                )

    async def add_details(self, details: CaseDetails) -> None:
        """What the user told after consenting: kept on the case and shown in its topic."""
        await asyncio.to_thread(
            self.store.set_case_details, details.case_id, details.user_type, details.country, details.topic
        )
        case = await asyncio.to_thread(self.store.get_case, details.case_id)
        if case is not None:
            told = replace(case, user_type=details.user_type, country=details.country, topic=details.topic)
            lines = card_details(told, self.ui, self.group_lang)  # only what this step told
            if lines:
                await self._tell_group(case.id, "\n".join(lines))
            if details.topic and case.thread_id and case.thread_id > 0 and await self.is_forum():
                with contextlib.suppress(TelegramError):
                    await self._bot().edit_forum_topic(
                        self.group, case.thread_id, name=topic_name(case, self.ui, self.group_lang)
                    )

    async def is_forum(self) -> bool:
        """Whether the coordinators' chat has topics; asked once (a topic the API refuses also tells)."""
        if self._forum is None and self.group is not None:
            try:
                chat = await self._bot().get_chat(self.group)
                self._forum = bool(getattr(chat, "is_forum", False))
            except (TelegramError, TypeError, KeyError, ValueError) as exc:
                log.warning("could not read the coordinators' chat (%s); trying topics", type(exc).__name__)
                return True
        return bool(self._forum)

    async def _ensure_thread(self, case: Case) -> Case | None:
        """The case's topic (forum) or header (plain group), created once even with several replicas."""
        if self.group is None:
            return None
        fresh = await asyncio.to_thread(self.store.get_case, case.id)
        if fresh is None:
            return None
        if fresh.thread_id is not None and fresh.thread_id > 0:
            return fresh
        if fresh.thread_id == -1 or not await asyncio.to_thread(self.store.claim_thread, case.id):
            return None  # another worker is creating it; the delivery waits for its next pass
        try:
            card = card_text(fresh, self.ui, self.group_lang, forum=await self.is_forum())
            topic = None
            if await self.is_forum():
                try:
                    topic = await self._bot().create_forum_topic(
                        self.group, topic_name(fresh, self.ui, self.group_lang)
                    )
                except BadRequest as exc:
                    if "forum" not in str(exc).lower():
                        raise
                    self._forum = False  # a plain group after all: cases live under headers
                    card = card_text(fresh, self.ui, self.group_lang, forum=False)
            if topic is not None:
                thread = int(topic.message_thread_id)
                sent = await self._bot().send_message(self.group, card, message_thread_id=thread)
            else:
                sent = await self._bot().send_message(self.group, card)
                thread = int(sent.message_id)
            await asyncio.to_thread(self.store.set_thread, case.id, thread)
            await asyncio.to_thread(self.store.link, case.id, 0, sent.message_id, "card")
        except BaseException:
            await asyncio.to_thread(self.store.set_thread, case.id, None)  # let the next pass try again
            raise
        return await asyncio.to_thread(self.store.get_case, case.id)

    async def _recreate_thread(self, case: Case) -> Case | None:
        await asyncio.to_thread(self.store.set_thread, case.id, None)
        return await self._ensure_thread(case)

    async def _tell_group(self, case_id: int, text: str) -> None:
        case = await asyncio.to_thread(self.store.get_case, case_id)
        if case is None or self.group is None or case.thread_id is None or case.thread_id <= 0:
            return
        with contextlib.suppress(TelegramError):
            await self._bot().send_message(self.group, text, **in_thread(case.thread_id, await self.is_forum()))

    async def _forget_threads(self, threads: Sequence[int]) -> None:
        if self.group is None:
            return
        for thread in threads:
            try:
                if await self.is_forum():
                    await self._bot().delete_forum_topic(self.group, thread)
                else:
                    await self._bot().delete_message(self.group, thread)
            except TelegramError:
                with contextlib.suppress(TelegramError):
                    await self._bot().send_message(
                        self.group,
                        self._g(s.GROUP_FORGOTTEN),
                        message_thread_id=thread if await self.is_forum() else None,
                    )

    # ---- deliveries --------------------------------------------------------------------------------------------
    async def _tidy_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Bounded memory and a bounded inbox: idle users leave the gate, handled update ids go after two days."""
        await asyncio.to_thread(self.flood.forget_idle)
        if await asyncio.to_thread(self.store.take_job, "inbox-purge", self.replica, 50.0):
            await asyncio.to_thread(self.store.inbox_purge, DONE_KEPT, RAW_KEPT)

    async def _digest_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The weekly inbox digest for the group, posted by one replica only."""
        if self.team is None or self.group is None:
            return
        if await asyncio.to_thread(self.store.take_job, "digest", self.replica, DIGEST_EVERY - 60):
            for part in split_message(await asyncio.to_thread(self.team.digest)):
                await self._bot().send_message(self.group, part)

    async def _retention_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Purge closed cases past the retention period, on one replica at a time."""
        days = self.settings.retention_days
        if days and await asyncio.to_thread(self.store.take_job, "retention", self.replica, 6 * 3600 - 60):
            purged = await asyncio.to_thread(self.store.purge_closed, days)
            await self._forget_threads([c.thread_id for c in purged if c.thread_id and c.thread_id > 0])

    async def flush(self) -> None:
        """Send every delivery that is due and within the budgets (tests; the worker does this continuously)."""
        await self.deliveries.flush()

    async def send_delivery(self, delivery: Delivery) -> int:
        """One delivery, its outcome recorded: sent, postponed (rate limit, network, topic being made) or refused.

        `BadRequest` is a kind of `NetworkError` in python-telegram-bot: a permanent refusal is told apart first.
        """
        if delivery.direction == "reply":
            return await self._send_reply(delivery)
        try:
            return await self._deliver(delivery)
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

    async def _send_reply(self, delivery: Delivery) -> int:
        """One of the assistant's own messages: sent, postponed, or given up (logged by id, never its text)."""
        try:
            return await self._deliver_reply(delivery)
        except RetryAfter as exc:
            self.metrics.retried.inc()
            await asyncio.to_thread(self.store.postpone, delivery.id, retry_seconds(exc) + 0.5, "retry after")
        except Forbidden:
            log.info("reply %s not sent: the chat refuses messages (the user blocked the bot)", delivery.id)
            await asyncio.to_thread(self.store.delivery_done, delivery.id)
        except BadRequest:
            self.metrics.undeliverable.inc()
            log.warning("reply %s given up: refused", delivery.id)
            await asyncio.to_thread(self.store.delivery_done, delivery.id)
        except (TimedOut, NetworkError) as exc:
            if delivery.attempts >= MAX_ATTEMPTS:
                self.metrics.undeliverable.inc()
                log.warning("reply %s given up: %s", delivery.id, type(exc).__name__)
                await asyncio.to_thread(self.store.delivery_done, delivery.id)
            else:
                self.metrics.retried.inc()
                await asyncio.to_thread(
                    self.store.postpone, delivery.id, min(300.0, 2.0**delivery.attempts), type(exc).__name__
                )
        return 1

    async def _deliver_reply(self, delivery: Delivery) -> int:
        """Send the row, then remove it (with the pages of a long button list) in one transaction.

        A kill between Telegram accepting the message and the removal sends it once more after the row's lease:
        the platform has no idempotency key, so that window (one database write, about a millisecond) is the only
        way a reply can arrive twice; nothing before it can lose or double one.
        """
        payload = delivery.payload
        chat = int(payload["chat"])
        pages = None
        if payload["kind"] == "venue":
            await self._bot().send_venue(chat, payload["lat"], payload["lon"], payload["title"], payload["address"])
        else:
            buttons = tuple(Button(id_, label, url) for id_, label, url in payload["buttons"])
            reply_to = payload.get("reply_to")
            sent = await self._bot().send_message(
                chat,
                to_html(payload["text"]),
                parse_mode=ParseMode.HTML,
                reply_markup=self._markup(buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None,
            )
            if len(self._choices(buttons)) > PAGE:  # kept in the store, so a page turned on any replica finds it
                pages = (str(chat), str(sent.message_id), json.dumps(payload["buttons"], ensure_ascii=False))
        await asyncio.to_thread(self.store.delivery_done, delivery.id, pages)
        return 1

    async def _deliver(self, delivery: Delivery) -> int:
        case = await asyncio.to_thread(self.store.get_case, delivery.case_id)
        if case is None:
            await asyncio.to_thread(self.store.give_up, delivery.id, "case erased")
            return 0
        payload = delivery.payload
        if delivery.direction == "to_group":
            return await self._deliver_to_group(delivery, case, payload)
        else:
            answered = (
                await asyncio.to_thread(self.store.user_message_for, case.id, payload["reply_to"])
                if payload.get("reply_to")
                else None
            )
            copied = await self._bot().copy_message(
                chat_id=int(case.chat_id),
                from_chat_id=payload["from_chat_id"],
                message_id=payload["message_id"],
                reply_parameters=ReplyParameters(answered, allow_sending_without_reply=True) if answered else None,
            )
            await asyncio.to_thread(
                self.store.delivered, delivery.id, case.id, int(copied.message_id), [payload["message_id"]], "out"
            )
            return 1

    async def _deliver_to_group(self, delivery: Delivery, case: Case, payload: dict[str, Any]) -> int:
        if self.group is None:
            raise _Wait
        current = await self._ensure_thread(case)
        if current is None or current.thread_id is None or current.thread_id <= 0:
            raise _Wait
        forum = await self.is_forum()
        group_ids: list[int] = []
        for attempt in range(2):
            try:
                if payload.get("emergency"):
                    flag = await self._bot().send_message(
                        self.group,
                        self._g(s.GROUP_EMERGENCY),
                        **in_thread(current.thread_id, forum),
                    )
                    group_ids.append(int(flag.message_id))
                answered = (
                    await asyncio.to_thread(self.store.group_message_for, case.id, payload["reply_to"])
                    if payload.get("reply_to")
                    else None
                )
                if forum:
                    copied = await self._bot().copy_message(
                        self.group,
                        payload["from_chat_id"],
                        payload["message_id"],
                        message_thread_id=current.thread_id,
                        reply_parameters=ReplyParameters(answered, allow_sending_without_reply=True)
                        if answered
                        else None,
                    )
                else:
                    header = await self._bot().send_message(
                        self.group,
                        f"{self._g(s.CARD_TITLE).format(ticket=case.id)} · {case.language.upper()}\n"
                        f"{self._g(s.CARD_HOW_TO_REPLY)}",
                    )
                    group_ids.append(int(header.message_id))
                    copied = await self._bot().copy_message(
                        self.group,
                        payload["from_chat_id"],
                        payload["message_id"],
                        reply_parameters=ReplyParameters(header.message_id),
                    )
                group_ids.append(int(copied.message_id))
                break
            except BadRequest as exc:
                reason = str(exc).lower()
                if forum and attempt == 0 and any(k in reason for k in TOPIC_GONE):
                    current = await self._recreate_thread(current)
                    if current is None or current.thread_id is None or current.thread_id <= 0:
                        raise _Wait from exc
                    continue
                if forum and attempt == 0 and any(k in reason for k in TOPIC_CLOSED):
                    await self._bot().reopen_forum_topic(self.group, current.thread_id)
                    continue
                raise
        await asyncio.to_thread(self.store.delivered, delivery.id, case.id, int(payload["message_id"]), group_ids, "in")
        return len(group_ids)

    async def _undeliverable(self, delivery: Delivery, reason: str, detail: str = "") -> None:
        self.metrics.undeliverable.inc()
        await asyncio.to_thread(self.store.give_up, delivery.id, f"{reason} {detail}".strip())
        log.warning("delivery %s to %s given up: %s", delivery.id, delivery.direction, reason)
        if delivery.direction == "to_user":
            notice = (
                self._g(s.GROUP_BLOCKED) if reason == "blocked" else self._g(s.GROUP_UNDELIVERED).format(reason=reason)
            )
            await self._tell_group(delivery.case_id, notice)
        else:  # the user's message cannot reach the coordinators: the user is told, once for that message
            case = await asyncio.to_thread(self.store.get_case, delivery.case_id)
            if case is not None:
                with contextlib.suppress(TelegramError):
                    await self._send(
                        int(case.chat_id), Reply(self.ui.gettext(case.language, s.NOT_RELAYED), case.language)
                    )

    # ---- coordinators ------------------------------------------------------------------------------------------
    async def is_member(self, user_id: int) -> bool:
        cached = self._members.get(user_id)
        now = self.clock()
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

    async def _case_of(self, message: Message) -> Case | None:
        if message.is_topic_message and message.message_thread_id:
            return await asyncio.to_thread(self.store.case_for_thread, message.message_thread_id)
        if message.reply_to_message is not None:
            return await asyncio.to_thread(self.store.case_for_group_message, message.reply_to_message.message_id)
        return None

    async def on_coordinator_message(self, message: Message) -> None:
        sender = message.from_user
        if (
            sender is None
            or sender.id == self._bot().id
            or message.forum_topic_created
            or message.forum_topic_closed
            or message.forum_topic_reopened
            or message.forum_topic_edited
        ):
            return
        text = message.text or ""
        case = await self._case_of(message)
        if text.startswith("/"):
            if not await self.is_member(sender.id):
                return  # commands from anyone else do nothing
            await self.on_command(message, case, text)
            return
        if case is None or not case.is_open:
            return
        if not await self.is_member(sender.id):
            return
        await asyncio.to_thread(
            self.store.enqueue,
            case.id,
            "to_user",
            {
                "from_chat_id": message.chat_id,
                "message_id": message.message_id,
                "reply_to": message.reply_to_message.message_id if message.reply_to_message else None,
            },
            dedupe=f"out:{message.chat_id}:{message.message_id}",
        )
        self.deliveries.poke()

    async def is_admin(self, user_id: int) -> bool:
        assert self.group is not None
        try:
            member = await self._bot().get_chat_member(self.group, user_id)
        except TelegramError:
            return False
        return str(member.status) in ADMIN_STATUSES

    async def on_command(self, message: Message, case: Case | None, text: str) -> None:
        command = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        if command in TEAM_COMMANDS:
            sender = message.from_user
            if self.team is not None and sender is not None and await self.is_admin(sender.id):
                answer = await asyncio.to_thread(self.team.answer, command)  # a reload builds off the event loop
                for part in split_message(answer):
                    await message.reply_text(part)
            return
        if command not in ("close", "reopen", "note", "ban", "unban", "who"):
            return
        if case is None:
            await message.reply_text(self._g(s.GROUP_NO_CASE))
            return
        bot = self._bot()
        user_chat = int(case.chat_id)
        lang = case.language
        if command == "note":
            await message.reply_text(self._g(s.GROUP_NOTE))
        elif command == "close":
            await asyncio.to_thread(self.store.close_case, case.id)
            buttons = tuple(Button(bid.make(bid.RATE, case.id, n), str(n)) for n in range(1, 6))
            await self._send(user_chat, Reply(self.ui.gettext(lang, s.CASE_CLOSED), lang))  # _send survives a block
            await self._send(user_chat, Reply(self.ui.gettext(lang, s.RATE_PROMPT), lang, buttons))
            await message.reply_text(self._g(s.GROUP_CLOSED))  # the topic stays open: the rating arrives there
        elif command == "reopen":
            if await asyncio.to_thread(self.store.current_case, case.user_id) is not None and not case.is_open:
                await message.reply_text(self._g(s.GROUP_NO_CASE))
                return
            await asyncio.to_thread(self.store.reopen_case, case.id)
            if await self.is_forum() and case.thread_id and case.thread_id > 0:
                with contextlib.suppress(TelegramError):
                    await bot.reopen_forum_topic(self.group, case.thread_id)
            await self._send(user_chat, Reply(self.ui.gettext(lang, s.CASE_REOPENED), lang))
            await message.reply_text(self._g(s.GROUP_REOPENED))
        elif command == "ban":
            await asyncio.to_thread(self.store.ban, case.user_id)
            await message.reply_text(self._g(s.GROUP_BANNED))
        elif command == "unban":
            await asyncio.to_thread(self.store.unban, case.user_id)
            await message.reply_text(self._g(s.GROUP_UNBANNED))
        elif command == "who":
            history = ", ".join(
                f"#{c.id} ({c.status})" for c in await asyncio.to_thread(self.store.cases_of, case.user_id)
            )
            card = card_text(case, self.ui, self.group_lang, forum=await self.is_forum())
            await message.reply_text(f"{card}\n\n{self._g(s.GROUP_WHO).format(tickets=history)}")


class _Wait(Exception):
    """The topic is not there yet (being created elsewhere, or no coordinators' chat): try again shortly."""
