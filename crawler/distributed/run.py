"""Extension: this worker's place in a distributed run (join, heartbeat, idle close, leave).

At start the worker joins its seed's current run in Redis, or starts a new
one when the last run is over; every worker of a run shares its run id. A
heartbeat (``REDIS_HEARTBEAT_INTERVAL``, 1 s) tells the others this worker
is alive, acknowledges the requests it has finished and puts back the
requests of workers that stayed silent longer than
``REDIS_VISIBILITY_TIMEOUT``. The worker closes with ``finished`` once the
shared frontier has been empty, with no request pending at any worker, for
``REDIS_IDLE_CLOSE`` seconds. A thread of its own also refreshes the
worker's heartbeat time (:class:`Liveness`): a worker whose reactor is busy
for longer than the visibility timeout (a long callback, a starved CPU) is
slow, not dead, and keeps its requests. On closing it puts back what it had not
finished; the last worker of a finished run removes the run's keys. A
worker that cannot reach Redis for ``REDIS_LOST_TIMEOUT`` seconds closes
with finish reason ``redis_lost`` (``scrapy crawl`` exits 1).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.distributed import scripts
from crawler.distributed.connection import Keys, check_schema, connect, settings_prefix, worker_name
from crawler.extensions.runlock import seed_name
from crawler.runinfo import output_dir, set_run_identity

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

CONTEXT_ATTRIBUTE = "_ministry_news_distributed"


@dataclass
class RunContext:
    """What the distributed components of one worker share."""

    client: redis.Redis
    url: str
    keys: Keys
    run_id: str
    worker: str
    fresh: bool
    visibility_timeout: float
    taken: dict[Request, str] = field(default_factory=dict)  # request -> pending token
    # Taken and given to engine.crawl by the heartbeat, not yet asked for by the engine (scheduler.py).
    handed_over: deque[Request] = field(default_factory=deque)


def run_context(crawler: Crawler) -> RunContext | None:
    """The worker's run context, None outside a distributed crawl."""
    return getattr(crawler, CONTEXT_ATTRIBUTE, None)


def in_flight(engine: Any) -> set[Request] | None:
    """The requests the engine holds: downloading (middlewares included), or being scraped (callback, items).

    These are the sets Scrapy's own ``engine.spider_is_idle()`` and
    ``scrapy.utils.engine.get_engine_status()`` read: ``engine.downloader.active``
    (from the hand-over by the scheduler until the download's outcome) and the
    scraper slot's queue and ``active`` set (until the callback's or errback's
    output, its items through the pipelines, is done). A request passes from
    the one to the other without a turn of the reactor, so a request in
    neither has been dealt with. None when the engine has no such sets
    (another Scrapy version).
    """
    downloading = getattr(getattr(engine, "downloader", None), "active", None)
    slot = getattr(getattr(engine, "scraper", None), "slot", None)
    scraping, queued = getattr(slot, "active", None), getattr(slot, "queue", None)
    if not isinstance(downloading, set) or not isinstance(scraping, set) or queued is None:
        return None
    held = downloading | scraping
    held.update(entry[1] for entry in queued)  # (response or failure, request, deferred)
    return held


def reconcile_worker_jsonl(crawler: Crawler, run: str, worker: str) -> int:
    """Record in the state store the articles a dead worker wrote to its JSONL in this OUTPUT_DIR; how many."""
    from crawler.dedup.decide import Deduplicator, read_jsonl_records, run_jsonl_files
    from crawler.dedup.state import open_state_store

    # The worker's own files: the run id with its "-<host>-<pid>" (crawler/runinfo.py).
    files = run_jsonl_files(output_dir(crawler.settings) / "jsonl", f"{run}-{worker}")
    if not files or not crawler.settings.getbool("DEDUP_ENABLED", True):
        return 0
    store = open_state_store(crawler)
    deduplicator = Deduplicator.from_settings(store, crawler.settings, run)
    count = 0
    for path in files:
        for record in read_jsonl_records(path, lambda: crawler.stats.inc_value("distributed/reconcile_bad_line")):
            count += deduplicator.reconcile(record, run)
    return count


class Liveness(threading.Thread):
    """Daemon thread: the worker's heartbeat time, refreshed every ``interval`` whatever the reactor is doing.

    Only the time: acknowledging, putting back and deciding to close stay with
    the reactor's heartbeat. A process killed stops both, so its requests are
    put back after the visibility timeout as before.
    """

    def __init__(self, context: RunContext, interval: float) -> None:
        super().__init__(name=f"distributed-liveness-{context.worker}", daemon=True)
        self.context = context
        self.interval = interval
        self.stopped = threading.Event()
        self._alive = context.client.register_script(scripts.ALIVE)

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self._alive(keys=[self.context.keys.workers], args=[self.context.worker])
            except redis.RedisError:  # the reactor's heartbeat notices a lost Redis and stops the worker
                pass

    def stop(self) -> None:
        self.stopped.set()


class DistributedRun:
    """Extension: joins the seed's run in Redis, beats, closes when the shared frontier is idle."""

    def __init__(self, crawler: Crawler, context: RunContext) -> None:
        self.crawler = crawler
        self.context = context
        settings = crawler.settings
        self.idle_close = settings.getfloat("REDIS_IDLE_CLOSE", 10.0)
        self.interval = settings.getfloat("REDIS_HEARTBEAT_INTERVAL", 1.0)
        self.idle_since: float | None = None
        self.failing_since: float | None = None
        self.lost_timeout = settings.getfloat("REDIS_LOST_TIMEOUT", 30.0)
        self.closing = False
        self._beat_script = context.client.register_script(scripts.BEAT)
        self._leave_script = context.client.register_script(scripts.LEAVE)
        self._requeue_script = context.client.register_script(scripts.REQUEUE)
        self._loop: task.LoopingCall | None = None
        self._unacknowledged: list[str] = []
        self.liveness = Liveness(context, self.interval)
        self.liveness.start()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        url = settings.get("REDIS_URL")
        if not url:
            raise NotConfigured("REDIS_URL is not set")
        try:
            seed = seed_name(crawler)
        except RuntimeError:  # no spider (`scrapy fetch`, `shell`): no run to join
            raise NotConfigured("no spider, no distributed run") from None
        client = connect(url)  # raises RedisUnavailable: the crawl does not start
        prefix = settings_prefix(settings)
        check_schema(client, prefix, url)
        keys = Keys(prefix, seed)
        worker = worker_name()
        visibility = settings.getfloat("REDIS_VISIBILITY_TIMEOUT", 60.0)
        proposed = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"  # as a local run id
        run_id, fresh = client.register_script(scripts.JOIN)(
            keys=[keys.run, keys.requests, keys.dupefilter, keys.workers],
            args=[proposed, worker, visibility, keys.pending_prefix],
        )
        context = RunContext(client, url, keys, run_id.decode(), worker, bool(fresh), visibility)
        setattr(crawler, CONTEXT_ATTRIBUTE, context)
        set_run_identity(crawler, context.run_id, worker)
        logger.info("Worker %s %s distributed run %s of %s", worker, "started" if fresh else "joined",
                    context.run_id, keys.seed)
        crawler.stats.set_value("distributed/worker", worker)
        extension = cls(crawler, context)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        if in_flight(self.crawler.engine) is None:
            logger.error("This Scrapy's engine does not expose the requests in progress: finished requests cannot be "
                         "acknowledged, so this worker's requests are only put back when it leaves")
        self._loop = task.LoopingCall(self.beat)
        self._loop.start(self.interval, now=False)

    def _finished_tokens(self) -> list[str]:
        engine = self.crawler.engine
        held = in_flight(engine)
        taken = self.context.taken
        if held is None:
            return []
        held.update(self.context.handed_over)  # taken, not yet in the engine's hands
        done = [request for request in taken if request not in held]
        return [taken.pop(request) for request in done]

    def beat(self) -> None:
        """Heartbeat: acknowledge finished requests, requeue dead workers' ones, decide about closing."""
        try:
            self._beat()
        except Exception:  # the loop must go on: without it this worker never closes
            self.crawler.stats.inc_value("distributed/heartbeat_bug")
            logger.exception("Heartbeat of the distributed run failed")

    def _beat(self) -> None:
        if self.closing:
            return
        acked = self._unacknowledged + self._finished_tokens()
        self._unacknowledged = []
        keys = self.context.keys
        try:
            queued, pending, dead = self._beat_script(
                keys=[keys.workers, keys.requests],
                args=[self.context.worker, self.context.visibility_timeout, keys.pending_prefix, *acked],
            )
            for worker in dead:
                self._take_over(worker.decode())
        except redis.RedisError as exc:
            self._unacknowledged = acked  # sent with the next heartbeat
            self._redis_failed(exc)
            return
        self.failing_since = None
        self.crawler.stats.inc_value("distributed/acknowledged", len(acked))
        engine = self.crawler.engine
        if queued or pending or self.context.taken:
            self.idle_since = None
            if queued and not engine.needs_backout():
                # An idle engine asks the scheduler again only at its own 5-second heartbeat.
                hand_over = getattr(engine.scheduler, "hand_over", None)
                if hand_over is not None:
                    hand_over(engine)
            return
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since >= self.idle_close and engine.spider_is_idle():
            self.closing = True
            logger.info("Shared frontier empty and nothing pending for %gs: closing", self.idle_close)
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def _take_over(self, worker: str) -> None:
        """Put a dead worker's requests back, after recording the articles its JSONL holds.

        A worker killed between writing a record and recording it in the state
        store would otherwise have that article emitted again by whoever crawls
        its request next. Its JSONL is readable here when the workers share the
        OUTPUT_DIR; on another machine's disk the window stays (docs/distributed.md).
        """
        stats = self.crawler.stats
        reconciled = reconcile_worker_jsonl(self.crawler, self.context.run_id, worker)
        if reconciled:
            stats.inc_value("distributed/reconciled", reconciled)
        keys = self.context.keys
        moved = self._requeue_script(keys=[keys.workers, keys.requests],
                                     args=[self.context.visibility_timeout, keys.pending_prefix, worker])
        if moved:
            stats.inc_value("distributed/requeued", moved)
            logger.warning("Put back %d request(s) of worker %s, silent for more than %gs", moved, worker,
                           self.context.visibility_timeout)

    def _redis_failed(self, exc: Exception) -> None:
        """Count a failed heartbeat; stop the worker once Redis has been gone for ``REDIS_LOST_TIMEOUT``."""
        self.crawler.stats.inc_value("distributed/heartbeat_error")
        now = time.monotonic()
        if self.failing_since is None:
            self.failing_since = now
        gone = now - self.failing_since
        logger.error("Redis heartbeat failed (for %.0fs): %s", gone, exc)
        if gone >= self.lost_timeout:
            self.closing = True
            logger.error("Redis unreachable for %gs: stopping this worker (finish reason redis_lost); "
                         "what it archived is kept, its unfinished requests return to the queue once Redis is back",
                         self.lost_timeout)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_lost"))

    def spider_idle(self) -> None:
        # The heartbeat decides when the run is over: another worker may still add requests.
        if not self.closing:
            raise DontCloseSpider

    def spider_closed(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.liveness.stop()
        context, keys = self.context, self.context.keys
        try:
            acked = self._unacknowledged + self._finished_tokens()
            if acked:
                context.client.hdel(keys.pending(context.worker), *acked)
            removed = self._leave_script(
                keys=[keys.run, keys.requests, keys.dupefilter, keys.workers],
                args=[context.worker, context.visibility_timeout, keys.pending_prefix, context.run_id],
            )
        except redis.RedisError as exc:
            logger.error("Could not leave distributed run %s cleanly: %s", context.run_id, exc)
            self.crawler.stats.inc_value("distributed/leave_error")
            return
        if removed:
            logger.info("Last worker of distributed run %s: the run is over", context.run_id)
            self.crawler.stats.set_value("distributed/run_ended", 1)
