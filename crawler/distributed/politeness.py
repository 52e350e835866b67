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
  that expire after ``DOWNLOAD_TIMEOUT`` should a worker die holding one;
* with ``AUTOTHROTTLE_ENABLED``, one AutoThrottle delay per host for all
  workers: every worker's download latencies adjust it (Scrapy's policy and
  settings: target concurrency, mean with the last delay, ``DOWNLOAD_DELAY``
  to ``AUTOTHROTTLE_MAX_DELAY``), and two requests to the host, from any
  workers, are at least that delay apart. Scrapy's own AutoThrottle extension,
  which would adapt each worker by its own latencies alone, is off
  (crawler/distributed/addon.py).
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

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
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

LEASE_META_KEY = "_shared_politeness_lease"
# Grants are spaced a little wider than the rate asks, so that network jitter between
# the grant and the server's arrival never packs one more request into a window.
WINDOW_MARGIN = 0.1
THROTTLE_KEEP_SECONDS = 24 * 3600  # a host's shared delay outlives pauses between a run's requests


def window_for(rate: float) -> tuple[int, float]:
    """``rate`` requests per second as (grants, window seconds): 2/s -> (2, 1.0), 0.5/s -> (1, 2.0)."""
    grants = max(1, math.floor(rate))
    return grants, grants / rate


@dataclass(frozen=True)
class SharedAutoThrottle:
    """Scrapy's AutoThrottle settings, applied to one delay per host shared in Redis."""

    target_concurrency: float
    min_delay: float
    max_delay: float
    start_delay: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SharedAutoThrottle | None:
        """The shared throttle, None when AutoThrottle is off (or, as Scrapy's refuses, its target is not above 0)."""
        target = settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY")
        if not settings.getbool("AUTOTHROTTLE_ENABLED") or target <= 0:
            return None
        min_delay = settings.getfloat("DOWNLOAD_DELAY")
        start = max(min_delay, settings.getfloat("AUTOTHROTTLE_START_DELAY"))
        # A start delay of 0 would read as "no throttle" in the scripts: the smallest spacing stands for it.
        return cls(target, min_delay, settings.getfloat("AUTOTHROTTLE_MAX_DELAY"), max(start, 0.001))


class SharedPoliteness:
    """Downloader middleware: waits for the host's shared rate, concurrency and throttle budget in Redis."""

    def __init__(self, crawler: Crawler, context: RunContext, rate: float, concurrency: int,
                 throttle: SharedAutoThrottle | None = None) -> None:
        self.crawler = crawler
        self.context = context
        self.grants, self.window = window_for(rate) if rate > 0 else (0, 0.0)
        self.concurrency = concurrency
        self.throttle = throttle
        self.lease_seconds = crawler.settings.getfloat("DOWNLOAD_TIMEOUT") + 10
        self._acquire = context.client.register_script(scripts.ACQUIRE)
        self._settle = context.client.register_script(scripts.SETTLE)

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
        throttle = SharedAutoThrottle.from_settings(settings)
        if rate <= 0 and concurrency <= 0 and throttle is None:
            raise NotConfigured("no shared per-host limits (REDIS_HOST_RATE and REDIS_HOST_CONCURRENCY are 0, no AutoThrottle)")
        logger.info("Shared per-host budget: %s requests/s, %s in flight, AutoThrottle %s", rate or "unlimited",
                    concurrency or "unlimited", "shared" if throttle else "off")
        return cls(crawler, context, rate, concurrency, throttle)

    def _keys(self, host: str) -> list[str]:
        base = f"{self.context.keys.prefix}:host:{host}"
        return [f"{base}:grants", f"{base}:leases", f"{base}:throttle"]

    def ask(self, host: str, token: str) -> float:
        """One request for the host's budget: 0 when granted (``token`` then holds a lease), else seconds to wait."""
        start = self.throttle.start_delay if self.throttle else 0
        return float(self._acquire(
            keys=self._keys(host),
            args=[token, self.grants, self.window + WINDOW_MARGIN if self.grants else 0,
                  self.concurrency, self.lease_seconds, start, THROTTLE_KEEP_SECONDS],
        ))

    def shared_delay(self, host: str) -> float | None:
        """The host's AutoThrottle delay as all workers see it; None before any latency was reported."""
        stored = self.context.client.hget(self._keys(host)[2], "delay")
        return float(stored) if stored is not None else None

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        token = uuid.uuid4().hex
        stats = self.crawler.stats
        waited = False
        while True:
            try:
                wait = self.ask(host, token)
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
        request.meta[LEASE_META_KEY] = (host, token if self.concurrency else "")

    def _settle_request(self, request: Request, response: Response | None) -> None:
        """End the request's lease; with AutoThrottle, report its latency to the host's shared delay."""
        host, token = request.meta.pop(LEASE_META_KEY, (None, ""))
        if host is None:
            return
        latency = request.meta.get("download_latency") if response is not None and self.throttle else None
        if request.meta.get("autothrottle_dont_adjust_delay", False) is True:
            latency = None
        if not token and latency is None:
            return
        throttle = self.throttle
        try:
            delay = self._settle(keys=self._keys(host)[1:], args=[
                token, "" if latency is None else repr(float(latency)), response.status if response is not None else 0,
                *((throttle.target_concurrency, throttle.min_delay, throttle.max_delay, throttle.start_delay)
                  if throttle else (1, 0, 0, 0)),
                THROTTLE_KEEP_SECONDS,
            ])
        except redis.RedisError as exc:  # the lease expires by itself; the delay waits for the next latency
            logger.warning("Could not settle the shared budget of %s: %s", request.url, exc)
            return
        if delay is not None:
            self.crawler.stats.set_value("distributed/autothrottle/last_delay", float(delay))

    def process_response(self, request: Request, response: Response) -> Response:
        self._settle_request(request, response)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._settle_request(request, None)
