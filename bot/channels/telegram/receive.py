"""Taking updates from Telegram into the inbox: written to the database before Telegram is told they arrived.

Polling fetches with getUpdates and confirms a batch (the next call's offset) only after the batch is written; the
webhook answers 200 only after the write. Raw JSON is stored, so an update this python-telegram-bot cannot parse
is kept and skipped instead of stopping the fetch.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import warnings
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.channels.inbox import InboxWorker
from bot.store.base import Store

log = logging.getLogger("oncobot.telegram")

POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates call open when there is nothing new
ALL_UPDATES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "message_reaction",
)


def retry_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asks for, read in the timedelta form python-telegram-bot keeps since v22.2.

    Reading `retry_after` itself warns of its coming change of type on every rate limit; the stored timedelta
    does not, and the public attribute is read (silenced) only if a later version stops keeping it.
    """
    value = getattr(exc, "_retry_after", None)
    if not isinstance(value, timedelta):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def describe(update: Mapping[str, Any]) -> tuple[str, str]:
    """An update's lane (whose updates must be handled in order) and kind, read from the raw JSON defensively."""
    kind = next((k for k in update if k != "update_id"), "unknown")
    body = update.get(kind)
    if not isinstance(body, dict):
        return f"{kind}:{update.get('update_id')}", kind
    message = body.get("message") if kind == "callback_query" else body
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        return f"chat:{chat['id']}", kind
    sender = body.get("from") or body.get("user")
    if isinstance(sender, dict) and isinstance(sender.get("id"), int):
        return f"chat:{sender['id']}", kind  # a private chat's id is its user's id
    return f"{kind}:{update.get('update_id')}", kind


def rows(updates: list[Any]) -> list[tuple[str, str, str, str]]:
    """Inbox rows for the updates that carry an id; anything else cannot be confirmed or handled anyway."""
    out = []
    for update in updates:
        if isinstance(update, dict) and isinstance(update.get("update_id"), int):
            lane, kind = describe(update)
            out.append((str(update["update_id"]), lane, kind, json.dumps(update, ensure_ascii=False)))
    return out


async def poll(bot: Bot, store: Store, worker: InboxWorker, stopping: asyncio.Event) -> None:
    """Fetch, write, then confirm by asking for the next offset; network trouble backs off and retries."""
    await bot.delete_webhook(drop_pending_updates=False)
    offset = 0
    backoff = 1.0
    while not stopping.is_set():
        try:
            updates = await bot.do_api_request(
                "get_updates",
                api_kwargs={"offset": offset, "timeout": POLL_TIMEOUT, "allowed_updates": list(ALL_UPDATES)},
                read_timeout=POLL_TIMEOUT + 10,
            )
        except RetryAfter as exc:
            await asyncio.sleep(retry_seconds(exc))
            continue
        except (NetworkError, TelegramError) as exc:
            log.warning("fetching updates failed (%s); retrying in %.0f s", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 1.0
        batch = rows(updates if isinstance(updates, list) else [])
        if batch:
            await asyncio.to_thread(store.inbox_put, batch)  # durable first: only then is the offset moved on
            worker.poke()
            offset = max(int(row[0]) for row in batch) + 1  # Telegram's update ids are numbers


def webhook_app(
    path: str,
    secret: str | None,
    store: Store,
    worker: InboxWorker,
    extra: Mapping[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] | None = None,
) -> web.Application:
    """The webhook: 403 without the secret, 400 for a body that is not an update, 200 only once it is written."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if secret is not None and not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            update = json.loads(await request.read())
        except (ValueError, RecursionError):
            return web.Response(status=400)
        batch = rows([update])
        if not batch:
            return web.Response(status=400)
        await asyncio.to_thread(store.inbox_put, batch)
        worker.poke()
        return web.Response(status=200)

    app = web.Application(client_max_size=1 << 20)
    app.router.add_post("/" + path.strip("/"), receive)
    for route, handler in (extra or {}).items():
        app.router.add_get(route, handler)
    return app
