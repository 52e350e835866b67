"""Which records of a batch are new, unchanged or changed, decided before anything is written.

One query per batch fetches, for the batch's ids already in the table, the
content columns (the body as its MD5, computed by the database) and Python
compares them with the records. New records are then appended as they are,
unchanged ones are skipped, and only the changed ones go through the
staging table and the merge statements of :mod:`crawler.load.upsert`, which
decide again, in SQL, in the same transaction. So a first load costs about one
plain COPY and a repeated load about one indexed read.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import cache
from typing import Any

from crawler.load.columns import article_columns, content_columns, quote, quote_table


@cache
def _content_kinds() -> tuple[tuple[str, str], ...]:
    kinds = {column.name: column.kind for column in article_columns()}
    return tuple((name, kinds[name]) for name in content_columns())


def stored_content_sql(table: str, ids: str) -> str:
    """SELECT id and the content of the rows whose id is in the relation or expression ``ids``."""
    selected = ", ".join("md5(body)" if name == "body" else quote(name) for name, _kind in _content_kinds())
    return f"SELECT id, {selected} FROM {quote_table(table)} WHERE id {ids}"


def _value(kind: str, name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "body":
        return hashlib.md5(value.encode("utf-8")).hexdigest()
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "timestamptz":
        return datetime.fromisoformat(value)
    return value


def content_of(record: dict[str, Any]) -> tuple[Any, ...]:
    """A record's content in the shape :func:`stored_content_sql` returns it."""
    return tuple(_value(kind, name, record[name]) for name, kind in _content_kinds())


def sort_batch(records: list[dict[str, Any]], stored: dict[str, tuple[Any, ...]]) -> tuple[list[int], list[int], int]:
    """Positions of the new records and of those that may have changed, and how many are certainly unchanged."""
    new: list[int] = []
    changed: list[int] = []
    unchanged = 0
    for position, record in enumerate(records):
        current = stored.get(record["id"])
        if current is None:
            new.append(position)
        elif current == content_of(record):
            unchanged += 1
        else:
            changed.append(position)
    return new, changed, unchanged
