"""The Telegram channel's periodic jobs, each run by one replica at a time (a lease in the store)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from telegram import Bot
from telegram.ext import ContextTypes, JobQueue

from bot.channels.flood import FloodGate
from bot.channels.text import split_message
from bot.learning.team import TeamDesk
from bot.settings import Settings
from bot.store.base import Store

DIGEST_EVERY = 7 * 86400.0  # the inbox digest posted to the coordinators' group
DONE_KEPT = 2 * 86400.0  # handled update ids are remembered this long (Telegram redelivers within a day)
RAW_KEPT = 3 * 86400.0  # an update that could not be read is kept this long for diagnosis, then erased


class Jobs:
    """Tidying the inbox and the flood gate, purging old cases, the weekly digest."""

    store: Store
    settings: Settings
    flood: FloodGate
    team: TeamDesk | None
    group: int | None
    replica: str

    def _bot(self) -> Bot:
        raise NotImplementedError

    async def forget_threads(self, threads: Sequence[str]) -> None:
        raise NotImplementedError

    def schedule(self, queue: JobQueue[Any]) -> None:
        queue.run_repeating(self._tidy_job, interval=60, first=5, name="tidy")
        if self.settings.retention_days:
            queue.run_repeating(self._retention_job, interval=6 * 3600, first=60, name="retention")
        if self.team is not None and self.group is not None:
            queue.run_repeating(self._digest_job, interval=DIGEST_EVERY, first=DIGEST_EVERY, name="digest")

    async def _tidy_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Bounded memory and a bounded inbox: idle users leave the gate, handled update ids go after two days."""
        await asyncio.to_thread(self.flood.forget_idle)
        if await asyncio.to_thread(self.store.take_job, "inbox-purge", self.replica, 50.0):
            await asyncio.to_thread(self.store.inbox_purge, DONE_KEPT, RAW_KEPT)

    async def _digest_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The weekly inbox digest for the group, posted by one replica only."""
        if self.team is None or self.group is None:
            return
        if await asyncio.to_thread(self.store.take_job, "digest", self.replica, DIGEST_EVERY - 60):
            for part in split_message(await asyncio.to_thread(self.team.digest)):
                await self._bot().send_message(self.group, part)

    async def _retention_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Purge closed cases past the retention period, on one replica at a time."""
        days = self.settings.retention_days
        if days and await asyncio.to_thread(self.store.take_job, "retention", self.replica, 6 * 3600 - 60):
            purged = await asyncio.to_thread(self.store.purge_closed, days)
            await self.forget_threads([c.thread_id for c in purged if c.thread_id is not None and c.has_thread])
