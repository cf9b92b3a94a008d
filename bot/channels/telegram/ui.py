"""What users see on Telegram: replies as HTML split under the limit, buttons paged in place, maps, inline search."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import traceback
import uuid
from collections.abc import Sequence

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.channels.outbox import current as current_outbox
from bot.channels.text import fits_callback, rows, split_message, to_html
from bot.dialogue import button_ids as bid
from bot.dialogue import strings as s
from bot.dialogue.actions import Button, Reply, Venue
from bot.dialogue.engine import Engine
from bot.store.base import Case, Store

log = logging.getLogger("oncobot.telegram")

PAGE = 8  # choices shown at once; more go behind "›"


def user_key(user_id: int) -> str:
    return f"tg:{user_id}"


def choices(buttons: Sequence[Button]) -> list[Button]:
    """The buttons that answer back (not links)."""
    return [b for b in buttons if not b.url]


def markup(buttons: Sequence[Button], page: int = 0) -> InlineKeyboardMarkup | None:
    """Links first, then one page of choices, then ‹ › when there are more."""
    links = [b for b in buttons if b.url]
    shown_all = [b for b in choices(buttons) if fits_callback(b.id)]
    shown = shown_all[page * PAGE : (page + 1) * PAGE]
    keyboard = [
        [InlineKeyboardButton(b.label, url=b.url) for b in row]
        if row[0].url
        else [InlineKeyboardButton(b.label, callback_data=b.id) for b in row]
        for row in rows([*links, *shown])
    ]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("‹", callback_data=bid.make(bid.PAGE, page - 1)))
    if (page + 1) * PAGE < len(shown_all):
        nav.append(InlineKeyboardButton("›", callback_data=bid.make(bid.PAGE, page + 1)))
    if nav:
        keyboard.append(nav)
    return InlineKeyboardMarkup(keyboard) if keyboard else None


async def send_part(
    bot: Bot, chat_id: int, text: str, buttons: Sequence[Button] = (), reply_to: int | None = None
) -> Message:
    """One message of an answer, as HTML without link previews, its buttons under it, answering `reply_to`."""
    return await bot.send_message(
        chat_id,
        to_html(text),
        parse_mode=ParseMode.HTML,
        reply_markup=markup(buttons) if buttons else None,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None,
    )


class UserInterface:
    """The user's side of the Telegram channel; the application class provides the bot, engine and store."""

    engine: Engine
    store: Store

    def _bot(self) -> Bot:
        raise NotImplementedError

    async def send_reply(self, chat_id: int, reply: Reply, *, reply_to: int | None = None) -> Message | None:
        """An answer as HTML, split under Telegram's limit, its buttons under the last part; None if blocked.

        While an update is being handled, each part is queued in its chat's lane instead (sent by the delivery
        worker once the update is marked done, see `answers.py`); outside one (a delivery's notice) it goes now.
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
            try:
                sent = await send_part(
                    self._bot(), chat_id, part, reply.buttons if last else (), reply_to if index == 0 else None
                )
            except Forbidden:
                log.info("a chat refuses messages (the user blocked the bot)")
                return None
            if last and len(choices(reply.buttons)) > PAGE:
                await self._remember_pages(sent, reply)
        return sent

    async def send_to_user(self, case: Case, reply: Reply) -> None:
        """The desk's reply to the user of a case (the channel contract)."""
        await self.send_reply(int(case.chat_id), reply)

    async def send_venue(self, chat_id: int, venue: Venue) -> None:
        outbox = current_outbox()
        if outbox is not None:  # handling an update: queued with its done mark (see send_reply)
            place = {"lat": venue.lat, "lon": venue.lon, "title": venue.title, "address": venue.address}
            outbox.add(chat_id, {"kind": "venue", "chat": chat_id, **place})
            return
        with contextlib.suppress(Forbidden):
            await self._bot().send_venue(chat_id, venue.lat, venue.lon, venue.title, venue.address)

    async def edit(self, message: Message, reply: Reply) -> bool:
        """Replace a menu in place; False when Telegram refuses (the caller sends a new message)."""
        try:
            await message.edit_text(
                to_html(split_message(reply.text)[0]),
                parse_mode=ParseMode.HTML,
                reply_markup=markup(reply.buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            return "not modified" in str(exc).lower()
        if len(choices(reply.buttons)) > PAGE:
            await self._remember_pages(message, reply)
        return True

    async def _remember_pages(self, message: Message, reply: Reply) -> None:
        """Kept in the store, so a page turned on any replica finds the list."""
        buttons = json.dumps([[b.id, b.label, b.url] for b in reply.buttons], ensure_ascii=False)
        await asyncio.to_thread(self.store.remember_pages, str(message.chat.id), str(message.message_id), buttons)

    async def turn_page(self, message: Message, page: int) -> None:
        kept = await asyncio.to_thread(self.store.pages_of, str(message.chat.id), str(message.message_id))
        if kept is None:
            return
        remembered = tuple(Button(id_, label, url) for id_, label, url in json.loads(kept))
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(markup(remembered, page))

    async def answer_inline(self, query: InlineQuery, lang: str) -> None:
        """`@bot curie` in any chat: matching centres, each as a card the user can send."""
        results = []
        for card in self.engine.centre_cards(query.query, lang):
            buttons = [[InlineKeyboardButton(b.label, url=b.url)] for b in card.links]
            results.append(
                InlineQueryResultArticle(
                    id=card.centre_id[:64],
                    title=card.title,
                    description=card.city,
                    input_message_content=InputTextMessageContent(
                        to_html(card.text),
                        parse_mode=ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    ),
                    reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
                )
            )
        await query.answer(results, cache_time=300, is_personal=False)

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
            lang = await self._lang_of(user_key(user.id), user.language_code) if user else "en"
            with contextlib.suppress(TelegramError):
                await self._bot().send_message(update.effective_chat.id, self.engine.ui.gettext(lang, s.SORRY))

    async def _lang_of(self, user: str, hint: str | None) -> str:
        return self.engine.language_for(await asyncio.to_thread(self.store.load_user, user), hint)
