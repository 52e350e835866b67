"""Spider loader that turns every seed file into a spider.

``scrapy list`` prints one spider per file in ``SEEDS_DIR``; ``scrapy crawl
mca`` crawls ``seeds/mca.toml``; ``scrapy crawl news -a seed=PATH`` crawls any
other seed file with the same generic spider.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from crawler.seeds import Seed, SeedError, load_seed, seed_files
from crawler.spiders.news import NewsSpider

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class SeedSpiderLoader:
    """Implements Scrapy's ``SpiderLoaderProtocol`` over ``SEEDS_DIR``."""

    def __init__(self, settings: BaseSettings):
        self.seeds_dir = settings.get("SEEDS_DIR")
        self._spiders: dict[str, type[NewsSpider]] = {NewsSpider.name: NewsSpider}
        self._errors: dict[str, SeedError] = {}
        for path in seed_files(self.seeds_dir):
            try:
                seed = load_seed(path)
            except SeedError as exc:
                # Keep the error: crawling that seed must fail loudly, the others still list.
                self._errors[path.stem] = exc
                logger.error("%s", exc)
                continue
            if seed.name in self._spiders:
                self._errors[seed.name] = SeedError(path, "name", f"{seed.name!r} is already used by another seed")
                logger.error("%s", self._errors[seed.name])
                continue
            self._spiders[seed.name] = spider_class_for(seed)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings)

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name in self._spiders:
            return self._spiders[spider_name]
        if spider_name in self._errors:
            raise self._errors[spider_name]
        raise KeyError(f"Spider not found: {spider_name}")

    def list(self) -> list[str]:
        return sorted(self._spiders)

    def find_by_request(self, request: Request) -> list[str]:
        return [
            name
            for name, spider_class in self._spiders.items()
            if spider_class.seed is not None and spider_class.handles_request(request)
        ]


def spider_class_for(seed: Seed) -> type[NewsSpider]:
    """A NewsSpider subclass bound to ``seed``, named after it."""
    return type(
        f"{seed.name.title().replace('_', '')}Spider",
        (NewsSpider,),
        {"name": seed.name, "seed": seed, "__module__": NewsSpider.__module__},
    )
