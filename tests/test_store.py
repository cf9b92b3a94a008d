"""The store on both engines: SQLite always, PostgreSQL whenever a server answers (and always in CI)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.store import Delivery, Store, Unanswered, UserState, open_store
from bot.store.base import Outgoing
from bot.store.schema import MIGRATIONS
from bot.store.sql import SqlStore
from bot.store.sqlite import SqliteStore

PG_URL = os.environ.get("ONCOBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

Opener = Callable[[], Store]


def claim_head(store: Store) -> Delivery | None:
    """Lease the oldest due delivery, as the delivery worker does."""
    heads = store.delivery_heads()
    return store.claim_delivery(heads[0][1]) if heads else None


def _postgres_opener() -> Iterator[Opener]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise AssertionError(f"CI must test PostgreSQL, but it does not answer: {exc}") from exc
        pytest.skip(f"no PostgreSQL server answers at {PG_URL}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    opened: list[Store] = []

    def opener() -> Store:
        store = open_store(url)
        opened.append(store)
        return store

    try:
        yield opener
    finally:
        for store in opened:
            store.close()
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    if request.param == "sqlite":
        opened: list[Store] = []

        def sqlite_opener() -> Store:
            store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
            opened.append(store)
            return store

        yield sqlite_opener
        for store in opened:
            store.close()
    else:
        yield from _postgres_opener()


def test_user_state_survives_reopening(opener: Opener) -> None:
    store = opener()
    store.save_user(UserState("tg:1", "ar", {"centre": "institut-curie", "misses": 1}))
    again = opener().load_user("tg:1")
    assert (again.language, again.context) == ("ar", {"centre": "institut-curie", "misses": 1})
    assert opener().load_user("tg:unknown") == UserState("tg:unknown")


def test_one_open_case_per_user_even_when_two_replicas_race(opener: Opener) -> None:
    stores = [opener() for _ in range(4)]
    results: list[tuple[int, bool]] = []
    barrier = threading.Barrier(len(stores))

    def open_one(store: Store) -> None:
        barrier.wait()
        case, created = store.open_case("tg:9", "9", "fr")
        results.append((case.id, created))

    threads = [threading.Thread(target=open_one, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({case_id for case_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_only_one_replica_may_create_the_topic(opener: Opener) -> None:
    a, b = opener(), opener()
    case, _ = a.open_case("tg:5", "5", "en")
    assert a.claim_thread(case.id) is True
    assert b.claim_thread(case.id) is False
    a.set_thread(case.id, "77")
    assert b.case_for_thread("77") is not None and b.case_for_thread("77").id == case.id  # type: ignore[union-attr]


def test_closed_case_lets_a_new_one_open_and_reopen_is_refused_while_it_is(opener: Opener) -> None:
    store = opener()
    first, _ = store.open_case("tg:3", "3", "ru")
    store.close_case(first.id)
    assert store.current_case("tg:3") is None
    second, created = store.open_case("tg:3", "3", "ru")
    assert created and second.id != first.id
    store.reopen_case(first.id)
    assert store.current_case("tg:3").id == second.id  # type: ignore[union-attr]
    assert [c.id for c in store.cases_of("tg:3")] == [first.id, second.id]


class _FailingWrites:
    """A SQLite connection whose updates fail as a lost server's would, once `down` is set."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self.down = False

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.down and sql.startswith("UPDATE"):
            raise sqlite3.OperationalError("disk I/O error")
        return self.db.execute(sql, params)

    def close(self) -> None:
        self.db.close()


def test_a_lost_database_is_not_taken_for_a_refused_reopening() -> None:
    connection = _FailingWrites()
    store = SqlStore(connection)
    case, _ = store.open_case("tg:6", "6", "fr")
    store.close_case(case.id)
    connection.down = True
    with pytest.raises(sqlite3.OperationalError):
        store.reopen_case(case.id)
    store.close()


def test_a_case_keeps_what_was_understood_of_unanswered_questions(opener: Opener) -> None:
    readings = (Unanswered("out_of_scope", 0.8), Unanswered("visa", 0.35))
    case, _ = opener().open_case("tg:7", "7", "es", unanswered=readings)
    assert opener().get_case(case.id).unanswered == readings  # type: ignore[union-attr]


def test_a_case_written_by_an_early_version_is_read_without_its_text(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "old.sqlite3")
    case, _ = store.open_case("tg:8", "8", "pt")
    old = '[{"intent": "out_of_scope", "confidence": 0.8, "text": "my secret question"}]'
    store.close()
    with contextlib.closing(sqlite3.connect(tmp_path / "old.sqlite3")) as raw:
        raw.execute("UPDATE cases SET unanswered = ? WHERE id = ?", (old, case.id))
        raw.commit()
    again = SqliteStore(tmp_path / "old.sqlite3")
    read = again.get_case(case.id)
    assert read is not None and read.unanswered == (Unanswered("out_of_scope", 0.8),)
    assert "my secret question" not in repr(read)
    again.close()


def test_a_message_is_queued_once_and_linked_both_ways_when_delivered(opener: Opener) -> None:
    store = opener()
    case, _ = store.open_case("tg:4", "4", "en")
    assert store.enqueue(case.id, "to_group", {"from_chat_id": 4, "message_id": 10}, dedupe="in:4:10")
    assert not store.enqueue(case.id, "to_group", {"from_chat_id": 4, "message_id": 10}, dedupe="in:4:10")
    delivery = claim_head(store)
    assert delivery is not None and claim_head(opener()) is None  # leased: another replica does not send it too
    store.delivered(delivery.id, case.id, "10", ["501"], "in")
    assert store.group_message_for(case.id, "10") == "501"
    assert store.user_message_for(case.id, "501") == "10"
    assert store.case_for_group_message("501").id == case.id  # type: ignore[union-attr]
    assert not store.enqueue(case.id, "to_group", {"from_chat_id": 4, "message_id": 10}, dedupe="in:4:10b")
    assert store.user_message_for(case.id, "502") is None


def test_failed_deliveries_wait_and_come_back(opener: Opener) -> None:
    store = opener()
    case, _ = store.open_case("tg:6", "6", "en")
    store.enqueue(case.id, "to_user", {"from_chat_id": -1, "message_id": 3}, dedupe="out:-1:3")
    delivery = claim_head(store)
    assert delivery is not None
    store.postpone(delivery.id, 0.0, "NetworkError")
    again = claim_head(store)
    assert again is not None and again.id == delivery.id and again.attempts == 2
    store.give_up(again.id, "blocked")
    assert store.delivery_heads() == [] and store.pending_deliveries() == 0


def test_a_lane_is_sent_in_order_even_when_its_first_message_must_wait(opener: Opener) -> None:
    store = opener()
    case, _ = store.open_case("tg:12", "12", "en")
    other, _ = store.open_case("tg:13", "13", "en")
    for n in (1, 2):
        store.enqueue(case.id, "to_group", {"from_chat_id": 12, "message_id": n}, dedupe=f"in:12:{n}")
    store.enqueue(other.id, "to_group", {"from_chat_id": 13, "message_id": 9}, dedupe="in:13:9")
    first = claim_head(store)
    assert first is not None and first.payload["message_id"] == 1
    store.postpone(first.id, 3600.0, "retry after")
    heads = dict(store.delivery_heads())
    assert heads[f"case:{case.id}:to_group"] == first.id  # the second waits behind the first
    assert store.claim_delivery(first.id) is None
    other_head = store.claim_delivery(heads[f"case:{other.id}:to_group"])
    assert other_head is not None and other_head.payload["message_id"] == 9  # another case is not held


def test_the_inbox_hands_out_each_update_once_in_order_per_lane(opener: Opener) -> None:
    a, b = opener(), opener()
    now = [1000.0]
    a.clock = b.clock = lambda: now[0]  # type: ignore[attr-defined]
    assert a.inbox_put([("1", "chat:1", "message", '{"n": 1}'), ("2", "chat:1", "message", '{"n": 2}')]) == 2
    assert b.inbox_put([("3", "chat:2", "message", '{"n": 3}'), ("1", "chat:1", "message", "again")]) == 1
    first = a.inbox_claim(lease=30)
    assert [(i.update_id, i.raw) for i in first] == [("1", '{"n": 1}'), ("3", '{"n": 3}')]  # one per lane
    assert b.inbox_claim(lease=30) == []  # leased, and update 2 waits for update 1
    a.inbox_done("1")
    assert [i.update_id for i in b.inbox_claim(lease=30)] == ["2"]
    b.inbox_done("2")
    now[0] += 31  # the worker holding update 3 died: its lease ends and another takes it
    (again,) = b.inbox_claim(lease=30)
    assert (again.update_id, again.attempts) == ("3", 2)
    b.inbox_skip("3")
    b.inbox_put([("4", "chat:2", "message", "{}")])
    assert [i.update_id for i in b.inbox_claim(lease=30)] == ["4"]
    b.inbox_release(["4"])  # a graceful stop gives it back at once
    assert [i.update_id for i in a.inbox_claim(lease=30)] == ["4"]
    a.inbox_done("4")
    assert a.inbox_depth() == 0 and a.inbox_claim(lease=30) == []
    assert (a.inbox_status("1"), a.inbox_status("3"), a.inbox_status("5")) == ("done", "skipped", None)
    assert a.inbox_put([("1", "chat:1", "message", "redelivered")]) == 0  # handled once, whatever Telegram resends
    now[0] += 100
    assert a.inbox_purge(done_kept=50, raw_kept=1000) == 3
    assert a.inbox_status("3") == "skipped" and a.inbox_purge(done_kept=50, raw_kept=50) == 1
    # ids are text, kept in the order they arrived, not in the order of their spelling
    a.inbox_put([("9", "chat:3", "message", "{}")])
    a.inbox_put([("10", "chat:3", "message", "{}"), ("wamid.x", "chat:3", "message", "{}")])
    order = []
    while claimed := a.inbox_claim(lease=30):
        order += [i.update_id for i in claimed]
        a.inbox_done(claimed[0].update_id)
    assert order == ["9", "10", "wamid.x"]


def test_an_updates_answers_are_queued_once_with_its_done_mark(opener: Opener) -> None:
    a, b = opener(), opener()
    now = [1000.0]
    a.clock = b.clock = lambda: now[0]  # type: ignore[attr-defined]
    a.inbox_put([("9", "chat:9", "message", "{}")])
    assert [i.update_id for i in a.inbox_claim(lease=30)] == ["9"]
    now[0] += 31  # the first worker is slow: its lease ends and a second one handles the update too
    assert [i.update_id for i in b.inbox_claim(lease=30)] == ["9"]
    answers = [Outgoing("chat:9:out", {"text": "first"}), Outgoing("chat:9:out", {"text": "second"})]

    def send_all() -> list[tuple[str, str, str]]:
        sent = []
        while (head := claim_head(a)) is not None:
            sent.append((head.lane, head.payload["text"], head.direction))
            a.delivery_done(head.id)
        return sent

    assert b.inbox_done("9", answers) is True
    assert send_all() == [("chat:9:out", "first", "reply"), ("chat:9:out", "second", "reply")]
    assert a.inbox_done("9", answers) is False
    assert send_all() == []  # the second to finish queues nothing, even once the first one's rows are gone


def test_a_handled_update_keeps_no_text(opener: Opener) -> None:
    store = opener()
    store.inbox_put([("7", "chat:7", "message", '{"text": "my secret"}')])
    (item,) = store.inbox_claim(lease=30)
    store.inbox_done(item.update_id)
    store.inbox_put([("8", "chat:7", "message", '{"text": "x"}')])
    assert [i.raw for i in store.inbox_claim(lease=30)] == ['{"text": "x"}']
    store.inbox_done("8")
    assert store.inbox_claim(lease=30) == []


def test_flood_counts_and_job_leases_are_shared_by_replicas(opener: Opener) -> None:
    a, b = opener(), opener()
    assert [a.count_message("tg:1", 5), b.count_message("tg:1", 5), a.count_message("tg:2", 5)] == [1, 2, 1]
    assert a.count_message("tg:1", 6) == 1
    assert a.take_job("retention", "a", 60) is True
    assert b.take_job("retention", "b", 60) is False
    assert a.take_job("retention", "a", 60) is True  # the holder renews


def test_forget_erases_user_cases_links_and_queue(opener: Opener) -> None:
    store = opener()
    store.save_user(UserState("tg:8", "de"))
    case, _ = store.open_case("tg:8", "8", "de", country="Deutschland")
    store.set_thread(case.id, "12")
    store.link(case.id, "1", "2", "in")
    store.enqueue(case.id, "to_group", {"from_chat_id": 8, "message_id": 5}, dedupe="in:8:5")
    store.ban("tg:8")
    cases = store.forget_user("tg:8")
    assert [c.thread_id for c in cases] == ["12"]
    assert store.cases_of("tg:8") == [] and store.delivery_heads() == []
    assert store.case_for_group_message("2") is None
    assert not store.is_banned("tg:8") and store.load_user("tg:8").language is None


def test_closed_cases_are_purged_after_the_retention_period(opener: Opener) -> None:
    store = opener()
    case, _ = store.open_case("tg:10", "10", "en")
    store.close_case(case.id)
    assert store.purge_closed(older_than_days=30) == []
    assert [c.id for c in store.purge_closed(older_than_days=-1)] == [case.id]
    assert store.get_case(case.id) is None


def test_bans(opener: Opener) -> None:
    store = opener()
    store.ban("tg:11")
    store.ban("tg:11")
    assert store.is_banned("tg:11")
    store.unban("tg:11")
    assert not store.is_banned("tg:11")


def test_kept_questions_and_counters_on_both_engines(opener: Opener) -> None:
    store = opener()
    first = store.keep_question("u1", "fr", "une question", [("cost_quote", 0.41), ("medical_visa", 0.2)])
    store.keep_question("u2", "en", "another", [])
    assert [q.text for q in store.kept_questions()] == ["une question", "another"]
    assert store.kept_question(first) is not None and store.kept_question(first).candidates[0] == ("cost_quote", 0.41)  # type: ignore[union-attr]
    assert store.set_question_status(first, "dismissed")
    assert [q.text for q in store.kept_questions()] == ["another"]
    store.forget_user("u2")
    assert store.kept_questions() == [] and store.purge_questions(30) == 0
    store.count("2026-12-03", "answered", "fr", "cost_quote")
    store.count("2026-12-03", "answered", "fr", "cost_quote")
    opener().count("2026-12-03", "up", "fr", "cost_quote")  # another replica
    assert store.counters("2026-12-01") == [
        ("2026-12-03", "answered", "fr", "cost_quote", 2),
        ("2026-12-03", "up", "fr", "cost_quote", 1),
    ]


def test_an_upgrade_to_text_ids_keeps_cases_links_deliveries_and_ticket_numbers(
    opener: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.store.sql.MIGRATIONS", MIGRATIONS[:4])  # the schema of version 4: numeric ids
    old = opener()
    case, _ = old.open_case("tg:20", "20", "en")
    claimed, _ = old.open_case("tg:22", "22", "en")
    erased, _ = old.open_case("tg:21", "21", "en")
    old.set_thread(case.id, 77)  # type: ignore[arg-type]  # numbers, as version 4 wrote them
    old.link(case.id, 10, 501, "in")  # type: ignore[arg-type]
    old.enqueue(case.id, "to_user", {"from_chat_id": -1001, "message_id": 502, "reply_to": 501}, dedupe="out:502")
    assert old.claim_thread(claimed.id)  # a topic being made when the service stopped
    old.forget_user("tg:21")  # the highest ticket goes: its number must not be given again
    old.inbox_put([(10, "chat:1", "message", "{}"), (9, "chat:1", "message", "{}")])  # type: ignore[list-item]
    monkeypatch.undo()

    new = opener()
    assert new.get_case(case.id).thread_id == "77"  # type: ignore[union-attr]
    assert new.case_for_thread("77").id == case.id  # type: ignore[union-attr]
    assert new.user_message_for(case.id, "501") == "10" and new.group_message_for(case.id, "10") == "501"
    assert new.case_for_group_message("501").id == case.id  # type: ignore[union-attr]
    assert not new.get_case(claimed.id).has_thread  # type: ignore[union-attr]
    delivery = claim_head(new)
    assert delivery is not None and delivery.case_id == case.id and delivery.payload["reply_to"] == 501
    assert new.open_case("tg:23", "23", "en")[0].id == erased.id + 1
    assert new.open_case("tg:20", "20", "en") == (new.get_case(case.id), False)  # still one open case per user
    assert new.inbox_put([("9", "chat:1", "message", "again"), ("11", "chat:1", "message", "{}")]) == 1
    order = []
    while claimed := new.inbox_claim(lease=30):
        order += [i.update_id for i in claimed]
        new.inbox_done(claimed[0].update_id)
    assert order == ["9", "10", "11"]  # the updates waiting before the upgrade first, in their order
