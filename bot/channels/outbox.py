"""The outbox: what handling one update sends is collected, then queued with the update's done mark in one transaction.

Channel-neutral. The inbox worker opens an `Outbox` around `handle(item)`; a channel's reply path calls `current()`
and, inside a handling, adds each outgoing message (one row per message, so a crash re-sends none that went out)
instead of sending it. `Store.inbox_done(update_id, outbox.items)` then writes the rows in the chat's lane
(`chat:<id>:out`) and marks the update done together: queued exactly once, never for an update handled again. The
delivery worker sends them in order, paced, and removes each row right after the platform accepted it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from bot.store.base import Outgoing

_CURRENT: ContextVar[Outbox | None] = ContextVar("oncobot_outbox", default=None)


def chat_lane(chat_id: int | str) -> str:
    """The lane of the assistant's own messages to one chat: sent in order, one at a time."""
    return f"chat:{chat_id}:out"


class Outbox:
    """The messages of the update being handled, in the order they must arrive."""

    def __init__(self) -> None:
        self.items: list[Outgoing] = []

    def add(self, chat_id: int | str, payload: dict[str, Any]) -> None:
        self.items.append(Outgoing(chat_lane(chat_id), payload))


def current() -> Outbox | None:
    """The outbox of the update this task is handling; None outside one (a delivery, a periodic job): send now."""
    return _CURRENT.get()


@contextlib.contextmanager
def collecting() -> Iterator[Outbox]:
    """Collect what this task's handling sends (tasks it starts inherit the same outbox)."""
    outbox = Outbox()
    token = _CURRENT.set(outbox)
    try:
        yield outbox
    finally:
        _CURRENT.reset(token)
