"""Records as Arrow tables typed by :func:`crawler.load.columns.arrow_schema` (DuckDB, Parquet, polars).

The schema is given, never inferred, so a batch whose ``spam_removed``
lists are all empty or whose ``cloaked`` values are all null still has
list-of-struct and boolean columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from crawler.load.columns import arrow_schema
from crawler.load.records import Problem, find_jsonl, read_records

if TYPE_CHECKING:
    import polars


@cache
def _text_schema() -> pa.Schema:
    """The article schema with dates and timestamps as strings, as they are in JSON."""
    return pa.schema([
        field.with_type(pa.string()) if pa.types.is_temporal(field.type) else field for field in arrow_schema()
    ])


def arrow_table(records: list[dict[str, Any]]) -> pa.Table:
    """``records`` (complete, valid) as a typed Arrow table."""
    # Arrow parses the ISO 8601 strings (offsets included) faster than Python would.
    return pa.Table.from_pylist(records, schema=_text_schema()).cast(arrow_schema())


def read_polars(paths: Iterable[Path], problems: list[Problem] | None = None) -> polars.DataFrame:
    """The valid records of the JSONL files under ``paths`` as a polars frame with the article types."""
    import polars as pl

    problems = [] if problems is None else problems
    files, _skipped = find_jsonl(paths)
    records = [record.data for path in files for record in read_records(path, problems)]
    frame = pl.from_arrow(arrow_table(records))
    assert isinstance(frame, pl.DataFrame)
    return frame
