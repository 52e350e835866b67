"""State kept across crawl runs: what was seen, with which body, and how to re-check it.

Every seed crawled into one ``OUTPUT_DIR`` shares one store, so an article
republished on a second ministry's site is caught in a later run. The
interface (:class:`StateStore`) is small on purpose: SQLite
(:class:`crawler.dedup.sqlite.SQLiteStateStore`) serves a single machine; a
shared store (Redis, a database server) implements the same methods for
distributed crawls. Ids and digests are hex strings at the interface.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StateStoreError(RuntimeError):
    """The state store cannot be used; the run must stop without touching it."""


class StateStoreCorrupt(StateStoreError):
    """The state file is damaged or is not ours."""


class StateStoreLocked(StateStoreError):
    """Another process holds the state file's write lock for too long."""


class ArticleState(NamedTuple):
    """What the store knows about one canonical URL."""

    id: str
    canonical_url: str
    body_sha1: str
    site: str = ""
    duplicate_of: str | None = None  # set when this URL only ever showed another record's body
    first_seen: float = 0.0
    last_seen: float = 0.0
    last_run: str = ""


@dataclass
class Validators:
    """HTTP validators last seen for a fetched URL, for conditional requests."""

    etag: str | None
    last_modified: str | None
    body_sha1: str | None = None


@dataclass
class ListPageState:
    """What a list page held the last time it was crawled."""

    url: str
    site: str
    last_seen: float
    article_count: int
    new_count: int


@dataclass
class KilledSession:
    """A previous run of a site that never closed the store (killed or crashed)."""

    run_id: str
    site: str
    started: float


class StateStore(ABC):
    """Persistent dedup and re-check state, shared by all seeds of an OUTPUT_DIR."""

    # -- articles and exact duplicates -------------------------------------
    @abstractmethod
    def get_article(self, article_id: str) -> ArticleState | None: ...

    @abstractmethod
    def put_article(self, article: ArticleState) -> None: ...

    @abstractmethod
    def known_articles(self, article_ids: Sequence[str]) -> set[str]:
        """Which of ``article_ids`` the store has seen."""

    @abstractmethod
    def find_body(self, body_sha1: str) -> str | None:
        """Id of the first record seen with this body digest."""

    @abstractmethod
    def add_body(self, body_sha1: str, article_id: str) -> None:
        """Remember ``article_id`` as the first record with this body (first writer wins)."""

    def lookup(self, article_id: str, body_sha1: str) -> tuple[ArticleState | None, str | None]:
        """``get_article`` and ``find_body`` together (one round trip where the store allows)."""
        return self.get_article(article_id), self.find_body(body_sha1)

    def record_article(self, article: ArticleState, first_with_body: bool) -> None:
        """``put_article``, then ``add_body(article.body_sha1, article.id)`` when ``first_with_body``: one call."""
        self.put_article(article)
        if first_with_body:
            self.add_body(article.body_sha1, article.id)

    @abstractmethod
    def put_link(self, url: str, article_id: str) -> None:
        """Remember that following ``url`` (a canonical URL) led to ``article_id`` (redirects, rel=canonical)."""

    @abstractmethod
    def known_links(self, urls: Sequence[str]) -> set[str]:
        """Which canonical ``urls`` are known: an article's own canonical URL or a remembered link to one."""

    # -- near-duplicate signatures (LSH buckets) ---------------------------
    @abstractmethod
    def get_signature(self, article_id: str) -> bytes | None: ...

    @abstractmethod
    def put_signature(self, article_id: str, signature: bytes, band_keys: Sequence[int]) -> None:
        """Store a MinHash signature and its LSH band keys (replacing any older ones)."""

    @abstractmethod
    def delete_signature(self, article_id: str, band_keys: Sequence[int]) -> None: ...

    @abstractmethod
    def band_candidates(self, band_keys: Sequence[int], limit: int = 50) -> list[str]:
        """Ids sharing at least one LSH band key, most shared bands first."""

    # -- conditional requests ----------------------------------------------
    @abstractmethod
    def get_validators(self, url: str) -> Validators | None: ...

    @abstractmethod
    def put_validators(self, url: str, validators: Validators) -> None: ...

    # -- list pages ----------------------------------------------------------
    @abstractmethod
    def get_list_page(self, url: str) -> ListPageState | None: ...

    @abstractmethod
    def put_list_page(self, page: ListPageState) -> None: ...

    @abstractmethod
    def mark_listed(self, urls: Sequence[str], run_id: str) -> None:
        """Remember that these article links were listed (on some list page) in run ``run_id``."""

    @abstractmethod
    def listed_before(self, urls: Sequence[str], run_id: str) -> set[str]:
        """Which of ``urls`` were listed in a run other than ``run_id``."""

    # -- sessions ------------------------------------------------------------
    @abstractmethod
    def begin_session(self, run_id: str, site: str) -> list[KilledSession]:
        """Record a run start; return earlier runs of ``site`` that never ended.

        They stay unended until :meth:`end_session` is called for them (with
        outcome ``"killed"``) once whatever they left behind has been dealt with.
        """

    @abstractmethod
    def end_session(self, run_id: str, site: str, outcome: str = "finished") -> None:
        """Record how a run ended: its finish reason, or ``"killed"``."""

    @abstractmethod
    def last_outcome(self, site: str, before_run: str) -> str | None:
        """Outcome of the latest run of ``site`` other than ``before_run`` (None: no earlier run)."""

    # -- small per-site notes (the cloaking probe's memory) ---------------------
    # Not abstract: a store that keeps no notes simply forgets between runs.
    def get_site_note(self, site: str, key: str) -> str | None:
        """A short value kept for ``site`` across runs; None when never set."""
        return None

    def put_site_note(self, site: str, key: str, value: str) -> None:
        """Keep ``value`` for ``site`` (replacing the previous one)."""

    # -- the sentences of an article's last clean body (spam evidence) ----------
    # Not abstract either: without them the spam check has no history evidence.
    def get_sentence_fingerprints(self, article_id: str) -> bytes | None:
        """The fingerprints kept for ``article_id`` (crawler/spam/history.py); None when never set."""
        return None

    def put_sentence_fingerprints(self, article_id: str, fingerprints: bytes) -> None:
        """Keep ``fingerprints`` for ``article_id`` (replacing the previous ones)."""

    # -- lifecycle -----------------------------------------------------------
    @abstractmethod
    def flush(self) -> None:
        """Make every write so far durable."""

    @abstractmethod
    def close(self) -> None: ...


STATE_STORE_ATTRIBUTE = "_ministry_news_state_store"


def default_state_path(settings: Any) -> Path:
    """``STATE_PATH``, else ``OUTPUT_DIR/state/state.sqlite``."""
    configured = settings.get("STATE_PATH")
    if configured:
        return Path(configured)
    return Path(settings.get("OUTPUT_DIR") or "out") / "state" / "state.sqlite"


def open_state_store(crawler: Crawler) -> StateStore:
    """The crawler's state store, opened on first use and closed when the engine stops.

    Components that need state (dedup pipeline, conditional-request
    middleware) share one store per crawler, and crawlers in one process share
    one SQLite store per file. Once the crawl runs, a batch of writes is
    committed at the end of the reactor turn that began it.
    ``STATE_STORE_CLASS`` may name another :class:`StateStore` whose
    ``from_crawler`` builds it.
    """
    store = getattr(crawler, STATE_STORE_ATTRIBUTE, None)
    if store is not None:
        return store
    from scrapy import signals
    from scrapy.utils.misc import load_object

    settings = crawler.settings
    store_class = settings.get("STATE_STORE_CLASS")
    if store_class:
        store = load_object(store_class).from_crawler(crawler)
    else:
        from crawler.dedup.sqlite import SQLiteStateStore

        store = SQLiteStateStore.shared(
            default_state_path(settings),
            commit_every=settings.getint("STATE_COMMIT_EVERY", 50000),
            commit_interval=settings.getfloat("STATE_COMMIT_INTERVAL", 2.0),
            lock_timeout=settings.getfloat("STATE_LOCK_TIMEOUT", 30.0),
        )
    setattr(crawler, STATE_STORE_ATTRIBUTE, store)
    timer: Any = None

    def _commit_if_due() -> None:
        try:
            store.commit_if_due()  # type: ignore[attr-defined]
        except StateStoreError as exc:
            logger.error("Could not commit the state store: %s", exc)
            if crawler.stats is not None:
                crawler.stats.inc_value("state/commit_error")

    def _start_timer() -> None:
        """Commit an open batch once it is ``commit_interval`` old, even if no write follows."""
        nonlocal timer
        interval = float(getattr(store, "commit_interval", 0) or 0)
        if not hasattr(store, "commit_if_due") or interval <= 0:
            return
        from twisted.internet import task

        timer = task.LoopingCall(_commit_if_due)
        timer.start(max(interval / 2, 0.05), now=False)
        if hasattr(store, "schedule_commit"):
            from twisted.internet import reactor

            store.schedule_commit = lambda commit: reactor.callLater(0, _commit_now, commit)

    def _commit_now(commit: Any) -> None:
        try:
            commit()
        except StateStoreError as exc:
            logger.error("Could not commit the state store: %s", exc)
            if crawler.stats is not None:
                crawler.stats.inc_value("state/commit_error")

    def _close() -> None:
        if timer is not None and timer.running:
            timer.stop()
        try:
            store.close()
        except StateStoreError as exc:
            logger.error("Could not close the state store cleanly: %s", exc)
            if crawler.stats is not None:
                crawler.stats.inc_value("state/close_error")

    crawler.signals.connect(_start_timer, signal=signals.spider_opened, weak=False)
    crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return store
