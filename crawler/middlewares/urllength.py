"""Scrapy's URL length limit, with every dropped link logged, counted and listed.

Scrapy's ``UrlLengthMiddleware`` drops a request whose URL is longer than
``URLLENGTH_LIMIT`` with one low-level log line. Here each drop is a warning
naming the page the link was on, is counted (Scrapy's
``urllength/request_ignored_count``) and is listed in the run manifest
(``url_too_long``), like every other lost link.
"""

from __future__ import annotations

import logging

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware

from crawler.signals import manifest_entry

logger = logging.getLogger(__name__)

# How much of an over-long URL goes into the log and the manifest.
SHOWN_CHARACTERS = 300


class ReportingUrlLengthMiddleware(UrlLengthMiddleware):
    """Drops over-long URLs as Scrapy does, and reports each one."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if len(request.url) <= self.maxlength:
            return request
        self.crawler.stats.inc_value("urllength/request_ignored_count")
        shown = request.url if len(request.url) <= SHOWN_CHARACTERS else request.url[:SHOWN_CHARACTERS] + "…"
        page = response.url if response is not None else None
        logger.warning("Link not followed, URL of %d characters (URLLENGTH_LIMIT %d) on %s: %s",
                       len(request.url), self.maxlength, page or "(start URL)", shown)
        self.crawler.signals.send_catch_log(
            manifest_entry, kind="url_too_long",
            entry={"url": shown, "length": len(request.url), "limit": self.maxlength, "page": page},
        )
        return None
