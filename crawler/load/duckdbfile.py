"""Loading into a DuckDB file: the batch as a typed Arrow table, merged with the shared SQL.

DuckDB lets one process at a time write a database file; a second load of
the same file waits (up to ``LOCK_WAIT_SECONDS``) for the first to finish
instead of failing.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import duckdb

from crawler.load.arrow import arrow_table
from crawler.load.columns import DEFAULT_TABLE, duckdb_ddl, quote_table
from crawler.load.target import LoadError
from crawler.load.upsert import Counts, counts_from, upsert_sql

logger = logging.getLogger(__name__)

STAGING = "load_staging"
LOCK_WAIT_SECONDS = 120.0


def connect(path: str, wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open ``path`` for writing, waiting while another process holds it."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(path)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


class DuckDBTarget:
    """The article table (and its history table) in one DuckDB file."""

    def __init__(self, path: str, table: str = DEFAULT_TABLE) -> None:
        self.path = path
        self.table = table
        self._sql = upsert_sql(table, STAGING)
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.connection = connect(path)
            schema = table.rpartition(".")[0]
            if schema:
                self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_table(schema)}")
            self.connection.execute(duckdb_ddl(table))
        except (duckdb.Error, OSError) as exc:
            raise LoadError(f"cannot use {self.describe()}: {exc}") from exc

    def describe(self) -> str:
        return f"duckdb:///{self.path} table {self.table}"

    def upsert(self, records: list[dict[str, Any]]) -> Counts:
        """Merge one batch (at most one record per id) into the table."""
        if not records:
            return Counts()
        staging = arrow_table(records)
        connection = self.connection
        try:
            connection.register(STAGING, staging)
            connection.begin()
            try:
                row = connection.execute(self._sql.count).fetchone()
                assert row is not None
                counts = counts_from(row)
                if counts.updated:
                    connection.execute(self._sql.save_replaced)
                if counts.older:
                    connection.execute(self._sql.save_older)
                if counts.new or counts.updated:
                    connection.execute(self._sql.upsert)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                connection.unregister(STAGING)
            return counts
        except duckdb.Error as exc:
            raise LoadError(f"{self.describe()}: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self.connection.close()
