"""WARC capture in real ``scrapy crawl`` runs of the sample site, checked by independent tools.

The crawls use the project's own spiders, settings and pipelines (so the
JSONL writer resolves the pointers the capture hands it), reach the sample
site through ``http_proxy`` and run as subprocesses. Every file they write
must pass ``warcio check`` and FastWARC digest verification; every request
the sample server logged must be in the archive; every JSONL record's
``warc`` pointer must lead to its exact response record.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.warc.test_capture import assert_pointer_resolves, read_records
from warcio.archiveiterator import ArchiveIterator

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def seeds_with_sample_pages() -> tuple[str, ...]:
    """Shipped seeds whose start host the sample site serves (new sample sites join automatically)."""
    site = PROJECT_ROOT / "sample" / "site"
    names = []
    for path in sorted((PROJECT_ROOT / "seeds").glob("*.toml")):
        seed = tomllib.loads(path.read_text(encoding="utf-8"))
        hosts = {urlsplit(url).hostname for url in seed.get("start_urls", [])}
        if any(host and (site / host).is_dir() for host in hosts):
            names.append(seed["name"])
    return tuple(names)


SAMPLE_SEEDS = seeds_with_sample_pages()


def proxied_env(site: Any) -> dict[str, str]:
    env = dict(os.environ, http_proxy=site.proxy_url)
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    return env


# The other seeds crawl together in one process (one start-up instead of one each):
# the same spiders, settings, pipelines and capture as `scrapy crawl <seed>`.
MANY_SEEDS = textwrap.dedent(
    """
    import sys
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict({"OUTPUT_DIR": sys.argv[1], "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                      "RUN_OUTPUTS_ENABLED": True})  # as `scrapy crawl` sets it
    process = CrawlerProcess(settings)
    for seed in sys.argv[2:]:
        process.crawl(seed)
    process.start()
    """
)


@pytest.fixture(scope="module")
def sample_crawl(sample_site: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Crawls of every seed the sample site serves, into one OUTPUT_DIR.

    ``mca`` runs exactly as a user runs it (``scrapy crawl mca``); the rest share one process.
    """
    work = tmp_path_factory.getbasetemp() / "warc-sample-shared"  # one crawl per session, across modules
    out = work / "out"
    if not (work / "done").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        sample_site.reset()
        scrapy = Path(sys.executable).with_name("scrapy")
        commands = [[str(scrapy), "crawl", "mca", "-s", f"OUTPUT_DIR={out}", "-s", "DOWNLOAD_DELAY=0",
                     "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]]
        others = [seed for seed in SAMPLE_SEEDS if seed != "mca"]
        if others:
            commands.append([sys.executable, "-c", MANY_SEEDS, str(out), *others])
        logs = []
        for command in commands:
            result = subprocess.run(command, cwd=PROJECT_ROOT, env=proxied_env(sample_site),
                                    capture_output=True, text=True, timeout=240)
            assert result.returncode == 0, result.stderr[-4000:]
            logs.append(result.stderr)
        (work / "server_log.json").write_text(json.dumps(sample_site.requests()))
        (work / "crawl.log").write_text("\n".join(logs))
        sample_site.reset()
        (work / "done").touch()
    return {
        "out": out,
        "warc_dir": out / "warc",
        "records": read_records(out / "warc"),
        "server_log": json.loads((work / "server_log.json").read_text()),
        "log": (work / "crawl.log").read_text(),
        "site": sample_site,
    }


def test_every_file_passes_warcio_check(sample_crawl: dict[str, Any]) -> None:
    files = sorted(sample_crawl["warc_dir"].glob("*.warc.gz"))
    assert {"mca", "gov"} <= set(SAMPLE_SEEDS)
    assert len(files) >= len(SAMPLE_SEEDS)
    assert not list(sample_crawl["warc_dir"].glob("*.open"))
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run([str(warcio), "check", "-v", *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest fail" not in result.stdout


def test_fastwarc_parses_every_record_and_verifies_digests(sample_crawl: dict[str, Any]) -> None:
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType

    counted = 0
    for path in sorted(sample_crawl["warc_dir"].glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in FastIterator(handle, parse_http=False):
                counted += 1
                assert record.verify_block_digest(consume=False), (path.name, record.record_id)
                if record.record_type == WarcRecordType.response:
                    record.parse_http()
                    assert record.verify_payload_digest(consume=False), (path.name, record.record_id)
    assert counted == len(sample_crawl["records"])


def test_every_logged_request_is_archived(sample_crawl: dict[str, Any]) -> None:
    """The sample server's own log and the archive agree exchange for exchange."""
    records = sample_crawl["records"]
    archived: dict[str, list[str]] = {}
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in records}
    for record in records:
        if record["type"] == "request":
            partner = by_id[record["headers"]["WARC-Concurrent-To"]]
            status = partner["http"].get_statuscode() if partner["http"] else "error"
            archived.setdefault(record["headers"]["WARC-Target-URI"], []).append(status)
    logged: dict[str, list[str]] = {}
    for entry in sample_crawl["server_log"]:
        if entry["url"].startswith("http://control."):
            continue
        logged.setdefault(entry["url"], []).append(str(entry["status"]))
    assert logged, "the sample server logged no requests"
    assert {url: sorted(s) for url, s in archived.items()} == {url: sorted(s) for url, s in logged.items()}
    statuses = {s for values in archived.values() for s in values}
    assert {"200", "301", "503"} <= statuses  # redirects and retried attempts are kept
    assert any(url.endswith("/robots.txt") for url in archived)


def test_repeated_set_cookie_kept(sample_crawl: dict[str, Any]) -> None:
    (record,) = [r for r in sample_crawl["records"] if r["type"] in ("response", "revisit")
                 and r["headers"]["WARC-Target-URI"] == "http://www.mca.gov.cn/n152/n165/index.html"]
    cookies = [v for k, v in record["http"].headers if k.lower() == "set-cookie"]
    assert len(cookies) == 3
    assert cookies[0].startswith("JSESSIONID=") and cookies[2].startswith("SERVERID=")


def test_jsonl_pointers_lead_to_their_response_records(sample_crawl: dict[str, Any]) -> None:
    lines = [json.loads(line) for path in sorted((sample_crawl["out"] / "jsonl").glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 5
    for item in lines:
        pointer = item["warc"]
        assert pointer is not None, item["url"]
        assert not pointer["file"].endswith(".open")
        assert_pointer_resolves(sample_crawl["warc_dir"], item)


def test_warcinfo_names_the_seed(sample_crawl: dict[str, Any]) -> None:
    infos = [r["payload"].decode("utf-8") for r in sample_crawl["records"] if r["type"] == "warcinfo"]
    assert len(infos) == len(list(sample_crawl["warc_dir"].glob("*.warc.gz")))
    for seed in SAMPLE_SEEDS:
        assert any(f"seed: {seed}\r\n" in info for info in infos), seed
    assert any("seed-site-name: 中华人民共和国民政部" in info for info in infos)
    assert all("robots: obey" in info and "format: WARC File Format 1.1" in info for info in infos)


FAULTS_SPIDER = textwrap.dedent(
    '''
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    OUT, STATS = sys.argv[1], sys.argv[2]
    URLS = ["http://faults.sample.test/cut-short.html", "http://faults.sample.test/large.html",
            "http://faults.sample.test/bomb.html", "http://faults.sample.test/index.html"]

    class FaultsSpider(scrapy.Spider):
        name = "faults"

        async def start(self):
            for url in URLS:
                yield scrapy.Request(url, callback=self.parse_page, errback=self.failed)

        def parse_page(self, response):
            return None

        def failed(self, failure):
            return None

    settings = get_project_settings()
    settings.set("RUN_OUTPUTS_ENABLED", True)  # the WARC capture, as in `scrapy crawl`
    settings.set("ITEM_PIPELINES", {})
    settings.set("EXTENSIONS", {})
    settings.set("OUTPUT_DIR", OUT)
    settings.set("DOWNLOAD_MAXSIZE", 1024 * 1024)
    settings.set("DOWNLOAD_DELAY", 0)
    settings.set("AUTOTHROTTLE_ENABLED", False)
    settings.set("RETRY_TIMES", 1)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FaultsSpider)
    process.crawl(crawler)
    process.start()
    with open(STATS, "w") as handle:
        json.dump({k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, str))}, handle)
    '''
)


def test_sample_site_faults_are_logged_counted_and_leave_valid_files(
    sample_site: Any, tmp_path: Path
) -> None:
    script = tmp_path / "faults.py"
    script.write_text(FAULTS_SPIDER)
    out, stats_path = tmp_path / "out", tmp_path / "stats.json"
    result = subprocess.run(
        [sys.executable, str(script), str(out), str(stats_path)],
        cwd=PROJECT_ROOT, env=proxied_env(sample_site), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    stats = json.loads(stats_path.read_text())
    log = result.stderr
    assert stats.get("warc/fetch_errors/cut_short", 0) >= 1
    assert stats.get("warc/fetch_errors/oversize", 0) >= 1
    assert stats.get("warc/decompression_bombs", 0) >= 1
    for name in ("cut-short", "large", "bomb"):
        assert f"http://faults.sample.test/{name}.html" in log
    files = sorted((out / "warc").glob("*.warc.gz"))
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    records = read_records(out / "warc")
    responses = {r["headers"]["WARC-Target-URI"] for r in records if r["type"] == "response"}
    assert "http://faults.sample.test/cut-short.html" not in responses
    assert "http://faults.sample.test/large.html" not in responses
    assert "http://faults.sample.test/bomb.html" in responses  # the raw bomb is evidence, and small
    notes = [r for r in records if r["type"] == "metadata"]
    assert {r["headers"]["WARC-Target-URI"] for r in notes} >= {
        "http://faults.sample.test/cut-short.html", "http://faults.sample.test/large.html"}


def test_next_run_not_modified_revisits_refer_to_earlier_originals(
    sample_crawl: dict[str, Any], tmp_path: Path
) -> None:
    """An incremental run's 304s become server-not-modified revisits of the first run's responses."""
    out = tmp_path / "out"
    shutil.copytree(sample_crawl["out"], out)
    before = set((out / "warc").glob("*.warc.gz"))
    scrapy = Path(sys.executable).with_name("scrapy")
    result = subprocess.run(
        [str(scrapy), "crawl", "mca", "-s", f"OUTPUT_DIR={out}", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"],
        cwd=PROJECT_ROOT, env=proxied_env(sample_crawl["site"]), capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    (new_file,) = set((out / "warc").glob("*.warc.gz")) - before
    earlier = {r["headers"]["WARC-Record-ID"]: r for r in sample_crawl["records"] if r["type"] == "response"}
    revisits = []
    with open(new_file, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "revisit" and record.http_headers.get_statuscode() == "304":
                revisits.append(record.rec_headers)
    assert revisits, "the second run made no conditional requests that came back 304"
    for headers in revisits:
        assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
        original = earlier[headers.get_header("WARC-Refers-To")]
        assert original["headers"]["WARC-Target-URI"] == headers.get_header("WARC-Refers-To-Target-URI")
        assert original["headers"]["WARC-Date"] == headers.get_header("WARC-Refers-To-Date")
        assert headers.get_header("WARC-Target-URI") == headers.get_header("WARC-Refers-To-Target-URI")
    assert "No archived original" not in result.stderr
