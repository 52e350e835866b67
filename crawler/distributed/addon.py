"""Add-on: ``-s REDIS_URL=redis://host:port/db`` turns a crawl into a worker of a distributed crawl.

Without ``REDIS_URL`` it changes nothing. With it, the frontier and duplicate
filter (scrapy-redis), the state store, the run (id, seeding, ending) and the
per-host politeness budget (rate, concurrency, AutoThrottle delay) live in
Redis and are shared by every worker of the seed; the per-OUTPUT_DIR run lock is off (workers may share an
OUTPUT_DIR; their files carry host and pid). docs/distributed.md.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# Above crawler/settings.py's declarations (equal priority replaces them), below -s on the command line.
PRIORITY = "project"


class Distributed:
    """Scrapy add-on wiring the distributed components when ``REDIS_URL`` is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL") or not settings.getbool("RUN_OUTPUTS_ENABLED"):
            return  # not distributed, or not a crawl (crawler/runoutputs.py: shell, fetch …)
        settings.set("SCHEDULER", "crawler.distributed.scheduler.DistributedScheduler", PRIORITY)
        if not settings.get("STATE_STORE_CLASS"):  # another shared store chosen by the user stays
            settings.set("STATE_STORE_CLASS", "crawler.dedup.redis.RedisStateStore", PRIORITY)
        # Several workers of one seed run at once; Redis keeps them apart (crawler/distributed/run.py).
        settings.set("RUNLOCK_ENABLED", False, PRIORITY)
        prefix = settings.get("WARC_PREFIX") or "MNA"
        settings.set("WARC_PREFIX", f"{prefix}-{os.getpid()}", PRIORITY)  # with the host, names stay apart
        settings.set_in_component_priority_dict("EXTENSIONS", "crawler.distributed.run.DistributedRun", 60)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", "crawler.distributed.seeding.SeedOnce", 10)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", "crawler.distributed.politeness.SharedPoliteness", 990
        )
        # AutoThrottle's delay is kept per host for all workers by SharedPoliteness; Scrapy's own
        # extension would slow each worker by its own latencies alone.
        settings.set_in_component_priority_dict("EXTENSIONS", "scrapy.extensions.throttle.AutoThrottle", None)
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        robots = "crawler.middlewares.robotstxt.RobotsTxtMiddleware"
        if middlewares.get(robots) is not None:  # robots.txt fetched once per host and run, for all workers
            settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", robots, None)
            settings.set_in_component_priority_dict(
                "DOWNLOADER_MIDDLEWARES", "crawler.distributed.robots.SharedRobotsTxtMiddleware", middlewares[robots]
            )
