"""``scrapy check``: the spider contracts of every seed (``@start_url``, crawler/contracts.py).

The generic ``news`` spider has a seed only when given one (``scrapy check
news -a seed=PATH``); without it, it is left out of the spiders checked.
"""

from __future__ import annotations

import argparse

from scrapy.commands.check import Command as ScrapyCheckCommand

from crawler.spiders.news import NewsSpider


class Command(ScrapyCheckCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args and "seed" not in opts.spargs:
            assert self.crawler_process is not None
            args = [name for name in self.crawler_process.spider_loader.list() if name != NewsSpider.name]
        super().run(args, opts)
