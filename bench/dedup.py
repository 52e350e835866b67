"""Benchmark: synthetic articles through the dedup component with the SQLite state store.

Prints items/s and RSS at checkpoints (100k, 500k, 1M by default) for two
passes over the same kind of data:

* ``exact``: canonical URL, id, body digest, exact-duplicate and cross-run
  lookups (the goal: >= 5,000 items/s, peak RSS < 200 MB, flat as the
  count grows; a polite crawl fetches about two pages a second per site);
* ``near``: the same plus MinHash LSH near-duplicate search. MinHash costs
  about a millisecond per article, so this pass defaults to fewer items
  (``--near-count``); pass ``--near-count 1000000`` for the full run.

About 5% of the articles are republications (same body, another URL) and 2%
revisions (an editor's note added), so both duplicate paths are exercised.
Bodies are punctuated as Chinese news is (full-width commas, colons,
brackets, quotes), which takes a costlier path than unpunctuated text;
``--plain-text`` generates the unpunctuated bodies of earlier runs.
Only the dedup calls are timed, not the synthetic data generation: items are
generated in chunks of 1,000 and each chunk's dedup loop is timed as a whole
(clock reads per item would cost a few percent of the work measured).

    python bench/dedup.py                     # 1M exact + 100k near, a few minutes
    python bench/dedup.py --count 20000 --near-count 2000 --checkpoints 10000,20000
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.dedup.sqlite import SQLiteStateStore  # noqa: E402
from crawler.dedup.decide import Deduplicator  # noqa: E402
from crawler.dedup.near import NearDuplicateIndex  # noqa: E402

# Common characters of ministry news, so shingles look like real text.
ALPHABET = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    "十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间"
    "样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入"
    "常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光"
    "门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至"
    "达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非"
    "验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养"
)


CHUNK = 1000


def sentence(rng: random.Random) -> str:
    """A sentence punctuated as Chinese news is: full-width commas and colons, enumeration commas, quotes, brackets."""
    clauses = []
    for _ in range(rng.randint(2, 4)):
        clause = "".join(rng.choices(ALPHABET, k=rng.randint(5, 16)))
        roll = rng.random()
        if roll < 0.1:
            clause = f"“{clause}”"
        elif roll < 0.15:
            clause += f"（{''.join(rng.choices(ALPHABET, k=4))}）"
        elif roll < 0.3:
            clause += "、" + "".join(rng.choices(ALPHABET, k=rng.randint(2, 4)))
        clauses.append(clause)
    return "".join(clause + rng.choice("，，，，：；") for clause in clauses[:-1]) + clauses[-1] + "。"


def paragraph_pool(rng: random.Random, size: int = 4000, *, plain: bool = False) -> list[str]:
    """Paragraphs of 60-160 characters; ``plain``: without punctuation inside (the text of earlier runs)."""
    if plain:
        return ["".join(rng.choices(ALPHABET, k=rng.randint(60, 160))) + "。" for _ in range(size)]
    pool = []
    for _ in range(size):
        paragraph, length = "", rng.randint(60, 130)  # about 60-160 once the last sentence is in
        while len(paragraph) < length:
            paragraph += sentence(rng)
        pool.append(paragraph)
    return pool


def articles(count: int, seed: int = 7, *, plain: bool = False) -> Iterator[tuple[str, str]]:
    """(url, body) pairs: unique articles with republications and revisions mixed in."""
    rng = random.Random(seed)
    pool = paragraph_pool(rng, plain=plain)
    recent: list[str] = []
    for n in range(count):
        site = n % 23
        url = f"http://www.site{site}.gov.cn/art/{2000 + n % 25}/{n}.html"
        if n % 7 == 0:
            url += f"?utm_source=wx&from=timeline&page={n % 3}"
        roll = rng.random()
        if recent and roll < 0.05:
            body = rng.choice(recent)  # republished elsewhere: exact duplicate
        elif recent and roll < 0.07:
            body = "编者按：本文转载时有删节。\n\n" + rng.choice(recent)  # revised: near duplicate
        else:
            body = f"第{n}号。" + "\n\n".join(rng.sample(pool, 5))
            if len(recent) < 500:
                recent.append(body)
            else:
                recent[rng.randrange(500)] = body
        yield url, body


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_pass(
    name: str, count: int, checkpoints: list[int], state_dir: Path, near: bool, plain: bool = False
) -> dict[str, float]:
    store = SQLiteStateStore(state_dir / f"{name}.sqlite")  # as a crawl opens it (open_state_store)
    index = NearDuplicateIndex(store) if near else None
    dedup = Deduplicator(store, run_id="bench", near_duplicates=index)
    kinds: dict[str, int] = {}
    timed = 0.0
    cpu = 0.0
    last_n, last_t = 0, 0.0
    marks = sorted(c for c in checkpoints if c <= count) or [count]
    print(f"{name}: {count:,} items{' (exact + near-duplicate)' if near else ' (exact)'}; RSS before the pass {current_rss_mb():.0f} MB")
    print(f"  {'items':>9}  {'items/s':>9}  {'interval/s':>10}  {'per CPU-s':>9}  {'RSS MB':>7}  {'peak MB':>7}")
    stream = articles(count, plain=plain)
    n = 0
    while n < count:
        # A chunk never runs past the next checkpoint, so every mark is reported.
        size = min(CHUNK, count - n, min((m for m in marks if m > n), default=count) - n)
        chunk = list(itertools.islice(stream, size))
        decisions = []
        start, start_cpu = time.perf_counter(), time.process_time()
        for url, body in chunk:
            decision = dedup.classify(url=url, body=body, site="bench")
            dedup.record(decision)
            decisions.append(decision)
        n += len(chunk)
        if n in marks:
            store.flush()  # timed: the batch in flight is part of the work
        timed += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        for decision in decisions:
            kinds[decision.kind] = kinds.get(decision.kind, 0) + 1
            if decision.near_duplicate_of:
                kinds["near_duplicate"] = kinds.get("near_duplicate", 0) + 1
        if n in marks:
            interval = (n - last_n) / (timed - last_t) if timed > last_t else float("inf")
            print(
                f"  {n:>9,}  {n / timed:>9,.0f}  {interval:>10,.0f}  {n / cpu:>9,.0f}"
                f"  {current_rss_mb():>7.1f}  {peak_rss_mb():>7.1f}"
            )
            last_n, last_t = n, timed
    store.close()
    size = sum(p.stat().st_size for p in state_dir.glob(f"{name}.sqlite*")) / 2**20
    print(f"  outcome: {kinds}; state file {size:,.0f} MB")
    return {
        "items_per_s": count / timed if timed else float("inf"),
        "items_per_cpu_s": count / cpu if cpu else float("inf"),
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="items in the exact pass")
    parser.add_argument("--near-count", type=int, default=100_000, help="items in the near-duplicate pass (0 skips)")
    parser.add_argument("--checkpoints", default="100000,500000,1000000", help="comma-separated item counts to report at")
    parser.add_argument("--state-dir", type=Path, default=None, help="where the SQLite files go (default: a temp dir)")
    parser.add_argument("--plain-text", action="store_true",
                        help="bodies without punctuation inside paragraphs, as the bench generated before 2026-11-29 (for comparisons)")
    args = parser.parse_args(argv)
    checkpoints = [int(x) for x in args.checkpoints.split(",") if x.strip()]
    state_dir = args.state_dir or Path(tempfile.mkdtemp(prefix="bench-dedup-"))
    state_dir.mkdir(parents=True, exist_ok=True)
    try:
        exact = run_pass("exact", args.count, checkpoints, state_dir, near=False, plain=args.plain_text)
        verdict = "meets" if exact["items_per_s"] >= 5_000 and exact["peak_rss_mb"] < 200 else "misses"
        print(f"exact dedup: {exact['items_per_s']:,.0f} items/s wall-clock ({exact['items_per_cpu_s']:,.0f} per CPU-second), "
              f"peak RSS {exact['peak_rss_mb']:.0f} MB ({verdict} the goal of >= 5,000 items/s and < 200 MB; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        if args.near_count > 0:
            near_marks = [c for c in checkpoints if c <= args.near_count]
            if args.near_count not in near_marks:
                near_marks.append(args.near_count)
            near = run_pass("near", args.near_count, [args.near_count // 10, *near_marks], state_dir, near=True,
                            plain=args.plain_text)
            print(f"exact + near-duplicate: {near['items_per_s']:,.0f} items/s wall-clock "
                  f"({near['items_per_cpu_s']:,.0f} per CPU-second), peak RSS {near['peak_rss_mb']:.0f} MB")
            # Per article, CPU time: what near-duplicate search adds to exact dedup
            # (the exact figure is over its own, usually larger, count).
            exact_us, near_us = 1e6 / exact["items_per_cpu_s"], 1e6 / near["items_per_cpu_s"]
            print(f"per article (CPU): exact {exact_us:,.0f} us, exact + near {near_us:,.0f} us, "
                  f"near-duplicate search {near_us - exact_us:,.0f} us")
    finally:
        if args.state_dir is None:
            shutil.rmtree(state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
