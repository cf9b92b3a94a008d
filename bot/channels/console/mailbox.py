"""Two terminals, one case: what one side owes the other waits in the store's delivery lanes until that side reads it.

The console's user and its coordinators (`oncobot chat` and `oncobot desk`) are separate processes sharing only the
store, so everything between them — relayed messages, the desk's notices, replies the desk sends the user — is a
delivery row, read in order by the side it is for.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from bot.dialogue.actions import Button, Reply
from bot.store.base import Delivery, Direction, Store


def new_id() -> str:
    """A message id for a console message: text, unique across processes."""
    return uuid.uuid4().hex


async def post(store: Store, case_id: int, direction: Direction, payload: dict[str, Any]) -> None:
    """Leave something for the other side in the case's lane."""
    await asyncio.to_thread(store.enqueue, case_id, direction, payload, f"console:{new_id()}")


def reply_payload(reply: Reply) -> dict[str, Any]:
    return {
        "reply": {
            "text": reply.text,
            "language": reply.language,
            "buttons": [[b.id, b.label, b.url] for b in reply.buttons],
        }
    }


def reply_of(payload: dict[str, Any]) -> Reply | None:
    kept = payload.get("reply")
    if not isinstance(kept, dict):
        return None
    buttons = tuple(Button(str(i), str(label), url) for i, label, url in kept.get("buttons", []))
    return Reply(str(kept.get("text", "")), str(kept.get("language", "")), buttons)


async def take(
    store: Store, case_ids: Iterable[int], direction: Direction, read: Callable[[Delivery], Awaitable[int]]
) -> int:
    """Read, in order, everything waiting for this side in the lanes of these cases; returns how many were read."""
    lanes = {f"case:{case_id}:{direction}" for case_id in case_ids}
    read_count = 0
    while True:
        heads = [head for lane, head in await asyncio.to_thread(store.delivery_heads) if lane in lanes]
        claimed = await asyncio.to_thread(store.claim_deliveries, heads)
        if not claimed:
            return read_count
        for delivery in claimed:
            await read(delivery)
            read_count += 1
