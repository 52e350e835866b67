"""Spider middleware: exactly one worker of a distributed run sends the seed's start requests.

The spider keeps its own ``async start()``; this middleware lets its
requests through only in the worker that takes the run's seed lock
(``<prefix>:<seed>:seeded:<run id>``, ``SET NX``). The others run it too,
for what it sets up, and crawl what the shared frontier holds.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured

from crawler.distributed.run import RunContext, run_context

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SEED_LOCK_SECONDS = 7 * 24 * 3600  # outlives any run; a new run has a new id, so a new lock


class SeedOnce:
    """Spider middleware: start requests from one worker per distributed run."""

    def __init__(self, crawler: Crawler, context: RunContext) -> None:
        self.crawler = crawler
        self.context = context

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        if context is None:
            raise NotConfigured("not a distributed run")
        return cls(crawler, context)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        context = self.context
        key = context.keys.seeded(context.run_id)
        if context.client.set(key, context.worker, nx=True, ex=SEED_LOCK_SECONDS):
            self.crawler.stats.set_value("distributed/seeded", 1)
            logger.info("Worker %s seeds distributed run %s", context.worker, context.run_id)
            async for output in start:
                yield output
            return
        holder = context.client.get(key)
        logger.info("Distributed run %s was seeded by %s; crawling the shared frontier", context.run_id,
                    holder.decode() if holder else "another worker")
        # The spider's start() still runs (it sets the spider up); only its requests are left out.
        async for output in start:
            if not isinstance(output, Request):
                yield output
