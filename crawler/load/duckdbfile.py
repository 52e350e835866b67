"""Loading into a DuckDB file: DuckDB reads the JSON lines itself, typed by the article table.

A load from files gives DuckDB each whole JSONL file to read into a
temporary table with row numbers (:meth:`DuckDBTarget.stage_file`) while
Python checks the same lines, then merges the valid rows in one transaction
(:meth:`DuckDBTarget.merge_file`; :mod:`crawler.load.run` says when).
Otherwise (batches of the live pipeline, files DuckDB cannot read as they
are) the records are checked in Python (:mod:`crawler.load.records`) and
their JSON lines written to a temporary file for DuckDB's JSON reader, which
is several times faster than building the rows in Python; new records are
inserted from it, unchanged ones skipped (:mod:`crawler.load.compare`),
changed ones merged; each batch is one transaction. Either way the merge
runs the statements of :mod:`crawler.load.upsert`.

DuckDB lets one process at a time write a database file; a second load of
the same file, from another process or another thread, waits (up to
``LOCK_WAIT_SECONDS``) for the first to finish instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import orjson

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
from crawler.load.records import FileScan
from crawler.load.upsert import Counts, UpsertSql, counts_from, upsert_sql

logger = logging.getLogger(__name__)

STAGING = "load_staging"
# A whole file read by DuckDB: its rows with their row numbers, the valid ones, and those to merge.
FILE_ROWS, VALID_ROWS, FILE_STAGING, ROW = "load_file_rows", "load_valid_rows", "load_file_staging", "file_row"
LOCK_WAIT_SECONDS = 120.0
# DuckDB checkpoints whenever its write-ahead log passes 16 MiB, which a batch
# of articles does: every commit paid a checkpoint. The load checkpoints once,
# as it closes the file (about a tenth less CPU on 20k articles, bench/load.py).
CHECKPOINT_THRESHOLD = "1GiB"


# Within one process DuckDB shares an open file between connections, and two
# loads writing the same rows at once conflict: a load holds its file's lock.
_FILE_LOCKS: dict[str, threading.Lock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def _file_lock(path: str) -> threading.Lock:
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(os.path.realpath(path), threading.Lock())


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


def read_json_call(path: str) -> str:
    """DuckDB's reader of a JSONL file, its columns typed as the table."""
    types = ", ".join(
        "'{}': '{}'".format(column.name, duckdb_column_type(column).replace("'", "''")) for column in article_columns()
    )
    quoted = path.replace("'", "''")
    return f"read_json('{quoted}', format = 'newline_delimited', columns = {{{types}}})"


def read_json_sql(path: str) -> str:
    """A SELECT of the article columns from a JSONL file, typed as the table."""
    return f"SELECT {', '.join(quote(name) for name in column_names())} FROM {read_json_call(path)}"


class DuckDBTarget:
    """The article table (and its history table) in one DuckDB file."""

    def __init__(self, path: str, table: str = DEFAULT_TABLE) -> None:
        self.path = path
        self.table = table
        self._sql = upsert_sql(table, STAGING)
        self._file_sql = upsert_sql(table, FILE_STAGING)
        self._names = [quote(name) for name in column_names()]
        self._stored = stored_content_sql(table, "IN (SELECT unnest($1))")
        self._columns = ", ".join(self._names)
        self._lock = _file_lock(path)
        if not self._lock.acquire(timeout=LOCK_WAIT_SECONDS):
            raise LoadError(f"cannot use {self.describe()}: another load in this process holds it")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.connection = connect(path)
            schema = table.rpartition(".")[0]
            if schema:
                self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_table(schema)}")
            self.connection.execute(duckdb_ddl(table))
            self.connection.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        except (duckdb.Error, OSError) as exc:
            if hasattr(self, "connection"):
                self.connection.close()
            self._lock.release()
            raise LoadError(f"cannot use {self.describe()}: {exc}") from exc

    def describe(self) -> str:
        return f"duckdb:///{self.path} table {self.table}"

    def upsert(self, records: list[dict[str, Any]], lines: list[bytes] | None = None) -> Counts:
        """Merge one batch (at most one record per id) into the table."""
        if not records:
            return Counts()
        if lines is None:
            lines = [orjson.dumps(record) for record in records]
        connection = self.connection
        try:
            connection.begin()
            try:
                rows = connection.execute(self._stored, [[record["id"] for record in records]]).fetchall()
                stored = {row[0]: tuple(row[1:]) for row in rows}
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
        counts = self._merge_staged(self._sql)
        connection.execute(f"DROP TABLE {STAGING}")
        return counts

    def _merge_staged(self, sql: UpsertSql) -> Counts:
        """Run the merge statements of :mod:`crawler.load.upsert` (in the caller's transaction)."""
        connection = self.connection
        row = connection.execute(sql.count).fetchone()
        assert row is not None
        counts = counts_from(row)
        if counts.updated:
            connection.execute(sql.save_replaced)
        if counts.older:
            connection.execute(sql.save_older)
        if counts.updated:
            connection.execute(sql.update)
        if counts.new:
            connection.execute(sql.insert_new)
        return counts

    # -- a whole file at once: DuckDB reads it while Python checks it (crawler.load.files)

    def stage_file(self, path: Path) -> bool:
        """Read every line of a JSONL file into a temporary table, with its row number; False when DuckDB cannot."""
        try:
            self.connection.execute(
                f"CREATE OR REPLACE TEMPORARY TABLE {FILE_ROWS} AS SELECT {self._columns}, ordinality AS {ROW} "
                f"FROM {read_json_call(str(path))} WITH ORDINALITY"
            )
            return True
        except duckdb.Error as exc:  # a line DuckDB cannot read: the records go batch by batch
            logger.debug("DuckDB does not read %s at once: %s", path, exc)
            return False

    def merge_file(self, scan: FileScan) -> Counts | None:
        """Merge the valid records of the staged file in one transaction; None when the rows do not match ``scan``.

        The staged rows must be exactly the file's non-blank lines, and the
        valid records' row numbers and ids must match what the checks found;
        otherwise (or when a statement fails) nothing is written and the
        caller loads the file batch by batch.
        """
        positions, ids = scan.valid
        connection = self.connection
        try:
            connection.begin()
            try:
                connection.execute(f"CREATE OR REPLACE TEMPORARY TABLE {VALID_ROWS} AS "
                                   f"SELECT unnest($1::BIGINT[]) AS {ROW}, unnest($2::VARCHAR[]) AS id", [positions, ids])
                found = connection.execute(
                    f"SELECT (SELECT count(*) FROM {FILE_ROWS}), (SELECT count(*) FROM {FILE_ROWS} f "
                    f"JOIN {VALID_ROWS} v ON f.{ROW} = v.{ROW} AND f.id = v.id)"
                ).fetchone()
                if found != (scan.rows, len(ids)):
                    logger.debug("DuckDB read %s rows of which %s valid; the checks found %s and %s",
                                 *(found or (None, None)), scan.rows, len(ids))
                    connection.rollback()
                    return None
                chosen = "" if len(ids) == scan.rows else f" SEMI JOIN {VALID_ROWS} v ON f.{ROW} = v.{ROW}"
                connection.execute(f"CREATE OR REPLACE TEMPORARY VIEW {FILE_STAGING} AS "
                                   f"SELECT {', '.join(f'f.{name}' for name in self._names)} FROM {FILE_ROWS} f{chosen}")
                counts = self._merge_staged(self._file_sql)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            return counts
        except duckdb.Error as exc:
            logger.debug("Could not merge the file at once into %s: %s", self.describe(), exc)
            return None
        finally:
            self.drop_file()

    def drop_file(self) -> None:
        for statement in (f"DROP VIEW IF EXISTS {FILE_STAGING}", f"DROP TABLE IF EXISTS {VALID_ROWS}",
                          f"DROP TABLE IF EXISTS {FILE_ROWS}"):
            try:
                self.connection.execute(statement)
            except duckdb.Error as exc:
                logger.debug("%s: %s", statement, exc)

    def close(self) -> None:
        try:
            # Connections to one file in a process share its settings: leave the default to the next.
            self.connection.execute("RESET checkpoint_threshold")
            self.connection.execute("CHECKPOINT")
        except duckdb.Error as exc:  # the WAL keeps what was committed; the next open replays it
            logger.warning("Could not checkpoint %s: %s", self.describe(), exc)
        finally:
            try:
                self.connection.close()
            finally:
                self._lock.release()


@contextmanager
def _lines_file(lines: list[bytes]) -> Iterator[str]:
    """A temporary JSONL file holding ``lines``, removed on exit."""
    descriptor, path = tempfile.mkstemp(prefix="crawler-load-", suffix=".jsonl")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(b"\n".join(line.rstrip(b"\r\n") for line in lines) + b"\n")
        yield path
    finally:
        os.unlink(path)
