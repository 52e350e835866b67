from __future__ import annotations

import logging

from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.urllength import ReportingUrlLengthMiddleware
from crawler.signals import manifest_entry

PAGE = "http://www.mca.gov.cn/n152/n165/index.html"


def test_an_over_long_url_is_dropped_logged_counted_and_listed(caplog):
    crawler = get_crawler(settings_dict={"URLLENGTH_LIMIT": 100})
    middleware = ReportingUrlLengthMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    entries: list[tuple[str, dict]] = []
    crawler.signals.connect(lambda kind, entry: entries.append((kind, entry)), signal=manifest_entry, weak=False)
    response = TextResponse(PAGE, body=b"<html></html>")
    short = Request("http://www.mca.gov.cn/a.html")
    long_url = "http://www.mca.gov.cn/" + "a" * 1000 + ".html"
    with caplog.at_level(logging.WARNING):
        assert middleware.get_processed_request(short, response) is short
        assert middleware.get_processed_request(Request(long_url), response) is None
    assert crawler.stats.get_value("urllength/request_ignored_count") == 1
    ((kind, entry),) = entries
    assert kind == "url_too_long" and entry["length"] == len(long_url) and entry["page"] == PAGE
    assert long_url.startswith(entry["url"].rstrip("…")) and len(entry["url"]) < 400
    assert f"URL of {len(long_url)} characters (URLLENGTH_LIMIT 100) on {PAGE}" in caplog.text


def test_the_project_uses_the_reporting_middleware_instead_of_scrapys():
    from scrapy.utils.project import get_project_settings

    middlewares = get_project_settings().getdict("SPIDER_MIDDLEWARES")
    assert middlewares["scrapy.spidermiddlewares.urllength.UrlLengthMiddleware"] is None
    assert "crawler.middlewares.urllength.ReportingUrlLengthMiddleware" in middlewares
