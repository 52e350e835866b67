"""Downloader middleware: one per-host politeness budget for all workers of a distributed crawl.

Each worker still applies Scrapy's own per-process limits (download delay,
AutoThrottle, ``CONCURRENT_REQUESTS_PER_DOMAIN``); on top of them every
request waits here, just before it is sent, for a grant from Redis:

* ``REDIS_HOST_RATE`` requests per second per host across all workers
  (default ``1 / DOWNLOAD_DELAY``; 0: no shared rate), enforced as a sliding
  window of grants on the server's clock, so no window of that length ever
  holds more;
* ``REDIS_HOST_CONCURRENCY`` requests in flight per host across all workers
  (default ``CONCURRENT_REQUESTS_PER_DOMAIN``; 0: no shared limit), as leases
  that expire after ``DOWNLOAD_TIMEOUT`` should a worker die holding one.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import TYPE_CHECKING, Any, Self

import redis
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.distributed import scripts
from crawler.distributed.run import RunContext, run_context

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

LEASE_META_KEY = "_shared_politeness_lease"
# Grants are spaced a little wider than the rate asks, so that network jitter between
# the grant and the server's arrival never packs one more request into a window.
WINDOW_MARGIN = 0.1


def window_for(rate: float) -> tuple[int, float]:
    """``rate`` requests per second as (grants, window seconds): 2/s -> (2, 1.0), 0.5/s -> (1, 2.0)."""
    grants = max(1, math.floor(rate))
    return grants, grants / rate


class SharedPoliteness:
    """Downloader middleware: waits for the host's shared rate and concurrency budget in Redis."""

    def __init__(self, crawler: Crawler, context: RunContext, rate: float, concurrency: int) -> None:
        self.crawler = crawler
        self.context = context
        self.grants, self.window = window_for(rate) if rate > 0 else (0, 0.0)
        self.concurrency = concurrency
        self.lease_seconds = crawler.settings.getfloat("DOWNLOAD_TIMEOUT") + 10
        self._acquire = context.client.register_script(scripts.ACQUIRE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        if context is None:
            raise NotConfigured("not a distributed run")
        settings = crawler.settings
        delay = settings.getfloat("DOWNLOAD_DELAY")
        rate = settings.getfloat("REDIS_HOST_RATE", -1)
        if rate < 0:
            rate = 1 / delay if delay > 0 else 0.0
        concurrency = settings.getint("REDIS_HOST_CONCURRENCY", -1)
        if concurrency < 0:
            concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        if rate <= 0 and concurrency <= 0:
            raise NotConfigured("no shared per-host limits (REDIS_HOST_RATE and REDIS_HOST_CONCURRENCY are 0)")
        logger.info("Shared per-host budget: %s requests/s, %s in flight", rate or "unlimited", concurrency or "unlimited")
        return cls(crawler, context, rate, concurrency)

    def _keys(self, host: str) -> list[str]:
        base = f"{self.context.keys.prefix}:host:{host}"
        return [f"{base}:grants", f"{base}:leases"]

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        token = uuid.uuid4().hex
        stats = self.crawler.stats
        waited = False
        while True:
            try:
                wait = float(self._acquire(
                    keys=self._keys(host),
                    args=[token, self.grants, self.window + WINDOW_MARGIN if self.grants else 0,
                          self.concurrency, self.lease_seconds],
                ))
            except redis.RedisError as exc:
                # Never sent without the budget. The request stays pending in Redis for this
                # worker, so it is crawled once Redis is back (put back when the worker leaves or dies).
                stats.inc_value("distributed/politeness/redis_error")
                self.context.taken.pop(request, None)  # never acknowledged: put back when this worker leaves
                raise IgnoreRequest(f"shared politeness budget unavailable: {exc}") from exc
            if wait <= 0:
                break
            waited = True
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        if waited:
            stats.inc_value("distributed/politeness/waited")
        if self.concurrency:
            request.meta[LEASE_META_KEY] = (host, token)

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(LEASE_META_KEY, None)
        if lease is None:
            return
        host, token = lease
        try:
            self.context.client.zrem(self._keys(host)[1], token)
        except redis.RedisError as exc:  # the lease expires by itself
            logger.warning("Could not release the shared lease of %s: %s", request.url, exc)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)
