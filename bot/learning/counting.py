"""Per-turn counters for statistics: the band, language and intent of each message, never its text."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from bot.dialogue.actions import Inbound, Turn
from bot.dialogue.policies import OUT_OF_SCOPE
from bot.store.base import Store

ANSWERED, SUGGESTED, FALLBACK, RELAYED, CONVERSATION = "answered", "suggested", "fallback", "relayed", "conversation"
NO_INTENT = "-"
SEEN_MAX = 10000


def day_of(at: float) -> str:
    """The UTC day counters are filed under."""
    return datetime.fromtimestamp(at, UTC).date().isoformat()


def band_of(turn: Turn) -> tuple[str, str, str]:
    """What a text turn was: answered (with its intent), did-you-mean, fallback, or relayed to a coordinator."""
    u = turn.understanding
    if u is None:
        return RELAYED, "", NO_INTENT
    if u.intent == OUT_OF_SCOPE:
        return (SUGGESTED if u.suggestions else FALLBACK), u.language, OUT_OF_SCOPE
    return ANSWERED, u.language, u.intent


class TurnCounter:
    """One upsert per text message; a conversation is counted when a user writes after `gap` seconds of silence."""

    def __init__(self, store: Store, gap: float = 1800.0, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.gap = gap
        self.clock = clock
        self._last_seen: OrderedDict[str, float] = OrderedDict()  # in memory only: user ids never reach the counters
        self._lock = threading.Lock()

    def record(self, msg: Inbound, turn: Turn) -> None:
        """Count a text message by its band; buttons and menus are not messages."""
        if msg.text is None or msg.payload is not None:
            return
        now = self.clock()
        kind, language, intent = band_of(turn)
        language = language or NO_INTENT
        day = day_of(now)
        if self._starts_conversation(msg.user_id, now):
            self.store.count(day, CONVERSATION, language, NO_INTENT)
        self.store.count(day, kind, language, intent)

    def _starts_conversation(self, user_id: str, now: float) -> bool:
        with self._lock:
            last = self._last_seen.pop(user_id, None)
            self._last_seen[user_id] = now
            while len(self._last_seen) > SEEN_MAX:
                self._last_seen.popitem(last=False)
        return last is None or now - last > self.gap
