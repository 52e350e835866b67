"""Replaying months of archives: every archived run as its own crawl, oldest first, sharing dedup state.

Two runs of one seed are written with the capture code: the second run's
articles came back ``304 Not Modified`` (server-not-modified revisits) except
one that changed. Replayed together, run 1 yields every article, run 2 only
the changed one — what the live runs wrote — and the 304s resolve to run 1's
responses.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.replay.test_replay import run_replay
from tests.replay.test_progress import page

from crawler.warc.archiver import ExchangeArchiver
from crawler.warc.index import write_cdxj_index
from crawler.warc.records import CapturedExchange
from crawler.warc.writer import WarcFileWriter

pytestmark = pytest.mark.e2e

HOST = "www.runs.gov.cn"
ARTICLES = 6
LAST_MODIFIED = b"Mon, 01 Jan 2024 00:00:00 GMT"


def seed_file(directory: Path) -> Path:
    path = directory / "runs.toml"
    path.write_text(
        f'name = "runs"\nsite_name = "多次运行测试"\nallowed_domains = ["{HOST}"]\n'
        f'start_urls = ["http://{HOST}/xw/index.html"]\nlanguage = "zh"\n'
        "article_patterns = ['/xw/t\\d+\\.html$']\nlist_patterns = ['/xw/index\\.html$']\n",
        encoding="utf-8",
    )
    return path


def write_run(directory: Path, start: datetime, archiver: ExchangeArchiver | None, changed: int | None) -> ExchangeArchiver:
    """One run's WARC file; with ``archiver`` from the previous run, unchanged articles answer 304."""
    writer = WarcFileWriter(directory, hostname="test", warcinfo={"seed": "runs"})
    if archiver is None:
        archiver = ExchangeArchiver(writer)
    else:
        archiver.writer = writer  # keeps what earlier runs archived, as a resumed crawl's state would
    moment = start

    def archive(path: str, body: bytes, status: int = 200, conditional: bool = False) -> None:
        nonlocal moment
        moment += timedelta(seconds=1)
        request_headers = [(b"User-Agent", b"test")]
        if conditional:
            request_headers.append((b"If-Modified-Since", LAST_MODIFIED))
        archiver.archive(CapturedExchange(
            url=f"http://{HOST}{path}", method="GET", request_headers=tuple(request_headers), request_body=b"",
            status=status, protocol="HTTP/1.1",
            response_headers=((b"Content-Type", b"text/html; charset=utf-8"), (b"Last-Modified", LAST_MODIFIED)),
            body=body, fetched_at=moment,
        ))

    links = "".join(f'<li><a href="/xw/t{n}.html">第{n}条</a></li>' for n in range(ARTICLES))
    archive("/xw/index.html", f"<html><body><ul>{links}</ul><p>{start.date()}</p></body></html>".encode("utf-8"))
    for n in range(ARTICLES):
        if changed is None:
            archive(f"/xw/t{n}.html", page(f"第{n}条新闻：社区工作", f"第{n}条新闻的正文，讲述社区养老服务的新做法。" * 3))
        elif n == changed:
            archive(f"/xw/t{n}.html", page(f"第{n}条新闻：社区工作（更新）", f"第{n}条新闻更新后的正文，补充了新的数字。" * 3))
        else:
            archive(f"/xw/t{n}.html", b"", status=304, conditional=True)
    archiver.writer.close()
    for path in archiver.writer.closed_files:
        write_cdxj_index(path)
    return archiver


def jsonl_by_run(output_dir: Path) -> list[list[dict]]:
    return [[json.loads(line) for line in path.read_text("utf-8").splitlines()]
            for path in sorted((output_dir / "jsonl").glob("runs-*.jsonl"))]


def test_two_archived_runs_replay_as_two_crawls_with_304s_resolved(tmp_path: Path) -> None:
    seed = seed_file(tmp_path)
    first = datetime(2024, 1, 2, tzinfo=timezone.utc)
    archiver = write_run(tmp_path / "warc", first, None, changed=None)
    write_run(tmp_path / "warc", first + timedelta(days=30), archiver, changed=2)
    out = tmp_path / "out"
    result = run_replay([tmp_path / "warc"], out, args=["-a", f"seed={seed}"])
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stderr.count("Replaying runs @") == 2
    run1, run2 = jsonl_by_run(out)
    assert sorted(r["url"] for r in run1) == sorted(f"http://{HOST}/xw/t{n}.html" for n in range(ARTICLES))
    assert all(r["fetched_at"].startswith("2024-01-02") for r in run1)
    # Run 2: the unchanged articles (archived as 304 revisits) are recognised as unchanged, as live.
    assert [r["url"] for r in run2] == [f"http://{HOST}/xw/t2.html"]
    assert "更新" in run2[0]["title"] and run2[0]["fetched_at"].startswith("2024-02-01")
    manifests = sorted((out / "runs").glob("*.json"))
    stats = [json.loads(p.read_text("utf-8"))["stats"] for p in manifests]
    assert stats[1]["replay/revisit/not_modified"] == ARTICLES - 1
    assert stats[1].get("replay/unresolved_revisits", 0) == 0
    assert stats[1]["dedup/unchanged"] == ARTICLES - 1
    # The dedup state is the replay's own, not OUTPUT_DIR/state.
    assert not (out / "state" / "state.sqlite").exists()
    assert len(list((out / "replay-state").glob("*/state.sqlite"))) == 1


def test_a_seed_that_is_not_shipped_needs_a_seed_file(tmp_path: Path) -> None:
    seed = seed_file(tmp_path)
    write_run(tmp_path / "warc", datetime(2024, 1, 2, tzinfo=timezone.utc), None, changed=None)
    result = run_replay([tmp_path / "warc"], tmp_path / "out")
    assert result.returncode == 1
    assert "seed 'runs' named in the warcinfo is not a shipped seed; pass -a seed=PATH" in result.stderr
    assert not list((tmp_path / "out").glob("jsonl/*.jsonl"))
    bad = run_replay([tmp_path / "warc"], tmp_path / "out", args=["-a", f"seed={seed.with_name('nowhere.toml')}"])
    assert bad.returncode == 2 and "-a seed=" in bad.stderr
