"""Refuse redirects that leave the seed's allowed domains, loudly.

Scrapy's OffsiteMiddleware drops such a redirect when it is scheduled, without
calling the request's errback, so an article that moved off-site would vanish
from the run without a trace. Sitting between the downloader and
RedirectMiddleware (600), this component turns it into an ``IgnoreRequest``
for the original request: the spider's errback logs the URL and counts it.
The 3xx response itself is still archived by the capture middleware, which
sits closer to the downloader.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.seeds import host_in_domains

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)


class OffsiteRedirectError(IgnoreRequest):
    """A redirect pointed outside ``allowed_domains``."""


class OffsiteRedirectMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not (300 <= response.status < 400) or b"Location" not in response.headers:
            return response
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        if not domains or request.meta.get("allow_offsite") or request.dont_filter:
            return response
        location = response.headers[b"Location"].decode("latin-1")
        target = urljoin(request.url, location)
        if host_in_domains(urlsplit(target).hostname or "", domains):
            return response
        # Not "offsite/…": those are the stats of Scrapy's OffsiteMiddleware.
        self.crawler.stats.inc_value("offsite_redirect/refused")
        raise OffsiteRedirectError(f"offsite redirect to {target}")
