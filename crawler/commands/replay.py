"""``scrapy replay PATH… [-a seed=NAME|PATH] [-s OUTPUT_DIR=DIR]``: re-derive the JSONL from WARC files.

A thin shell over :mod:`crawler.replay`: it finds the WARC files among the
paths, groups them into the archived runs that wrote them, and runs the same
spider and item pipelines as a live crawl once per run (oldest first, in one
process), with :class:`crawler.middlewares.replay.ArchiveReplayMiddleware`
answering every request from the archive. Nothing is fetched; the archive is
only read.

The dedup state of a replay is fresh (``OUTPUT_DIR/replay-state/<id>/``), not
the live crawl's ``OUTPUT_DIR/state``: against the live state every record
would be "unchanged" and suppressed. Set ``STATE_PATH`` to choose another.

Each run crawls from the seed its warcinfo records hold (the seed file's
text as the run read it), so an archive replays the same way after its seed
file was edited, moved or deleted. Files written before the seed was recorded
use the shipped seed of the name they give. ``-a seed=NAME|PATH`` overrides
both.

Exit status: 0 when every input was replayed completely; 1 when an input
was not a WARC file or missing, was cut short (what was complete is
replayed), had no known seed, or a run could not start; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import BaseRunSpiderCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from twisted.internet.defer import Deferred

from crawler.commands.crawl import RunOutcome as CrawlOutcome
from crawler.commands.crawl import exit_status
from crawler.middlewares.replay import REPLAY_PRIORITY
from crawler.replay.inputs import ReplayRun, find_inputs, group_runs
from crawler.replay.progress import human_bytes, human_duration
from crawler.seeds import SeedError, load_seed, seed_from_text
from crawler.spiderloader import spider_class_for

logger = logging.getLogger(__name__)

CAPTURE = "crawler.middlewares.warc.WarcCaptureMiddleware"
REPLAY = "crawler.middlewares.replay.ArchiveReplayMiddleware"

# Applied to every replay run on top of the project settings (a -s on the command line still wins).
REPLAY_SETTINGS: dict[str, Any] = {
    "WARC_ENABLED": False,  # replay reads the archive; it never writes one
    "AUTOTHROTTLE_ENABLED": False,  # no server to be polite to
    "DOWNLOAD_DELAY": 0,
}
# Above the project's settings (crawler/settings.py declares all three), below the command line.
REPLAY_SETTINGS_PRIORITY = SETTINGS_PRIORITIES["project"] + 1


def replay_settings(settings: Settings) -> Settings:
    """A replay run's settings: ``settings`` with REPLAY_SETTINGS, answered by the archive instead of captured."""
    settings = settings.copy()
    for name, value in REPLAY_SETTINGS.items():
        settings.set(name, value, priority=REPLAY_SETTINGS_PRIORITY)
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares[CAPTURE] = None
    middlewares[REPLAY] = REPLAY_PRIORITY
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority=max(SETTINGS_PRIORITIES.values()))
    return settings


@dataclass
class RunOutcome:
    run: ReplayRun
    run_id: str
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    start_url_count: int = 0


class Command(BaseRunSpiderCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, Any]] = {"RUN_OUTPUTS_ENABLED": True}  # crawler/runoutputs.py

    def syntax(self) -> str:
        return "[options] PATH…"

    def short_desc(self) -> str:
        return "Re-derive JSONL from WARC files (files or directories) without touching the network"

    def long_desc(self) -> str:
        return (
            "Runs the project's spiders and item pipelines with every request answered from the given "
            "WARC archives. Each archived run is replayed as its own crawl, oldest first, from the seed its warcinfo "
            "records hold (the seed file as the run read it), or from -a seed=NAME|PATH. Output goes to OUTPUT_DIR "
            "as in a crawl. Exit status 0 only when every input was replayed completely."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one WARC file or directory")
        unknown = [arg for arg in args if arg.startswith("-")]
        if unknown:  # Scrapy hands options it does not know on as arguments; they are not paths
            raise UsageError(f"unknown option {unknown[0]}", print_help=False)
        assert self.settings is not None and self.crawler_process is not None
        inputs, skipped = find_inputs(Path(arg) for arg in args)
        for path, reason in skipped:
            message = f"Skipping {path}: {reason}"
            logger.error(message)
            print(message, file=sys.stderr)
        if not inputs:
            print("No WARC files to replay.", file=sys.stderr)
            self.exitcode = 1
            return
        spider_args = dict(opts.spargs)
        seed_option = spider_args.pop("seed", None)
        try:
            seed_name, seed_path = self._resolve_seed(seed_option)
        except (SeedError, OSError) as exc:
            raise UsageError(f"-a seed={seed_option}: {exc}", print_help=False) from exc
        runs, unknown = group_runs(inputs, seed_name)
        problems = len(skipped)  # an input that was not replayed: the exit status says so
        for item in unknown:
            problems += 1
            message = f"Skipping {item.path}: its warcinfo names no seed; pass -a seed=NAME|PATH"
            logger.error(message)
            print(message, file=sys.stderr)
        if seed_path is not None:
            spider_args["seed"] = seed_path
        self.outcomes: list[RunOutcome] = []
        self.interrupted = False
        pending = list(runs)
        base = self.settings.get("RUN_ID") or datetime.now(UTC).strftime("replay-%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"
        state_path = self._state_path(base)

        def earlier_files(run: ReplayRun) -> list[str]:
            """Where the originals of a run's revisits can be: its seed's earlier runs, newest first."""
            earlier = [other for other in runs[: runs.index(run)] if other.seed == run.seed]
            return [str(item.path) for other in reversed(earlier) for item in reversed(other.files)]

        def start_next() -> None:
            while pending:
                run = pending.pop(0)
                outcome = RunOutcome(run, f"{base}-{len(self.outcomes) + 1:02d}")
                self.outcomes.append(outcome)
                try:
                    crawler = self._crawler_for(
                        run, outcome.run_id, earlier_files(run), state_path, bool(seed_option), seed_path
                    )
                    result = self.crawler_process.crawl(crawler, **spider_args)
                except Exception as exc:
                    outcome.error = f"{type(exc).__name__}: {exc}"
                    logger.error("Cannot replay %s: %s", run.label, outcome.error)
                    continue
                logger.info("Replaying %s (%d file(s)) as run %s", run.label, len(run.files), outcome.run_id)
                self._when_done(result, crawler, outcome, start_next)
                return

        start_next()
        if any(outcome.error is None for outcome in self.outcomes):
            self.crawler_process.start()
        problems += self._report()
        if skipped:
            print(f"{len(skipped)} input(s) skipped, not replayed (see above): exit status 1", file=sys.stderr)
        if self.interrupted:
            skipped_runs = len(runs) - len(self.outcomes)
            print(f"Interrupted: {skipped_runs} run(s) not replayed.", file=sys.stderr)
            problems += 1
        if problems or getattr(self.crawler_process, "bootstrap_failed", False):
            self.exitcode = 1

    # -- helpers -------------------------------------------------------------

    def _resolve_seed(self, option: str | None) -> tuple[str | None, str | None]:
        """The seed name to group by, and a seed file path when it is not a shipped spider."""
        if not option:
            return None, None
        assert self.crawler_process is not None
        if option in self.crawler_process.spider_loader.list():
            return option, None
        seed = load_seed(Path(option))
        return seed.name, str(option)

    def _state_path(self, base: str) -> str:
        assert self.settings is not None
        configured = self.settings.get("STATE_PATH")
        if configured:
            return str(configured)
        return str(Path(self.settings.get("OUTPUT_DIR") or "out") / "replay-state" / base / "state.sqlite")

    def _crawler_for(
        self, run: ReplayRun, run_id: str, lookup_files: list[str], state_path: str, seed_given: bool,
        seed_path: str | None,
    ) -> Crawler:
        assert self.settings is not None and self.crawler_process is not None
        settings = replay_settings(self.settings)
        settings.set("REPLAY_FILES", [str(item.path) for item in run.files], priority="cmdline")
        settings.set("REPLAY_LOOKUP_FILES", lookup_files, priority="cmdline")
        settings.set("RUN_ID", run_id, priority="cmdline")
        settings.set("STATE_PATH", state_path, priority="cmdline")
        return Crawler(self._spider_class(run, seed_given, seed_path), settings)

    def _spider_class(self, run: ReplayRun, seed_given: bool, seed_path: str | None) -> type[Any]:
        """The spider for a run: -a seed=… if given, else the seed its warcinfo holds, else the shipped one."""
        assert self.crawler_process is not None
        loader = self.crawler_process.spider_loader
        if seed_path is not None:
            return loader.load("news")  # bound to the file by the seed spider argument
        if not seed_given and run.seed_text:
            origin = f"<warcinfo of {run.files[0].path.name}>"
            try:
                return spider_class_for(seed_from_text(run.seed_text, origin))
            except SeedError as exc:
                raise ValueError(f"{exc}; pass -a seed=NAME|PATH") from exc
        if run.seed not in loader.list():
            raise ValueError(f"seed {run.seed!r} named in the warcinfo is not a shipped seed; pass -a seed=PATH")
        return loader.load(run.seed)

    def _when_done(self, result: Any, crawler: Crawler, outcome: RunOutcome, then: Any) -> None:
        def finished(failure: BaseException | None) -> None:
            if failure is not None:
                outcome.error = f"{type(failure).__name__}: {failure}"
                logger.error("Replay of %s failed: %s", outcome.run.label, outcome.error)
            if crawler.stats is not None:
                outcome.stats = dict(crawler.stats.get_stats())
            spider = getattr(crawler, "spider", None)
            outcome.start_url_count = len(getattr(getattr(spider, "seed", None), "start_urls", ()) or ())
            if outcome.error is None and spider is not None:
                # The same verdict `scrapy crawl` gives a run (state store unusable, no start URL …).
                status, reason = exit_status(CrawlOutcome(
                    finish_reason=outcome.stats.get("finish_reason"), stats=outcome.stats,
                    start_url_count=outcome.start_url_count,
                ))
                if status != 0:
                    outcome.error = reason
            if getattr(crawler, "spider", None) is None and outcome.error is None:
                outcome.error = "the spider did not start"
            if outcome.stats.get("finish_reason") == "shutdown":
                # Ctrl-C / SIGTERM: stop here instead of starting the next run.
                logger.warning("Replay interrupted during %s; later runs are not replayed", outcome.run.label)
                self.interrupted = True
                return
            then()

        if isinstance(result, Deferred):
            def on_deferred(value: Any) -> None:
                failure = getattr(value, "value", None) if value is not None and hasattr(value, "trap") else None
                finished(failure)

            result.addBoth(on_deferred)
        else:
            def on_task(done: Any) -> None:
                failure = None if done.cancelled() else done.exception()
                finished(failure)

            result.add_done_callback(on_task)

    def _report(self) -> int:
        """Print the summary of every run; return how many problems it found."""
        problems = 0
        records = served_bytes = items = missing = 0
        seconds = 0.0
        lines = ["", "Replay summary:"]
        for outcome in self.outcomes:
            stats = outcome.stats
            truncated = int(stats.get("replay/truncated_files", 0))
            line = (
                f"  {outcome.run.label:<40} run {outcome.run_id}: {stats.get('replay/records', 0)} records, "
                f"{stats.get('jsonl/records', 0)} JSONL records, {stats.get('replay/missing', 0)} missing"
            )
            for key, value in sorted(stats.items()):
                if key.startswith("replay/truncated_at/"):
                    line += f"\n      {key.removeprefix('replay/truncated_at/')}: cut short, stopped after byte {value}"
            if outcome.error:
                line += f" — FAILED: {outcome.error}"
            lines.append(line)
            problems += truncated + (1 if outcome.error else 0)
            records += int(stats.get("replay/records", 0))
            served_bytes += int(stats.get("replay/bytes", 0))
            items += int(stats.get("jsonl/records", 0))
            missing += int(stats.get("replay/missing", 0))
            seconds += float(stats.get("replay/seconds", 0.0))
        rate = records / seconds if seconds else 0.0
        lines.append(
            f"  total: {len(self.outcomes)} run(s), {records} records ({human_bytes(served_bytes)}) in "
            f"{human_duration(seconds)} ({rate:.1f} records/s), {items} JSONL records, {missing} missing"
        )
        if problems:
            lines.append("  some inputs were not replayed completely (see above): exit status 1")
        print("\n".join(lines), file=sys.stderr)
        return problems

