"""What WARC capture costs: the same crawl with capture off and on, in one run.

Generates the bench site of ``bench/crawl.py`` (default 2,000 articles of
~30 KB plus list pages), serves it with the sample site's Twisted proxy and
crawls it with the ``news`` spider and no item pipelines, so the only
difference between the runs is the capture middleware:

- off: ``WARC_ENABLED=False``;
- on: capture with its writer thread (the default);
- on-inline: capture writing in the reactor thread (``WARC_WRITER_THREAD=False``),
  to show what the writer thread saves.

It also times warcio writing the same pages as gzip-per-record response
records with no crawl at all — warcio's own writer (gzip level 9) and ours
(warcio records, gzip level 6) — the floor a reactor-thread writer cannot
beat. Prints pages/s and each run's ratio to the capture-off run.
Usage: ``python bench/warc.py [--pages N] [--page-bytes B] [--skip-inline]``.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import HOST, generate_site  # noqa: E402  (bench/crawl.py)
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from crawler.demo import crawl_env, sample_site  # noqa: E402
from crawler.warc.archiver import ExchangeArchiver  # noqa: E402
from crawler.warc.records import CapturedExchange  # noqa: E402
from crawler.warc.writer import WarcFileWriter  # noqa: E402


def crawl(proxy_url: str, site_dir: Path, out_dir: Path, settings: dict[str, str]) -> dict[str, float]:
    base = {
        "OUTPUT_DIR": str(out_dir),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": "{}",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"seed={site_dir / 'bench.toml'}"]
    for name, value in {**base, **settings}.items():
        command += ["-s", f"{name}={value}"]
    subprocess.run(command, cwd=ROOT, env=crawl_env(proxy_url), check=True)
    (manifest_path,) = (out_dir / "runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    pages = manifest["counts"]["responses"]
    seconds = manifest["duration_seconds"]
    warc_bytes = sum(p.stat().st_size for p in (out_dir / "warc").glob("*.warc.gz")) if (out_dir / "warc").is_dir() else 0
    return {"pages": pages, "seconds": seconds, "pages_per_s": pages / seconds, "warc_bytes": warc_bytes}


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


def our_writer_floor(pages: list[tuple[str, bytes]], directory: Path) -> float:
    """Pages/s of our archiver (request + response records, level 6, to disk) with no crawl."""
    archiver = ExchangeArchiver(WarcFileWriter(directory, hostname="bench"))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-bytes", type=int, default=30_000)
    parser.add_argument("--skip-inline", action="store_true", help="skip the reactor-thread writer run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-warc-") as tmp:
        tmp_path = Path(tmp)
        site_dir = tmp_path / "site"
        generate_site(site_dir, args.pages, args.page_bytes)
        pages = site_pages(site_dir)
        print(f"generated {args.pages} articles of ~{args.page_bytes // 1000} KB ({len(pages)} pages)")
        runs = [("off", {"WARC_ENABLED": "False"}), ("on", {})]
        if not args.skip_inline:
            runs.append(("on-inline", {"WARC_WRITER_THREAD": "False"}))
        results = {}
        with sample_site(site_dir=site_dir) as proxy_url:
            for name, settings in runs:
                results[name] = crawl(proxy_url, site_dir, tmp_path / name, settings)
        floor_warcio = warcio_floor(pages)
        floor_ours = our_writer_floor(pages, tmp_path / "floor")
    off = results["off"]["pages_per_s"]
    for name, result in results.items():
        print(f"capture {name:9} {result['pages']:6.0f} pages in {result['seconds']:6.2f}s "
              f"{result['pages_per_s']:7.1f} pages/s  ratio to off {result['pages_per_s'] / off:5.2f}  "
              f"WARC {result['warc_bytes'] / 1e6:6.1f} MB")
    print(f"warcio gzip writer alone (level 9, response records): {floor_warcio:7.1f} pages/s")
    print(f"our writer alone (request+response, level 6):         {floor_ours:7.1f} pages/s")
    print(f"capture cost: {100 * (1 - results['on']['pages_per_s'] / off):.1f}% of crawl throughput")


if __name__ == "__main__":
    main()
