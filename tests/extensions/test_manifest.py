from __future__ import annotations

import json
from types import SimpleNamespace

from scrapy.utils.test import get_crawler

from crawler.extensions.manifest import RunManifest, headline_counts
from crawler.signals import manifest_entry


def test_headline_counts_sum_prefixed_keys_and_ignore_missing():
    stats = {"spider/failed/article": 2, "spider/failed/list": 1, "jsonl/records": 7, "dedup/duplicate": 1}
    counts = headline_counts(stats)
    assert counts["failed"] == 3
    assert counts["records_written"] == 7
    assert counts["duplicate"] == 1
    assert counts["new"] == 0


def test_manifest_collects_entries_by_kind_caps_them_and_is_written_after_engine_stop(tmp_path):
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path), "RUN_ID": "r1", "MANIFEST_MAX_ENTRIES_PER_KIND": 2})
    manifest = RunManifest.from_crawler(crawler)
    spider = SimpleNamespace(name="mca", seed=SimpleNamespace(name="mca", path="seeds/mca.toml"))
    manifest.spider_opened(spider)
    for number in range(3):
        crawler.signals.send_catch_log(manifest_entry, kind="doorway", entry={"url": f"http://x/{number}"})
    crawler.signals.send_catch_log(manifest_entry, kind="failed", entry={"url": "http://x/f", "reason": "http_404"})
    crawler.stats.set_value("jsonl/records", 5)
    manifest.spider_closed(spider, "finished")
    assert not (tmp_path / "runs" / "r1.json").exists()  # other close handlers may still be running
    manifest.engine_stopped()
    written = json.loads((tmp_path / "runs" / "r1.json").read_text("utf-8"))
    assert written["seed"] == "mca" and written["seed_file"] == "seeds/mca.toml"
    assert written["finish_reason"] == "finished"
    assert written["counts"]["records_written"] == 5
    assert written["entries"]["doorway"] == [{"url": "http://x/0"}, {"url": "http://x/1"}]
    assert written["entries_not_listed"] == {"doorway": 1}
    assert written["entries"]["failed"][0]["reason"] == "http_404"


def test_a_raising_callback_is_listed_as_a_spider_error(tmp_path):
    from scrapy import signals
    from scrapy.http import Request, TextResponse
    from twisted.python.failure import Failure

    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path), "RUN_ID": "r2"})
    manifest = RunManifest.from_crawler(crawler)
    spider = SimpleNamespace(name="mca", seed=None)
    manifest.spider_opened(spider)

    def parse_list(response):
        raise ValueError("Port out of range 0-65535")

    request = Request("http://www.mca.gov.cn/n152/n165/index.html", callback=parse_list)
    response = TextResponse(request.url, body=b"<html></html>", request=request)
    try:
        parse_list(response)
    except ValueError:
        failure = Failure()
    crawler.signals.send_catch_log(signals.spider_error, failure=failure, response=response, spider=spider)
    manifest.spider_closed(spider, "finished")
    manifest.engine_stopped()
    written = json.loads((tmp_path / "runs" / "r2.json").read_text("utf-8"))
    assert written["entries"]["spider_error"] == [{
        "url": "http://www.mca.gov.cn/n152/n165/index.html", "callback": "parse_list",
        "error": "ValueError: Port out of range 0-65535"}]
