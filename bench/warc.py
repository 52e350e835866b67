"""What WARC capture costs: the same crawl with capture off and on, in one run.

Generates the bench site of ``bench/crawl.py`` (default 2,000 articles of
~30 KB plus list pages), serves it with the sample site's Twisted proxy and
crawls it with the spiders named by ``--spiders`` — ``bare``, which only
follows links (Scrapy alone: capture's worst case), the project's ``news``
spider with no item pipelines, and ``full``, that spider with the default
item pipelines as a production crawl runs it — so the only difference
between the runs is the capture middleware:

- off: ``WARC_ENABLED=False``;
- thread: capture with its writer thread (``WARC_WRITER=thread``, the default);
- inline: capture writing in the reactor thread (``WARC_WRITER=inline``).

It also times warcio writing the same pages as gzip-per-record response
records with no crawl at all — warcio's own writer (gzip level 9) and ours
(warcio records, gzip level 6) — the floor a reactor-thread writer cannot
beat.

The machine is shared, so wall-clock pages/s swing widely between identical
runs. Rounds alternate the order of the configurations, and wall-clock
ratios are paired (each capture run against the same round's ``off`` run,
median over rounds). Each crawl also reports CPU time per page, which other
load disturbs far less: the reactor (main) thread's, which bounds throughput
when the writer has a core of its own; the crawl's whole (all its threads), which bounds it on a single core; and
that plus the sample server's, which bounds it when every core is busy.
Usage: ``python bench/warc.py [--pages N] [--page-bytes B] [--repeat R] [--skip-inline]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import HOST, SECTION, generate_site  # noqa: E402  (bench/crawl.py)
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from scrapy import Spider  # noqa: E402
from scrapy.http import Headers, HtmlResponse, Request  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from sample.demo import crawl_env  # noqa: E402
from crawler.middlewares.warc import WarcCaptureMiddleware  # noqa: E402
from sample.process import launch, stop  # noqa: E402
from crawler.warc.archiver import ExchangeArchiver  # noqa: E402
from crawler.warc.records import CapturedExchange  # noqa: E402
from crawler.warc.writer import WarcFileWriter  # noqa: E402


# A Scrapy extension that times the crawl itself (not interpreter start-up): wall
# clock, reactor (main) thread CPU and whole-process CPU from spider_opened to
# engine_stopped (after every spider_closed handler, so the WARC writer has finished).
CLOCK_EXTENSION = """
import json, time
from scrapy import signals


class CrawlClock:
    def __init__(self, crawler):
        self.crawler, self.pages = crawler, 0
        self.report = crawler.settings.get("BENCH_CLOCK_FILE")
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.response, signal=signals.response_received)
        crawler.signals.connect(self.stopped, signal=signals.engine_stopped)
        crawler.signals.connect(self.closing, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self):
        self.start = (time.perf_counter(), time.thread_time(), time.process_time())

    def response(self):
        self.pages += 1

    def closing(self):
        self.closing_at = time.perf_counter()  # connected before the capture's handler: runs first

    def stopped(self):
        wall, thread, process = self.start
        with open(self.report, "w") as handle:
            json.dump({"pages": self.pages, "seconds": time.perf_counter() - wall,
                       "main_thread": time.thread_time() - thread,
                       "process": time.process_time() - process,
                       "tail": time.perf_counter() - getattr(self, "closing_at", time.perf_counter())}, handle)
"""


# A spider that only follows links: Scrapy itself is then the whole per-page cost, the
# worst case for capture (the issue's "bare Scrapy crawls about 580 pages/s on one core").
BARE_SPIDER = """
import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"
    def __init__(self, start_url, host, **kwargs):
        super().__init__(**kwargs)
        self.start_url, self.host = start_url, host

    async def start(self):
        yield scrapy.Request(self.start_url)

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if "//" + self.host + "/" in url:
                yield scrapy.Request(url)

"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawl(proxy_url: str, site_dir: Path, out_dir: Path, settings: dict[str, str], spider: str = "news",
          server_pid: int | None = None) -> dict[str, float]:
    base = {
        "OUTPUT_DIR": str(out_dir),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "LOG_LEVEL": "WARNING",
        **({} if spider == "full" else {"ITEM_PIPELINES": "{}"}),
    }
    out_dir.mkdir(parents=True)
    (out_dir / "bench_clock.py").write_text(CLOCK_EXTENSION)
    clock_file = out_dir / "clock.json"
    base["BENCH_CLOCK_FILE"] = str(clock_file)
    base["EXTENSIONS"] = json.dumps({"bench_clock.CrawlClock": 0})  # replaces the project's: none are needed
    if spider == "bare":
        spider_file = out_dir / "bare.py"
        spider_file.write_text(BARE_SPIDER)
        command = [sys.executable, "-m", "scrapy", "runspider", str(spider_file),
                   "-a", f"start_url=http://{HOST}{SECTION}index.html", "-a", f"host={HOST}"]
    else:
        command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"seed={site_dir / 'bench.toml'}"]
    for name, value in {**base, **settings}.items():
        command += ["-s", f"{name}={value}"]
    env = crawl_env(proxy_url)
    env["PYTHONPATH"] = str(out_dir) + os.pathsep + env.get("PYTHONPATH", "")
    # CPU of the crawl process (all its threads) and of the sample server while it
    # served this crawl.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = cpu_seconds(server_pid) if server_pid else 0.0
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = cpu_seconds(server_pid) - server_before if server_pid else 0.0
    crawl_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    clock = json.loads(clock_file.read_text())
    pages, seconds = clock["pages"], clock["seconds"]
    warc_bytes = sum(p.stat().st_size for p in (out_dir / "warc").glob("*.warc.gz")) if (out_dir / "warc").is_dir() else 0
    return {
        "pages": pages, "seconds": seconds, "pages_per_s": pages / seconds, "warc_bytes": warc_bytes,
        "reactor_ms": 1000 * clock["main_thread"] / pages, "process_ms": 1000 * clock["process"] / pages,
        "crawl_cpu_ms": 1000 * crawl_cpu / pages, "server_cpu_ms": 1000 * server_cpu / pages,
        "tail_s": clock["tail"],
    }


def site_pages(site_dir: Path) -> list[tuple[str, bytes]]:
    return [
        (f"http://{HOST}/{path.relative_to(site_dir / HOST).as_posix()}", path.read_bytes())
        for path in sorted((site_dir / HOST).rglob("*.html"))
    ]


def warcio_floor(pages: list[tuple[str, bytes]]) -> float:
    """Pages/s of warcio's own gzip writer (level 9), response records only, into memory."""
    writer = WARCWriter(io.BytesIO(), gzip=True, warc_version="WARC/1.1")
    started = time.perf_counter()
    for url, body in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      length=len(body), http_headers=headers))
    return len(pages) / (time.perf_counter() - started)


def our_writer_floor(pages: list[tuple[str, bytes]], directory: Path, level: int) -> float:
    """Pages/s of our archiver (request + response records, to disk) with no crawl."""
    archiver = ExchangeArchiver(WarcFileWriter(directory, hostname="bench", gzip_level=level))
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    for url, body in pages:
        archiver.archive(CapturedExchange(
            url=url, method="GET", request_headers=((b"User-Agent", b"bench"),), request_body=b"",
            status=200, protocol="HTTP/1.1",
            response_headers=((b"Content-Length", str(len(body)).encode()), (b"Content-Type", b"text/html")),
            body=body, fetched_at=now,
        ))
    archiver.close()
    return len(pages) / (time.perf_counter() - started)


def reactor_side_cost(pages: list[tuple[str, bytes]], directory: Path) -> tuple[float, float]:
    """CPU µs per page that capture takes on the reactor thread, and the writer's drain rate.

    Drives the middleware in-process with the bench pages (no network), so it
    measures exactly what the reactor thread pays: snapshotting and handing over.
    """
    crawler = get_crawler(Spider, {"OUTPUT_DIR": str(directory), "WARC_MAX_PENDING_BYTES": 1 << 40})
    # the default writer thread: what the reactor thread pays is snapshotting and handing over
    crawler.spider = Spider("bench")
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    capture.spider_opened()
    pairs = []
    for url, body in pages:
        request = Request(url, headers={"User-Agent": "bench", "Accept-Encoding": "gzip, deflate"})
        headers = Headers({"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))})
        pairs.append((request, HtmlResponse(url, body=body, headers=headers, request=request)))
    started_cpu, started = time.thread_time(), time.perf_counter()
    for request, response in pairs:
        capture.process_request(request)
        capture.process_response(request, response)
    reactor_us = 1e6 * (time.thread_time() - started_cpu) / len(pairs)
    capture.runner.call("close").result()
    drain = len(pairs) / (time.perf_counter() - started)
    capture.runner.shutdown()
    return reactor_us, drain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-bytes", type=int, default=30_000)
    parser.add_argument("--skip-inline", action="store_true",
                        help="only capture off and on (writer thread): skip the inline run")
    parser.add_argument("--repeat", type=int, default=3,
                        help="crawl each configuration this many times, interleaved; the best run counts "
                             "(the machine is shared, so the fastest run is the least disturbed one)")
    parser.add_argument("--gzip-level", type=int, default=None, help="WARC_GZIP_LEVEL for the capture runs")
    parser.add_argument("--spiders", default="bare,news",
                        help="comma list: bare (follows links only: Scrapy alone, capture's worst case), "
                             "news (the project's spider, extraction included, no pipelines) and/or full "
                             "(the project's spider with its default item pipelines: a production crawl)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-warc-") as tmp:
        tmp_path = Path(tmp)
        site_dir = tmp_path / "site"
        generate_site(site_dir, args.pages, args.page_bytes)
        pages = site_pages(site_dir)
        print(f"generated {args.pages} articles of ~{args.page_bytes // 1000} KB ({len(pages)} pages)")
        level = {} if args.gzip_level is None else {"WARC_GZIP_LEVEL": str(args.gzip_level)}
        runs = [("off", {"WARC_ENABLED": "False"}), ("thread", dict(level))]
        if not args.skip_inline:
            runs.append(("inline", {"WARC_WRITER": "inline", **level}))
        spiders = [name for name in args.spiders.split(",") if name]
        every: dict[str, dict[str, list[dict[str, float]]]] = {
            spider: {name: [] for name, _ in runs} for spider in spiders
        }
        server, port = launch(tmp_path, site_dir=site_dir)
        proxy_url = f"http://127.0.0.1:{port}"
        try:
            for attempt in range(args.repeat):
                for spider in spiders:
                    # Every other round runs in reverse, so drift in the machine's load
                    # does not always favour the same configuration.
                    for name, settings in runs if attempt % 2 == 0 else runs[::-1]:
                        out = tmp_path / f"{spider}-{name}-{attempt}"
                        every[spider][name].append(crawl(proxy_url, site_dir, out, settings, spider, server.pid))
        finally:
            stop(server)
        for spider in spiders:
            report(spider, every[spider])
        floor_warcio = warcio_floor(pages)
        level_used = 6 if args.gzip_level is None else args.gzip_level
        floor_ours = our_writer_floor(pages, tmp_path / "floor", level_used)
        reactor_us, drain = reactor_side_cost(pages, tmp_path / "micro")
    print(f"warcio gzip writer alone (level 9, response records):   {floor_warcio:7.1f} pages/s")
    print(f"our writer alone (request+response, level {level_used}):         {floor_ours:7.1f} pages/s")
    print(f"capture's own reactor-thread CPU (in-process, no crawl): {reactor_us:.0f} us/page; "
          f"writer thread drains {drain:.0f} pages/s")


GOAL_RATIO = 0.90  # issue 3: capture may cost the crawl at most 10% of its pages/s


def report(spider: str, every: dict[str, list[dict[str, float]]]) -> None:
    """Pages/s and CPU per page for each configuration, and its ratios to ``off``.

    Wall-clock ratios are paired: each round's capture run is divided by the
    same round's ``off`` run, and the median of those is given. The CPU columns
    do not depend on what else the machine is doing: ``crawl`` is the crawl
    process (all its threads), ``server`` the sample site
    answering it. ``all`` adds them; on a machine whose cores are all busy,
    throughput is bounded by it.
    """
    off = every["off"]
    print(f"\n{spider} spider")
    print(f"{'capture':8} {'pages':>6} {'pages/s median (runs)':>30} {'CPU ms/page: reactor':>21} "
          f"{'crawl':>6} {'server':>7} {'all':>6} {'WARC MB':>8} {'close s':>8}")
    for name, results in every.items():
        def low(key: str) -> float:
            return statistics.median(r[key] for r in results)
        runs_text = " ".join(f"{r['pages_per_s']:.0f}" for r in results)
        print(f"{name:8} {results[0]['pages']:6.0f} {low('pages_per_s'):8.1f} ({runs_text:>19}) "
              f"{low('reactor_ms'):21.2f} {low('crawl_cpu_ms'):6.2f} {low('server_cpu_ms'):7.2f} "
              f"{low('crawl_cpu_ms') + low('server_cpu_ms'):6.2f} {results[0]['warc_bytes'] / 1e6:8.1f} {low('tail_s'):8.2f}")
    for name, results in every.items():
        if name == "off":
            continue
        paired = [on["pages_per_s"] / base["pages_per_s"] for on, base in zip(results, off)]
        def cpu_ratio(key: str) -> float:
            return statistics.median(r[key] for r in off) / statistics.median(r[key] for r in results)
        both = (statistics.median(r["crawl_cpu_ms"] + r["server_cpu_ms"] for r in off)
                / statistics.median(r["crawl_cpu_ms"] + r["server_cpu_ms"] for r in results))
        verdict = "meets" if statistics.median(paired) >= GOAL_RATIO else "misses"
        print(f"capture {name}: throughput ratio to off — wall, paired median {statistics.median(paired):.2f} "
              f"({' '.join(f'{r:.2f}' for r in paired)}); CPU-bound: reactor thread {cpu_ratio('reactor_ms'):.2f}, "
              f"crawl + writer on one core {cpu_ratio('crawl_cpu_ms'):.2f}, "
              f"crawl + writer + server sharing the cores {both:.2f}")
        print(f"capture {name}, {spider} spider: {verdict} the goal of costing under 10% of crawl throughput "
              f"(paired wall ratio >= {GOAL_RATIO}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
