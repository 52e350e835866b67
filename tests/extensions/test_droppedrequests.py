from __future__ import annotations

import logging

from scrapy import signals
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.extensions.droppedrequests import DroppedRedirects
from crawler.signals import manifest_entry

LOOP = "http://faults.sample.test/redirect-loop.html"


def _harness():
    crawler = get_crawler(settings_dict={})
    crawler.extension = DroppedRedirects.from_crawler(crawler)  # signals hold handlers weakly
    crawler.stats.open_spider()
    entries: list[tuple[str, dict]] = []
    crawler.signals.connect(lambda kind, entry: entries.append((kind, entry)), signal=manifest_entry, weak=False)
    return crawler, entries


def test_a_redirect_to_itself_dropped_as_duplicate_is_logged_counted_and_listed(caplog):
    crawler, entries = _harness()
    redirected = Request(LOOP, meta={"redirect_urls": [LOOP]})
    with caplog.at_level(logging.WARNING):
        crawler.signals.send_catch_log(signals.request_dropped, request=redirected, spider=None)
    assert crawler.stats.get_value("dropped/redirect_loop") == 1
    assert entries == [("redirect_loop", {"url": LOOP, "redirects": [LOOP], "reason": "redirect loop"})]
    assert f"Redirect loop, {LOOP} not fetched" in caplog.text


def test_a_redirect_to_a_page_already_fetched_is_counted_and_a_plain_duplicate_is_left_to_scrapy():
    crawler, entries = _harness()
    to_seen = Request("http://www.mca.gov.cn/b.html", meta={"redirect_urls": ["http://www.mca.gov.cn/a.html"]})
    crawler.signals.send_catch_log(signals.request_dropped, request=to_seen, spider=None)
    crawler.signals.send_catch_log(signals.request_dropped, request=Request("http://www.mca.gov.cn/c.html"), spider=None)
    assert crawler.stats.get_value("dropped/redirect_to_seen") == 1
    assert crawler.stats.get_value("dropped/redirect_loop") is None
    assert entries == []
