"""Storage behind one interface; the database URL picks the engine."""

from __future__ import annotations

from pathlib import Path

from bot.store.base import Case, CaseTimes, Delivery, InboxItem, KeptQuestion, Store, Unanswered, UserState

__all__ = [
    "Case",
    "CaseTimes",
    "Delivery",
    "InboxItem",
    "KeptQuestion",
    "Store",
    "Unanswered",
    "UserState",
    "open_store",
]


def open_store(database_url: str) -> Store:
    """Open the store a URL names: sqlite:///path (the default), sqlite:// (in memory) or postgresql://…"""
    if database_url.startswith("sqlite:///"):
        from bot.store.sqlite import SqliteStore

        return SqliteStore(Path(database_url.removeprefix("sqlite:///")))
    if database_url in ("sqlite://", ":memory:"):
        from bot.store.sqlite import SqliteStore

        return SqliteStore(":memory:")
    if database_url.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import PostgresStore

        return PostgresStore(database_url)
    raise ValueError(f"unsupported DATABASE_URL scheme: {database_url.split(':', 1)[0]}")
