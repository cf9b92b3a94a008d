"""Content reloaded while answering: check and build aside, then swap in one step; on error keep the last good one."""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path

from bot.content.problems import ContentError
from bot.learning.engine import LearningEngine

log = logging.getLogger(__name__)


class Reloader:
    """Builds the content again and swaps it into a running engine; one reload at a time."""

    def __init__(self, engine: LearningEngine, root: Path, cache_dir: Path | None) -> None:
        self.engine = engine
        self.root = root
        self.cache_dir = cache_dir
        self._busy = threading.Lock()
        self.running: threading.Thread | None = None  # the reload a signal started, if any

    def reload(self) -> list[str]:
        """Check, build and swap; the problems (path:line: message) when the content is refused, else []."""
        from bot.assistant import build_parts

        with self._busy:
            start = time.perf_counter()
            try:
                parts = build_parts(self.root, self.cache_dir)
            except ContentError as exc:
                problems = [str(p) for p in exc.problems]
                log.error("content refused, still serving the last good content: %s", "; ".join(problems))
                return problems
            self.engine.swap(parts)
            log.info("content reloaded in %.1f s", time.perf_counter() - start)
            return []

    def on_sighup(self) -> None:
        """Reload on SIGHUP, in a thread of its own so that answering goes on while the content builds."""

        def handler(signum: int, frame: object) -> None:
            self.running = threading.Thread(target=self.reload, name="reload", daemon=True)
            self.running.start()

        if hasattr(signal, "SIGHUP"):  # not on Windows
            signal.signal(signal.SIGHUP, handler)
