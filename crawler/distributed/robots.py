"""Downloader middleware: robots.txt fetched once per host per distributed run, shared by all workers.

The project's robots.txt middleware (crawler/middlewares/robotstxt.py, RFC
9309's reading of error answers) with one change: before fetching a host's
robots.txt a worker looks for the answer in Redis
(``<prefix>:<seed>:robots:<run id>``). The first worker to ask takes a lock,
fetches it and stores the status and body (or the failure); the others wait
for that answer and read it the same way, so every worker obeys the same
rules. A lock whose holder dies expires and another worker fetches.
"""

from __future__ import annotations

import json
import logging
from base64 import b64decode, b64encode
from typing import TYPE_CHECKING, Any, Self

import redis
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from crawler.distributed.run import RunContext, run_context
from crawler.middlewares.robotstxt import RobotsTxtMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

KEEP_SECONDS = 7 * 24 * 3600
POLL_SECONDS = 0.2


class SharedRobotFailure(Exception):
    """The worker that fetched a host's robots.txt got no answer (the reason is its exception's name)."""


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt middleware whose answers are fetched once per run and shared through Redis."""

    def __init__(self, crawler: Crawler, context: RunContext) -> None:
        super().__init__(crawler)
        self.context = context
        self.key = f"{context.keys.prefix}:{context.keys.seed}:robots:{context.run_id}"
        settings = crawler.settings
        self.lock_seconds = int(settings.getfloat("DOWNLOAD_TIMEOUT") * (settings.getint("RETRY_TIMES", 2) + 1) + 10)
        self._looked_up: set[str] = set()
        self._fetching: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        if context is None:
            raise NotConfigured("not a distributed run")
        return cls(crawler, context)  # raises NotConfigured when ROBOTSTXT_OBEY is off

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers and netloc not in self._looked_up:
            self._looked_up.add(netloc)
            try:
                shared = await self._shared_answer(netloc)
            except redis.RedisError as exc:  # fetch it here, as a single worker would
                logger.warning("Shared robots.txt of %s unavailable (%s); fetching it", netloc, exc)
                shared = None
            if shared is not None:
                self._parsers[netloc] = Deferred()
                self._stats.inc_value("distributed/robotstxt/shared")
                await self._use(shared, netloc, request)
        return await super().robot_parser(request)

    async def _shared_answer(self, netloc: str) -> dict[str, Any] | None:
        """The stored answer for ``netloc``; None when this worker is to fetch it (it holds the lock)."""
        client = self.context.client
        while True:
            stored = client.hget(self.key, netloc)
            if stored is not None:
                return json.loads(stored)
            if client.set(f"{self.key}:lock:{netloc}", self.context.worker, nx=True, ex=self.lock_seconds):
                self._fetching.add(netloc)
                return None
            await maybe_deferred_to_future(deferLater(reactor, POLL_SECONDS, lambda: None))

    async def _use(self, shared: dict[str, Any], netloc: str, request: Request) -> None:
        if "failure" in shared:
            self._robots_error(SharedRobotFailure(shared["failure"]), netloc)
            return
        response = Response(shared["url"], status=shared["status"], body=b64decode(shared["body"]))
        await super()._parse_robots(response, netloc, request)

    def _store(self, netloc: str, answer: dict[str, Any]) -> None:
        if netloc not in self._fetching:
            return
        self._fetching.discard(netloc)
        try:
            pipe = self.context.client.pipeline()
            pipe.hset(self.key, netloc, json.dumps(answer)).expire(self.key, KEEP_SECONDS)
            pipe.delete(f"{self.key}:lock:{netloc}")
            pipe.execute()
        except redis.RedisError as exc:  # the lock expires; another worker fetches it again
            logger.warning("Could not share the robots.txt answer of %s: %s", netloc, exc)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._store(netloc, {"url": response.url, "status": response.status, "body": b64encode(response.body).decode()})
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._store(netloc, {"failure": type(exc).__name__})
        super()._robots_error(exc, netloc)
