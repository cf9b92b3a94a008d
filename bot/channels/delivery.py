"""The delivery worker: what must reach the other side leaves in lanes, paced per destination, never blocking answers.

Channel-neutral: a lane is one case and direction, or the assistant's own messages to one chat (sent in order, one
message at a time); `destination` names the chat a lane spends the budget of; `send` delivers one row and returns
how many messages it took (it records the outcome itself: delivered, postponed or given up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from bot.channels.pacing import Pacer
from bot.store.base import Delivery, Store

log = logging.getLogger("oncobot.deliveries")

IDLE_WAIT = 0.5  # seconds between passes when nobody pokes (postponed deliveries come due meanwhile)
MAX_CLAIM = 500  # lanes started in one pass (one claim statement); the rest are taken at the next pass


def destination_of(lane: str) -> str:
    """Relays to the coordinators share the group's budget; a case's replies to its user, that user's chat.

    The assistant's answers (`chat:<id>:out`) spend their chat's budget: a group's (negative id) or a private one's.
    """
    kind, key, direction = [*lane.split(":"), "", ""][:3]
    if kind == "chat":
        return f"group:{key}" if key.startswith("-") else f"chat:{key}"
    return "group" if direction == "to_group" else f"user:{key}"


class DeliveryWorker:
    """Starts the head of every lane whose destination has budget, least recently served lanes first."""

    def __init__(
        self,
        store: Store,
        send: Callable[[Delivery], Awaitable[int]],
        pacer: Pacer,
        clock: Callable[[], float] = time.monotonic,
        lease: float = 30.0,
    ) -> None:
        self.store = store
        self.lease = lease
        self.send = send
        self.pacer = pacer
        self.clock = clock
        self._busy: dict[str, asyncio.Task[None]] = {}
        self._served: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._stopping = False

    def poke(self) -> None:
        self._wake.set()

    async def _one(self, lane: str, delivery: Delivery) -> None:
        destination = destination_of(lane)
        try:
            used = await self.send(delivery)
            if used > 1:
                self.pacer.spend(destination, used - 1)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the row stays leased and is retried when its lease ends
            log.error("delivery %s failed: %s", delivery.id, type(exc).__name__)
        finally:
            self._busy.pop(lane, None)
            self._wake.set()

    async def step(self) -> int:
        """One look at the lanes; returns how many sends were started."""
        if self._stopping:
            return 0
        heads = await asyncio.to_thread(self.store.delivery_heads)
        heads.sort(key=lambda head: self._served.get(head[0], 0.0))  # a busy case does not starve the others
        chosen: list[tuple[str, int]] = []
        for lane, head in heads:
            destination = destination_of(lane)
            if lane in self._busy or not self.pacer.ready(destination):
                continue
            if len(chosen) == MAX_CLAIM:
                break
            self.pacer.spend(destination)  # counted now, so two lanes to one chat see one budget
            chosen.append((lane, head))
        claimed = await asyncio.to_thread(self.store.claim_deliveries, [head for _, head in chosen], self.lease)
        by_id = {delivery.id: delivery for delivery in claimed}
        started = 0
        for lane, head in chosen:
            delivery = by_id.get(head)
            if delivery is None:  # another worker was first, or it waits (postponed): the budget is given back
                self.pacer.spend(destination_of(lane), -1)
                continue
            self._served[lane] = self.clock()
            self._busy[lane] = asyncio.create_task(self._one(lane, delivery))
            started += 1
        if len(self._served) > 10_000:
            self._served.clear()
            self.pacer.forget_full()
        return started

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                started = await self.step()
            except Exception as exc:
                log.error("delivery pass failed: %s", type(exc).__name__)
                started = 0
            if not started:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT)

    async def flush(self) -> None:
        """Send everything due that the budgets allow, then return."""
        while True:
            started = await self.step()
            if self._busy:
                await asyncio.gather(*list(self._busy.values()), return_exceptions=True)
            elif not started:
                return

    async def stop(self, grace: float) -> None:
        """Start nothing more; sends in flight finish within `grace` seconds (an unfinished one is sent again)."""
        self._stopping = True
        self._wake.set()
        if self._busy:
            await asyncio.wait(list(self._busy.values()), timeout=grace)
        for task in list(self._busy.values()):
            task.cancel()
