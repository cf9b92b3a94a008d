"""Health, readiness and Prometheus metrics of a running service, so an orchestrator and an operator can see it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.dialogue.actions import Turn
from bot.store.base import Store

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel


class Metrics:
    """One registry per service (no global one): counters bumped by the channel, depths read at each scrape."""

    def __init__(self, answer_threshold: float, suggest_threshold: float) -> None:
        self.registry = CollectorRegistry()
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.updates = Counter("oncobot_updates", "Updates handled, by type", ["type"], registry=self.registry)
        self.answers = Counter(
            "oncobot_answers",
            "Answers to text messages, by band and language",
            ["band", "language"],
            registry=self.registry,
        )
        self.engine_seconds = Histogram(
            "oncobot_engine_seconds",
            "Time the engine takes for one message",
            registry=self.registry,
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0),
        )
        self.retried = Counter("oncobot_deliveries_retried", "Deliveries postponed for a retry", registry=self.registry)
        self.undeliverable = Counter(
            "oncobot_deliveries_undeliverable", "Deliveries given up (a permanent refusal)", registry=self.registry
        )
        self.throttled = Counter("oncobot_throttled", "Messages held back by the flood gate", registry=self.registry)
        self.skipped = Counter("oncobot_updates_skipped", "Updates that could not be read", registry=self.registry)

    def turn(self, turn: Turn, seconds: float) -> None:
        """Count an engine turn by its confidence band and language."""
        self.engine_seconds.observe(seconds)
        understood = turn.understanding
        if understood is None:
            return
        confidence = understood.confidence
        band = (
            "answer"
            if confidence >= self.answer_threshold
            else "suggest"
            if confidence >= self.suggest_threshold
            else "miss"
        )
        self.answers.labels(band, understood.language).inc()

    def watch(self, store: Store) -> None:
        """Depths read from the database at each scrape (shared by all replicas)."""
        self.registry.register(_Depths(store))


class _Depths(Collector):
    def __init__(self, store: Store) -> None:
        self.store = store

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # nothing read at registration: the database is asked at scrape time only

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("oncobot_inbox_depth", "Updates written and not yet handled", self.store.inbox_depth())
        yield GaugeMetricFamily(
            "oncobot_deliveries_pending", "Messages still owed to the other side", self.store.pending_deliveries()
        )
        yield GaugeMetricFamily("oncobot_open_cases", "Hand-off cases open", self.store.open_cases())


class Health:
    """`/healthz` (the process answers), `/readyz` (content loaded, database reachable), `/metrics`."""

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        loaded = bool(self.channel.engine.kb.intents)
        try:
            await asyncio.wait_for(asyncio.to_thread(self.channel.store.inbox_depth), 2.0)
            reachable = True
        except Exception:
            reachable = False
        status = 200 if loaded and reachable else 503
        return web.Response(
            status=status,
            text=f"content {'ok' if loaded else 'missing'}, database {'ok' if reachable else 'unreachable'}\n",
        )

    async def metrics(self, request: web.Request) -> web.Response:
        body = await asyncio.to_thread(generate_latest, self.channel.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    def routes(self) -> dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]:
        return {"/healthz": self.healthz, "/readyz": self.readyz, "/metrics": self.metrics}
