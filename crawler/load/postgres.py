"""Loading into PostgreSQL (psycopg 3): COPY a batch into a staging table, then merge it.

Each batch is one transaction under a transaction-level advisory lock on the
table, so loads running at the same time take turns and never interleave
their history writes. Records whose id is not in the table yet are copied
straight into it, unchanged ones are skipped (:mod:`crawler.load.compare`);
changed ones are copied into a temporary table (typed like the article
table, dropped at commit) and merged with the statements of
:mod:`crawler.load.upsert`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import psycopg
from psycopg.copy import QueuedLibpqWriter

from crawler.load.columns import DEFAULT_TABLE, article_columns, column_names, postgres_ddl, quote, quote_table
from crawler.load.compare import sort_batch, stored_content_sql
from crawler.load.target import LoadError
from crawler.load.upsert import Counts, counts_from, upsert_sql

logger = logging.getLogger(__name__)

STAGING = "load_staging"
CONNECT_TIMEOUT = 10


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def copy_rows(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The COPY rows of ``records``: JSON columns as JSON text, the rest as the server parses them."""
    names = column_names()
    json_columns = {column.name for column in article_columns() if column.kind == "json"}
    if not json_columns:
        return [tuple(record[name] for name in names) for record in records]
    convert = [(name, name in json_columns) for name in names]
    return [tuple(_json(record[name]) if is_json else record[name] for name, is_json in convert) for record in records]


def copy_statement(table: str) -> str:
    return f"COPY {quote_table(table)} ({', '.join(quote(name) for name in column_names())}) FROM STDIN"


def write_rows(cursor: psycopg.Cursor[Any], table: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY ``rows`` into ``table`` (text format: the server parses dates, timestamps and JSON)."""
    # The queued writer sends from a thread of its own: the server parses one
    # block while Python formats the next.
    with cursor.copy(copy_statement(table), writer=QueuedLibpqWriter(cursor)) as copy:
        for row in rows:
            copy.write_row(row)


class PostgresTarget:
    """The article table (and its history table) in one PostgreSQL database."""

    def __init__(self, url: str, table: str = DEFAULT_TABLE) -> None:
        self.url = url
        self.table = table
        self._sql = upsert_sql(table, STAGING)
        self._stored = stored_content_sql(table, "= ANY(%s)")
        try:
            self.connection = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT)
            self._create_tables()
        except psycopg.Error as exc:
            raise LoadError(f"cannot use {self.describe()}: {exc}".strip()) from exc

    def describe(self) -> str:
        """The database and table, without a password."""
        try:
            info = psycopg.conninfo.conninfo_to_dict(self.url)
        except psycopg.ProgrammingError:
            return f"table {self.table}"
        where = f"{info.get('host') or 'localhost'}:{info.get('port') or 5432}/{info.get('dbname') or ''}"
        return f"postgresql://{where} table {self.table}"

    def _create_tables(self) -> None:
        schema = self.table.rpartition(".")[0]
        with self.connection.transaction(), self.connection.cursor() as cursor:
            # Two loads creating the same tables at once would collide in the catalog.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"crawler.load:{self.table}"])
            if schema:
                cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_table(schema)}")
            cursor.execute(postgres_ddl(self.table))

    def upsert(self, records: list[dict[str, Any]], lines: list[bytes] | None = None) -> Counts:
        """Merge one batch (at most one record per id) into the table; ``lines`` (their JSON) is not needed."""
        if not records:
            return Counts()
        try:
            with self.connection.transaction(), self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"crawler.load:{self.table}"])
                cursor.execute(self._stored, [[record["id"] for record in records]])
                stored = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
                new, changed, unchanged = sort_batch(records, stored)
                if new:
                    write_rows(cursor, self.table, copy_rows([records[position] for position in new]))
                counts = Counts(new=len(new), unchanged=unchanged)
                if changed:
                    counts += self._merge(cursor, [records[position] for position in changed])
            return counts
        except psycopg.Error as exc:
            raise LoadError(f"{self.describe()}: {type(exc).__name__}: {exc}".strip()) from exc

    def _merge(self, cursor: psycopg.Cursor[Any], records: list[dict[str, Any]]) -> Counts:
        """Merge records whose ids are in the table, through the staging table."""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} ON COMMIT DROP AS "
            f"SELECT {', '.join(quote(name) for name in column_names())} FROM {quote_table(self.table)} WITH NO DATA"
        )
        write_rows(cursor, STAGING, copy_rows(records))
        cursor.execute(f"ANALYZE {STAGING}")
        cursor.execute(self._sql.count)
        counts = counts_from(cursor.fetchone())
        if counts.updated:
            cursor.execute(self._sql.save_replaced)
        if counts.older:
            cursor.execute(self._sql.save_older)
        if counts.new or counts.updated:
            cursor.execute(self._sql.upsert)
        return counts

    def close(self) -> None:
        self.connection.close()
