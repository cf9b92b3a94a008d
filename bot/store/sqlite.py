"""The embedded default store: one SQLite file, no server to set up."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from bot.store.base import UserState
from bot.store.schema import MIGRATIONS


class SqliteStore:
    """Per-user state in a SQLite file; one connection guarded by a lock, WAL for concurrent readers."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across crashes, no fsync per message
        self._db.execute("PRAGMA busy_timeout=5000")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0
            for version, sql in MIGRATIONS:
                if version > current:
                    self._db.execute("BEGIN")
                    self._db.execute(sql)
                    self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                    self._db.execute("COMMIT")

    def load_user(self, user_id: str) -> UserState:
        with self._lock:
            row = self._db.execute("SELECT language, context FROM users WHERE user_id = ?", (user_id,)).fetchone()
        if row is None:
            return UserState(user_id)
        return UserState(user_id, row[0], json.loads(row[1]))

    def save_user(self, state: UserState) -> None:
        now = datetime.now(UTC).isoformat()
        with self._lock:
            self._db.execute(
                "INSERT INTO users (user_id, language, context, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, context = excluded.context, "
                "updated_at = excluded.updated_at",
                (state.user_id, state.language, json.dumps(state.context, ensure_ascii=False), now),
            )

    def forget_user(self, user_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
