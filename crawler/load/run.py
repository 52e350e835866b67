"""How a load walks its files: batch by batch, or, into DuckDB, a whole file at once.

Batch by batch (every target): the records of a file are read, checked
(:mod:`crawler.load.records`) and written in batches, one transaction each;
a batch is written in the writer thread while the next is read.

A whole file at once (a target with ``stage_file`` and ``merge_file``, i.e.
DuckDB): the writer thread has DuckDB read the file into a temporary table,
which its own threads do without the GIL, while this thread runs the same
checks over the same lines (:func:`crawler.load.records.scan_file`). The
valid rows are then merged in one transaction, selected by row number, and
DuckDB reads the next file while the checks go on. A file DuckDB cannot
read as it is (a malformed line), one whose rows do not line up with the
checked lines, or one with an id on two lines (the batch boundaries decide
which version wins) is loaded batch by batch instead, so the rows, history,
counts and reports are those of a load batch by batch in every case.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.load.records import STILL_WRITTEN, FileScan, Problem, Record, read_records, scan_file
from crawler.load.target import LoadError, Target
from crawler.load.upsert import Counts

logger = logging.getLogger(__name__)


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


def _batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class BatchLoader:
    """Loads files batch by batch; one batch is written (in the writer thread) while the next is read."""

    def __init__(self, target: Target, writer: ThreadPoolExecutor, report: LoadReport, batch_size: int) -> None:
        self.target, self.writer, self.report, self.batch_size = target, writer, report, batch_size
        self.pending: tuple[Future[Counts], str] | None = None

    def load(self, path: Path) -> None:
        report = self.report
        for batch in _batches(read_records(path, report.problems), self.batch_size):
            report.records += len(batch)
            unique = [batch[position] for position in unique_by_id([record.data for record in batch])]
            report.duplicates += len(batch) - len(unique)
            self.finish()
            future = self.writer.submit(self.target.upsert, [record.data for record in unique],
                                        [record.raw for record in unique])
            self.pending = (future, f"{path}:{batch[0].line}-{batch[-1].line}")

    def finish(self) -> None:
        """Wait for the batch being written and count it."""
        if self.pending is None:
            return
        future, where = self.pending
        self.pending = None
        try:
            self.report.counts += future.result()
        except LoadError as exc:
            self.report.failed.append(f"{where}: {exc}")
            logger.error("Could not load %s: %s", where, exc)


def load_whole_files(target: Any, files: list[Path], batches: BatchLoader) -> None:
    """Load ``files`` into a target that reads a whole file itself, falling back to ``batches`` file by file."""
    writer, report = batches.writer, batches.report
    merging: tuple[Future[Counts | None], Path, FileScan] | None = None

    def settle() -> None:
        """Count the file being merged, or load it batch by batch when the merge did not take it."""
        nonlocal merging
        if merging is None:
            return
        future, path, scan = merging
        merging = None
        counts = future.result()
        if counts is None:
            batches.load(path)
            return
        report.records += len(scan.valid[1])
        report.counts += counts
        for problem in scan.problems:
            report.problems.append(problem)
            logger.error("%s", problem)

    for path in files:
        report.files += 1
        staged = writer.submit(target.stage_file, path)
        scan = scan_file(path)  # in this thread, while DuckDB reads the file in its own
        read = staged.result()
        settle()
        if read and scan.usable:
            merging = (writer.submit(target.merge_file, scan), path, scan)
        else:
            writer.submit(target.drop_file).result()
            batches.load(path)
    settle()
