"""Loading into PostgreSQL (psycopg 3): COPY a batch into a staging table, then merge it.

Each batch is one transaction: the rows are copied into a temporary table
(typed like the article table, dropped at commit) and merged with the
statements of :mod:`crawler.load.upsert`. The merge runs under a
transaction-level advisory lock on the table, so loads running at the same
time copy in parallel but merge one after the other and never interleave
their history writes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import psycopg

from crawler.load.columns import DEFAULT_TABLE, article_columns, column_names, postgres_ddl, quote, quote_table
from crawler.load.target import LoadError
from crawler.load.upsert import Counts, counts_from, upsert_sql

logger = logging.getLogger(__name__)

STAGING = "load_staging"
CONNECT_TIMEOUT = 10


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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
    with cursor.copy(copy_statement(table)) as copy:
        for row in rows:
            copy.write_row(row)


class PostgresTarget:
    """The article table (and its history table) in one PostgreSQL database."""

    def __init__(self, url: str, table: str = DEFAULT_TABLE) -> None:
        self.url = url
        self.table = table
        self._sql = upsert_sql(table, STAGING)
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

    def upsert(self, records: list[dict[str, Any]]) -> Counts:
        """Merge one batch (at most one record per id) into the table."""
        if not records:
            return Counts()
        rows = copy_rows(records)
        try:
            with self.connection.transaction(), self.connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {STAGING} ON COMMIT DROP AS "
                    f"SELECT {', '.join(quote(name) for name in column_names())} FROM {quote_table(self.table)} WITH NO DATA"
                )
                write_rows(cursor, STAGING, rows)
                cursor.execute(f"ANALYZE {STAGING}")
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"crawler.load:{self.table}"])
                cursor.execute(self._sql.count)
                counts = counts_from(cursor.fetchone())
                if counts.updated:
                    cursor.execute(self._sql.save_replaced)
                if counts.older:
                    cursor.execute(self._sql.save_older)
                if counts.new or counts.updated:
                    cursor.execute(self._sql.upsert)
            return counts
        except psycopg.Error as exc:
            raise LoadError(f"{self.describe()}: {type(exc).__name__}: {exc}".strip()) from exc

    def close(self) -> None:
        self.connection.close()
