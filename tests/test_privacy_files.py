"""An update's text is needed until it is handled; after that no file of the state folder holds it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.channels.inbox import InboxWorker
from bot.store.base import InboxItem
from bot.store.sqlite import SqliteStore

MARKER = "ZORGLUB-passport-X99271"


def files_holding(folder: Path, needle: str) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_a_handled_update_leaves_its_text_in_no_file(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.sqlite3")
    raw = json.dumps({"update_id": 7, "message": {"text": f"my name is {MARKER}"}})
    store.inbox_put([("7", "user:1", "message", raw)])
    assert files_holding(tmp_path, MARKER)  # durable before it is confirmed: on disk until handled

    async def handle(item: InboxItem) -> bool:
        return True

    asyncio.run(InboxWorker(store, handle).drain())
    assert store.inbox_status("7") == "done"
    assert files_holding(tmp_path, MARKER) == []  # the database file and its write-ahead log alike
    store.close()
