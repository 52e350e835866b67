"""crawler/middlewares/robotstxt.py: what a robots.txt error answer means (RFC 9309).

One crawl of four sample-site hosts whose robots.txt fails in a different way
each (routes.toml): 403 with a body that reads like "Disallow: /", 500, 429,
and an answer cut off mid-body. The sample site's request log shows which
hosts' pages were then fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from tests.crawling import run_crawl

from crawler.middlewares.robotstxt import robots_policy

HOSTS = ("robots-403", "robots-500", "robots-429", "robots-cut")


@dataclass
class RobotsCrawl:
    requested: list[str]
    stats: dict[str, Any]
    entries: list[dict[str, Any]]
    log: str


@pytest.fixture(scope="module")
def robots_crawl(sample_site: Any, tmp_path_factory: pytest.TempPathFactory) -> RobotsCrawl:
    tmp = tmp_path_factory.mktemp("robots")
    start_urls = ", ".join(f'"http://{host}.sample.test/index.html"' for host in HOSTS)
    seed = tmp / "robots.toml"
    seed.write_text(
        f'name = "robots_probe"\nsite_name = "robots probe"\nallowed_domains = ["sample.test"]\n'
        f"start_urls = [{start_urls}]\nlanguage = \"zh\"\narticle_patterns = ['/c\\d+\\.html$']\n",
        encoding="utf-8",
    )
    sample_site.reset()
    try:
        completed = run_crawl("news", tmp / "out", sample_site.proxy_url, args=["-a", f"seed={seed}"], timeout=120)
        requested = sample_site.requested_urls()
    finally:
        sample_site.reset()
    manifest = json.loads(next((tmp / "out" / "runs").glob("*.json")).read_text("utf-8"))
    return RobotsCrawl(requested, manifest["stats"], manifest["entries"].get("robots_disallow_all", []), completed.stderr)


@pytest.mark.parametrize(
    ("status", "policy"),
    [(200, "rules"), (404, "allow_all"), (403, "allow_all"), (401, "allow_all"), (429, "disallow_all"),
     (500, "disallow_all"), (503, "disallow_all")],
)
def test_status_meaning(status: int, policy: str) -> None:
    assert robots_policy(status) == policy


@pytest.mark.e2e
def test_4xx_robots_allows_the_whole_host_whatever_its_body_says(robots_crawl: RobotsCrawl) -> None:
    assert "http://robots-403.sample.test/index.html" in robots_crawl.requested
    assert robots_crawl.stats["robotstxt/allow_all/client_error"] == 1
    assert "robots-403" not in json.dumps(robots_crawl.entries)


@pytest.mark.e2e
@pytest.mark.parametrize(("host", "reason"), [("robots-500", "http_500"), ("robots-429", "http_429")])
def test_5xx_and_429_robots_disallow_the_whole_host(robots_crawl: RobotsCrawl, host: str, reason: str) -> None:
    robots_url = f"http://{host}.sample.test/robots.txt"
    assert robots_url in robots_crawl.requested
    assert f"http://{host}.sample.test/index.html" not in robots_crawl.requested
    assert {"url": robots_url, "reason": reason} in robots_crawl.entries
    assert f"{robots_url} is unreachable ({reason})" in robots_crawl.log


@pytest.mark.e2e
def test_unreachable_robots_disallows_the_whole_host(robots_crawl: RobotsCrawl) -> None:
    robots_url = "http://robots-cut.sample.test/robots.txt"
    assert robots_url in robots_crawl.requested  # answered, but cut off mid-body every time
    assert "http://robots-cut.sample.test/index.html" not in robots_crawl.requested
    assert [entry["url"] for entry in robots_crawl.entries].count(robots_url) == 1
    assert f"{robots_url} is unreachable (" in robots_crawl.log


@pytest.mark.e2e
def test_disallowed_hosts_are_counted(robots_crawl: RobotsCrawl) -> None:
    assert robots_crawl.stats["robotstxt/disallow_all/server_error"] == 2
    assert robots_crawl.stats["robotstxt/disallow_all/unreachable"] == 1
    assert len(robots_crawl.entries) == 3
    # The pages of those hosts fail as robots.txt-forbidden, each named in the manifest like any other.
    assert robots_crawl.stats["spider/failed_reason/robots_disallowed"] == 3
