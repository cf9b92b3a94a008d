"""PostgreSQL, for several replicas behind one webhook: the same queries, the database arbitrates."""

from __future__ import annotations

from bot.store.sql import SqlStore


class PostgresStore(SqlStore):
    """An autocommit connection per thread (the store is called from a thread pool); transactions bind statements."""

    dialect = "postgres"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ValueError("PostgreSQL storage needs psycopg: pip install 'oncobot[postgres]'") from exc
        try:
            connection = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise ValueError(f"cannot connect to the database: {str(exc).strip().splitlines()[0]}") from exc
        self.open_case_conflict = (psycopg.errors.UniqueViolation,)
        super().__init__(connection, connect=lambda: psycopg.connect(url, autocommit=True))
