"""The store on both engines: SQLite always, PostgreSQL whenever a server answers (and always in CI)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import Store, UserState, open_store

PG_URL = os.environ.get("ONCOBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

Opener = Callable[[], Store]


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
    a.set_thread(case.id, 77)
    assert b.case_for_thread(77) is not None and b.case_for_thread(77).id == case.id  # type: ignore[union-attr]


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


def test_a_message_is_queued_once_and_linked_both_ways_when_delivered(opener: Opener) -> None:
    store = opener()
    case, _ = store.open_case("tg:4", "4", "en")
    assert store.enqueue(case.id, "to_group", {"from_chat_id": 4, "message_id": 10}, dedupe="in:4:10")
    assert not store.enqueue(case.id, "to_group", {"from_chat_id": 4, "message_id": 10}, dedupe="in:4:10")
    (delivery,) = store.due_deliveries()
    assert opener().due_deliveries() == []  # leased: another replica does not send it too
    store.delivered(delivery.id, case.id, 10, [501], "in")
    assert store.group_message_for(case.id, 10) == 501
    assert store.user_message_for(case.id, 501) == 10
    assert store.case_for_group_message(501).id == case.id  # type: ignore[union-attr]
    assert not store.enqueue(case.id, "to_group", {"from_chat_id": 4, "message_id": 10}, dedupe="in:4:10b")
    assert store.user_message_for(case.id, 502) is None


def test_failed_deliveries_wait_and_come_back(opener: Opener) -> None:
    store = opener()
    case, _ = store.open_case("tg:6", "6", "en")
    store.enqueue(case.id, "to_user", {"from_chat_id": -1, "message_id": 3}, dedupe="out:-1:3")
    (delivery,) = store.due_deliveries()
    store.postpone(delivery.id, 0.0, "NetworkError")
    (again,) = store.due_deliveries()
    assert again.id == delivery.id and again.attempts == 2
    store.give_up(again.id, "blocked")
    assert store.due_deliveries() == []


def test_updates_are_seen_once(opener: Opener) -> None:
    store = opener()
    assert not store.seen(41)
    assert store.first_sight(41) is True
    assert store.seen(41) and opener().first_sight(41) is False


def test_forget_erases_user_cases_links_and_queue(opener: Opener) -> None:
    store = opener()
    store.save_user(UserState("tg:8", "de"))
    case, _ = store.open_case("tg:8", "8", "de", country="Deutschland")
    store.set_thread(case.id, 12)
    store.link(case.id, 1, 2, "in")
    store.enqueue(case.id, "to_group", {"from_chat_id": 8, "message_id": 5}, dedupe="in:8:5")
    store.ban("tg:8")
    cases = store.forget_user("tg:8")
    assert [c.thread_id for c in cases] == [12]
    assert store.cases_of("tg:8") == [] and store.due_deliveries() == []
    assert store.case_for_group_message(2) is None
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
