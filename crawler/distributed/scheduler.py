"""scrapy-redis's scheduler, narrowed to what a distributed crawl of ours needs.

The frontier, its order and the duplicate filter are scrapy-redis's
(``scrapy_redis.queue.PriorityQueue``, ``scrapy_redis.dupefilter.RFPDupeFilter``)
on the keys of :class:`crawler.distributed.connection.Keys`. Two things differ:

* a popped request stays *pending* at this worker (a Redis hash) until the
  heartbeat acknowledges it as finished, so a worker that dies does not lose
  the requests it had taken (:mod:`crawler.distributed.run` puts them back);
* the queue is never flushed by a closing worker (others may still crawl);
  the last worker of a finished run removes it;
* a request is encoded in ``Request.to_dict``'s format, but its callbacks are
  named from the bound method itself: Scrapy's lookup scans every member of
  the spider for each request, the largest CPU cost of queueing in Redis;
* the heartbeat can hand a queued request to an engine with room for more
  (:meth:`DistributedScheduler.hand_over`, through the public
  ``engine.crawl``), which then asks for the next ones at once instead of at
  its own 5-second heartbeat: requests another worker queued reach an idle
  worker within one heartbeat.

It shares the worker's Redis client, and it counts without the ``spider=``
arguments Scrapy 2.19 deprecates.
"""

from __future__ import annotations

import logging
import pickle
from typing import TYPE_CHECKING, Any, Self

import redis
from scrapy import Request as ScrapyRequest
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed import scripts
from crawler.distributed.run import RunContext, run_context
from crawler.extensions.runlock import RESPONSE_META_KEYS

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

_UNKNOWN = object()  # a callback that is not a method of the spider: Scrapy's own lookup decides


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue; a pop keeps the request pending at this worker."""

    def __init__(self, server: Any, spider: Spider, key: str, context: RunContext) -> None:
        super().__init__(server, spider, key)
        self.context = context
        self._pop = server.register_script(scripts.POP)

    def _encode_request(self, request: Request) -> bytes:
        """Request.to_dict's format, naming the spider's callbacks without Scrapy's scan of every spider member."""
        callback, errback = self._method_name(request.callback), self._method_name(request.errback)
        if callback is _UNKNOWN or errback is _UNKNOWN:
            return super()._encode_request(request)
        data: dict[str, Any] = {"url": request.url, "callback": callback, "errback": errback, "headers": dict(request.headers)}
        for attribute in request.attributes:
            data.setdefault(attribute, getattr(request, attribute))
        if type(request) is not ScrapyRequest:
            data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
        return self.serializer.dumps(data)

    def _method_name(self, function: Any) -> Any:
        if not callable(function):
            return function  # None or already a name
        name = getattr(function, "__name__", "")
        if getattr(function, "__self__", None) is self.spider and getattr(self.spider, name, None) == function:
            return name
        return _UNKNOWN

    def pop(self, timeout: int = 0) -> Request | None:
        context = self.context
        found = self._pop(keys=[self.key, context.keys.pending(context.worker)])
        if not found:
            return None
        token, data = found
        request = self._decode_request(data)
        context.taken[request] = token.decode()
        return request


class DistributedScheduler(Scheduler):
    """The scrapy-redis scheduler on the worker's run context (see the module docstring)."""

    def __init__(self, context: RunContext, crawler: Crawler) -> None:
        keys = context.keys
        super().__init__(server=context.client, persist=True, queue_key=keys.requests, dupefilter_key=keys.dupefilter)
        self.context = context
        self.stats = crawler.stats
        self.debug = crawler.settings.getbool("DUPEFILTER_DEBUG")
        self.handed_over = context.handed_over
        self._handing: Request | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        if context is None:
            raise RuntimeError("DistributedScheduler needs the DistributedRun extension (set REDIS_URL)")
        return cls(context, crawler)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = LeasedPriorityQueue(self.server, spider, self.queue_key, self.context)
        self.df = RFPDupeFilter(self.server, key=self.dupefilter_key, debug=self.debug)
        queued = len(self.queue)
        if queued:
            logger.info("Distributed run %s: %d requests queued in Redis", self.context.run_id, queued)

    def close(self, reason: str) -> None:
        """Keep the shared queue: other workers may still be crawling (the run's last worker removes it)."""

    def hand_over(self, engine: Any) -> bool:
        """Take one queued request and give it to ``engine.crawl``; False when none was given."""
        if self.handed_over:  # the engine has not asked for the last one yet
            return False
        request = self.next_request()
        if request is None:
            return False
        self._handing = request
        try:
            engine.crawl(request)
        finally:
            self._handing = None
        self.stats.inc_value("distributed/handed_over")
        return True

    def enqueue_request(self, request: Request) -> bool:
        if request is self._handing:  # already taken from the shared queue: this worker crawls it
            self.handed_over.append(request)
            return True
        for key in RESPONSE_META_KEYS:  # describe a response, and cannot be pickled
            request.meta.pop(key, None)
        try:
            seen = not request.dont_filter and self.df.request_seen(request)
        except redis.RedisError as exc:
            self.stats.inc_value("distributed/enqueue_error")
            logger.error("Cannot queue %s in Redis (%s); not crawled in this run", request.url, exc)
            return False
        if seen:
            self.df.log(request, self.spider)
            return False
        try:
            self.queue.push(request)
        except redis.RedisError as exc:
            self.stats.inc_value("distributed/enqueue_error")
            logger.error("Cannot queue %s in Redis (%s); not crawled in this run", request.url, exc)
            return False
        except (pickle.PicklingError, TypeError, AttributeError, ValueError) as exc:
            # Not silently: the request cannot travel to another worker, so it is not crawled.
            self.stats.inc_value("distributed/unserializable_request")
            logger.error("Cannot queue %s in Redis (%s: %s); not crawled", request.url, type(exc).__name__, exc)
            self.server.srem(self.dupefilter_key, self.df.request_fingerprint(request))
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def has_pending_requests(self) -> bool:
        if self.handed_over:
            return True
        try:
            return len(self.queue) > 0
        except redis.RedisError:
            return False  # the heartbeat notices Redis is gone and stops the worker

    def next_request(self) -> Request | None:
        if self.handed_over:
            return self.handed_over.popleft()
        try:
            request = self.queue.pop()
        except redis.RedisError as exc:
            self.stats.inc_value("distributed/dequeue_error")
            logger.debug("Cannot take a request from Redis: %s", exc)
            return None
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
