"""Loading into a DuckDB file: DuckDB reads the batch's JSON lines itself, typed by the article table.

The records are checked in Python (:mod:`crawler.load.records`); their JSON
lines are then written to a temporary file that DuckDB's own JSON reader
turns into rows of the table's column types, which is several times faster
than building the rows in Python. New records are inserted from it,
unchanged ones skipped (:mod:`crawler.load.compare`), changed ones merged
with the statements of :mod:`crawler.load.upsert`; each batch is one
transaction.

DuckDB lets one process at a time write a database file; a second load of
the same file waits (up to ``LOCK_WAIT_SECONDS``) for the first to finish
instead of failing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from crawler.load.columns import (
    DEFAULT_TABLE,
    article_columns,
    column_names,
    duckdb_column_type,
    duckdb_ddl,
    quote,
    quote_table,
)
from crawler.load.compare import sort_batch, stored_content_sql
from crawler.load.target import LoadError
from crawler.load.upsert import Counts, counts_from, upsert_sql

logger = logging.getLogger(__name__)

STAGING = "load_staging"
IDS = "load_ids"
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


def read_json_sql(path: str) -> str:
    """A SELECT of the article columns from a JSONL file, typed as the table."""
    types = ", ".join(
        "'{}': '{}'".format(column.name, duckdb_column_type(column).replace("'", "''")) for column in article_columns()
    )
    quoted = path.replace("'", "''")
    names = ", ".join(quote(name) for name in column_names())
    return f"SELECT {names} FROM read_json('{quoted}', format = 'newline_delimited', columns = {{{types}}})"


class DuckDBTarget:
    """The article table (and its history table) in one DuckDB file."""

    def __init__(self, path: str, table: str = DEFAULT_TABLE) -> None:
        self.path = path
        self.table = table
        self._sql = upsert_sql(table, STAGING)
        self._stored = stored_content_sql(table, f"IN (SELECT id FROM {IDS})")
        self._columns = ", ".join(quote(name) for name in column_names())
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

    def upsert(self, records: list[dict[str, Any]], lines: list[bytes] | None = None) -> Counts:
        """Merge one batch (at most one record per id) into the table."""
        if not records:
            return Counts()
        if lines is None:
            lines = [json.dumps(record, ensure_ascii=False).encode("utf-8") for record in records]
        connection = self.connection
        try:
            connection.begin()
            try:
                connection.register(IDS, pa.table({"id": [record["id"] for record in records]}))
                stored = {row[0]: tuple(row[1:]) for row in connection.execute(self._stored).fetchall()}
                connection.unregister(IDS)
                new, changed, unchanged = sort_batch(records, stored)
                counts = Counts(new=len(new), unchanged=unchanged)
                if new:
                    with _lines_file([lines[position] for position in new]) as path:
                        connection.execute(f"INSERT INTO {quote_table(self.table)} ({self._columns}) {read_json_sql(path)}")
                if changed:
                    counts += self._merge([lines[position] for position in changed])
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            return counts
        except (duckdb.Error, OSError) as exc:
            raise LoadError(f"{self.describe()}: {type(exc).__name__}: {exc}") from exc

    def _merge(self, lines: list[bytes]) -> Counts:
        """Merge records whose ids are in the table, through a staging table."""
        connection = self.connection
        with _lines_file(lines) as path:
            connection.execute(f"CREATE OR REPLACE TEMPORARY TABLE {STAGING} AS {read_json_sql(path)}")
        row = connection.execute(self._sql.count).fetchone()
        assert row is not None
        counts = counts_from(row)
        if counts.updated:
            connection.execute(self._sql.save_replaced)
        if counts.older:
            connection.execute(self._sql.save_older)
        if counts.new or counts.updated:
            connection.execute(self._sql.upsert)
        connection.execute(f"DROP TABLE {STAGING}")
        return counts

    def close(self) -> None:
        self.connection.close()


@contextmanager
def _lines_file(lines: list[bytes]) -> Iterator[str]:
    """A temporary JSONL file holding ``lines``, removed on exit."""
    descriptor, path = tempfile.mkstemp(prefix="crawler-load-", suffix=".jsonl")
    try:
        with os.fdopen(descriptor, "wb") as file:
            for line in lines:
                file.write(line.rstrip(b"\r\n") + b"\n")
        yield path
    finally:
        os.unlink(path)
