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
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from crawler.load.columns import DEFAULT_TABLE
from crawler.load.records import Problem, find_jsonl
from crawler.load.run import BatchLoader, LoadReport, load_whole_files, unique_by_id
from crawler.load.target import LoadError, Target, open_target
from crawler.load.upsert import Counts

__all__ = ["BATCH_SIZE", "LoadError", "LoadReport", "Problem", "Target", "load_paths", "load_records", "open_target"]

logger = logging.getLogger(__name__)

BATCH_SIZE = 10_000


def load_records(target: Target, records: list[dict[str, Any]]) -> Counts:
    """Merge complete, valid records into ``target``; raises LoadError when the target fails."""
    return target.upsert([records[position] for position in unique_by_id(records)])


def load_paths(paths: Iterable[Path | str], url: str, table: str = DEFAULT_TABLE, *,
               batch_size: int = BATCH_SIZE) -> LoadReport:
    """Load the JSONL files under ``paths`` into the target ``url``.

    Each file is loaded in batches of ``batch_size`` (one transaction each, never
    spanning two files), so two versions of an article from two runs both
    reach the history; a DuckDB file takes a whole file in one transaction
    when that comes to the same (:mod:`crawler.load.run`). Bad lines
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
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawler-load") as writer:
            batches = BatchLoader(target, writer, report, batch_size)
            if hasattr(target, "stage_file"):
                load_whole_files(target, files, batches)
            else:
                for path in files:
                    report.files += 1
                    batches.load(path)
            batches.finish()
    finally:
        target.close()
    return report
