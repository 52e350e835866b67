"""``scrapy crawl`` with exit statuses a scheduler can act on.

==  ==========================================================================
0   the run finished (nothing new is still success)
1   the run failed: no start URL reachable, every article request failed, the
    state store unusable (corrupt, locked too long, disk full), a record not
    written because its WARC record could not be written, a spider callback
    raised, Redis lost during a distributed run, or the crawl could not start
    for another reason
2   usage error or invalid seed (unknown spider, bad seed file, bad -a), or
    the Redis server of REDIS_URL unreachable at start
75  another run of the same seed into the same OUTPUT_DIR holds the lock
    (EX_TEMPFAIL: try again later)
==  ==========================================================================

The deciding is done by :func:`exit_status` over plain data, so it is tested
without running a crawl. A usage error (unknown spider, bad seed file, bad
``-a``) is found before Scrapy starts: the one-line error is all the command
prints, so it is the last line a scheduler's log shows.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.distributed.connection import RedisUnavailable
from crawler.extensions.manifest import record_exit_status
from crawler.extensions.runlock import RunLocked
from crawler.seeds import SeedError
from crawler.dedup.state import StateStoreError

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75


@dataclass
class RunOutcome:
    """What a crawl left behind, as far as its exit status is concerned."""

    error: BaseException | None = None
    finish_reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    start_url_count: int = 0
    spider_created: bool = True


def exit_status(outcome: RunOutcome) -> tuple[int, str]:
    """The exit status of a run and a one-line reason."""
    error = outcome.error
    if isinstance(error, RunLocked):
        return EXIT_LOCKED, str(error)
    if isinstance(error, RedisUnavailable):
        return EXIT_USAGE, str(error)
    if isinstance(error, (SeedError, UsageError)) or (error is not None and not outcome.spider_created):
        # The spider could not even be built from its seed and -a arguments.
        return EXIT_USAGE, f"invalid seed or spider arguments: {error}"
    if isinstance(error, StateStoreError):
        return EXIT_FAILED, f"state store unusable: {error}"
    if error is not None:
        return EXIT_FAILED, f"crawl could not run: {type(error).__name__}: {error}"
    stats = outcome.stats
    if outcome.finish_reason == "redis_lost":
        return EXIT_FAILED, "Redis of the distributed run was lost (see log)"
    if outcome.finish_reason == "state_store_error" or stats.get("dedup/state_error"):
        return EXIT_FAILED, f"state store unusable: {stats.get('dedup/state_error_message', 'see log')}"
    warc_failed = int(stats.get("jsonl/warc_write_failed", 0) or 0)
    if warc_failed:
        return EXIT_FAILED, f"{warc_failed} record(s) not written: their WARC records could not be written"
    failed_starts = int(stats.get("spider/failed_start_urls", 0) or 0)
    if outcome.start_url_count and failed_starts >= outcome.start_url_count:
        return EXIT_FAILED, f"no start URL reachable ({failed_starts} of {outcome.start_url_count} failed)"
    failed_articles = int(stats.get("spider/failed/article", 0) or 0)
    fetched_articles = int(stats.get("spider/article_pages", 0) or 0)
    not_modified = int(stats.get("conditional/not_modified", 0) or 0)
    if failed_articles and not fetched_articles and not not_modified:
        return EXIT_FAILED, f"every article request failed ({failed_articles})"
    if outcome.finish_reason is None:
        return EXIT_FAILED, "the crawl never ran"
    callback_errors = int(stats.get("spider_exceptions/count", 0) or 0)
    if callback_errors:
        # What a raising callback had still to yield (links, items) is lost.
        return EXIT_FAILED, f"{callback_errors} spider callback(s) raised (see the log and the manifest's spider_error entries)"
    return EXIT_OK, f"finished ({outcome.finish_reason})"


class Command(ScrapyCrawlCommand):
    default_settings: ClassVar[dict[str, Any]] = {"RUN_OUTPUTS_ENABLED": True}  # crawler/runoutputs.py

    def short_desc(self) -> str:
        return "Run a spider (exit status: 0 ok, 1 failed run, 2 usage/invalid seed, 75 locked)"

    def long_desc(self) -> str:
        return (
            "Run a spider of this project. Exit status: 0 the run finished; 1 the run failed (no start "
            "URL reachable, every article request failed, state store unusable); 2 usage error or "
            "invalid seed; 75 another run of this seed into this OUTPUT_DIR is in progress."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) == 1:
            self._check_spider(args[0], opts.spargs)

    def _check_spider(self, name: str, spider_args: dict[str, Any]) -> None:
        """Build the spider once, before Scrapy starts: a usage error ends the command with one line."""
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        try:
            spider_class = loader.load(name)
        except KeyError:
            self._usage_error(name, f"no spider {name!r} (see 'scrapy list')")
        except SeedError as exc:
            self._usage_error(name, f"invalid seed: {exc}")
        try:
            spider_class(**spider_args)  # the spider's own checks: seed file, -a arguments
        except (SeedError, ValueError, TypeError) as exc:
            self._usage_error(name, f"invalid seed or spider arguments: {exc}")

    @staticmethod
    def _usage_error(name: str, reason: str) -> NoReturn:
        print(f"scrapy crawl {name}: error: {reason} (exit status {EXIT_USAGE})", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        try:
            crawler = self._create_crawler(args[0])
        except (KeyError, SeedError) as exc:  # checked in process_options; here only when called directly
            self.exitcode = EXIT_USAGE
            print(f"scrapy crawl {args[0]}: error: {exc} (exit status {self.exitcode})", file=sys.stderr)
            return
        outcome = RunOutcome()

        def failed(failure: Any) -> None:
            outcome.error = getattr(failure, "value", failure)

        def task_done(task: Any) -> None:
            if not task.cancelled() and task.exception() is not None:
                outcome.error = task.exception()

        running = self.crawler_process.crawl(crawler, **opts.spargs)
        if hasattr(running, "addErrback"):
            running.addErrback(failed)
        else:  # an asyncio task (AsyncCrawlerProcess)
            running.add_done_callback(task_done)
        self.crawler_process.start()

        try:
            stats = crawler.stats.get_stats()
        except RuntimeError:  # the crawl never got as far as creating its stats
            stats = {}
        outcome.stats = stats
        outcome.finish_reason = stats.get("finish_reason")
        try:
            spider = crawler.spider
        except RuntimeError:  # the spider could not be created
            spider = None
        outcome.spider_created = spider is not None
        seed = getattr(spider, "seed", None)
        outcome.start_url_count = len(getattr(seed, "start_urls", ()) or getattr(spider, "start_urls", ()) or ())
        self.exitcode, reason = exit_status(outcome)
        if spider is not None:
            record_exit_status(crawler, self.exitcode, reason)  # `scrapy runs` lists it
        if self.exitcode == EXIT_OK:
            logger.info("crawl %s: exit status 0, %s", args[0], reason)
        else:
            print(f"scrapy crawl {args[0]}: error: {reason} (exit status {self.exitcode})", file=sys.stderr)
