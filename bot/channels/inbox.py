"""The inbox worker: updates written down before they were confirmed, handled once each, in order per lane.

Channel-neutral: a channel writes raw updates with `Store.inbox_put` and gives a `handle` coroutine that returns
True once an update is handled, False when it cannot be read (kept, skipped, never retried). What the handling
sends is collected in an outbox (`bot/channels/outbox.py`) and queued with the done mark in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from bot.channels.outbox import collecting
from bot.store.base import InboxItem, Store

log = logging.getLogger("oncobot.inbox")

LEASE = 30.0  # seconds a worker may hold an update before another worker takes it again
MAX_ATTEMPTS = 5  # an update whose handling failed this often is skipped rather than retried forever
IDLE_WAIT = 0.5  # seconds between looks at the inbox when nobody pokes
SCRUB_EVERY = 5.0  # seconds a handled update's text may stay in the database's side files while the inbox is busy


class InboxWorker:
    """Claims the head of each lane with a lease, handles lanes concurrently, marks each update done after."""

    def __init__(
        self,
        store: Store,
        handle: Callable[[InboxItem], Awaitable[bool]],
        *,
        lease: float = LEASE,
        concurrency: int = 8,
        queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.handle = handle
        self.queued = queued  # told when an update's messages were queued: the delivery worker's poke
        self.lease = lease
        self.concurrency = concurrency
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self.handled = 0
        self.skipped = 0
        self._scrubbed = 0  # handled + skipped at the last scrub
        self._scrubbed_at = time.monotonic()

    def poke(self) -> None:
        """New updates were written: look now rather than at the next tick."""
        self._wake.set()

    async def _one(self, item: InboxItem) -> None:
        try:
            with collecting() as outbox:
                if item.attempts > MAX_ATTEMPTS:
                    log.error("update %s (%s) failed %s times: skipped", item.update_id, item.kind, item.attempts - 1)
                    ok = False
                else:
                    ok = await self.handle(item)
            if ok:
                if await asyncio.to_thread(self.store.inbox_done, item.update_id, outbox.items) and outbox.items:
                    self.queued()
                self.handled += 1
            else:
                await asyncio.to_thread(self.store.inbox_skip, item.update_id)
                self.skipped += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # left leased: taken again when the lease ends (logged without its message)
            log.error("update %s (%s) not handled: %s", item.update_id, item.kind, type(exc).__name__)
        finally:
            self._tasks.pop(item.update_id, None)
            self._wake.set()

    async def step(self) -> int:
        """Claim what free hands can take and start it; returns how many updates were started."""
        free = self.concurrency - len(self._tasks)
        if free <= 0 or self._stopping:
            return 0
        items = await asyncio.to_thread(self.store.inbox_claim, self.lease, free)
        items = [item for item in items if item.update_id not in self._tasks]  # already in these hands
        for item in items:
            self._tasks[item.update_id] = asyncio.create_task(self._one(item))
        return len(items)

    async def renew(self) -> None:
        """Keep the leases of updates in hand while they are being handled."""
        if self._tasks:
            await asyncio.to_thread(self.store.inbox_renew, list(self._tasks), self.lease)

    async def run(self) -> None:
        """Serve until stop(): a store error is logged and retried, never the end of the worker."""
        renewed = time.monotonic()
        while not self._stopping:
            self._wake.clear()
            try:
                if time.monotonic() - renewed > self.lease / 3:
                    await self.renew()
                    renewed = time.monotonic()
                started = await self.step()
            except Exception as exc:
                log.error("inbox claim failed: %s", type(exc).__name__)
                started = 0
            if self.handled + self.skipped != self._scrubbed and (
                not self._tasks or time.monotonic() - self._scrubbed_at > SCRUB_EVERY
            ):
                await self.scrub()
            if not started:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT)

    async def scrub(self) -> None:
        """Once updates are handled, no copy of their text is left in the database's side files."""
        self._scrubbed, self._scrubbed_at = self.handled + self.skipped, time.monotonic()
        try:
            await asyncio.to_thread(self.store.scrub)
        except Exception as exc:  # a busy database: the next pass scrubs
            log.warning("store scrub failed: %s", type(exc).__name__)

    async def drain(self) -> None:
        """Handle everything claimable now, and what that unblocks, then return (tests and one-shot runs)."""
        while True:
            started = await self.step()
            if self._tasks:
                await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
            elif not started:
                await self.scrub()
                return

    async def stop(self, grace: float) -> None:
        """Take nothing more; let updates in hand finish within `grace` seconds; give the rest back at once."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            await asyncio.wait(list(self._tasks.values()), timeout=grace)
        left = list(self._tasks)
        for task in list(self._tasks.values()):
            task.cancel()
        if left:
            await asyncio.to_thread(self.store.inbox_release, left)
