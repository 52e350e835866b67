"""The SQL that merges a batch of records into the article table and its history.

PostgreSQL and DuckDB run the same statements against a staging relation
holding the records of a batch that may have changed (one row per id; new
and unchanged records were sorted out before, :mod:`crawler.load.compare`):

1. count what the batch is: new ids, changed articles, older versions, unchanged;
2. copy each current row that a newer, different version replaces into the
   history table;
3. put batch rows that are older than the current row and different from
   it into the history table (loading an old run after a new one keeps it);
4. ``INSERT … ON CONFLICT (id) DO UPDATE … WHERE`` content changed and the
   batch row is at least as new: an unchanged record writes nothing (DuckDB
   runs it as two statements: the changed rows, then the new ids).

"Content" is every field but those in :data:`crawler.load.columns.FETCH_FIELDS`;
the history table's key is ``(id, fetched_at)``, so saving a version twice
keeps one copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.load.columns import LOADED_AT, column_names, content_columns, quote, quote_table, versions_table


@dataclass(frozen=True)
class Counts:
    """What one batch did to the table."""

    new: int = 0
    updated: int = 0
    older: int = 0  # versions older than the current row, kept in the history table
    unchanged: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.new + other.new, self.updated + other.updated, self.older + other.older,
                      self.unchanged + other.unchanged)


@dataclass(frozen=True)
class UpsertSql:
    count: str
    save_replaced: str
    save_older: str
    upsert: str
    # The upsert split in two, for DuckDB, where ON CONFLICT costs about three
    # times a plain insert: the changed, newer rows of ids in the table, then the new ids.
    update: str
    insert_new: str


def _changed(left: str, right: str) -> str:
    columns = content_columns()
    return (f"({', '.join(f'{left}.{quote(c)}' for c in columns)}) IS DISTINCT FROM "
            f"({', '.join(f'{right}.{quote(c)}' for c in columns)})")


def upsert_sql(table: str, staging: str) -> UpsertSql:
    """The statements that merge ``staging`` into ``table`` and its history table."""
    target, history = quote_table(table), quote_table(versions_table(table))
    columns = column_names()
    listed = ", ".join(quote(c) for c in columns)
    changed = _changed("t", "i")
    newer = "i.fetched_at >= t.fetched_at"
    joined = f"FROM {staging} i JOIN {target} t ON t.id = i.id"
    count = (
        f"SELECT count(*) FILTER (WHERE t.id IS NULL), "
        f"count(*) FILTER (WHERE t.id IS NOT NULL AND {changed} AND {newer}), "
        f"count(*) FILTER (WHERE t.id IS NOT NULL AND {changed} AND NOT ({newer})), "
        f"count(*) FROM {staging} i LEFT JOIN {target} t ON t.id = i.id"
    )
    save_replaced = (
        f"INSERT INTO {history} ({listed}, {LOADED_AT}) "
        f"SELECT {', '.join(f't.{quote(c)}' for c in columns)}, t.{LOADED_AT} {joined} "
        f"WHERE {changed} AND {newer} ON CONFLICT DO NOTHING"
    )
    save_older = (
        f"INSERT INTO {history} ({listed}, {LOADED_AT}) "
        f"SELECT {', '.join(f'i.{quote(c)}' for c in columns)}, now() {joined} "
        f"WHERE {changed} AND NOT ({newer}) ON CONFLICT DO NOTHING"
    )
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c != "id")
    upsert = (
        f"INSERT INTO {target} AS t ({listed}) SELECT {listed} FROM {staging} "
        f"ON CONFLICT (id) DO UPDATE SET {updates}, {LOADED_AT} = now() "
        f"WHERE {_changed('t', 'excluded')} AND excluded.fetched_at >= t.fetched_at"
    )
    update = (
        f"INSERT INTO {target} AS t ({listed}) SELECT {', '.join(f'i.{quote(c)}' for c in columns)} "
        f"FROM {staging} i JOIN {target} c ON c.id = i.id WHERE {_changed('c', 'i')} AND i.fetched_at >= c.fetched_at "
        f"ON CONFLICT (id) DO UPDATE SET {updates}, {LOADED_AT} = now()"
    )
    insert_new = (
        f"INSERT INTO {target} ({listed}) SELECT {listed} FROM {staging} i "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = i.id)"
    )
    return UpsertSql(count, save_replaced, save_older, upsert, update, insert_new)


def counts_from(row: tuple[int, int, int, int]) -> Counts:
    new, updated, older, total = (int(value) for value in row)
    return Counts(new=new, updated=updated, older=older, unchanged=total - new - updated - older)
