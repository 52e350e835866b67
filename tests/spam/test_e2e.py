"""End to end: crawl the sample site's MCA seed with the cloaking probe on, and
check spam removal, doorways and cloaking against the sample site's oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.crawling import EXPECTED, manifests, read_jsonl, run_crawl
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.e2e

SEED = "mca"


@pytest.fixture(scope="module")
def probed_crawl(sample_site: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sample_site.reset()
    output = tmp_path_factory.mktemp("spam-e2e")
    completed = run_crawl(SEED, output, sample_site.proxy_url,
                          settings={"CLOAKING_PROBE_ENABLED": "True", "CLOAKING_PROBE_SAMPLE": "1.0"})
    requests = sample_site.requests()
    sample_site.reset()
    assert completed.returncode == 0, completed.stderr[-3000:]
    return {
        "output": output,
        "records": {r["url"]: r for r in read_jsonl(output, SEED)},
        "manifest": manifests(output)[SEED],
        "requests": requests,
        "log": completed.stderr,
    }


def warc_requests(output: Path) -> list[tuple[str, str]]:
    """(target URI, User-Agent) of every request record in the crawl's WARC files."""
    found = []
    for path in sorted((output / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    found.append((record.rec_headers.get_header("WARC-Target-URI"),
                                  record.http_headers.get_header("User-Agent") or ""))
    return found


def test_injected_spam_gone_and_legitimate_text_kept(probed_crawl: dict[str, Any]) -> None:
    records = probed_crawl["records"]
    for url, strings in EXPECTED[SEED]["spam_pages"].items():
        record = records[url]
        for injected in strings:
            assert injected not in record["title"] and injected not in record["body"], (url, injected)
        if url not in EXPECTED[SEED]["cloaked"]:  # a cloaked page shows its spam to crawlers only
            assert record["spam_removed"], url
    for url, strings in EXPECTED[SEED]["legit_strings"].items():
        for legitimate in strings:
            assert legitimate in records[url]["body"], (url, legitimate)


def test_doorways_yield_no_record_but_are_listed_in_the_manifest(probed_crawl: dict[str, Any]) -> None:
    listed = {entry["url"] for entry in probed_crawl["manifest"]["entries"].get("doorway", [])}
    for url in EXPECTED[SEED]["doorways"]:
        assert url not in probed_crawl["records"]
        assert url in listed
    assert probed_crawl["manifest"]["stats"].get("spam/doorway") == len(EXPECTED[SEED]["doorways"])


def test_cloaked_page_found_and_both_views_archived(probed_crawl: dict[str, Any]) -> None:
    cloaked = set(EXPECTED[SEED]["cloaked"])
    listed = {entry["url"] for entry in probed_crawl["manifest"]["entries"].get("cloaked", [])}
    assert listed == cloaked
    stats = probed_crawl["manifest"]["stats"]
    assert stats["spider/cloaking/cloaked"] == len(cloaked)
    assert stats["spider/cloaking/probes"] >= len(cloaked) + len(EXPECTED[SEED]["spam_pages"])
    # The cloaked page still yields its clean record (the normal view).
    for url in cloaked:
        assert url in probed_crawl["records"]
        assert "皇冠娱乐" not in probed_crawl["records"][url]["title"]
    # Both fetches are in the WARC, one as a browser-like crawler, one as Baiduspider.
    archived = warc_requests(probed_crawl["output"])
    for url in cloaked:
        agents = [agent for target, agent in archived if target == url]
        assert any("Baiduspider" in agent for agent in agents), agents
        assert any(agent.startswith("MinistryNewsArchive/") for agent in agents), agents
    # And the proxy saw the probe with a baidu.com Referer.
    probes = [
        dict((k.lower(), v) for k, v in entry["request_headers"])
        for entry in probed_crawl["requests"]
        if entry["url"] in cloaked
    ]
    assert any("Baiduspider" in h.get("user-agent", "") and "baidu.com" in h.get("referer", "") for h in probes)


def test_every_seed_spam_and_legitimate_strings(sample_crawl: Any) -> None:
    """The shared crawl of every shipped seed (default settings, probe off)."""
    from tests.crawling import SEED_ORDER

    for seed in SEED_ORDER:
        records = {r["url"]: r for r in sample_crawl.records(seed)}
        expected = EXPECTED[seed]
        for url, strings in expected.get("spam_pages", {}).items():
            for injected in strings:
                assert injected not in records[url]["title"] and injected not in records[url]["body"], (url, injected)
        for url, strings in expected.get("legit_strings", {}).items():
            for legitimate in strings:
                assert legitimate in records[url]["title"] + "\n" + records[url]["body"], (url, legitimate)
        for url in expected.get("doorways", []):
            assert url not in records
        # Pages without injected spam carry no removals: nothing legitimate was taken.
        spam_urls = set(expected.get("spam_pages", {})) - set(expected.get("cloaked", []))
        for url, record in records.items():
            if url not in spam_urls:
                assert record["spam_removed"] == [], (url, record["spam_removed"])


def test_a_site_that_cloaked_is_remembered_in_the_state_store(probed_crawl: dict[str, Any]) -> None:
    """Its next runs probe every article (CLOAKING_PROBE_MEMORY_RUNS, default 3)."""
    import sqlite3

    with sqlite3.connect(probed_crawl["output"] / "state" / "state.sqlite") as db:
        rows = db.execute("SELECT value FROM meta WHERE key = ?", (f"site:{SEED}:cloaking_runs_left",)).fetchall()
    assert rows == [("3",)]
