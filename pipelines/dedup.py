"""Dedup pipeline (priority 300): one record per article across URLs, sites and runs.

A thin Scrapy wrapper over :mod:`crawler.dedup.decide`, which documents the
decisions. It fills ``canonical_url``, ``id`` and ``body_sha1``, drops repeats,
counts outcomes under ``dedup/`` and lists duplicates in the run manifest. A
record is stored only once the JSONL writer wrote it (``item_scraped``); a
killed run's JSONL is read back at the next start. ``DEDUP_ENABLED = False``
switches it off.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.dedup.canonical import CanonicalURLError
from crawler.dedup.decide import Decision, Deduplicator, read_jsonl_records, run_jsonl_files
from crawler.dedup.state import StateStore, StateStoreError, open_state_store
from crawler.runinfo import output_dir, run_id
from crawler.signals import manifest_entry

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class DedupPipeline:
    """Item pipeline (priority 300): fills ``canonical_url``/``id``/``body_sha1``, drops repeats."""

    def __init__(self, crawler: Crawler, store: StateStore, deduplicator: Deduplicator):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store
        self.dedup = deduplicator
        self.site = ""
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        store = open_state_store(crawler)  # raises StateStoreError: the run cannot start
        pipeline = cls(crawler, store, Deduplicator.from_settings(store, settings, run_id(crawler)))
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_not_written, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_not_written, signal=signals.item_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # -- lifecycle -------------------------------------------------------------
    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.site = str(getattr(getattr(spider, "seed", None), "name", None) or getattr(spider, "name", "") or "")
        try:
            killed = self.store.begin_session(self.dedup.run_id, self.site)
            for session in killed:
                self._reconcile_killed_run(session.run_id)
                self.store.flush()
                # Only now: a run killed while reconciling must find the old run again.
                self.store.end_session(session.run_id, self.site, "killed")
        except StateStoreError as exc:
            self._state_failed(exc, url=None)

    def spider_closed(self, reason: str) -> None:
        # After every pipeline closed; the finish reason tells the next run
        # whether this one saw the whole site (see PaginationStopMiddleware).
        try:
            self.store.end_session(self.dedup.run_id, self.site, "state_store_error" if self._closing else reason)
        except StateStoreError as exc:
            logger.error("Could not record the end of run %s: %s", self.dedup.run_id, exc)
            self.stats.inc_value("dedup/state_error")

    def _reconcile_killed_run(self, killed_run: str) -> None:
        files = run_jsonl_files(output_dir(self.crawler.settings) / "jsonl", killed_run)
        logger.warning("Run %s of %s ended without closing the state store (killed?); re-reading %d JSONL file(s)",
                       killed_run, self.site, len(files))
        self.stats.inc_value("dedup/killed_runs")
        for path in files:
            for record in read_jsonl_records(path, lambda: self.stats.inc_value("dedup/reconcile_bad_line")):
                if self.dedup.reconcile(record, killed_run):
                    self.stats.inc_value("dedup/reconciled")

    # -- items -------------------------------------------------------------------
    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = str(adapter.get("url") or "")
        body = str(adapter.get("body") or "")
        spider = self.crawler.spider
        extra = adapter.get("extra") or {}
        seed = getattr(spider, "seed", None)
        # The pipeline owns canonical_url: the page's URL, or its on-site rel=canonical link.
        link_canonical = extra.get("link_canonical")
        try:
            decision = self.dedup.classify(
                url=url, body=body, site=str(adapter.get("site") or self.site), link_canonical=link_canonical,
                allowed_domains=list(getattr(spider, "allowed_domains", None) or ()),
                url_aliases=getattr(seed, "url_aliases", None),
            )
        except CanonicalURLError as exc:
            logger.warning("Dropping item with unusable URL %r: %s", url, exc)
            self.stats.inc_value("dedup/bad_url")
            raise DropItem(f"unusable URL {url!r}", log_level="DEBUG") from exc
        except StateStoreError as exc:
            self._state_failed(exc, url)
            raise DropItem(f"state store failed for {url}", log_level="DEBUG") from exc
        self._count_canonical(decision)
        extra["dedup_kind"] = decision.kind  # lets later components (conditional requests) see the outcome
        adapter["extra"] = extra
        adapter["canonical_url"] = decision.canonical_url
        adapter["id"] = decision.id
        adapter["body_sha1"] = decision.body_sha1
        self.stats.inc_value(f"dedup/{decision.kind}")
        if decision.emit:
            if decision.empty_body:
                self.stats.inc_value("dedup/empty_body")
            if decision.near_duplicate_of:
                adapter["near_duplicate_of"] = decision.near_duplicate_of
                self.stats.inc_value("dedup/near_duplicate")
                similarity = round(decision.near_similarity or 0.0, 3)
                self._manifest("near_duplicate", {"url": url, "id": decision.id,
                                                  "near_duplicate_of": decision.near_duplicate_of, "similarity": similarity})
            return item
        try:
            self.dedup.record(decision)
        except StateStoreError as exc:
            self._state_failed(exc, url)
        if decision.kind == "duplicate":
            logger.info("Duplicate of %s: %s", decision.duplicate_of, url)
            self._manifest("duplicate", {"url": url, "id": decision.id, "duplicate_of": decision.duplicate_of})
            raise DropItem(f"duplicate of {decision.duplicate_of}: {url}", log_level="DEBUG")
        raise DropItem(f"unchanged since an earlier run: {url}", log_level="DEBUG")

    def item_scraped(self, item: Any, response: Any = None) -> None:
        decision = self.dedup.in_flight(str(ItemAdapter(item).get("id") or ""))
        if decision is None:
            return
        try:
            self.dedup.record(decision)
            self._remember_links(item, response)
        except StateStoreError as exc:
            self._state_failed(exc, decision.url)

    def item_not_written(self, item: Any, response: Any = None) -> None:
        adapter = ItemAdapter(item)
        decision = self.dedup.in_flight(str(adapter.get("id") or ""))
        if decision is not None and decision.url == adapter.get("url"):
            self.dedup.forget(decision)
            return
        if (adapter.get("extra") or {}).get("dedup_kind") in ("unchanged", "duplicate"):
            try:
                self._remember_links(item, response)
            except StateStoreError as exc:
                self._state_failed(exc, str(adapter.get("url")))

    def _remember_links(self, item: Any, response: Any) -> None:
        """Every URL that led to this article (redirect sources, a page naming another canonical)."""
        adapter = ItemAdapter(item)
        urls = [str(adapter.get("url") or ""), *(getattr(response, "meta", None) or {}).get("redirect_urls", ())]
        aliases = getattr(getattr(self.crawler.spider, "seed", None), "url_aliases", None)
        self.dedup.remember_links(str(adapter.get("id") or ""), str(adapter.get("canonical_url") or ""), urls, aliases)

    # -- helpers -------------------------------------------------------------------
    def _count_canonical(self, decision: Decision) -> None:
        if decision.canonical_from_link:
            self.stats.inc_value("dedup/canonical_from_link")
        if decision.rejected_link:
            self.stats.inc_value(f"dedup/canonical_{decision.rejected_link}")
            logger.info("Ignoring %s rel=canonical link on %s", decision.rejected_link, decision.url)

    def _manifest(self, kind: str, entry: dict[str, Any]) -> None:
        self.crawler.signals.send_catch_log(manifest_entry, kind=kind, entry=entry)

    def _state_failed(self, exc: StateStoreError, url: str | None) -> None:
        logger.error("State store unusable%s: %s", f" while handling {url}" if url else "", exc)
        self.stats.inc_value("dedup/state_error")
        self.stats.set_value("dedup/state_error_message", str(exc))
        try:
            engine = self.crawler.engine
        except RuntimeError:  # the crawl has not started (or was never started, as in tests)
            return
        if engine is not None and engine.spider is not None and not self._closing:
            self._closing = True
            deferred_from_coro(engine.close_spider_async(reason="state_store_error"))
