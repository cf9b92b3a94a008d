"""Every query of the store, written once for SQLite and PostgreSQL (placeholders differ, nothing else)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast, get_args

from bot.store.base import (
    THREAD_CLAIMED,
    Case,
    CaseStatus,
    CaseTimes,
    Delivery,
    Direction,
    InboxItem,
    KeptQuestion,
    Outgoing,
    Unanswered,
    UserState,
)
from bot.store.schema import MIGRATIONS, statements

CASE_COLUMNS = (
    "id, user_id, chat_id, language, status, thread_id, user_type, country, topic, unanswered, created_at, closed_at"
)
SENDING_LEASE = 30.0  # seconds a worker may hold a delivery before another may try it again
PAGES_KEPT = 2 * 86400.0  # how long the pages of a long button list can still be turned


class _PerThread(contextlib.nullcontext[None]):
    """No lock: with a connection per thread, the database arbitrates."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _status(value: str) -> CaseStatus:
    """A stored word as its type: a word no version of the code wrote is a corrupt row, not a new state."""
    if value not in get_args(CaseStatus):
        raise ValueError(f"unexpected case status {value!r}")
    return cast(CaseStatus, value)


def _direction(value: str) -> Direction:
    if value not in get_args(Direction):
        raise ValueError(f"unexpected delivery direction {value!r}")
    return cast(Direction, value)


def _case(row: Sequence[Any]) -> Case:
    return Case(
        id=int(row[0]),
        user_id=row[1],
        chat_id=row[2],
        language=row[3],
        status=_status(row[4]),
        thread_id=None if row[5] is None else str(row[5]),
        user_type=row[6],
        country=row[7],
        topic=row[8],
        unanswered=tuple(Unanswered.from_json(item) for item in json.loads(row[9] or "[]")),
        created_at=row[10],
        closed_at=row[11],
    )


QUESTION_COLUMNS = "id, language, text, candidates, status, created_at"


def _question(row: Sequence[Any]) -> KeptQuestion:
    candidates = tuple((str(c[0]), float(c[1])) for c in json.loads(row[3] or "[]"))
    return KeptQuestion(int(row[0]), row[1], row[2], candidates, row[4], row[5])


class SqlStore:
    """The store over DB-API connections: SQLite shares one behind a lock; PostgreSQL opens one per thread."""

    dialect = "sqlite"
    # What the database raises when a second open case of one user is refused (PostgreSQL sets its own).
    open_case_conflict: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)

    def __init__(
        self, connection: Any, clock: Callable[[], float] = time.time, connect: Callable[[], Any] | None = None
    ) -> None:
        self.clock = clock  # deliveries wait by this clock; tests move it instead of sleeping
        self._connect = connect  # given: each thread gets its own connection, and no lock is shared between them
        self._local = threading.local()
        self._local.db = connection
        self._opened = [connection]
        self._lock: contextlib.AbstractContextManager[Any] = threading.RLock() if connect is None else _PerThread()
        self._shared = connection
        self._migrate()

    @property
    def _db(self) -> Any:
        """This thread's connection (the shared one without a `connect`)."""
        if self._connect is None:
            return self._shared
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
            self._opened.append(db)
        return db

    # ---- plumbing -------------------------------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def _run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(self._sql(sql), tuple(params))

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return list(self._run(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            return self._run(sql, params).fetchone()

    def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock:
            return int(self._run(sql, params).rowcount)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction():
            if self.dialect == "postgres":  # replicas starting together migrate one after the other
                self._run("SELECT pg_advisory_xact_lock(4242)")
            self._run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._run("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0
            for version, sqls in MIGRATIONS:
                if version > current:
                    for sql in statements(sqls, self.dialect):
                        self._run(sql)
                    self._run("INSERT INTO schema_version (version) VALUES (?)", (version,))

    def scrub(self) -> None:
        """Leave no erased text in files beside the database (a no-op where the server keeps its own files)."""

    def close(self) -> None:
        with self._lock:
            for db in self._opened:
                db.close()

    # ---- users ----------------------------------------------------------------------------------------------
    def load_user(self, user_id: str) -> UserState:
        """The state, whether the user is banned and their open case, in one query: this runs for every message."""
        row = self._one(
            "SELECT u.language, u.context, (SELECT 1 FROM bans b WHERE b.user_id = k.id), "
            "(SELECT c.id FROM cases c WHERE c.user_id = k.id AND c.status = 'open') "
            "FROM (SELECT ? AS id) k LEFT JOIN users u ON u.user_id = k.id",
            (user_id,),
        )
        return UserState(
            user_id, row[0], json.loads(row[1]) if row[1] else {}, bool(row[2]), None if row[3] is None else int(row[3])
        )

    def save_user(self, state: UserState) -> None:
        self._write(
            "INSERT INTO users (user_id, language, context, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, context = excluded.context, "
            "updated_at = excluded.updated_at",
            (state.user_id, state.language, json.dumps(state.context, ensure_ascii=False), _now()),
        )

    def forget_user(self, user_id: str) -> list[Case]:
        """Erase the user and everything relayed for them; returns their cases so channels can remove topics."""
        with self._transaction():
            cases = [
                _case(r)
                for r in self._run(f"SELECT {CASE_COLUMNS} FROM cases WHERE user_id = ?", (user_id,)).fetchall()
            ]
            self._erase(cases)
            self._run("DELETE FROM users WHERE user_id = ?", (user_id,))
            self._run("DELETE FROM bans WHERE user_id = ?", (user_id,))
            self._run("DELETE FROM kept_questions WHERE user_id = ?", (user_id,))
        return cases

    # ---- cases ----------------------------------------------------------------------------------------------
    def open_case(
        self,
        user_id: str,
        chat_id: str,
        language: str,
        *,
        user_type: str | None = None,
        country: str | None = None,
        topic: str | None = None,
        unanswered: tuple[Unanswered, ...] = (),
    ) -> tuple[Case, bool]:
        """The user's open case, created if there is none; True when this call created it."""
        readings = json.dumps([item.to_json() for item in unanswered])
        with self._transaction():
            created = (
                self._run(
                    "INSERT INTO cases (user_id, chat_id, language, status, user_type, country, topic, unanswered, "
                    "created_at) VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?) "
                    "ON CONFLICT (user_id) WHERE status = 'open' DO NOTHING",
                    (user_id, chat_id, language, user_type, country, topic, readings, _now()),
                ).rowcount
                == 1
            )
            row = self._run(
                f"SELECT {CASE_COLUMNS} FROM cases WHERE user_id = ? AND status = 'open'", (user_id,)
            ).fetchone()
        return _case(row), created

    def current_case(self, user_id: str) -> Case | None:
        row = self._one(f"SELECT {CASE_COLUMNS} FROM cases WHERE user_id = ? AND status = 'open'", (user_id,))
        return _case(row) if row else None

    def get_case(self, case_id: int) -> Case | None:
        row = self._one(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    def case_for_thread(self, thread_id: str) -> Case | None:
        row = self._one(f"SELECT {CASE_COLUMNS} FROM cases WHERE thread_id = ? ORDER BY id DESC LIMIT 1", (thread_id,))
        return _case(row) if row else None

    def cases_of(self, user_id: str) -> list[Case]:
        return [
            _case(r) for r in self._all(f"SELECT {CASE_COLUMNS} FROM cases WHERE user_id = ? ORDER BY id", (user_id,))
        ]

    def set_case_details(self, case_id: int, user_type: str | None, country: str | None, topic: str | None) -> None:
        """Record what the user told after consenting; a field not given keeps its value."""
        self._write(
            "UPDATE cases SET user_type = COALESCE(?, user_type), country = COALESCE(?, country), "
            "topic = COALESCE(?, topic) WHERE id = ?",
            (user_type, country, topic, case_id),
        )

    def claim_thread(self, case_id: int) -> bool:
        """Only one replica creates the topic of a case: the one whose claim (thread -1) lands first."""
        return (
            self._write("UPDATE cases SET thread_id = ? WHERE id = ? AND thread_id IS NULL", (THREAD_CLAIMED, case_id))
            == 1
        )

    def set_thread(self, case_id: int, thread_id: str | None) -> None:
        self._write("UPDATE cases SET thread_id = ? WHERE id = ?", (thread_id, case_id))

    def close_case(self, case_id: int) -> bool:
        """Close an open case; False when it was closed already (by another coordinator, or a second /close)."""
        return (
            self._write(
                "UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", (_now(), case_id)
            )
            == 1
        )

    def reopen_case(self, case_id: int) -> Case | None:
        """Reopen, unless the user has opened another case since (then that one stands)."""
        with contextlib.suppress(*self.open_case_conflict):  # anything else (a lost connection) is no refusal
            self._write("UPDATE cases SET status = 'open', closed_at = NULL WHERE id = ?", (case_id,))
        return self.get_case(case_id)

    def rate_case(self, case_id: int, rating: int) -> None:
        self._write("UPDATE cases SET rating = ? WHERE id = ?", (rating, case_id))

    def purge_closed(self, older_than_days: int) -> list[Case]:
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        with self._transaction():
            rows = self._run(
                f"SELECT {CASE_COLUMNS} FROM cases WHERE status = 'closed' AND closed_at < ?", (cutoff,)
            ).fetchall()
            cases = [_case(r) for r in rows]
            self._erase(cases)
        return cases

    def _erase(self, cases: Sequence[Case]) -> None:
        """Cases with their message links and pending deliveries (inside the caller's transaction)."""
        for case in cases:
            for table in ("links", "deliveries"):
                self._run(f"DELETE FROM {table} WHERE case_id = ?", (case.id,))
            self._run("DELETE FROM cases WHERE id = ?", (case.id,))

    # ---- links ----------------------------------------------------------------------------------------------
    def link(self, case_id: int, user_message_id: str, group_message_id: str, direction: str) -> None:
        self._write(
            "INSERT INTO links (case_id, user_message_id, group_message_id, direction, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (case_id, user_message_id, group_message_id, direction, _now()),
        )

    def user_message_for(self, case_id: int, group_message_id: str) -> str | None:
        row = self._one(
            "SELECT user_message_id FROM links WHERE case_id = ? AND group_message_id = ?", (case_id, group_message_id)
        )
        return str(row[0]) if row else None

    def group_message_for(self, case_id: int, user_message_id: str) -> str | None:
        row = self._one(
            "SELECT group_message_id FROM links WHERE case_id = ? AND user_message_id = ?", (case_id, user_message_id)
        )
        return str(row[0]) if row else None

    def case_for_group_message(self, group_message_id: str) -> Case | None:
        row = self._one(
            "SELECT case_id FROM links WHERE group_message_id = ? ORDER BY case_id DESC LIMIT 1", (group_message_id,)
        )
        return self.get_case(int(row[0])) if row else None

    # ---- deliveries -----------------------------------------------------------------------------------------
    def enqueue(self, case_id: int, direction: Direction, payload: dict[str, Any], dedupe: str) -> bool:
        """Queue a delivery once: False when the same message (by `dedupe`) was queued or delivered before."""
        message = payload.get("message_id")
        if message is not None and self._one(
            "SELECT 1 FROM links WHERE case_id = ? AND direction = ? AND "
            + ("user_message_id" if direction == "to_group" else "group_message_id")
            + " = ?",
            (case_id, "in" if direction == "to_group" else "out", str(message)),
        ):
            return False
        return (
            self._write(
                "INSERT INTO deliveries (case_id, direction, payload, due_at, dedupe, lane) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (
                    case_id,
                    direction,
                    json.dumps(payload, ensure_ascii=False),
                    self.clock(),
                    dedupe,
                    f"case:{case_id}:{direction}",
                ),
            )
            == 1
        )

    def delivered(
        self, delivery_id: int, case_id: int, user_message_id: str, group_message_ids: Sequence[str], direction: str
    ) -> None:
        """Record the message links and drop the delivery together, so a retry never sends it twice."""
        with self._transaction():
            for group_message_id in group_message_ids:
                self.link(case_id, user_message_id, group_message_id, direction)
            self._run("DELETE FROM deliveries WHERE id = ?", (delivery_id,))

    def delivery_done(self, delivery_id: int, pages: tuple[str, str, str] | None = None) -> None:
        """A reply sent (the pages of its long button list kept with it, in one transaction) or given up: gone."""
        if pages is None:  # one statement: one round trip between the platform's acceptance and the removal
            self._write("DELETE FROM deliveries WHERE id = ?", (delivery_id,))
            return
        with self._transaction():
            self._remember_pages(*pages)
            self._run("DELETE FROM deliveries WHERE id = ?", (delivery_id,))

    def postpone(self, delivery_id: int, seconds: float, error: str) -> None:
        self._write(
            "UPDATE deliveries SET status = 'pending', due_at = ?, last_error = ? WHERE id = ?",
            (self.clock() + seconds, error[:200], delivery_id),
        )

    def give_up(self, delivery_id: int, error: str) -> None:
        self._write("UPDATE deliveries SET status = 'failed', last_error = ? WHERE id = ?", (error[:200], delivery_id))

    def delivery_heads(self) -> list[tuple[str, int]]:
        """The oldest delivery still owed in each lane: a lane is sent in order, one message at a time."""
        rows = self._all(
            "SELECT lane, MIN(id) FROM deliveries WHERE status IN ('pending', 'sending') GROUP BY lane ORDER BY 2"
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    def claim_delivery(self, delivery_id: int, lease: float = SENDING_LEASE) -> Delivery | None:
        """Lease one delivery if it is due and nobody holds it; None when another worker was first or it waits."""
        claimed = self.claim_deliveries([delivery_id], lease)
        return claimed[0] if claimed else None

    def claim_deliveries(self, delivery_ids: Sequence[int], lease: float = SENDING_LEASE) -> list[Delivery]:
        """Lease those of the deliveries that are due and free, in one statement (one round trip for every lane)."""
        if not delivery_ids:
            return []
        now = self.clock()
        marks = ", ".join("?" for _ in delivery_ids)
        with self._lock:
            rows = self._run(
                "UPDATE deliveries SET status = 'sending', due_at = ?, attempts = attempts + 1 "
                f"WHERE id IN ({marks}) AND status IN ('pending', 'sending') AND due_at <= ? "
                "RETURNING id, case_id, direction, payload, attempts, status, lane",
                (now + lease, *delivery_ids, now),
            ).fetchall()
        return [
            Delivery(int(row[0]), int(row[1]), _direction(row[2]), json.loads(row[3]), int(row[4]), row[5], row[6])
            for row in rows
        ]

    def open_cases(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM cases WHERE status = 'open'")[0])

    def open_case_list(self) -> list[Case]:
        return [_case(r) for r in self._all(f"SELECT {CASE_COLUMNS} FROM cases WHERE status = 'open' ORDER BY id")]

    def pending_deliveries(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending')")[0])

    # ---- inbox ----------------------------------------------------------------------------------------------
    def inbox_put(self, items: Sequence[tuple[str, str, str, str]]) -> int:
        """Write (update id, lane, kind, raw JSON) rows in one transaction; a known update id is ignored."""
        now = self.clock()
        added = 0
        with self._transaction():
            for update_id, lane, kind, raw in items:
                added += self._run(
                    "INSERT INTO inbox (update_id, lane, kind, raw, received_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (update_id, lane, kind, raw, now),
                ).rowcount
        return added

    def inbox_claim(self, lease: float, limit: int = 32) -> list[InboxItem]:
        """Lease the first pending update of each lane whose earlier updates are all done."""
        now = self.clock()
        lock = " FOR UPDATE SKIP LOCKED" if self.dialect == "postgres" else ""
        with self._transaction():
            heads = self._run(
                "SELECT update_id FROM inbox i WHERE status = 'pending' AND lease_until <= ? AND NOT EXISTS ("
                "SELECT 1 FROM inbox j WHERE j.status = 'pending' AND j.lane = i.lane AND j.seq < i.seq)"
                f" ORDER BY seq LIMIT ?{lock}",
                (now, limit),
            ).fetchall()
            claimed = []
            for (update_id,) in heads:
                row = self._run(
                    "UPDATE inbox SET lease_until = ?, attempts = attempts + 1 "
                    "WHERE update_id = ? AND status = 'pending' AND lease_until <= ? "
                    "RETURNING update_id, lane, kind, raw, attempts",
                    (now + lease, update_id, now),
                ).fetchone()
                if row is not None:
                    claimed.append(InboxItem(str(row[0]), row[1], row[2], row[3], int(row[4])))
        return claimed

    def inbox_renew(self, update_ids: Sequence[str], lease: float) -> None:
        """Extend the lease of updates still in hand, so a slow one is not taken by another worker meanwhile."""
        until = self.clock() + lease
        with self._transaction():
            for update_id in update_ids:
                self._run(
                    "UPDATE inbox SET lease_until = ? WHERE update_id = ? AND status = 'pending'", (until, update_id)
                )

    def inbox_done(self, update_id: str, outgoing: Sequence[Outgoing] = ()) -> bool:
        """Handled: the id stays (a redelivery is ignored), the content goes, and what the handling sends is queued.

        One transaction: the messages are queued exactly when the update is marked done, so a crash before leaves
        the update to be handled again with nothing queued, and a crash after leaves nothing to handle again.
        False (nothing queued) when the update was no longer pending: another worker finished it first.
        """
        now = self.clock()
        with self._transaction():
            done = self._run(
                "UPDATE inbox SET status = 'done', raw = '', lease_until = 0 "
                "WHERE update_id = ? AND status = 'pending'",
                (update_id,),
            ).rowcount
            if done != 1:
                return False
            for index, item in enumerate(outgoing):
                self._run(
                    "INSERT INTO deliveries (case_id, direction, payload, due_at, dedupe, lane) "
                    "VALUES (0, 'reply', ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (json.dumps(item.payload, ensure_ascii=False), now, f"reply:{update_id}:{index}", item.lane),
                )
        return True

    def inbox_skip(self, update_id: str) -> None:
        """Unreadable: kept for diagnosis (see inbox_purge), never retried."""
        self._write("UPDATE inbox SET status = 'skipped', lease_until = 0 WHERE update_id = ?", (update_id,))

    def inbox_release(self, update_ids: Sequence[str]) -> None:
        """Give claimed updates back at once (a graceful stop), rather than after their lease."""
        with self._transaction():
            for update_id in update_ids:
                self._run("UPDATE inbox SET lease_until = 0 WHERE update_id = ? AND status = 'pending'", (update_id,))

    def inbox_depth(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM inbox WHERE status = 'pending'")[0])

    def inbox_status(self, update_id: str) -> str | None:
        row = self._one("SELECT status FROM inbox WHERE update_id = ?", (update_id,))
        return None if row is None else str(row[0])

    def inbox_purge(self, done_kept: float, raw_kept: float) -> int:
        """Forget handled update ids after `done_kept` seconds and skipped updates after `raw_kept`."""
        now = self.clock()
        with self._transaction():
            done = self._run("DELETE FROM inbox WHERE status = 'done' AND received_at < ?", (now - done_kept,)).rowcount
            skipped = self._run(
                "DELETE FROM inbox WHERE status = 'skipped' AND received_at < ?", (now - raw_kept,)
            ).rowcount
        return int(done) + int(skipped)

    # ---- shared between replicas ----------------------------------------------------------------------------
    def remember_pages(self, chat_id: str, message_id: str, buttons: str) -> None:
        with self._transaction():
            self._remember_pages(chat_id, message_id, buttons)

    def _remember_pages(self, chat_id: str, message_id: str, buttons: str) -> None:
        """Inside the caller's transaction."""
        now = self.clock()
        self._run(
            "INSERT INTO pages (chat_id, message_id, buttons, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_id, message_id) DO UPDATE SET buttons = excluded.buttons",
            (chat_id, message_id, buttons, now),
        )
        self._run("DELETE FROM pages WHERE created_at < ?", (now - PAGES_KEPT,))

    def pages_of(self, chat_id: str, message_id: str) -> str | None:
        row = self._one("SELECT buttons FROM pages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id))
        return None if row is None else str(row[0])

    def count_message(self, user_id: str, minute: int) -> int:
        """Count one message in the user's minute (all replicas together); returns the minute's count so far."""
        with self._transaction():
            row = self._run(
                "INSERT INTO flood (user_id, minute, count) VALUES (?, ?, 1) ON CONFLICT (user_id, minute) "
                "DO UPDATE SET count = flood.count + 1 RETURNING count",
                (user_id, minute),
            ).fetchone()
            if row[0] == 1:  # a user's first message of a minute sweeps the minutes gone
                self._run("DELETE FROM flood WHERE user_id = ? AND minute < ?", (user_id, minute - 1))
        return int(row[0])

    def forget_flood(self, before_minute: int) -> None:
        self._write("DELETE FROM flood WHERE minute < ?", (before_minute,))

    def take_job(self, name: str, holder: str, seconds: float) -> bool:
        """A lease on a periodic job, so one replica at a time runs it."""
        now = self.clock()
        return (
            self._write(
                "INSERT INTO job_leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "holder = excluded.holder, until = excluded.until WHERE job_leases.until < ? "
                "OR job_leases.holder = excluded.holder",
                (name, holder, now + seconds, now),
            )
            == 1
        )

    # ---- the content team's inbox -----------------------------------------------------------------------------
    def keep_question(self, user_id: str, language: str, text: str, candidates: Sequence[tuple[str, float]]) -> int:
        """Keep a question its user chose to send (already redacted); returns its id."""
        row = self._one(
            "INSERT INTO kept_questions (user_id, language, text, candidates, created_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (user_id, language, text, json.dumps([list(c) for c in candidates], ensure_ascii=False), _now()),
        )
        return int(row[0])

    def kept_questions(self, status: str = "new") -> list[KeptQuestion]:
        return [
            _question(r)
            for r in self._all(f"SELECT {QUESTION_COLUMNS} FROM kept_questions WHERE status = ? ORDER BY id", (status,))
        ]

    def kept_question(self, question_id: int) -> KeptQuestion | None:
        row = self._one(f"SELECT {QUESTION_COLUMNS} FROM kept_questions WHERE id = ?", (question_id,))
        return _question(row) if row else None

    def set_question_status(self, question_id: int, status: str) -> bool:
        return self._write("UPDATE kept_questions SET status = ? WHERE id = ?", (status, question_id)) == 1

    def purge_questions(self, older_than_days: int) -> int:
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        return self._write("DELETE FROM kept_questions WHERE created_at < ?", (cutoff,))

    # ---- counters -------------------------------------------------------------------------------------------
    def count(self, day: str, kind: str, language: str, intent: str, n: int = 1) -> None:
        """Add to one day's counter: one upsert, no text."""
        self._write(
            "INSERT INTO counters (day, kind, language, intent, n) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (day, kind, language, intent) DO UPDATE SET n = counters.n + excluded.n",
            (day, kind, language, intent, n),
        )

    def counters(self, since_day: str) -> list[tuple[str, str, str, str, int]]:
        rows = self._all(
            "SELECT day, kind, language, intent, n FROM counters WHERE day >= ? ORDER BY day, kind, language, intent",
            (since_day,),
        )
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def case_times(self, since: str) -> list[CaseTimes]:
        rows = self._all(
            "SELECT c.created_at, c.closed_at, (SELECT MIN(l.created_at) FROM links l WHERE l.case_id = c.id "
            "AND l.direction = 'out'), c.rating FROM cases c WHERE c.created_at >= ? ORDER BY c.id",
            (since,),
        )
        return [CaseTimes(r[0], r[1], r[2], None if r[3] is None else int(r[3])) for r in rows]

    # ---- bans -----------------------------------------------------------------------------------------------
    def ban(self, user_id: str) -> None:
        self._write("INSERT INTO bans (user_id, banned_at) VALUES (?, ?) ON CONFLICT DO NOTHING", (user_id, _now()))

    def unban(self, user_id: str) -> None:
        self._write("DELETE FROM bans WHERE user_id = ?", (user_id,))

    def is_banned(self, user_id: str) -> bool:
        return self._one("SELECT 1 FROM bans WHERE user_id = ?", (user_id,)) is not None
