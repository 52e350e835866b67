"""Benchmark: loading synthetic articles into PostgreSQL and DuckDB, against a plain COPY of the same rows.

Writes ``--count`` articles (default 100,000; ~1.5 KB of Chinese body text
each, some with spam removals, attachments and a cloaking verdict) as JSONL
runs of ``--per-file`` records, then for each database prints rows/s for:

* ``plain COPY``: the rows, already in memory, copied into an empty table of
  the same definition in one statement (PostgreSQL: ``COPY … FROM STDIN``;
  DuckDB: ``COPY … FROM`` the JSONL files, DuckDB's own reader, until the
  file is closed and checkpointed, as a load's time is);
* ``first load``: ``crawler.load.load_paths`` from the JSONL files: read,
  parse, check against the schema, stage, merge (history and all);
* ``again, unchanged``: the same files loaded a second time (writes nothing).

Each line gives the wall time; DuckDB's lines also give the CPU time of the
process (all its threads: DuckDB works inside it), steadier than wall time
on a busy machine. The goal: the first load at least 0.5x plain COPY. PostgreSQL is
``$DATABASE_URL`` or postgresql://127.0.0.1:5432/test; the bench works in a
schema of its own and drops it.

    python bench/load.py
    python bench/load.py --count 20000 --repeat 3   # best of 3 on a busy machine
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
import psycopg  # noqa: E402

from crawler.items import SCHEMA_VERSION  # noqa: E402
from crawler.load import load_paths  # noqa: E402
from crawler.load.columns import column_names, duckdb_ddl, postgres_ddl  # noqa: E402
from crawler.load.postgres import copy_rows, write_rows  # noqa: E402
from crawler.load.records import complete  # noqa: E402

WORDS = ("民政部", "养老服务", "社会救助", "基层治理", "慈善事业", "儿童福利", "殡葬改革", "区划地名", "社会组织", "志愿服务",
         "部署", "推进", "落实", "加强", "完善", "召开", "会议", "指出", "要求", "全面", "工作", "制度", "体系", "保障")
SITES = ("mca", "mof", "moe", "mohrss")


def article(number: int, rng: random.Random) -> dict[str, Any]:
    site = SITES[number % len(SITES)]
    url = f"https://www.{site}.gov.cn/xw/{2020 + number % 5}/c{number}/content.html"
    paragraphs = ["".join(rng.choice(WORDS) for _ in range(40)) + "。" for _ in range(8)]
    body = "\n\n".join(paragraphs)
    day = f"{2020 + number % 5}-{1 + number % 12:02d}-{1 + number % 28:02d}"
    return {
        "url": url, "site": site, "language": "zh", "schema_version": SCHEMA_VERSION, "id": hashlib.sha1(url.encode()).hexdigest(),
        "canonical_url": url, "title": "".join(rng.choice(WORDS) for _ in range(8)), "published_date": day,
        "published_at": f"{day}T{number % 24:02d}:30:00+08:00" if number % 3 else None, "source": "新华社",
        "author": None, "section": "工作动态", "body": body, "body_sha1": hashlib.sha1(body.encode()).hexdigest(),
        "attachments": [{"url": f"https://www.{site}.gov.cn/files/{number}.pdf", "title": "附件1"}] if number % 7 == 0 else [],
        "near_duplicate_of": None,
        "spam_removed": [{"text": "澳门博彩在线", "where": "body", "rule": "lexicon:gambling"}] if number % 11 == 0 else [],
        "cloaked": (number % 13 == 0) if number % 2 else None, "fetched_at": "2024-06-01T00:00:00Z",
        "encoding": "utf-8", "extractor_version": "4.2",
        "warc": {"file": f"{site}-run1-00000.warc.gz", "offset": number * 4096, "record_id": f"<urn:uuid:{uuid.UUID(int=number)}>",
                 "payload_digest": "sha1:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"},
    }


def write_input(directory: Path, count: int, per_file: int) -> list[dict[str, Any]]:
    rng = random.Random(20)
    records = [article(number, rng) for number in range(count)]
    for start in range(0, count, per_file):
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[start:start + per_file])
        (directory / f"run-{start // per_file:03d}.jsonl").write_text(lines, encoding="utf-8")
    return records


Time = tuple[float, float]  # wall seconds, CPU seconds of this process (all its threads)


def timed(action: Any) -> tuple[Time, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return (time.perf_counter() - wall, time.process_time() - cpu), result


def line(label: str, rows: int, seconds: Time, baseline: Time | None = None, cpu: bool = False) -> str:
    wall = seconds[0]
    text = f"  {label:<18} {rows:>8} rows in {wall:6.2f} s = {rows / wall:>9,.0f} rows/s"
    if baseline:
        text += f"  {baseline[0] / wall:5.2f}x plain COPY"
    if cpu:  # DuckDB works inside this process: its CPU time is the whole cost
        text += f"  | CPU {seconds[1]:6.2f} s" + (f"  {baseline[1] / seconds[1]:5.2f}x" if baseline else "")
    return text


def best(runs: list[tuple[Time, Time, Time]]) -> tuple[Time, Time, Time]:
    """The fastest wall and CPU time of each phase over the repeats (the machine is shared; noise only slows)."""
    phases = zip(*runs, strict=True)
    return tuple((min(wall for wall, _cpu in phase), min(cpu for _wall, cpu in phase)) for phase in phases)  # type: ignore[return-value]


def bench_postgres(url: str, directory: Path, records: list[dict[str, Any]], repeat: int) -> None:
    plain, first, again = best([postgres_once(url, directory, records) for _ in range(repeat)])
    print(f"PostgreSQL ({url.split('@')[-1]}), best of {repeat} (wall time: the server does the work):")
    print(line("plain COPY", len(records), plain))
    print(line("first load", len(records), first, plain))
    print(line("again, unchanged", len(records), again, plain))


def postgres_once(url: str, directory: Path, records: list[dict[str, Any]]) -> tuple[Time, Time, Time]:
    schema = f"bench_load_{uuid.uuid4().hex[:10]}"
    rows = copy_rows([complete(r) for r in records])
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
            connection.execute(postgres_ddl(f"{schema}.plain"))
            with connection.transaction(), connection.cursor() as cursor:
                plain, _ = timed(lambda: write_rows(cursor, f"{schema}.plain", rows))
        first, report = timed(lambda: load_paths([directory], url, f"{schema}.articles"))
        assert report.ok and report.counts.new == len(records), report.summary()
        again, report = timed(lambda: load_paths([directory], url, f"{schema}.articles"))
        assert report.counts.unchanged == len(records), report.summary()
        return plain, first, again
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def bench_duckdb(work: Path, directory: Path, records: list[dict[str, Any]], repeat: int) -> None:
    plain, first, again = best([duckdb_once(work / f"try-{number}", directory, records) for number in range(repeat)])
    print(f"DuckDB, best of {repeat} (wall time, and CPU time of all threads):")
    print(line("plain COPY", len(records), plain, cpu=True))
    print(line("first load", len(records), first, plain, cpu=True))
    print(line("again, unchanged", len(records), again, plain, cpu=True))


def duckdb_once(work: Path, directory: Path, records: list[dict[str, Any]]) -> tuple[Time, Time, Time]:
    work.mkdir()
    plain_db = work / "plain.duckdb"
    connection = duckdb.connect(str(plain_db))
    connection.execute(duckdb_ddl("plain"))
    columns = ", ".join(f'"{name}"' for name in column_names())

    def copy_and_close() -> None:
        connection.execute(f"COPY plain ({columns}) FROM '{directory}/*.jsonl' (FORMAT json)")
        connection.close()  # DuckDB checkpoints the file as it closes it; a load's time includes that too

    plain, _ = timed(copy_and_close)
    with duckdb.connect(str(plain_db), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM plain").fetchone() == (len(records),)
    url = f"duckdb:///{work / 'load.duckdb'}"
    first, report = timed(lambda: load_paths([directory], url))
    assert report.ok and report.counts.new == len(records), report.summary()
    again, report = timed(lambda: load_paths([directory], url))
    assert report.counts.unchanged == len(records), report.summary()
    shutil.rmtree(work)
    return plain, first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=1, help="run each database N times and keep the fastest")
    parser.add_argument("--databases", default="postgres,duckdb", help="which to bench: postgres, duckdb or both")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or "postgresql://127.0.0.1:5432/test")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        directory = work / "jsonl"
        directory.mkdir()
        records = write_input(directory, args.count, args.per_file)
        size = sum(path.stat().st_size for path in directory.glob("*.jsonl"))
        print(f"{args.count} articles in {len(list(directory.glob('*.jsonl')))} JSONL files, {size / 2**20:.0f} MiB; "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        if "postgres" in args.databases:
            bench_postgres(args.database_url, directory, records, args.repeat)
        if "duckdb" in args.databases:
            bench_duckdb(work, directory, records, args.repeat)
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
