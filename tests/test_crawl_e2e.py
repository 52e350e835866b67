"""End to end: a real crawl of every shipped seed through the loopback sample site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from tests.crawling import EXPECTED, SEED_ORDER, manifests

from crawler.schema import validator
from crawler.seeds import host_in_domains, load_seed
from crawler.settings import SEEDS_DIR


def expected_records(seed: str) -> set[str]:
    expected = EXPECTED[seed]
    return set(expected["articles"]) - set(expected.get("duplicates", {})) - set(expected.get("duplicates_across_seeds", {}))


def test_every_shipped_seed_has_an_oracle():
    assert set(SEED_ORDER) <= set(EXPECTED)


@pytest.mark.e2e
@pytest.mark.parametrize("seed", SEED_ORDER)
def test_crawl_emits_exactly_the_expected_articles(sample_crawl, seed):
    assert sample_crawl.exit_codes[seed] == 0, sample_crawl.logs[seed][-3000:]
    urls = [record["url"] for record in sample_crawl.records(seed)]
    assert len(urls) == len(set(urls)), "an article was emitted twice"
    assert set(urls) == expected_records(seed)


@pytest.mark.e2e
def test_every_record_validates_against_schema_v1(sample_crawl):
    check = validator()
    records = sample_crawl.all_records()
    assert records
    for record in records:
        errors = [f"{list(e.instance_path)}: {e.message}" for e in check.iter_errors(record)]
        assert not errors, (record["url"], errors)


@pytest.mark.e2e
@pytest.mark.parametrize("seed", SEED_ORDER)
def test_proxy_never_served_offsite_or_robots_disallowed_urls(sample_crawl, seed):
    requested = sample_crawl.requested_urls(seed)
    allowed = load_seed(f"{SEEDS_DIR}/{seed}.toml").allowed_domains
    assert requested
    for url in requested:
        assert host_in_domains(urlsplit(url).hostname or "", allowed), f"{seed} fetched off-site URL {url}"
    for url in EXPECTED[seed].get("robots_disallowed", []):
        assert url not in requested, f"fetched {url} although robots.txt disallows it"
    for url in EXPECTED[seed].get("offsite", []):
        assert url not in requested
    # The spider did try the disallowed pages: robots.txt, not luck, kept them out.
    disallowed = EXPECTED[seed].get("robots_disallowed", [])
    stats = manifests(sample_crawl.output_dir)[seed]["stats"]
    assert stats.get("spider/failed_reason/robots_disallowed", 0) == len(disallowed)
    # robots.txt itself was asked for on every host crawled.
    for host in {urlsplit(url).hostname for url in requested}:
        assert f"http://{host}/robots.txt" in requested


@pytest.mark.e2e
def test_requests_name_the_project_in_user_agent(sample_crawl):
    agents = {dict((k.lower(), v) for k, v in entry["request_headers"]).get("user-agent", "") for entry in sample_crawl.requests}
    assert agents and all(agent.startswith("MinistryNewsArchive/") for agent in agents)


@pytest.mark.e2e
def test_pagination_is_followed_to_every_list_page(sample_crawl):
    requested = sample_crawl.requested_urls()
    for seed in SEED_ORDER:
        for url in EXPECTED[seed].get("list_pages", []):
            assert url in requested, f"{seed}: list page {url} was not fetched"


@pytest.mark.e2e
def test_attachments_are_listed_and_fetched(sample_crawl):
    requested = sample_crawl.requested_urls()
    by_url = {record["url"]: record for record in sample_crawl.all_records()}
    checked = 0
    for seed in SEED_ORDER:
        for article, files in EXPECTED[seed].get("attachments", {}).items():
            listed = {attachment["url"] for attachment in by_url[article]["attachments"]}
            assert listed == set(files)
            assert set(files) <= requested
            checked += 1
    assert checked


@pytest.mark.e2e
def test_failures_are_logged_with_url_and_counted(sample_crawl):
    mca = manifests(sample_crawl.output_dir)["mca"]
    for url in EXPECTED["mca"].get("not_found", []):
        assert re.search(rf"Failed article {re.escape(url)}: http_404", sample_crawl.logs["mca"])
        assert {"url": url, "page_kind": "article", "reason": "http_404"} in mca["entries"]["failed"]
    assert mca["stats"]["spider/failed_reason/http_404"] == len(EXPECTED["mca"]["not_found"])
    assert mca["counts"]["failed"] >= 1


@pytest.mark.e2e
def test_retried_and_redirected_articles_still_arrive(sample_crawl):
    urls = {record["url"] for record in sample_crawl.all_records()}
    for seed in SEED_ORDER:
        for url in EXPECTED[seed].get("retried", []):
            assert url in urls
        for source, target in EXPECTED[seed].get("redirects", {}).items():
            if urlsplit(target).hostname and host_in_domains(urlsplit(target).hostname, tuple(load_seed(f"{SEEDS_DIR}/{seed}.toml").allowed_domains)):
                assert target in urls and source not in urls


@pytest.mark.e2e
def test_run_manifest_counts_match_the_jsonl(sample_crawl):
    found = manifests(sample_crawl.output_dir)
    for seed in SEED_ORDER:
        manifest = found[seed]
        assert manifest["finish_reason"] == "finished"
        assert manifest["counts"]["records_written"] == len(sample_crawl.records(seed))
        assert manifest["outputs"]["jsonl"].endswith(".jsonl")
        assert manifest["started_at"] <= manifest["finished_at"]


@pytest.mark.e2e
def test_no_deprecation_warning_from_project_code(sample_crawl):
    for seed, log in sample_crawl.logs.items():
        offending = [line for line in log.splitlines() if "DeprecationWarning" in line and ("crawler." in line or "pipelines." in line or "/work/" in line and "site-packages" not in line)]
        assert not offending, (seed, offending)


@pytest.mark.e2e
def test_feed_exported_items_are_the_jsonl_records_and_validate(fresh_sample_site, tmp_path):
    import json

    from tests.crawling import read_jsonl, run_crawl

    feed = tmp_path / "items.json"
    completed = run_crawl("mca", tmp_path / "out", fresh_sample_site.proxy_url, args=["-O", str(feed)])
    assert completed.returncode == 0, completed.stderr[-3000:]
    items = json.loads(feed.read_text("utf-8"))
    assert items and all("extra" not in item for item in items)
    check = validator()
    for item in items:
        errors = [f"{list(e.instance_path)}: {e.message}" for e in check.iter_errors(item)]
        assert not errors, (item["url"], errors)
    assert items == read_jsonl(tmp_path / "out", "mca")  # field for field, in the same order
