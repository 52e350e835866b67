"""Add-on: a run's outputs are written by ``scrapy crawl`` and ``scrapy replay`` only.

The WARC archive, the JSONL, the dedup and list-page state, the run lock and
the run manifest belong to a run. Scrapy's own commands that fetch pages to
look at them (``shell``, ``fetch``, ``view``, ``parse``, ``check``, ``bench``,
``runspider``) read the same project settings; with these components they
would write a WARC file, an empty JSONL, list-page state and a manifest into
OUTPUT_DIR (which a later replay trips over), take the run lock, and send a
known article's validators so that ``scrapy fetch`` shows a bare 304.

``scrapy crawl`` and ``scrapy replay`` set ``RUN_OUTPUTS_ENABLED`` (a command
default, so ``-s RUN_OUTPUTS_ENABLED=False`` still wins). Everywhere else this
add-on takes the components below out of the settings before any of them is
built. A script that runs crawls with ``get_project_settings()`` sets
``RUN_OUTPUTS_ENABLED`` itself when it wants the outputs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

SETTING = "RUN_OUTPUTS_ENABLED"

# Component setting -> the components in it that write or read a run's outputs.
RUN_OUTPUT_COMPONENTS: dict[str, tuple[str, ...]] = {
    "EXTENSIONS": (
        "crawler.extensions.runlock.RunLock",
        "crawler.extensions.manifest.RunManifest",
    ),
    "DOWNLOADER_MIDDLEWARES": (
        "crawler.middlewares.warc.WarcCaptureMiddleware",
        "crawler.middlewares.conditional.ConditionalRequestMiddleware",
    ),
    "SPIDER_MIDDLEWARES": ("crawler.middlewares.pagination.PaginationStopMiddleware",),
    "ITEM_PIPELINES": (
        "pipelines.dedup.DedupPipeline",
        "pipelines.jsonl.JsonLinesWriter",
    ),
}


def run_output_components_off(settings: BaseSettings) -> list[str]:
    """Switch off every run-output component ``settings`` enables; return the ones switched off."""
    switched_off = []
    for name, paths in RUN_OUTPUT_COMPONENTS.items():
        components = settings[name]
        for path in paths:
            if components.get(path) is None:
                continue
            # The entry's own priority: an entry set on the command line goes too.
            components.set(path, None, priority=components.getpriority(path))
            switched_off.append(path.rsplit(".", 1)[-1])
    return switched_off


class RunOutputs:
    """Keeps the archive, JSONL, state, lock and manifest components to crawl and replay."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        if settings.getbool(SETTING):
            return
        switched_off = run_output_components_off(settings)
        if switched_off:
            logger.info(
                "Not a crawl or replay: nothing is written to OUTPUT_DIR (off: %s)", ", ".join(switched_off)
            )
