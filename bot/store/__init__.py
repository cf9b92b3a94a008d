"""Storage behind one small interface; the database URL picks the engine."""

from __future__ import annotations

from pathlib import Path

from bot.store.base import Store, UserState

__all__ = ["Store", "UserState", "open_store"]


def open_store(database_url: str) -> Store:
    """Open the store a URL names: sqlite:///path (default) or postgresql://…"""
    if database_url.startswith("sqlite:///"):
        from bot.store.sqlite import SqliteStore

        return SqliteStore(Path(database_url.removeprefix("sqlite:///")))
    if database_url == "sqlite://" or database_url == ":memory:":
        from bot.store.sqlite import SqliteStore

        return SqliteStore(":memory:")
    if database_url.startswith(("postgresql://", "postgres://")):
        raise ValueError("PostgreSQL storage is not available in this version; use sqlite:///PATH")
    raise ValueError(f"unsupported DATABASE_URL scheme: {database_url.split(':', 1)[0]}")
