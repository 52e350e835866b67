"""Spider contracts for ``scrapy check`` that work for every seed.

Scrapy's ``@url`` names one fixed URL in a callback's docstring, but every
seed's spider shares the callbacks of :class:`crawler.spiders.news.NewsSpider`
and crawls another site. ``@start_url`` asks the spider's own seed instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy.contracts import Contract


class StartUrlContract(Contract):
    """``@start_url``: check the callback on the first start URL of the spider's seed (a list page)."""

    name = "start_url"

    def __init__(self, method: Callable[..., Any], *args: Any):
        super().__init__(method, *args)
        self.method = method  # bound to the spider: its seed gives the URL

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        seed = getattr(getattr(self.method, "__self__", None), "seed", None)
        if seed is None:
            raise ValueError("@start_url needs a spider bound to a seed")
        args["url"] = seed.start_urls[0]
        args["meta"] = {**(args.get("meta") or {}), "page_kind": "list", "start_url": True}
        return args
