"""Replay throughput: ``scrapy replay`` beside the live crawl and beside raw FastWARC iteration.

Generates the loopback news site of ``bench/crawl.py`` (default 3,000
article pages of ~30 KB plus list pages), and in this one run:

- live: crawls it with the full default stack through the sample proxy,
  writing WARC files and JSONL;
- replay: re-derives the JSONL from those WARC files with ``scrapy replay``
  (same spider, same pipelines, no network);
- floor: iterates the same WARC files with FastWARC, reading every payload —
  the least any replay has to do;
- polite: the live crawl with the project's default politeness settings
  (DOWNLOAD_DELAY, AutoThrottle, 2 requests per host), as ``scrapy crawl``
  runs in production, on the first ``--polite-pages`` pages only (it runs at
  about 2 pages/s whatever the machine; 0 skips it).

The unthrottled loopback crawl is CPU-bound by the same spider and pipelines
that replay runs, so replay/live there measures what the archive saves over
HTTP plus WARC writing; replay/polite is the speed-up a user sees over
re-crawling. Prints pages/s for each (engine time from the run manifests,
and wall time including process start), the ratios replay/live (goal: >= 3),
replay/polite and replay/floor.
Usage: ``python bench/replay.py [--pages N] [--polite-pages N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import generate_site  # noqa: E402

from sample.demo import crawl_env, sample_site  # noqa: E402

FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
}


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scrapy(arguments: list[str], settings: dict[str, str], env: dict[str, str]) -> tuple[float, float]:
    """Run one scrapy command; its wall time and its CPU time (the sample server is not a child of it)."""
    command = [sys.executable, "-m", "scrapy", *arguments]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    started, cpu = time.monotonic(), child_cpu()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return time.monotonic() - started, child_cpu() - cpu


def run_manifests(out_dir: Path) -> list[dict]:
    return [json.loads(path.read_text("utf-8")) for path in sorted((out_dir / "runs").glob("*.json"))]


def summarise(name: str, out_dir: Path, timing: tuple[float, float]) -> dict[str, float]:
    wall, cpu = timing
    manifests = run_manifests(out_dir)
    pages = sum(m["counts"]["responses"] or m["stats"].get("replay/records", 0) for m in manifests)
    seconds = sum(m["duration_seconds"] for m in manifests)
    records = sum(m["counts"]["records_written"] for m in manifests)
    return {"name": name, "pages": pages, "seconds": seconds, "wall": wall, "records": records, "cpu": cpu,
            "pages_per_s": pages / seconds, "wall_pages_per_s": pages / wall, "cpu_pages_per_s": pages / cpu}


def fastwarc_floor(warc_dir: Path) -> dict[str, float]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    started = time.monotonic()
    pages = 0
    size = 0
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle, record_types=WarcRecordType.response | WarcRecordType.revisit):
                size += len(record.reader.read())
                pages += 1
    seconds = time.monotonic() - started
    return {"name": "floor", "pages": pages, "seconds": seconds, "wall": seconds, "records": 0, "cpu": seconds,
            "pages_per_s": pages / seconds, "wall_pages_per_s": pages / seconds, "cpu_pages_per_s": pages / seconds,
            "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--page-bytes", type=int, default=30_000)
    parser.add_argument("--polite-pages", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        tmp_path = Path(tmp)
        site = tmp_path / "site"
        generate_site(site, args.pages, args.page_bytes)
        seed = ["-a", f"seed={site / 'bench.toml'}"]
        with sample_site(site_dir=site) as proxy_url:
            timing = scrapy(["crawl", "news", *seed], {**FAST, "OUTPUT_DIR": str(tmp_path / "live")}, crawl_env(proxy_url))
            polite = None
            if args.polite_pages:
                settings = {"CLOSESPIDER_PAGECOUNT": str(args.polite_pages), "LOG_LEVEL": "WARNING",
                            "OUTPUT_DIR": str(tmp_path / "polite")}
                polite_timing = scrapy(["crawl", "news", *seed], settings, crawl_env(proxy_url))
        live = summarise("live", tmp_path / "live", timing)
        if args.polite_pages:
            polite = summarise("polite", tmp_path / "polite", polite_timing)
        # The site is down now: replay has nothing to reach even if it tried.
        timing = scrapy(["replay", str(tmp_path / "live" / "warc"), *seed],
                      {**FAST, "OUTPUT_DIR": str(tmp_path / "replay")}, crawl_env("http://127.0.0.1:9"))
        replay = summarise("replay", tmp_path / "replay", timing)
        floor = fastwarc_floor(tmp_path / "live" / "warc")
    print(f"{'':9}{'pages':>7} {'engine s':>9} {'pages/s':>9} {'wall s':>8} {'wall pages/s':>13} "
          f"{'CPU s':>8} {'CPU pages/s':>12}  records")
    for result in (live, replay, floor, *([polite] if polite else [])):
        print(f"{result['name']:9}{result['pages']:7d} {result['seconds']:9.2f} {result['pages_per_s']:9.1f} "
              f"{result['wall']:8.2f} {result['wall_pages_per_s']:13.1f} {result['cpu']:8.2f} "
              f"{result['cpu_pages_per_s']:12.1f}  {result['records'] or ''}")
    print(f"replay/live  throughput ratio: {replay['pages_per_s'] / live['pages_per_s']:.2f} "
          f"(wall {replay['wall_pages_per_s'] / live['wall_pages_per_s']:.2f}, "
          f"crawler CPU {replay['cpu_pages_per_s'] / live['cpu_pages_per_s']:.2f}; goal >= 3)")
    if polite:
        print(f"replay/polite throughput ratio: {replay['pages_per_s'] / polite['pages_per_s']:.1f} "
              f"(the project's default politeness, first {polite['pages']} pages)")
    print(f"replay/floor throughput ratio: {replay['pages_per_s'] / floor['pages_per_s']:.3f}")
    print(f"load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores shared: compare ratios)")
    if replay["records"] != live["records"]:
        print(f"WARNING: replay wrote {replay['records']} records, the live crawl {live['records']}")


if __name__ == "__main__":
    main()
