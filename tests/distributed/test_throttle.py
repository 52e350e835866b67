"""AutoThrottle across workers: one delay per host in Redis, adjusted by every worker's latencies.

Two SharedPoliteness middlewares on two Redis connections stand for two
workers of one run (crawler/distributed/politeness.py), against a real Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.distributed.addon import Distributed
from crawler.distributed.connection import Keys
from crawler.distributed.politeness import SharedPoliteness
from crawler.distributed.run import CONTEXT_ATTRIBUTE, RunContext

HOST = "slow.gov.cn"
THROTTLE = {
    "AUTOTHROTTLE_ENABLED": True, "AUTOTHROTTLE_START_DELAY": 1.0, "AUTOTHROTTLE_MAX_DELAY": 8.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0, "DOWNLOAD_DELAY": 0.5,
    "REDIS_HOST_RATE": 0, "REDIS_HOST_CONCURRENCY": 0,  # the throttle alone decides the spacing here
}


@pytest.fixture
def workers(redis_url: str, redis_prefix: str) -> Iterator[list[SharedPoliteness]]:
    """Two workers' middlewares, each with a connection of its own."""
    made, clients = [], []
    for name in ("a", "b"):
        client = redis.Redis.from_url(redis_url)
        clients.append(client)
        crawler = get_crawler(settings_dict=THROTTLE)
        context = RunContext(client, redis_url, Keys(redis_prefix, "seed"), "run-1", name, fresh=False,
                             visibility_timeout=5.0)
        setattr(crawler, CONTEXT_ATTRIBUTE, context)
        made.append(SharedPoliteness.from_crawler(crawler))
    yield made
    for client in clients:
        client.close()


def respond(worker: SharedPoliteness, latency: float, status: int = 200, token: str = "t") -> None:
    """What the middleware sees of a finished download: the request it granted, its latency, its status."""
    request = Request(f"http://{HOST}/page.html", meta={"download_latency": latency})
    request.meta["_shared_politeness_lease"] = (HOST, "")
    worker.process_response(request, HtmlResponse(request.url, status=status, request=request))


def test_a_slow_host_raises_the_one_delay_every_worker_sees(workers: list[SharedPoliteness]) -> None:
    a, b = workers
    assert a.shared_delay(HOST) is None and b.shared_delay(HOST) is None
    respond(a, latency=4.0)  # 4 s per page: one request every 4 s keeps one in flight
    assert a.shared_delay(HOST) == b.shared_delay(HOST) == 4.0
    respond(b, latency=0.2)  # faster again: halfway towards 0.2 s
    assert a.shared_delay(HOST) == b.shared_delay(HOST) == pytest.approx(2.1)
    respond(a, latency=0.05, status=503)  # an error page is fast: it never lowers the delay
    assert b.shared_delay(HOST) == pytest.approx(2.1)
    respond(b, latency=60.0, status=503)  # but may raise it, up to AUTOTHROTTLE_MAX_DELAY
    assert a.shared_delay(HOST) == 8.0
    for _ in range(10):
        respond(a, latency=0.0)
    assert b.shared_delay(HOST) == 0.5  # never under DOWNLOAD_DELAY


def test_requests_from_both_workers_are_spaced_by_the_shared_delay(workers: list[SharedPoliteness]) -> None:
    a, b = workers
    assert a.ask(HOST, "first") == 0
    assert 0.9 < b.ask(HOST, "second") <= 1.0  # before any latency: AUTOTHROTTLE_START_DELAY, across workers
    respond(b, latency=5.0)
    assert 3.9 < a.ask(HOST, "third") <= 5.0  # the slow answer seen by b holds a back too
    assert b.ask("other.gov.cn", "elsewhere") == 0  # per host


def test_the_shared_delay_follows_scrapys_autothrottle_policy(workers: list[SharedPoliteness]) -> None:
    """The same latencies give the shared delay and Scrapy's own extension the same delays."""
    crawler = get_crawler(settings_dict=THROTTLE)
    scrapy_throttle = AutoThrottle(crawler)
    scrapy_throttle.mindelay, scrapy_throttle.maxdelay = 0.5, 8.0
    slot = Slot(concurrency=1, delay=1.0, jitter=0)
    observations: list[tuple[float, int]] = [(0.3, 200), (2.5, 200), (0.1, 404), (9.0, 200), (0.4, 200), (0.2, 500)]
    a, b = workers
    for number, (latency, status) in enumerate(observations):
        respond((a, b)[number % 2], latency, status)
        response: Any = HtmlResponse(f"http://{HOST}/", status=status)
        scrapy_throttle._adjust_delay(slot, latency, response)
        assert a.shared_delay(HOST) == pytest.approx(slot.delay), (latency, status)


def test_in_a_distributed_crawl_scrapys_per_worker_autothrottle_is_off(redis_url: str) -> None:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("REDIS_URL", redis_url, priority="cmdline")
    settings.set("RUN_OUTPUTS_ENABLED", True, priority="command")
    Distributed().update_settings(settings)
    assert settings.getbool("AUTOTHROTTLE_ENABLED")  # still read: by the shared throttle
    assert settings.getdict("EXTENSIONS")["scrapy.extensions.throttle.AutoThrottle"] is None
