"""Questions held in memory only, for the few minutes in which the user may choose to send them to the team."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

HOLD_SECONDS = 600.0
HOLD_MAX = 2000


@dataclass(frozen=True)
class Pending:
    """A question the user has not (yet) chosen to send; it never leaves this process's memory."""

    user_id: str
    text: str
    language: str
    at: float
    voted: bool = False


class PendingQuestions:
    """A time-limited, size-capped map from a random token to a question; the oldest go first when it is full."""

    def __init__(
        self, seconds: float = HOLD_SECONDS, size: int = HOLD_MAX, clock: Callable[[], float] = time.time
    ) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._held: OrderedDict[str, Pending] = OrderedDict()
        self._lock = threading.Lock()

    def hold(self, user_id: str, text: str, language: str) -> str:
        """Keep the question in memory and return the token its button carries."""
        token = secrets.token_urlsafe(9)
        with self._lock:
            self._expire()
            self._held[token] = Pending(user_id, text, language, self.clock())
            while len(self._held) > self.size:
                self._held.popitem(last=False)
        return token

    def take(self, token: str, user_id: str) -> Pending | None:
        """The question behind a token, once, and only for the user who asked it; None after expiry."""
        with self._lock:
            self._expire()
            held = self._held.get(token)
            if held is None or held.user_id != user_id:
                return None
            del self._held[token]
            return held

    def has(self, token: str, user_id: str) -> bool:
        """Whether the user's question is still held (without taking it)."""
        with self._lock:
            self._expire()
            held = self._held.get(token)
            return held is not None and held.user_id == user_id

    def first_vote(self, token: str, user_id: str) -> bool:
        """False when this answer was already rated by its user: a second tap is not counted."""
        with self._lock:
            held = self._held.get(token)
            if held is None or held.user_id != user_id:
                return True  # expired or from another replica: counted, as nothing says otherwise
            if held.voted:
                return False
            self._held[token] = replace(held, voted=True)
            return True

    def drop_user(self, user_id: str) -> None:
        """Forget every question of a user (they asked to be forgotten)."""
        with self._lock:
            for token in [t for t, p in self._held.items() if p.user_id == user_id]:
                del self._held[token]

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._held)

    def _expire(self) -> None:
        cutoff = self.clock() - self.seconds
        while self._held:
            token, oldest = next(iter(self._held.items()))
            if oldest.at >= cutoff:
                return
            del self._held[token]
