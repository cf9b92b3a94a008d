"""The assistant's own messages queued by the outbox, sent by the delivery worker: once, in order, paced."""

from __future__ import annotations

import asyncio
import json

from telegram import Bot
from telegram.error import BadRequest

from bot.channels.telegram.ui import PAGE, choices, send_part
from bot.dialogue.actions import Button
from bot.store.base import Delivery, Store


class QueuedAnswers:
    """Sends a queued answer row; the application class provides the bot and the store."""

    store: Store

    def _bot(self) -> Bot:
        raise NotImplementedError

    async def send_answer(self, delivery: Delivery) -> int:
        """Send the row, then remove it (with the pages of a long button list) in one transaction.

        Refusals, rate limits and network errors are recorded by the caller (`RelayTransport.send_delivery`).

        A kill between Telegram accepting the message and the removal sends it once more after the row's lease:
        the platform has no idempotency key, so that window (one database write, about a millisecond) is the only
        way a reply can arrive twice; nothing before it can lose or double one.
        """
        payload = delivery.payload
        try:
            chat = int(payload["chat"])
        except (KeyError, TypeError, ValueError) as exc:  # a row no chat can take (an odd update's chat id)
            raise BadRequest("no chat to send to") from exc  # given up as Telegram's own refusals are
        pages = None
        if payload["kind"] == "venue":
            await self._bot().send_venue(chat, payload["lat"], payload["lon"], payload["title"], payload["address"])
        else:
            buttons = tuple(Button(id_, label, url) for id_, label, url in payload["buttons"])
            reply_to = payload.get("reply_to")
            sent = await send_part(self._bot(), chat, payload["text"], buttons, reply_to)
            if len(choices(buttons)) > PAGE:  # kept in the store, so a page turned on any replica finds it
                pages = (str(chat), str(sent.message_id), json.dumps(payload["buttons"], ensure_ascii=False))
        await asyncio.to_thread(self.store.delivery_done, delivery.id, pages)
        return 1
