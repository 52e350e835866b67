"""Loading into a directory of Parquet files, partitioned by site and year (``site=mca/year=2024/``).

The files carry the explicit article schema (:func:`crawler.load.columns.arrow_schema`),
so every file has the same column types whatever its values. A batch is merged
into the partitions it touches: they are read, the batch replaces the rows of
its ids (when the content changed and the record is at least as new), and
those partitions are written anew. The directory keeps the current version of
each article only; the history of versions is kept by the database targets.
Loads into the same directory take turns (a lock file).
"""

from __future__ import annotations

import fcntl
import logging
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from crawler.load.arrow import arrow_table
from crawler.load.columns import arrow_schema, column_names, content_columns
from crawler.load.target import LoadError
from crawler.load.upsert import Counts

logger = logging.getLogger(__name__)

YEAR = "year"  # partition column: the year of published_date (null when the date is unknown)
LOCK_FILE = ".load.lock"


def partitioning() -> ds.Partitioning:
    return ds.partitioning(pa.schema([("site", pa.string()), (YEAR, pa.int32())]), flavor="hive")


def with_year(table: pa.Table) -> pa.Table:
    return table.append_column(YEAR, pc.year(table["published_date"]).cast(pa.int32()))


def read_dataset(directory: str | Path) -> pa.Table:
    """Every article row in a Parquet directory this target wrote, typed by the article schema."""
    dataset = ds.dataset(str(directory), format="parquet", partitioning=partitioning(), exclude_invalid_files=True)
    return dataset.to_table(columns=column_names()).cast(arrow_schema())


class ParquetTarget:
    """A directory of Parquet files holding the current version of every article."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LoadError(f"cannot use {self.describe()}: {exc}") from exc

    def describe(self) -> str:
        return f"parquet:{self.directory}"

    def _fragments(self) -> list[ds.ParquetFileFragment]:
        if not any(self.directory.glob("site=*")):
            return []
        dataset = ds.dataset(str(self.directory), format="parquet", partitioning=partitioning())
        return list(dataset.get_fragments())

    def upsert(self, records: list[dict[str, Any]], lines: list[bytes] | None = None) -> Counts:
        """Merge one batch (at most one record per id) into the partitions it touches."""
        if not records:
            return Counts()
        incoming = arrow_table(records).to_pylist()
        try:
            with open(self.directory / LOCK_FILE, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                return self._merge(incoming)
        except (OSError, pa.ArrowException) as exc:
            raise LoadError(f"{self.describe()}: {type(exc).__name__}: {exc}") from exc

    def _merge(self, incoming: list[dict[str, Any]]) -> Counts:
        ids = {row["id"] for row in incoming}
        wanted = pa.array(sorted(ids), pa.string())
        fragments = self._fragments()
        # Partitions holding one of the batch's ids, or receiving one, are rewritten whole.
        touched_keys = {(row["site"], row["published_date"].year if row["published_date"] else None) for row in incoming}
        touched: list[ds.ParquetFileFragment] = []
        current: dict[str, dict[str, Any]] = {}
        kept: list[dict[str, Any]] = []
        for fragment in fragments:
            keys = ds.get_partition_keys(fragment.partition_expression)
            if (keys.get("site"), keys.get(YEAR)) not in touched_keys:
                stored_ids = fragment.to_table(columns=["id"])["id"]
                if not pc.any(pc.is_in(stored_ids, wanted)).as_py():
                    continue
            touched.append(fragment)
            table = fragment.to_table(columns=[name for name in column_names() if name != "site"])
            table = table.append_column("site", pa.array([keys.get("site")] * table.num_rows, pa.string()))
            for row in table.select(column_names()).cast(arrow_schema()).to_pylist():
                if row["id"] in ids:
                    current[row["id"]] = row
                else:
                    kept.append(row)
        content = content_columns()
        new = updated = older = 0
        rows = kept
        for row in incoming:
            existing = current.pop(row["id"], None)
            if existing is None:
                new += 1
                rows.append(row)
            elif any(existing[name] != row[name] for name in content):
                if row["fetched_at"] >= existing["fetched_at"]:
                    updated += 1
                    rows.append(row)
                else:
                    older += 1
                    rows.append(existing)
            else:
                rows.append(existing)
        if new or updated:
            self._write(rows, touched)
        return Counts(new=new, updated=updated, older=older, unchanged=len(incoming) - new - updated - older)

    def _write(self, rows: list[dict[str, Any]], replaced: list[ds.ParquetFileFragment]) -> None:
        table = with_year(pa.Table.from_pylist(rows, schema=arrow_schema()))
        ds.write_dataset(
            table, str(self.directory), format="parquet", partitioning=partitioning(),
            basename_template=f"part-{uuid.uuid4().hex}-{{i}}.parquet", existing_data_behavior="overwrite_or_ignore",
        )
        for fragment in replaced:
            Path(fragment.path).unlink(missing_ok=True)

    def close(self) -> None:
        pass
