"""Replay progress on an archive of thousands of records: steady progress lines, a summary at the end.

The archive is written directly with the capture code (``crawler.warc``) —
no live crawl needed — for a generated seed: list pages linking to small
article pages.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.crawling import manifests, read_jsonl
from tests.replay.test_replay import run_replay

from crawler.warc.archiver import ExchangeArchiver
from crawler.warc.index import write_cdxj_index
from crawler.warc.records import CapturedExchange
from crawler.warc.writer import WarcFileWriter

pytestmark = pytest.mark.e2e

HOST = "www.progress.gov.cn"
PER_LIST = 100
PROGRESS_LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\S* \[crawler\.middlewares\.replay\] INFO: Replay progress: "
    r"(?P<done>\d+)/(?P<total>\d+) records, (?P<rate>[\d.]+) records/s, "
    r"(?P<bytes>[\d.]+ \w+) of (?P<all>[\d.]+ \w+) \((?P<share>\d+)%\), ETA (?P<eta>[\d:?]+)$",
    re.M,
)


def page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"ArticleTitle\" content=\"{title}\">"
            f"<meta name=\"PubDate\" content=\"2024-01-02 10:00\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1><div id=\"zoom\"><p>{body}</p></div></body></html>").encode("utf-8")


def write_archive(directory: Path, articles: int) -> Path:
    seed = directory / "progress.toml"
    seed.write_text(
        f'name = "progress"\nsite_name = "进度测试"\nallowed_domains = ["{HOST}"]\n'
        f'start_urls = ["http://{HOST}/xw/index.html"]\nlanguage = "zh"\n'
        "article_patterns = ['/xw/t\\d+\\.html$']\nlist_patterns = ['/xw/index(_\\d+)?\\.html$']\n",
        encoding="utf-8",
    )
    writer = WarcFileWriter(directory / "warc", hostname="test", warcinfo={"seed": "progress"})
    archiver = ExchangeArchiver(writer)
    moment = datetime(2024, 1, 2, tzinfo=timezone.utc)
    lists = (articles + PER_LIST - 1) // PER_LIST

    def archive(path: str, body: bytes, status: int = 200) -> None:
        nonlocal moment
        moment += timedelta(milliseconds=5)
        archiver.archive(CapturedExchange(
            url=f"http://{HOST}{path}", method="GET", request_headers=((b"User-Agent", b"test"),), request_body=b"",
            status=status, protocol="HTTP/1.1", response_headers=((b"Content-Type", b"text/html; charset=utf-8"),),
            body=body, fetched_at=moment,
        ))

    archive("/robots.txt", b"User-agent: *\nDisallow:\n")
    for number in range(lists):
        links = "".join(f'<li><a href="/xw/t{n}.html">第{n}条新闻</a></li>'
                        for n in range(number * PER_LIST, min(articles, (number + 1) * PER_LIST)))
        following = f'<a href="/xw/index_{number + 1}.html">下一页</a>' if number + 1 < lists else ""
        name = "index.html" if number == 0 else f"index_{number}.html"
        archive(f"/xw/{name}", f"<html><body><ul>{links}</ul>{following}</body></html>".encode("utf-8"))
    for n in range(articles):
        archive(f"/xw/t{n}.html", page(f"第{n}条新闻：基层工作动态", f"第{n}条新闻的正文，介绍各地民政工作进展情况。" * 3))
    archiver.close()
    for path in writer.closed_files:
        write_cdxj_index(path)
    return seed


def test_replay_of_thousands_of_records_logs_steady_progress_and_a_summary(tmp_path: Path) -> None:
    articles = 1500
    seed = write_archive(tmp_path, articles)
    out = tmp_path / "out"
    result = run_replay([tmp_path / "warc"], out, settings={"REPLAY_PROGRESS_INTERVAL": "1", "LOG_LEVEL": "INFO"},
                        args=["-a", f"seed={seed}"])
    assert result.returncode == 0, result.stderr[-4000:]
    assert len(read_jsonl(out, "progress")) == articles
    lines = list(PROGRESS_LINE.finditer(result.stderr))
    assert len(lines) >= 2, result.stderr[-3000:]
    total = articles + (articles + PER_LIST - 1) // PER_LIST + 1
    done = [int(m["done"]) for m in lines]
    assert done == sorted(done) and 0 < done[0] and done[-1] <= total
    assert {int(m["total"]) for m in lines} == {total}
    assert all(float(m["rate"]) > 0 and m["eta"] != "?" for m in lines)
    shares = [int(m["share"]) for m in lines]
    assert shares == sorted(shares) and shares[-1] <= 100
    # A steady interval: one line a second (log times have second resolution).
    times = [datetime.strptime(m["time"], "%Y-%m-%d %H:%M:%S") for m in lines]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
    # (A starved machine may skip a beat; LoopingCall then fires at the next whole interval.)
    assert all(0 <= gap <= 5 for gap in gaps), gaps
    assert sorted(gaps)[len(gaps) // 2] <= 2, gaps
    assert re.search(rf"Replay finished: {total} records \([\d.]+ \w+\) replayed in [\d:]+, [\d.]+ records/s", result.stderr)
    assert re.search(rf"total: 1 run\(s\), {total} records .* \([\d.]+ records/s\), {articles} JSONL records, 0 missing",
                     result.stderr)
    (manifest,) = manifests(out).values()
    assert manifest["stats"]["replay/records"] == total
