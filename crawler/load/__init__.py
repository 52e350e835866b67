"""Loading the JSONL archive into databases: PostgreSQL, DuckDB and Parquet.

``scrapy load PATH… --to URL`` (:mod:`crawler.commands.load`) and the
``LOAD_URL`` item pipeline (``pipelines/load.py``) are thin shells over
:func:`load_paths` and :func:`open_target`. The column types come from the
item (:mod:`crawler.load.columns`); a load is idempotent: loading the same
records again changes nothing, and a changed article replaces its row while
the previous version moves to the history table (:mod:`crawler.load.upsert`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.load.columns import DEFAULT_TABLE
from crawler.load.records import STILL_WRITTEN, Problem, Record, find_jsonl, read_records
from crawler.load.target import LoadError, Target, open_target
from crawler.load.upsert import Counts

__all__ = ["BATCH_SIZE", "LoadError", "LoadReport", "Problem", "Target", "load_paths", "load_records", "open_target"]

logger = logging.getLogger(__name__)

BATCH_SIZE = 10_000


@dataclass
class LoadReport:
    """What a load read, wrote and could not load."""

    target: str = ""
    files: int = 0
    records: int = 0
    counts: Counts = field(default_factory=Counts)
    duplicates: int = 0  # records of a batch superseded by a later record of the same id in it
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # batches the target could not take, with the reason

    @property
    def ok(self) -> bool:
        """Everything given was loaded: no bad line, no failed batch, no missing path (a .part file may be skipped)."""
        return not (self.problems or self.failed or any(reason != STILL_WRITTEN for _path, reason in self.skipped))

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.target}: {self.files} file(s), {self.records} valid record(s): {c.new} new, {c.updated} updated, "
            f"{c.unchanged} unchanged, {c.older} older than the stored row; "
            f"{sum(p.kind == 'malformed' for p in self.problems)} malformed line(s), "
            f"{sum(p.kind == 'rejected' for p in self.problems)} rejected record(s), {len(self.failed)} failed batch(es)"
            + (f"; {self.duplicates} record(s) superseded by a later one of the same id in a file" if self.duplicates else "")
        )


def unique_by_id(records: list[dict[str, Any]]) -> list[int]:
    """Positions of one record per id: the latest fetched, the later in the input on a tie."""
    latest: dict[str, tuple[datetime, int]] = {}
    for position, record in enumerate(records):
        fetched = datetime.fromisoformat(record["fetched_at"])
        seen = latest.get(record["id"])
        if seen is None or fetched >= seen[0]:
            latest[record["id"]] = (fetched, position)
    if len(latest) == len(records):
        return list(range(len(records)))
    return sorted(position for _fetched, position in latest.values())


def load_records(target: Target, records: list[dict[str, Any]]) -> Counts:
    """Merge complete, valid records into ``target``; raises LoadError when the target fails."""
    return target.upsert([records[position] for position in unique_by_id(records)])


def _batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_paths(paths: Iterable[Path | str], url: str, table: str = DEFAULT_TABLE, *,
               batch_size: int = BATCH_SIZE) -> LoadReport:
    """Load the JSONL files under ``paths`` into the target ``url``.

    Each file is loaded in batches of ``batch_size`` (one transaction each, never
    spanning two files), so two versions of an article from two runs both
    reach the history. Bad lines
    and rejected records are reported and skipped; a failing batch is reported
    and the load goes on with the next. Raises LoadError when the target cannot
    be opened, ValueError for an unknown URL.
    """
    files, skipped = find_jsonl(Path(path) for path in paths)
    report = LoadReport(skipped=skipped)
    for path, reason in skipped:
        logger.warning("Skipping %s: %s", path, reason)
    target = open_target(url, table)
    report.target = target.describe()
    # One batch is written (in a thread: the database works, the GIL is free)
    # while the next is read and checked.
    pending: tuple[Future[Counts], str] | None = None

    def collect() -> None:
        assert pending is not None
        future, where = pending
        try:
            report.counts += future.result()
        except LoadError as exc:
            report.failed.append(f"{where}: {exc}")
            logger.error("Could not load %s: %s", where, exc)

    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawler-load") as writer:
            for path in files:
                report.files += 1
                for batch in _batches(read_records(path, report.problems), batch_size):
                    report.records += len(batch)
                    unique = [batch[position] for position in unique_by_id([record.data for record in batch])]
                    report.duplicates += len(batch) - len(unique)
                    if pending is not None:
                        collect()
                    future = writer.submit(target.upsert, [record.data for record in unique],
                                           [record.raw for record in unique])
                    pending = (future, f"{path}:{batch[0].line}-{batch[-1].line}")
            if pending is not None:
                collect()
    finally:
        target.close()
    return report
