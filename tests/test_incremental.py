"""Scheduled, incremental runs against the sample site: conditional re-checks,
changed articles, pagination stop, run lock and exit statuses."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.crawling import EXPECTED, read_jsonl, run_crawl

from crawler.commands.crawl import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE, RunOutcome, exit_status
from sample.demo import LOOPBACK_SETTINGS, ROOT, crawl_env
from crawler.extensions.runlock import RunLocked, acquire, release
from crawler.seeds import SeedError
from crawler.dedup.state import StateStoreCorrupt

MCA = EXPECTED["mca"]
MCA_LIST_PAGES = MCA["list_pages"]
IGNORES_CONDITIONAL = "http://www.mca.gov.cn/n152/n165/c1662004999979990013/content.html"
VOLATILE_ETAG = "http://www.mca.gov.cn/n152/n165/c1662004999979990014/content.html"
EDITED = "http://www.mca.gov.cn/n152/n165/c1662004999979990002/content.html"


def headers_of(entry: dict[str, Any]) -> dict[str, str]:
    return {name.lower(): value for name, value in entry["request_headers"]}


def latest_manifest(out: Path) -> dict[str, Any]:
    return json.loads(sorted((out / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)[-1].read_text("utf-8"))


def jsonl_files(out: Path) -> list[Path]:
    return sorted((out / "jsonl").glob("mca-*.jsonl"), key=lambda p: p.stat().st_mtime)


@pytest.fixture(scope="module")
def first_run(sample_site: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One complete first crawl of mca; tests copy its OUTPUT_DIR and crawl again."""
    sample_site.reset()
    out = tmp_path_factory.mktemp("first-run") / "out"
    completed = run_crawl("mca", out, sample_site.proxy_url)
    assert completed.returncode == EXIT_OK, completed.stderr[-3000:]
    sample_site.reset()
    return out


@pytest.fixture
def after_first_run(first_run: Path, tmp_path: Path, fresh_sample_site: Any) -> Path:
    out = tmp_path / "out"
    shutil.copytree(first_run, out)
    return out


@pytest.mark.e2e
def test_second_run_over_unchanged_site_emits_nothing(after_first_run: Path, fresh_sample_site: Any) -> None:
    first_records = read_jsonl(after_first_run, "mca")
    assert len(first_records) == len(MCA["articles"])
    completed = run_crawl("mca", after_first_run, fresh_sample_site.proxy_url, {"DEDUP_STOP_AFTER_KNOWN_PAGES": "0"})
    assert completed.returncode == EXIT_OK, completed.stderr[-3000:]
    newest = jsonl_files(after_first_run)[-1]
    assert newest.read_text("utf-8") == ""  # the second run's file holds zero records
    assert len(read_jsonl(after_first_run, "mca")) == len(first_records)

    log = fresh_sample_site.requests()
    requested = [entry["url"] for entry in log]
    assert "http://www.mca.gov.cn/robots.txt" in requested
    assert set(MCA_LIST_PAGES) <= set(requested)  # list pages are always re-read
    article_entries = [e for e in log if e["url"] in set(MCA["articles"])]
    assert article_entries
    for entry in article_entries:
        sent = headers_of(entry)
        assert "if-none-match" in sent or "if-modified-since" in sent, entry["url"]
    statuses = {e["url"]: e["status"] for e in article_entries}
    assert sum(1 for s in statuses.values() if s == 304) >= len(MCA["articles"]) - 3
    # A server that ignores the validators, and one whose ETag changes every time, answer 200:
    # dedup's digest comparison still emits nothing for them.
    assert statuses[IGNORES_CONDITIONAL] == 200 and statuses[VOLATILE_ETAG] == 200

    manifest = latest_manifest(after_first_run)
    counts = manifest["counts"]
    assert counts["new"] == 0 and counts["changed"] == 0 and counts["duplicate"] == 0
    assert counts["unchanged"] == len(MCA["articles"])
    assert manifest["stats"].get("conditional/ignored", 0) >= 1
    # A 304 is not a failure: only the dead and the robots-disallowed article links failed.
    assert manifest["stats"].get("spider/failed/article", 0) == len(MCA["not_found"]) + len(MCA["robots_disallowed"])


@pytest.mark.e2e
def test_changed_article_is_emitted_again_with_same_id(after_first_run: Path, fresh_sample_site: Any) -> None:
    before = {r["url"]: r for r in read_jsonl(after_first_run, "mca")}[EDITED]
    with fresh_sample_site.open(EDITED) as response:
        page = response.read().decode("utf-8")
    paragraph = before["body"].split("\n\n")[0]
    assert paragraph[:12] in page
    fresh_sample_site.override(EDITED, page.replace(paragraph[:12], paragraph[:12] + "（本段已更新）", 1))

    completed = run_crawl("mca", after_first_run, fresh_sample_site.proxy_url)
    assert completed.returncode == EXIT_OK, completed.stderr[-3000:]
    records = [json.loads(line) for line in jsonl_files(after_first_run)[-1].read_text("utf-8").splitlines()]
    assert [r["url"] for r in records] == [EDITED]
    after = records[0]
    assert after["id"] == before["id"] and after["canonical_url"] == before["canonical_url"]
    assert after["body_sha1"] != before["body_sha1"] and "本段已更新" in after["body"]
    counts = latest_manifest(after_first_run)["counts"]
    assert counts["changed"] == 1 and counts["new"] == 0


@pytest.mark.e2e
def test_pagination_stops_after_known_list_pages(after_first_run: Path, fresh_sample_site: Any) -> None:
    completed = run_crawl("mca", after_first_run, fresh_sample_site.proxy_url, {"DEDUP_STOP_AFTER_KNOWN_PAGES": "1"})
    assert completed.returncode == EXIT_OK, completed.stderr[-3000:]
    requested = fresh_sample_site.requested_urls()
    assert MCA_LIST_PAGES[0] in requested
    assert not set(MCA_LIST_PAGES[1:]) & set(requested), "paginated past a page of known articles"
    stats = latest_manifest(after_first_run)["stats"]
    assert stats["pagination/known_only_pages"] == 1 and stats["pagination/list_links_dropped"] >= 1


@pytest.mark.e2e
def test_no_pagination_stop_after_an_unfinished_run(after_first_run: Path, fresh_sample_site: Any) -> None:
    # The last run recorded for the seed ended badly: the next one must walk every list page.
    state = after_first_run / "state" / "state.sqlite"
    with sqlite3.connect(state) as db:
        db.execute("UPDATE sessions SET outcome = 'shutdown'")
    completed = run_crawl("mca", after_first_run, fresh_sample_site.proxy_url, {"DEDUP_STOP_AFTER_KNOWN_PAGES": "1"})
    assert completed.returncode == EXIT_OK, completed.stderr[-3000:]
    assert set(MCA_LIST_PAGES) <= set(fresh_sample_site.requested_urls())
    assert latest_manifest(after_first_run)["stats"]["pagination/catch_up"] == 1


# -- run lock and exit statuses -------------------------------------------------------
@pytest.mark.e2e
def test_second_concurrent_run_exits_at_once_with_75(tmp_path: Path, fresh_sample_site: Any) -> None:
    out = tmp_path / "out"
    lock = acquire(out / "state" / "locks" / "mca.lock", {"pid": 4242, "run_id": "the-first-run", "started": "now"})
    try:
        completed = run_crawl("mca", out, fresh_sample_site.proxy_url, timeout=60)
    finally:
        release(lock)
    assert completed.returncode == EXIT_LOCKED
    assert "another run holds" in completed.stderr and "the-first-run" in completed.stderr
    assert fresh_sample_site.requests() == []  # not a single request
    assert not list((out / "jsonl").glob("*")) if (out / "jsonl").exists() else True
    # The lock is per seed: another seed into the same OUTPUT_DIR is not blocked by it.
    lock = acquire(out / "state" / "locks" / "mca.lock", {"pid": 1})
    try:
        with pytest.raises(RunLocked):
            acquire(out / "state" / "locks" / "mca.lock", {"pid": 2})
        release(acquire(out / "state" / "locks" / "gov.lock", {"pid": 3}))
    finally:
        release(lock)


@pytest.mark.e2e
def test_corrupt_state_file_fails_the_run_and_is_kept(tmp_path: Path, fresh_sample_site: Any) -> None:
    out = tmp_path / "out"
    state = out / "state" / "state.sqlite"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"not a database at all\n" * 50)
    completed = run_crawl("mca", out, fresh_sample_site.proxy_url, timeout=60)
    assert completed.returncode == EXIT_FAILED
    assert "state store" in completed.stderr and "refusing to overwrite" in completed.stderr
    assert state.read_bytes() == b"not a database at all\n" * 50


@pytest.mark.e2e
def test_locked_state_file_fails_the_run(tmp_path: Path, fresh_sample_site: Any) -> None:
    out = tmp_path / "out"
    from crawler.dedup.sqlite import SQLiteStateStore

    SQLiteStateStore(out / "state" / "state.sqlite").close()
    holder = sqlite3.connect(out / "state" / "state.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        completed = run_crawl("mca", out, fresh_sample_site.proxy_url, {"STATE_LOCK_TIMEOUT": "0.5"}, timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert completed.returncode == EXIT_FAILED
    assert "locked by another process" in completed.stderr


def scrapy(args: list[str], proxy_url: str, out: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", *args, "-s", f"OUTPUT_DIR={out}"]
    for name, value in LOOPBACK_SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=ROOT, env=crawl_env(proxy_url), capture_output=True, text=True, timeout=60)


@pytest.mark.e2e
def test_invalid_seed_and_unknown_spider_exit_2(tmp_path: Path, fresh_sample_site: Any) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nsite_name = "x"\nallowed_domains = []\nstart_urls = "oops"\nlanguage = "zh"\n')
    completed = scrapy(["crawl", "news", "-a", f"seed={bad}"], fresh_sample_site.proxy_url, tmp_path / "out")
    assert completed.returncode == EXIT_USAGE, completed.stderr[-2000:]
    assert str(bad) in completed.stderr
    completed = scrapy(["crawl", "no_such_ministry"], fresh_sample_site.proxy_url, tmp_path / "out")
    assert completed.returncode == EXIT_USAGE


def write_seed(path: Path, start: str, domain: str, article_pattern: str) -> Path:
    path.write_text(
        f'name = "probe"\nsite_name = "probe"\nallowed_domains = ["{domain}"]\nstart_urls = ["{start}"]\n'
        f"language = \"zh\"\narticle_patterns = ['{article_pattern}']\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.e2e
def test_unreachable_start_url_exits_1(tmp_path: Path, fresh_sample_site: Any) -> None:
    seed = write_seed(tmp_path / "probe.toml", "http://www.mca.gov.cn/no/such/list.html", "www.mca.gov.cn", r"/c\d+\.html$")
    completed = scrapy(["crawl", "news", "-a", f"seed={seed}"], fresh_sample_site.proxy_url, tmp_path / "out")
    assert completed.returncode == EXIT_FAILED, completed.stderr[-2000:]
    assert "no start URL reachable" in completed.stderr


@pytest.mark.e2e
def test_every_article_failing_exits_1(tmp_path: Path, fresh_sample_site: Any) -> None:
    listing = "http://faults.sample.test/probe-list.html"
    links = "".join(f'<li><a href="/gone/a{n}.html">消息{n}</a></li>' for n in range(3))
    fresh_sample_site.override(listing, f"<html><body><ul>{links}</ul></body></html>")
    seed = write_seed(tmp_path / "probe.toml", listing, "faults.sample.test", r"/gone/a\d+\.html$")
    completed = scrapy(
        ["crawl", "news", "-a", f"seed={seed}", "-s", "RETRY_ENABLED=False"], fresh_sample_site.proxy_url, tmp_path / "out"
    )
    assert completed.returncode == EXIT_FAILED, completed.stderr[-2000:]
    assert "every article request failed (3)" in completed.stderr


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (RunOutcome(finish_reason="finished", stats={"spider/article_pages": 3}, start_url_count=1), EXIT_OK),
        (RunOutcome(finish_reason="finished", stats={}, start_url_count=1), EXIT_OK),  # nothing new is fine
        (RunOutcome(finish_reason="finished", stats={"spider/failed/article": 2, "conditional/not_modified": 5}, start_url_count=1), EXIT_OK),
        (RunOutcome(finish_reason="finished", stats={"spider/failed/article": 2, "spider/article_pages": 1}, start_url_count=1), EXIT_OK),
        (RunOutcome(finish_reason="finished", stats={"spider/failed/article": 2}, start_url_count=1), EXIT_FAILED),
        (RunOutcome(finish_reason="finished", stats={"spider/failed_start_urls": 2}, start_url_count=2), EXIT_FAILED),
        (RunOutcome(finish_reason="finished", stats={"spider/failed_start_urls": 1, "spider/article_pages": 4}, start_url_count=2), EXIT_OK),
        (RunOutcome(finish_reason="state_store_error"), EXIT_FAILED),
        (RunOutcome(finish_reason="finished", stats={"dedup/state_error": 1}), EXIT_FAILED),
        (RunOutcome(error=StateStoreCorrupt("corrupt")), EXIT_FAILED),
        (RunOutcome(error=RunLocked("held")), EXIT_LOCKED),
        (RunOutcome(error=SeedError("s.toml", "start_urls", "bad"), spider_created=False), EXIT_USAGE),
        (RunOutcome(error=ValueError("the 'news' spider needs a seed file"), spider_created=False), EXIT_USAGE),
        (RunOutcome(error=ValueError("NEAR_DUP_THRESHOLD must be in (0, 1]")), EXIT_FAILED),
        (RunOutcome(), EXIT_FAILED),  # never ran
    ],
)
def test_exit_status_rules(outcome: RunOutcome, status: int) -> None:
    assert exit_status(outcome)[0] == status


# -- the conditional-request middleware on its own ------------------------------------------
def conditional_middleware(tmp_path: Path) -> Any:
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.middlewares.conditional import ConditionalRequestMiddleware

    crawler = get_crawler(Spider, {"OUTPUT_DIR": str(tmp_path / "out"), "RUN_ID": "t"})
    crawler.spider = Spider.from_crawler(crawler, name="mca")
    crawler.stats.open_spider()
    return ConditionalRequestMiddleware.from_crawler(crawler)


def test_validators_are_kept_only_for_durable_outcomes(tmp_path: Path) -> None:
    from scrapy.http import HtmlResponse, Request

    from crawler.items import ArticleItem
    from crawler.middlewares.conditional import NotModified

    middleware = conditional_middleware(tmp_path)
    url = "http://www.mca.gov.cn/n152/n165/c1/content.html?utm_source=x"

    def fetched(etag: str) -> tuple[Request, HtmlResponse]:
        request = Request(url, meta={"page_kind": "article"})
        middleware.process_request(request)
        response = HtmlResponse(url, status=200, headers={"ETag": etag}, body=b"<html></html>", request=request)
        return request, middleware.process_response(request, response)

    request, response = fetched('"v1"')
    assert b"If-None-Match" not in request.headers  # nothing known yet
    item = ArticleItem(url=url, site="mca", language="zh", body_sha1="a" * 40, extra={"dedup_kind": "new"})
    middleware.item_dropped(item, response)  # dropped later (e.g. invalid record): not remembered
    assert fetched('"v1"')[0].headers.get(b"If-None-Match") is None
    middleware.item_scraped(item, response)  # written: remembered
    request, _ = fetched('"v1"')
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert middleware.stats.get_value("conditional/ignored") == 1  # same ETag, full body again

    not_modified = HtmlResponse(url, status=304, headers={"ETag": '"v1"'}, body=b"", request=request)
    with pytest.raises(NotModified):
        middleware.process_response(request, not_modified)
    assert middleware.stats.get_value("dedup/unchanged") == 1
    # A 304 nobody asked for is passed on (the spider treats it as an error).
    plain = Request("http://www.mca.gov.cn/other.html", meta={"page_kind": "article"})
    assert middleware.process_response(plain, HtmlResponse(plain.url, status=304, request=plain)).status == 304
    # Lists are never conditional: they must be read to find new articles.
    listing = Request(url, meta={"page_kind": "list"})
    middleware.process_request(listing)
    assert b"If-None-Match" not in listing.headers
    middleware.store.close()


@pytest.mark.e2e
def test_rel_canonical_off_site_ignored_on_site_honoured(tmp_path: Path, fresh_sample_site: Any) -> None:
    site = fresh_sample_site
    hijacked = "http://www.mca.gov.cn/n152/n165/c1662004999979990003/content.html"
    mobile_named = "http://www.mca.gov.cn/n152/n165/c1662004999979990004/content.html"
    for url, href in ((hijacked, "http://bet.casino.example.com/win.html"),
                      (mobile_named, "http://m.mca.gov.cn/n152/n165/c1662004999979990004/content.html?from=timeline")):
        with site.open(url) as response:
            page = response.read().decode("utf-8")
        site.override(url, page.replace("</head>", f'<link rel="canonical" href="{href}"></head>', 1))
    out = tmp_path / "out"
    completed = run_crawl("mca", out, site.proxy_url)
    assert completed.returncode == EXIT_OK, completed.stderr[-3000:]
    by_url = {record["url"]: record for record in read_jsonl(out, "mca")}
    assert by_url[hijacked]["canonical_url"] == hijacked  # the off-site link did not rename it
    assert by_url[mobile_named]["canonical_url"] == mobile_named  # m. host mapped back by the seed's url_aliases
    stats = latest_manifest(out)["stats"]
    assert stats["dedup/canonical_offsite"] == 1 and stats["dedup/canonical_from_link"] == 1


def test_a_spider_callback_that_raised_fails_the_run():
    # What the callback had still to yield (a list page's links) is lost: not a clean run.
    outcome = RunOutcome(finish_reason="finished", stats={"spider/article_pages": 3, "spider_exceptions/count": 1,
                                                          "spider_exceptions/ValueError": 1}, start_url_count=1)
    status, reason = exit_status(outcome)
    assert status == EXIT_FAILED and "callback" in reason
