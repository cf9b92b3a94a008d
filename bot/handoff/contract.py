"""What the hand-off desk needs from a channel: a small typed contract, so any channel can hand a user over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.dialogue.actions import Reply
from bot.store.base import Case, Delivery


@dataclass(frozen=True)
class MessageRef:
    """A message a user or coordinator sent, as its channel can find it again to pass it on as it is.

    `text` is carried only by a channel that cannot copy a message (the console); it lives in the delivery row,
    which goes once the message has arrived.
    """

    chat: str
    message: str
    reply_to: str | None = None
    text: str | None = None


class Channel(Protocol):
    """The desk's only way out: everything it tells a user or the coordinators goes through these."""

    name: str

    async def send_to_user(self, case: Case, reply: Reply) -> None:
        """Show a reply in the user's chat of `case`; a user who blocked the channel is no error."""
        ...

    async def tell_coordinators(self, case: Case, text: str) -> None:
        """Post a notice in the case's thread on the coordinators' side (nothing when it has no thread yet)."""
        ...

    async def ensure_thread(self, case: Case) -> Case | None:
        """The case with its thread on the coordinators' side, created once; None while it cannot exist yet."""
        ...

    async def thread_changed(self, case: Case, *, reopened: bool) -> None:
        """The case's details or status changed: rename (and, when `reopened`, reopen) its thread."""
        ...

    async def forget_threads(self, threads: Sequence[str]) -> None:
        """Erase the threads of erased cases on the coordinators' side."""
        ...

    async def relay(self, delivery: Delivery, case: Case) -> int:
        """Send one delivery row of `case` and record its outcome; returns how many messages it took."""
        ...
