"""Where records are loaded: a target chosen by URL, and the error every target raises.

``postgresql://…`` (or ``postgres://…``) is a PostgreSQL database,
``duckdb:///FILE`` a DuckDB file (``duckdb:////abs/path.duckdb`` for an
absolute path, as in SQLAlchemy URLs) and ``parquet:DIR`` a directory of
Parquet files partitioned by site and year.
"""

from __future__ import annotations

from typing import Any, Protocol

from crawler.load.columns import DEFAULT_TABLE
from crawler.load.upsert import Counts


class LoadError(Exception):
    """The target could not be opened or a batch could not be written (the batch is not loaded)."""


class Target(Protocol):
    def describe(self) -> str: ...

    def upsert(self, records: list[dict[str, Any]], lines: list[bytes] | None = None) -> Counts:
        """Merge complete, valid records (one per id); ``lines``, when given, are their JSONL lines."""
        ...

    def close(self) -> None: ...


SCHEMES = ("postgresql://", "postgres://", "duckdb://", "parquet:")


def open_target(url: str, table: str = DEFAULT_TABLE) -> Target:
    """The target ``url`` names; raises ValueError for an unknown scheme, LoadError when it cannot be opened."""
    if url.startswith(("postgresql://", "postgres://")):
        from crawler.load.postgres import PostgresTarget

        return PostgresTarget(url, table)
    if url.startswith("duckdb://"):
        from crawler.load.duckdbfile import DuckDBTarget

        path = url.removeprefix("duckdb://").removeprefix("/")
        if not path:
            raise ValueError(f"{url}: give a file, e.g. duckdb:///articles.duckdb")
        return DuckDBTarget(path, table)
    if url.startswith("parquet:"):
        from crawler.load.parquet import ParquetTarget

        directory = url.removeprefix("parquet:").removeprefix("//")
        if not directory:
            raise ValueError(f"{url}: give a directory, e.g. parquet:out/parquet")
        return ParquetTarget(directory)
    raise ValueError(f"{url}: not a database URL this loader knows (use one of {', '.join(SCHEMES)})")
