"""Token buckets per destination and overall, so the delivery worker keeps a channel's limits without waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Bucket:
    """`rate` messages a second on average, up to `burst` at once."""

    rate: float
    burst: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


@dataclass(frozen=True)
class Limits:
    """A channel's limits: Telegram's are about 1/s per private chat, 20/min per group, 30/s in all.

    The assistant's own answers in a private chat (destination `chat:<id>`) have a budget of their own, bound by
    the overall one only, as python-telegram-bot's rate limiter did when they were sent directly: one answer's few
    messages leave at once, and a chat Telegram finds too fast answers RetryAfter (the row waits that long).
    Relays of a case to its user keep the 1/s.
    """

    private_rate: float = 1.0
    private_burst: float = 3.0
    answer_rate: float = 30.0
    answer_burst: float = 30.0
    group_rate: float = 20 / 60
    group_burst: float = 20.0
    overall_rate: float = 30.0
    overall_burst: float = 30.0

    @classmethod
    def for_groups(cls, per_minute: int) -> Limits:
        """Telegram's limits with another group budget (a self-hosted Bot API server, a test without limits)."""
        return cls(group_rate=per_minute / 60, group_burst=float(per_minute))


class Pacer:
    """Says whether a destination may be sent to now; a busy destination never holds another one."""

    def __init__(self, limits: Limits = Limits(), clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._overall = Bucket(limits.overall_rate, limits.overall_burst, limits.overall_burst, clock())

    def _bucket(self, destination: str) -> Bucket:
        bucket = self._buckets.get(destination)
        if bucket is None:
            limits = self.limits
            if destination.startswith("group"):
                rate, burst = limits.group_rate, limits.group_burst
            elif destination.startswith("chat:"):
                rate, burst = limits.answer_rate, limits.answer_burst
            else:
                rate, burst = limits.private_rate, limits.private_burst
            bucket = self._buckets[destination] = Bucket(rate, burst, burst, self.clock())
        return bucket

    def ready(self, destination: str) -> bool:
        """Whether one message may go to `destination` now."""
        now = self.clock()
        bucket = self._bucket(destination)
        bucket.refill(now)
        self._overall.refill(now)
        return bucket.tokens >= 1 and self._overall.tokens >= 1

    def spend(self, destination: str, messages: int = 1) -> None:
        """Count messages sent (a relay may take a header or a flag besides the copy)."""
        now = self.clock()
        for bucket in (self._bucket(destination), self._overall):
            bucket.refill(now)
            bucket.tokens -= messages

    def wait(self, destination: str) -> float:
        """Seconds until `destination` may be sent to again (0 when ready)."""
        now = self.clock()
        bucket = self._bucket(destination)
        bucket.refill(now)
        self._overall.refill(now)
        short = max(1 - bucket.tokens, 0) / bucket.rate
        overall = max(1 - self._overall.tokens, 0) / self._overall.rate
        return max(short, overall)

    def forget_full(self) -> None:
        """Drop destinations whose bucket is full again, so memory stays bounded."""
        now = self.clock()
        for key, bucket in list(self._buckets.items()):
            bucket.refill(now)
            if bucket.tokens >= bucket.burst:
                del self._buckets[key]
