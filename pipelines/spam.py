"""SpamPipeline: the text-level spam check wired into Scrapy.

The logic lives in ``crawler/spam/`` (plain functions over plain data, see
docs/spam.md): this pipeline runs ``check_article`` on each item (lexicon rules
and the register classifier), publishes the clean title and body, appends the
removals to ``spam_removed``, counts them and drops doorway pages.

Settings (all optional):

``SPAM_ENABLED`` (bool, default True)
    Switch the pipeline off (raises NotConfigured).
``SPAM_LEXICON_FILES``, ``SPAM_ALLOWLIST_FILES`` (lists of paths, default: the shipped
    files in ``crawler/spam/data/``); ``SPAM_EXTRA_LEXICON_FILES``, ``SPAM_EXTRA_ALLOWLIST_FILES`` add to them.
``SPAM_EXTRA_TERMS`` (list of str, default ``[]``)
    Extra spam terms, declared by the operator: removed wherever they stand.
``SPAM_EXTRA_ALLOWED`` (list of str, default ``[]``)
    Extra allow-listed phrases.
``SPAM_DOORWAY_MIN_SPAM_RATIO`` (float, default 0.6)
``SPAM_DOORWAY_MAX_CLEAN_CHARS`` (int, default 200)
``SPAM_HISTORY_ENABLED`` (bool, default True)
    Where the dedup pipeline keeps a state store: sentences new since an article's
    earlier capture, or missing from its nearest copy, are suspects (crawler/spam/history.py).

Stats: ``spam/items_checked``, ``spam/items_with_spam``, ``spam/removed/<where>``, ``spam/title_replaced``,
``spam/doorway``, ``spam/errors``, ``spam/history_used``, ``spam/siblings_used``, ``spam/history_error``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from crawler import signals as our_signals
from crawler.dedup.state import StateStoreError
from crawler.extract.text import KNOWN_SITE_NAMES
from crawler.spam.article import check_article
from crawler.spam.history import ArchiveHistory, Evidence
from crawler.spam.lexicon import DEFAULT_ALLOWLIST_FILES, DEFAULT_LEXICON_FILES, Lexicon, default_lexicon, load_lexicon

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class SpamPipeline:
    """Removes injected spam from title and body, records it, drops doorways."""

    def __init__(self, crawler: Crawler, lexicon: Lexicon, min_spam_ratio: float, max_clean_chars: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.lexicon = lexicon
        self.min_spam_ratio = min_spam_ratio
        self.max_clean_chars = max_clean_chars
        self.history: ArchiveHistory | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpamPipeline:
        settings = crawler.settings
        if not settings.getbool("SPAM_ENABLED", True):
            raise NotConfigured("SPAM_ENABLED is off")
        lexicon_files = list(settings.getlist("SPAM_LEXICON_FILES") or DEFAULT_LEXICON_FILES)
        lexicon_files += settings.getlist("SPAM_EXTRA_LEXICON_FILES")
        allow_files = list(settings.getlist("SPAM_ALLOWLIST_FILES") or DEFAULT_ALLOWLIST_FILES)
        allow_files += settings.getlist("SPAM_EXTRA_ALLOWLIST_FILES")
        extra_terms = settings.getlist("SPAM_EXTRA_TERMS")
        extra_allowed = settings.getlist("SPAM_EXTRA_ALLOWED")
        shipped = ([Path(p) for p in lexicon_files] == list(DEFAULT_LEXICON_FILES) and not extra_terms
                   and [Path(p) for p in allow_files] == list(DEFAULT_ALLOWLIST_FILES) and not extra_allowed)
        if shipped:
            # The shipped lexicon, already compiled for the DOM-level spam stage (its
            # few hundred trie regexes take ~0.5 s to compile at every start).
            lexicon = default_lexicon()
        else:
            lexicon = load_lexicon(lexicon_files, allow_files, extra_terms=extra_terms, extra_allowed=extra_allowed)
        pipeline = cls(crawler, lexicon, settings.getfloat("SPAM_DOORWAY_MIN_SPAM_RATIO", 0.6),
                       settings.getint("SPAM_DOORWAY_MAX_CLEAN_CHARS", 200))
        pipelines = settings.getwithbase("ITEM_PIPELINES")
        dedup = settings.getbool("DEDUP_ENABLED", True) and any(  # an order of None: off (scrapy shell …)
            name.endswith("DedupPipeline") and pipelines[name] is not None for name in map(str, pipelines))
        if settings.getbool("SPAM_HISTORY_ENABLED", True) and dedup:
            try:
                pipeline.history = ArchiveHistory.for_crawler(crawler)
                crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
            except StateStoreError as exc:
                logger.error("spam: no history evidence, the state store cannot be opened: %s", exc)
                crawler.stats.inc_value("spam/history_error")
        return pipeline

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url", "")
        self.stats.inc_value("spam/items_checked")
        try:
            extra = adapter.get("extra") or {}
            site_name = extra.get("site_name")
            verdict = check_article(
                adapter.get("title") or "", adapter.get("body") or "", extra.get("title_candidates") or [],
                adapter.get("spam_removed") or [], self.lexicon, language=adapter.get("language"),
                site_names=(*KNOWN_SITE_NAMES, str(site_name)) if site_name else KNOWN_SITE_NAMES,
                min_spam_ratio=self.min_spam_ratio, max_clean_chars=self.max_clean_chars,
                evidence=self._evidence(url, str(adapter.get("body") or "")),
            )
        except Exception:
            # Bad input must not lose the article: pass it on unchecked, loudly.
            logger.exception("spam check failed for %s; item passed on unchecked", url)
            self.stats.inc_value("spam/errors")
            return item
        if verdict.title != adapter.get("title"):
            self.stats.inc_value("spam/title_replaced")
            logger.info("spam: tampered headline replaced on %s", url)
        adapter["title"] = verdict.title
        adapter["body"] = verdict.body
        adapter["spam_removed"] = [*(adapter.get("spam_removed") or []), *verdict.removals]
        removed = adapter["spam_removed"]
        for entry in removed:
            self.stats.inc_value(f"spam/removed/{entry.get('where', 'unknown')}")
        if removed:
            self.stats.inc_value("spam/items_with_spam")
        if verdict.doorway.is_doorway:
            self.stats.inc_value("spam/doorway")
            logger.warning("spam: doorway page %s dropped (%s)", url, verdict.doorway.reason)
            self.crawler.signals.send_catch_log(
                our_signals.manifest_entry,
                kind="doorway",
                entry={"url": url, "reason": verdict.doorway.reason},
            )
            raise DropItem(f"doorway page: {verdict.doorway.reason}")
        return item

    def _evidence(self, url: str, body: str) -> Evidence | None:
        if self.history is None:
            return None
        try:
            evidence = self.history.evidence(url, body)
        except StateStoreError as exc:
            logger.error("spam: history evidence unavailable for %s: %s", url, exc)
            self.stats.inc_value("spam/history_error")
            return None
        if evidence is not None:
            self.stats.inc_value(f"spam/{evidence.name}_used")
        return evidence

    def item_scraped(self, item: Any, response: Any = None) -> None:
        """The record is written: its clean body is the history the next capture is compared with."""
        adapter = ItemAdapter(item)
        url, body, record_id = (str(adapter.get(name) or "") for name in ("url", "body", "id"))
        try:
            self.history.remember(url, body, record_id)  # type: ignore[union-attr]
        except StateStoreError as exc:
            logger.error("spam: could not keep the history of %s: %s", adapter.get("url"), exc)
            self.stats.inc_value("spam/history_error")
