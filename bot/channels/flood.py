"""Per-user message rate, so one person flooding the assistant does not slow everyone else."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FloodGate:
    """Allows `limit` messages per `window` seconds per user; says once when a user goes over."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}

    def check(self, user: str) -> str:
        """ "ok", "warn" (first message over the limit: tell the user) or "drop"."""
        now = self.clock()
        times = self._seen.setdefault(user, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        times.append(now)
        if len(times) <= self.limit:
            self._warned.pop(user, None)
            return "ok"
        if now - self._warned.get(user, -1e18) > self.window:
            self._warned[user] = now
            return "warn"
        return "drop"

    def forget_idle(self) -> None:
        """Drop users quiet for a whole window, so memory stays bounded."""
        now = self.clock()
        for user in [u for u, t in self._seen.items() if not t or now - t[-1] > self.window]:
            self._seen.pop(user, None)
            self._warned.pop(user, None)
