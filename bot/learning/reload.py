"""Content reloaded while answering: check and build aside, then swap in one step; on error keep the last good one.

A small change is warm-started (about a second) so it answers at once; a clean build then runs in the background and
replaces it, unless the content changed again meanwhile.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content.problems import ContentError
from bot.learning.engine import LearningEngine

if TYPE_CHECKING:
    from bot.assistant import Parts

log = logging.getLogger(__name__)


class Reloader:
    """Builds the content again and swaps it into a running engine; one reload at a time."""

    def __init__(self, engine: LearningEngine, root: Path, cache_dir: Path | None) -> None:
        self.engine = engine
        self.root = root
        self.cache_dir = cache_dir
        self._busy = threading.Lock()
        self._generation = 0  # counts swaps, so a clean build of older content is never swapped in
        self.running: threading.Thread | None = None  # the reload a signal started, if any
        self.refining: threading.Thread | None = None  # the clean build after a warm start, if any

    def reload(self) -> list[str]:
        """Check, build and swap; the problems (path:line: message) when the content is refused, else []."""
        from bot.assistant import build_parts

        with self._busy:
            start = time.perf_counter()
            try:
                parts = build_parts(self.root, self.cache_dir, quick=True)
            except ContentError as exc:
                problems = [str(p) for p in exc.problems]
                log.error("content refused, still serving the last good content: %s", "; ".join(problems))
                return problems
            self.engine.swap(parts)
            self._generation += 1
            log.info("content reloaded in %.1f s", time.perf_counter() - start)
        self.refine(parts)
        return []

    def refine(self, parts: Parts) -> None:
        """When the parts were warm-started, build the content cleanly in a background thread and swap that in."""
        if parts.exact:
            return
        with self._busy:
            generation = self._generation
        self.refining = threading.Thread(target=self._build_cleanly, args=(generation,), name="refine", daemon=True)
        self.refining.start()

    def _build_cleanly(self, generation: int) -> None:
        from bot.assistant import build_parts, save_parts
        from bot.content.loader import content_fingerprint

        start = time.perf_counter()
        fingerprint = content_fingerprint(self.root)
        try:
            parts = build_parts(self.root, None)
        except ContentError:
            return  # the files changed meanwhile; the reload that follows them says what is wrong
        with self._busy:
            if generation != self._generation or content_fingerprint(self.root) != fingerprint:
                return  # newer content is served: this build is of the past
            save_parts(self.cache_dir, fingerprint, parts)
            self.engine.swap(parts)
            self._generation += 1
        log.info("content built cleanly in %.1f s", time.perf_counter() - start)

    def on_sighup(self) -> None:
        """Reload on SIGHUP, in a thread of its own so that answering goes on while the content builds."""

        def handler(signum: int, frame: object) -> None:
            self.running = threading.Thread(target=self.reload, name="reload", daemon=True)
            self.running.start()

        if hasattr(signal, "SIGHUP"):  # not on Windows
            signal.signal(signal.SIGHUP, handler)
