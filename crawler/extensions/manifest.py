"""Run manifest: ``OUTPUT_DIR/runs/<run_id>.json``, what a monitor reads after a run.

It records the seed, start and end times, the finish reason, headline counts
taken from the stats, every stat, the files written (the JSONL file, and
the WARC files named through :data:`crawler.signals.output_file`), and the entries other
components send through :data:`crawler.signals.manifest_entry` (doorway
pages, duplicates, failures …), grouped by kind.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from crawler import __version__
from crawler.runinfo import output_dir, run_id, utc_now_iso, worker_suffix
from crawler.signals import manifest_entry, output_file

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1

# Headline counts: manifest name -> stats key (or key prefix ending in "/").
COUNTS = {
    "list_pages": "spider/list_pages",
    "article_pages": "spider/article_pages",
    "records_written": "jsonl/records",
    "new": "dedup/new",
    "changed": "dedup/changed",
    "unchanged": "dedup/unchanged",
    "duplicate": "dedup/duplicate",
    "near_duplicate": "dedup/near_duplicate",
    "spam_dropped": "spam/doorway",
    "failed": "spider/failed/",
    "requests": "downloader/request_count",
    "responses": "downloader/response_count",
    "warc_records": "warc/records",
}


def headline_counts(stats: dict[str, Any]) -> dict[str, int]:
    counts = {}
    for name, key in COUNTS.items():
        if key.endswith("/"):
            counts[name] = sum(v for k, v in stats.items() if k.startswith(key) and isinstance(v, int))
        else:
            value = stats.get(key, 0)
            counts[name] = value if isinstance(value, int) else 0
    return counts


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class RunManifest:
    """Writes the run manifest when the spider closes."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_entries = crawler.settings.getint("MANIFEST_MAX_ENTRIES_PER_KIND", 10_000)
        self.entries: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.dropped_entries: dict[str, int] = defaultdict(int)
        self.output_files: dict[str, list[str]] = defaultdict(list)
        self.started_at = ""
        self._started_monotonic = 0.0
        self._spider: Any = None
        self._finish_reason: str | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(self.add_entry, signal=manifest_entry)
        crawler.signals.connect(self.add_output, signal=output_file)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        self.started_at = utc_now_iso()
        self._started_monotonic = time.monotonic()

    def add_entry(self, kind: str, entry: dict[str, Any]) -> None:
        if len(self.entries[kind]) < self.max_entries:
            self.entries[kind].append(entry)
        else:
            self.dropped_entries[kind] += 1

    def add_output(self, kind: str, path: str) -> None:
        self.output_files[kind].append(path)

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        """A callback or errback raised: whatever it had still to yield is lost, so it is a problem of the run."""
        request = getattr(response, "request", None) or getattr(failure, "request", None)
        callback = getattr(request, "callback", None)
        error = getattr(failure, "value", failure)
        self.add_entry("spider_error", {
            "url": getattr(response, "url", None) or getattr(request, "url", None),
            "callback": getattr(callback, "__name__", None),
            "error": f"{type(error).__name__}: {error}",
        })

    def spider_closed(self, spider: Any, reason: str) -> None:
        # Other spider_closed handlers (WARC writer, JSONL rename) may still be
        # finishing: the manifest is written once the engine has stopped.
        self._spider = spider
        self._finish_reason = reason

    def engine_stopped(self) -> None:
        if self._spider is None:
            return
        self.write(self._spider, self._finish_reason or "unknown")

    def write(self, spider: Any, reason: str) -> None:
        run = run_id(self.crawler)
        stats = {k: _jsonable(v) for k, v in sorted(self.crawler.stats.get_stats().items())}
        seed = getattr(spider, "seed", None)
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "run_id": run,
            # In a distributed run (crawler/distributed/) every worker writes its own manifest.
            "worker": worker_suffix(self.crawler).removeprefix("-") or None,
            "software": f"ministry-news-archive/{__version__}",
            "seed": getattr(seed, "name", spider.name),
            "seed_file": getattr(seed, "path", None),
            "started_at": self.started_at,
            "finished_at": utc_now_iso(),
            "duration_seconds": round(time.monotonic() - self._started_monotonic, 3),
            "finish_reason": reason,
            "counts": headline_counts(stats),
            "outputs": {
                "jsonl": stats.get("jsonl/file"),
                "warc": sorted(self.output_files["warc"]),
            },
            "entries": {kind: items for kind, items in sorted(self.entries.items())},
            "entries_not_listed": dict(self.dropped_entries),
            "stats": stats,
        }
        path = manifest_path(self.crawler)
        write_json_atomically(path, manifest)
        logger.info("Run manifest written to %s", path)


def manifest_path(crawler: Crawler) -> Path:
    """``OUTPUT_DIR/runs/<run id>[-<worker>].json``: where this crawler's manifest is written."""
    return output_dir(crawler.settings) / "runs" / f"{run_id(crawler)}{worker_suffix(crawler)}.json"


def record_exit_status(crawler: Crawler, status: int, reason: str) -> None:
    """Add ``scrapy crawl``'s exit status (known once the crawl is over) to the manifest it wrote."""
    path = manifest_path(crawler)
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):  # no manifest written (the crawl never ran): nothing to add to
        return
    manifest["exit_status"] = status
    manifest["exit_reason"] = reason
    write_json_atomically(path, manifest)


def write_json_atomically(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
