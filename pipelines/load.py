"""Live loading: upsert each item into the database named by ``LOAD_URL`` as the crawl emits it.

A thin wrapper over :mod:`crawler.load`, placed after the JSONL writer: it
loads what was written, in batches of ``LOAD_BATCH_SIZE`` (and whatever is
left when the spider closes), into ``LOAD_TABLE``. Off unless ``LOAD_URL``
is set.

The JSONL stays the record of the crawl: when the database cannot be
reached or a batch fails, the items still go on (the JSONL is written), the
batch is counted in ``load/failed``, logged with its URLs and added to the
run manifest (``load_failed``), and the next batch tries a fresh
connection. ``scrapy load OUTPUT_DIR --to LOAD_URL`` loads them later;
loading is idempotent, so reloading a whole run is safe.

A batch is written in the crawl's thread (tens of milliseconds for 500
articles); a database that does not answer holds the crawl for at most the
connect timeout of each batch (``crawler.load.postgres.CONNECT_TIMEOUT``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import NotConfigured

from crawler.load import LoadError, Target, load_records, open_target
from crawler.load.records import complete, schema_problem
from crawler.signals import manifest_entry
from pipelines.jsonl import record_from_item

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class LoadPipeline:
    """Upserts items into PostgreSQL, DuckDB or Parquet in batches during the crawl."""

    def __init__(self, crawler: Crawler, url: str, table: str, batch_size: int) -> None:
        self.crawler = crawler
        self.url = url
        self.table = table
        self.batch_size = max(1, batch_size)
        self.target: Target | None = None
        self.batch: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = settings.get("LOAD_URL")
        if not url:
            raise NotConfigured("LOAD_URL is not set")
        return cls(crawler, url, settings.get("LOAD_TABLE") or "articles", settings.getint("LOAD_BATCH_SIZE", 500))

    def open_spider(self) -> None:
        self._connect()

    def _connect(self) -> Target | None:
        if self.target is None:
            try:
                self.target = open_target(self.url, self.table)
                logger.info("Loading items into %s", self.target.describe())
            except (LoadError, ValueError) as exc:
                logger.error("Cannot load into the database: %s", exc)
        return self.target

    def process_item(self, item: Any) -> Any:
        record = record_from_item(item)
        problem = schema_problem(record)
        if problem is not None:
            self.crawler.stats.inc_value("load/rejected")
            logger.error("Record for %s not loaded, it fails the schema: %s", record.get("url"), problem)
            self._report("load_rejected", {"url": record.get("url"), "problem": problem})
            return item
        self.batch.append(complete(record))
        if len(self.batch) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Load the pending batch; on failure count it, report it and drop the connection."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        stats = self.crawler.stats
        target = self._connect()
        try:
            if target is None:
                raise LoadError(f"no connection to {self.url.split('@')[-1]}")
            counts = load_records(target, batch)
        except LoadError as exc:
            stats.inc_value("load/failed", len(batch))
            urls = [record.get("url") for record in batch]
            logger.error("Could not load %d item(s) (%s): %s; they are in the JSONL", len(batch), ", ".join(urls), exc)
            self._report("load_failed", {"error": str(exc), "records": len(batch), "urls": urls})
            if self.target is not None:
                self._close_target()
            return
        stats.inc_value("load/batches")
        for name in ("new", "updated", "unchanged", "older"):
            stats.inc_value(f"load/{name}", getattr(counts, name))

    def _report(self, kind: str, entry: dict[str, Any]) -> None:
        self.crawler.signals.send_catch_log(manifest_entry, kind=kind, entry=entry)

    def _close_target(self) -> None:
        target, self.target = self.target, None
        try:
            if target is not None:
                target.close()
        except Exception as exc:  # a broken connection may fail to close; it is dropped either way
            logger.debug("Closing %s: %s", self.url.split("@")[-1], exc)

    def close_spider(self) -> None:
        self.flush()
        self._close_target()
        failed = self.crawler.stats.get_value("load/failed", 0)
        if failed:
            logger.error("%d item(s) were not loaded into the database; load them with `scrapy load OUTPUT_DIR --to URL`",
                         failed)
