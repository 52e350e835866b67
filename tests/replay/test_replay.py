"""``scrapy replay``: the JSONL re-derived offline from the WARC files of a real crawl.

Every test replays (parts of) the session's ``sample_crawl`` archive in a
subprocess with networking made impossible: ``http_proxy`` points at a
closed loopback port, the sample site's request log must stay empty, and
where it matters the download handlers are replaced by one that records any
call. The archive must never change.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.crawling import SEED_ORDER, manifests, read_jsonl
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from sample.demo import ROOT
from crawler.replay.inputs import inspect_input
from crawler.schema import validator

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parent.parent
HANDLER_LOG_SETTING = "TEST_HANDLER_LOG"


class RecordingDownloadHandler:
    """A download handler that notes every call in a file and fails: replay must never call it."""

    lazy = False

    def __init__(self, crawler: Any) -> None:
        self.log = Path(crawler.settings.get(HANDLER_LOG_SETTING))
        # Proof that this handler, not Scrapy's, is the one installed.
        self.log.with_suffix(".loaded").write_text("loaded\n", encoding="utf-8")

    @classmethod
    def from_crawler(cls, crawler: Any) -> RecordingDownloadHandler:
        return cls(crawler)

    async def download_request(self, request: Any) -> Any:
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(request.url + "\n")
        raise ConnectionRefusedError(f"download handler called for {request.url}")

    async def close(self) -> None:
        pass


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_replay(paths: list[Path], output_dir: Path, *, settings: dict[str, str] | None = None,
               args: list[str] | None = None, handler_log: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "replay", *map(str, paths), "-s", f"OUTPUT_DIR={output_dir}"]
    settings = dict(settings or {})
    if handler_log is not None:
        handlers = {"http": "tests.replay.test_replay.RecordingDownloadHandler", "https": "tests.replay.test_replay.RecordingDownloadHandler"}
        settings["DOWNLOAD_HANDLERS"] = json.dumps(handlers)
        settings[HANDLER_LOG_SETTING] = str(handler_log)
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    command += args or []
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
    env["http_proxy"] = env["https_proxy"] = f"http://127.0.0.1:{closed_port()}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(TESTS), env.get("PYTHONPATH", "")])
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def files_of_seed(warc_dir: Path, seed: str) -> list[Path]:
    return [p for p in sorted(warc_dir.glob("*.warc.gz")) if inspect_input(p).seed == seed]


def by_url(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["url"]: record for record in records}


def without(record: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in names}


def warc_date_of(warc_dir: Path, pointer: dict[str, Any]) -> str:
    with open(warc_dir / pointer["file"], "rb") as handle:
        handle.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(handle)))
        assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
        return record.rec_headers.get_header("WARC-Date")


def replay_stats(output_dir: Path) -> dict[str, dict[str, Any]]:
    return {seed: manifest["stats"] for seed, manifest in manifests(output_dir).items()}


# -----------------------------------------------------------------------------


def test_replay_gives_the_live_records_field_for_field_without_network(
    sample_crawl: Any, fresh_sample_site: Any, tmp_path: Path
) -> None:
    warc_dir = sample_crawl.output_dir / "warc"
    before = digests(warc_dir)
    out = tmp_path / "replay"
    result = run_replay([warc_dir], out)
    assert result.returncode == 0, result.stderr[-4000:]
    assert fresh_sample_site.requests() == [], "replay reached the network"
    assert digests(warc_dir) == before, "replay changed the archive"
    check = validator()
    stats = replay_stats(out)
    assert sorted(stats) == sorted(SEED_ORDER)
    compared = 0
    for seed in SEED_ORDER:
        live, replayed = by_url(sample_crawl.records(seed)), by_url(read_jsonl(out, seed))
        assert live, seed
        assert sorted(replayed) == sorted(live), seed
        for url, record in replayed.items():
            assert list(check.iter_errors(record)) == []
            assert without(record, "fetched_at", "warc") == without(live[url], "fetched_at", "warc"), url
            # The pointer leads to the archived record, and fetched_at is that record's WARC-Date.
            assert record["warc"]["file"] in before
            assert warc_date_of(warc_dir, record["warc"])[:19] == record["fetched_at"][:19]
            compared += 1
        assert stats[seed].get("replay/missing", 0) == 0, seed
        assert stats[seed]["replay/records"] == stats[seed]["replay/index_records"], seed
        assert "warc/records" not in stats[seed]  # capture is off: replay writes no archive
    assert compared == len(sample_crawl.all_records())
    # The sample crawl archives identical list pages as revisits; they were resolved.
    assert sum(s.get("replay/revisit/identical", 0) for s in stats.values()) > 0
    assert "Replay summary:" in result.stderr and f"{compared} JSONL records" in result.stderr
    assert not (out / "warc").exists()


def test_rederiving_after_a_spam_rule_change_changes_only_the_affected_records(
    sample_crawl: Any, tmp_path: Path
) -> None:
    term = "情暖寒冬"  # a phrase in one mca article: pretend it turned out to be injected spam
    warc_dir = sample_crawl.output_dir / "warc"
    before = digests(warc_dir)
    out = tmp_path / "rederived"
    result = run_replay(files_of_seed(warc_dir, "mca"), out, settings={"SPAM_EXTRA_TERMS": term})
    assert result.returncode == 0, result.stderr[-4000:]
    assert digests(warc_dir) == before
    live, rederived = by_url(sample_crawl.records("mca")), by_url(read_jsonl(out, "mca"))
    affected = {url for url, record in live.items() if term in record["title"] + record["body"]}
    assert affected, "the sample site no longer has the phrase; pick another"
    assert set(rederived) == set(live)
    for url, record in rederived.items():
        if url in affected:
            assert term not in record["title"] + record["body"]
            assert any(term in removal["text"] for removal in record["spam_removed"])
            assert record["body_sha1"] != live[url]["body_sha1"]
        else:
            assert without(record, "fetched_at") == without(live[url], "fetched_at"), url


def strip_records(source: Path, target: Path, drop_urls: set[str]) -> None:
    """Copy a WARC file without the response records of ``drop_urls`` (and without its CDXJ index)."""
    with open(source, "rb") as reader, open(target, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for record in ArchiveIterator(reader):
            if record.rec_type in ("response", "revisit") and record.rec_headers.get_header("WARC-Target-URI") in drop_urls:
                continue
            writer.write_record(record)


def test_requests_missing_from_the_archive_are_counted_skipped_and_never_fetched(
    sample_crawl: Any, fresh_sample_site: Any, tmp_path: Path
) -> None:
    warc_dir = sample_crawl.output_dir / "warc"
    live = by_url(sample_crawl.records("mca"))
    dropped = set(sorted(live)[:2])
    partial = tmp_path / "partial"
    partial.mkdir()
    for path in files_of_seed(warc_dir, "mca"):
        strip_records(path, partial / path.name, dropped)
    handler_log = tmp_path / "handler-calls.txt"
    out = tmp_path / "replay"
    result = run_replay([partial], out, handler_log=handler_log)
    assert result.returncode == 0, result.stderr[-4000:]
    assert handler_log.with_suffix(".loaded").exists()
    assert not handler_log.exists(), f"download handler called: {handler_log.read_text()}"
    assert fresh_sample_site.requests() == []
    stats = replay_stats(out)["mca"]
    assert stats["replay/missing"] == len(dropped)
    assert stats["replay/files_scanned"] == len(list(partial.iterdir()))  # no CDXJ beside them: indexed by a scan
    # Nothing failed the way a network fetch fails; IgnoreRequest is how skips (and robots.txt) end.
    assert {k for k in stats if k.startswith("downloader/exception_type_count/")} <= {
        "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest"
    }
    replayed = by_url(read_jsonl(out, "mca"))
    assert set(replayed) == set(live) - dropped
    for url in dropped:
        assert f"Not in the archive, skipped: <{url}>" in result.stderr


def test_truncated_warc_replays_what_is_complete_and_exits_non_zero(sample_crawl: Any, tmp_path: Path) -> None:
    warc_dir = sample_crawl.output_dir / "warc"
    cut_dir = tmp_path / "cut"
    cut_dir.mkdir()
    (source,) = files_of_seed(warc_dir, "mca")
    copy = cut_dir / source.name
    shutil.copy(source, copy)
    shutil.copy(source.with_name(source.name.replace(".warc.gz", ".cdxj")), cut_dir)  # the index still lists everything
    size = copy.stat().st_size
    with open(copy, "r+b") as handle:
        handle.truncate(size * 2 // 3)
    not_warc = cut_dir / "notes.warc.gz"
    not_warc.write_text("not an archive")
    out = tmp_path / "replay"
    result = run_replay([cut_dir, tmp_path / "cut" / "notes.warc.gz"], out)
    assert result.returncode == 1, result.stderr[-4000:]
    assert f"Skipping {not_warc}: not a WARC file" in result.stderr
    assert f"{copy.name}: cut short, stopped after byte" in result.stderr
    stopped = int(result.stderr.split(f"{copy.name}: cut short, stopped after byte ")[1].split()[0])
    assert 0 < stopped <= size * 2 // 3
    replayed = read_jsonl(out, "mca")
    live = by_url(sample_crawl.records("mca"))
    assert 0 < len(replayed) < len(live)
    for record in replayed:
        assert record["warc"]["offset"] < stopped
        assert without(record, "fetched_at") == without(live[record["url"]], "fetched_at")


def test_warc_written_by_warcio_capture_http_is_replayed_with_a_seed(
    sample_crawl: Any, fresh_sample_site: Any, tmp_path: Path
) -> None:
    import urllib.request

    from warcio.capture_http import capture_http

    urls = sorted(sample_crawl.requested_urls("mca"))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": fresh_sample_site.proxy_url}),
                                         urllib.request.HTTPRedirectHandler())
    foreign = tmp_path / "foreign" / "capture.warc.gz"
    foreign.parent.mkdir()
    with capture_http(str(foreign)):
        for url in urls:
            try:
                opener.open(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}), timeout=10).read()
            except Exception:
                pass  # 404s and 503s are archived too
    fresh_sample_site.reset_log()
    out = tmp_path / "replay"
    refused = run_replay([foreign.parent], out)
    assert refused.returncode == 1 and "names no seed; pass -a seed=" in refused.stderr
    result = run_replay([foreign.parent], out, args=["-a", "seed=mca"])
    assert result.returncode == 0, result.stderr[-4000:]
    assert fresh_sample_site.requests() == []
    live = by_url(sample_crawl.records("mca"))
    replayed = by_url(read_jsonl(out, "mca"))
    # urllib is not Scrapy (no retry of the fail-first page, its own redirects): most records, same content.
    assert len(replayed) >= len(live) - 2
    for url, record in replayed.items():
        assert record["warc"]["file"] == foreign.name
        if url in live:
            assert record["body"] == live[url]["body"] and record["title"] == live[url]["title"]


@pytest.mark.skipif(shutil.which("wget") is None, reason="GNU Wget is not installed")
def test_uncompressed_warc_written_by_wget_names_its_seed_and_is_replayed(
    sample_crawl: Any, fresh_sample_site: Any, tmp_path: Path
) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(sorted(sample_crawl.requested_urls("mca"))) + "\n", encoding="utf-8")
    env = dict(os.environ, http_proxy=fresh_sample_site.proxy_url)
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    subprocess.run(
        ["wget", "-q", "-i", str(urls), "-O", os.devnull, f"--warc-file={tmp_path / 'wget'}", "--warc-header=seed: mca",
         "--no-warc-compression", "--tries=3", "--retry-on-http-error=503"],
        env=env, capture_output=True, timeout=120,
    )  # wget exits 8 for the archived 404: expected
    fresh_sample_site.reset_log()
    archive = tmp_path / "wget.warc"
    assert archive.exists()
    out = tmp_path / "replay"
    result = run_replay([archive], out)  # the seed comes from the warcinfo header wget wrote
    assert result.returncode == 0, result.stderr[-4000:]
    assert fresh_sample_site.requests() == []
    live, replayed = by_url(sample_crawl.records("mca")), by_url(read_jsonl(out, "mca"))
    assert set(replayed) == set(live)
    for url, record in replayed.items():
        assert without(record, "fetched_at", "warc") == without(live[url], "fetched_at", "warc"), url
        assert record["warc"]["file"] == archive.name


def test_a_good_archive_beside_a_file_that_is_not_one_replays_and_exits_non_zero(
    sample_crawl: Any, tmp_path: Path
) -> None:
    (good,) = files_of_seed(sample_crawl.output_dir / "warc", "mca")
    junk = tmp_path / "junk.txt"
    junk.write_text("notes, not an archive\n", encoding="utf-8")
    out = tmp_path / "replay"
    result = run_replay([good, junk], out)
    assert result.returncode == 1, result.stderr[-4000:]
    assert f"Skipping {junk}: not a WARC file" in result.stderr
    assert "1 input(s) skipped" in result.stderr
    # What could be replayed was: every live record of the good file.
    assert sorted(by_url(read_jsonl(out, "mca"))) == sorted(by_url(sample_crawl.records("mca")))


def test_an_archive_replays_from_the_seed_it_was_crawled_with_after_the_file_is_gone(
    fresh_sample_site: Any, tmp_path: Path
) -> None:
    from tests.crawling import run_crawl

    # Named like a shipped seed (mca) but crawling another site: the shipped mca's start URL is not archived.
    custom = tmp_path / "custom.toml"
    custom.write_text((ROOT / "seeds" / "mee.toml").read_text("utf-8").replace('name = "mee"', 'name = "mca"'), "utf-8")
    live_dir = tmp_path / "live"
    crawled = run_crawl("news", live_dir, fresh_sample_site.proxy_url, args=["-a", f"seed={custom}"])
    assert crawled.returncode == 0, crawled.stderr[-4000:]
    live = by_url(read_jsonl(live_dir, "mca"))
    assert live and all("www.mee.gov.cn" in url for url in live)
    custom.unlink()
    fresh_sample_site.reset_log()
    out = tmp_path / "replay"
    result = run_replay([live_dir / "warc"], out)
    assert result.returncode == 0, result.stderr[-4000:]
    assert fresh_sample_site.requests() == []
    replayed = by_url(read_jsonl(out, "mca"))
    assert sorted(replayed) == sorted(live)
    for url, record in replayed.items():
        assert without(record, "fetched_at") == without(live[url], "fetched_at"), url
    (manifest,) = manifests(out).values()
    assert manifest["seed_file"].startswith("<warcinfo of ")
