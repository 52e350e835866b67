"""robots.txt read as RFC 9309 says, where Scrapy's middleware allows everything.

Scrapy's ``RobotsTxtMiddleware`` parses whatever body the robots.txt request
returns and, when the request fails, obeys nothing. RFC 9309 (section 2.3.1)
asks for more care, and a small government server deserves it:

* 2xx: the rules in the body apply (unchanged);
* 4xx ("unavailable"): there are no rules, the whole host may be crawled,
  whatever the error page's body says;
* 5xx ("unreachable"), and 429 Too Many Requests, which says the same thing
  about an overloaded server: the whole host is disallowed for this run;
* no answer at all (connection refused or cut, DNS failure, time-out, after
  the usual retries): the whole host is disallowed for this run.

This class replaces Scrapy's at the same priority (``DOWNLOADER_MIDDLEWARES``
in ``crawler/settings.py``) and changes only what a robots.txt answer means.
Every host disallowed this way gets a warning naming its robots.txt URL, a
``robotstxt/disallow_all/…`` stat and a ``robots_disallow_all`` entry in the
run manifest; its pages then fail as ``robots_disallowed`` like any other page
robots.txt forbids. Hosts allowed because of a 4xx are counted in
``robotstxt/allow_all/client_error``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.signals import manifest_entry

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
ALLOW_ALL = b""
# 429 is a 4xx code, but it tells a crawler the server is overloaded: treated like a 5xx.
OVERLOADED_STATUSES = frozenset({429})


def robots_policy(status: int) -> str:
    """What a robots.txt answer with this HTTP status means: ``rules``, ``allow_all`` or ``disallow_all``."""
    if status >= 500 or status in OVERLOADED_STATUSES:
        return "disallow_all"
    if 400 <= status < 500:
        return "allow_all"
    return "rules"


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with RFC 9309's meaning of error answers."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        #: host (netloc) -> its robots.txt URL, for the messages about a host whose robots.txt failed
        self._robots_urls: dict[str, str] = {}

    async def robot_parser(self, request: Request) -> RobotParser | None:
        url = urlparse_cached(request)
        self._robots_urls.setdefault(url.netloc, f"{url.scheme}://{url.netloc}/robots.txt")
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        policy = robots_policy(response.status)
        if policy == "allow_all":
            self._stats.inc_value("robotstxt/allow_all/client_error")
            logger.info("%s answered %d: no robots.txt rules for %s", response.url, response.status, netloc)
            response = response.replace(body=ALLOW_ALL)
        elif policy == "disallow_all":
            self._disallowed(response.url, f"http_{response.status}", "server_error")
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            # Dropped on purpose by a middleware (e.g. not in the archive during a replay): as Scrapy does.
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        robots_url = self._robots_urls.get(netloc, f"//{netloc}/robots.txt")
        self._disallowed(robots_url, type(exc).__name__, "unreachable")
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        pending = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(pending, Deferred):
            pending.callback(parser)

    def _disallowed(self, robots_url: str, reason: str, kind: str) -> None:
        self._stats.inc_value(f"robotstxt/disallow_all/{kind}")
        logger.warning("%s is unreachable (%s): the whole host is disallowed for this run (RFC 9309)", robots_url, reason)
        self.crawler.signals.send_catch_log(
            manifest_entry, kind="robots_disallow_all", entry={"url": robots_url, "reason": reason}
        )
