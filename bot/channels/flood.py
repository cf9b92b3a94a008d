"""Per-user message rate, so one person flooding the assistant does not slow everyone else.

Counted in the store, per minute, so a user who writes to two replicas is throttled as one user.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from bot.store.base import Store

Verdict = Literal["ok", "warn", "drop"]


class FloodGate:
    """Allows `limit` messages per minute per user; says once (the first message over) when a user goes over."""

    def __init__(self, limit: int, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.store = store
        self.clock = clock

    def minute(self) -> int:
        return int(self.clock() // 60)

    def check(self, user: str) -> Verdict:
        """ "ok", "warn" (first message over the limit: tell the user) or "drop"."""
        count = self.store.count_message(user, self.minute())
        if count <= self.limit:
            return "ok"
        return "warn" if count == self.limit + 1 else "drop"

    def forget_idle(self) -> None:
        """Drop the counts of minutes gone, so the table stays small."""
        self.store.forget_flood(self.minute() - 1)
