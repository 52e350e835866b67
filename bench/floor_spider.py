"""The floor for bench/crawl.py: Scrapy following the same links and doing nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import scrapy
from scrapy.http import Request, Response


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, start_url: str = "", **kwargs: object):
        super().__init__(**kwargs)
        self.start_url = start_url

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.start_url, callback=self.parse_list)

    def parse_list(self, response: Response) -> Iterator[Request]:
        for href in response.css("ul a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)
        for href in response.xpath("//a[text()='下一页']/@href").getall():
            yield response.follow(href, callback=self.parse_list)

    def parse_article(self, response: Response) -> None:
        self.crawler.stats.inc_value("floor/articles")
