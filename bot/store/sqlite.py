"""The embedded default store: one SQLite file, no server to set up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store.sql import SqlStore


class SqliteStore(SqlStore):
    """SQLite in WAL mode: several processes may share the file; each waits its turn to write."""

    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across crashes, no fsync per message
        # An update's text is erased from the inbox once handled: overwrite the freed bytes rather than leave them.
        db.execute("PRAGMA secure_delete=ON")
        super().__init__(db)

    def scrub(self) -> None:
        """The write-ahead log keeps old page images, an update's text among them: fold it in and empty it."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
