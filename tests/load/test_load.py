"""Loading JSONL into PostgreSQL, DuckDB, Parquet and polars (crawler/load/, scrapy load).

PostgreSQL is a real server (tests/postgres.py); each test uses a schema of its own.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import threading
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.synthetic_articles import make_record, write_jsonl
from tests.postgres import answers, choose_database_url, start_pgserver

from crawler.load import LoadReport, load_paths
from crawler.load.arrow import read_polars
from crawler.load.columns import arrow_schema, column_names, shipped_files
from crawler.load.parquet import read_dataset
from crawler.load.upsert import Counts

ROOT = Path(__file__).resolve().parent.parent.parent
SPAM = [{"text": "澳门新葡京在线娱乐", "where": "body", "rule": "lexicon:gambling", "score": 0.97}]
WARC = {"file": "mca-run2-00000.warc.gz", "offset": 1234, "record_id": "<urn:uuid:7d6e>", "payload_digest": "sha1:ABCD"}


def pg_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchall()


def duck_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path)) as connection:
        return connection.execute(sql).fetchall()


def test_shipped_table_definitions_are_generated_from_the_item() -> None:
    package = resources.files("crawler.schema")
    for name, content in shipped_files().items():
        shipped = package.joinpath(name).read_bytes()
        if name.endswith(".arrow"):
            assert pa.ipc.read_schema(pa.py_buffer(shipped)) == arrow_schema(), "run python -m crawler.schema"
        else:
            assert shipped.decode("utf-8") == content.decode("utf-8"), f"{name} is stale: run python -m crawler.schema"
    ddl = package.joinpath("article-v3.postgresql.sql").read_text("utf-8")
    for line in ("published_at timestamptz,", "published_date date,", "spam_removed jsonb NOT NULL,",
                 "attachments jsonb NOT NULL,", "warc jsonb,", "cloaked boolean,", "fetched_at timestamptz NOT NULL,"):
        assert line in ddl
    assert "ON articles (site, published_date)" in ddl and "ON articles (canonical_url)" in ddl


# What each store calls the column types of the item, by column.
POSTGRES_TYPES = {"published_at": "timestamp with time zone", "fetched_at": "timestamp with time zone",
                  "published_date": "date", "spam_removed": "jsonb", "attachments": "jsonb", "warc": "jsonb",
                  "cloaked": "boolean", "schema_version": "bigint", "body": "text"}
SPAM_STRUCT = 'STRUCT("text" VARCHAR, "where" VARCHAR, "rule" VARCHAR, score DOUBLE)[]'
DUCKDB_TYPES = {"published_at": "TIMESTAMP WITH TIME ZONE", "fetched_at": "TIMESTAMP WITH TIME ZONE",
                "published_date": "DATE", "spam_removed": SPAM_STRUCT, "cloaked": "BOOLEAN",
                "schema_version": "BIGINT", "body": "VARCHAR"}
POLARS_TYPES = {"published_at": pl.Datetime("us", "UTC"), "fetched_at": pl.Datetime("us", "UTC"),
                "published_date": pl.Date, "cloaked": pl.Boolean, "schema_version": pl.Int64, "body": pl.String,
                "spam_removed": pl.List(pl.Struct({"text": pl.String, "where": pl.String, "rule": pl.String, "score": pl.Float64})),
                "warc": pl.Struct({"file": pl.String, "offset": pl.Int64, "record_id": pl.String,
                                   "payload_digest": pl.String})}


def test_a_first_file_of_empty_lists_and_nulls_loads_with_the_same_types_everywhere(
    tmp_path: Path, postgres_url: str, pg_table: str
) -> None:
    # The first file alone gives no type to spam_removed (always []), cloaked and warc (always null):
    # inferred from the data, they come out as null columns (polars and DuckDB do that).
    first = write_jsonl(tmp_path / "jsonl" / "mca-run1.jsonl", [make_record(n) for n in range(3)])
    write_jsonl(tmp_path / "jsonl" / "mca-run2.jsonl",
                [make_record(10, spam_removed=SPAM, cloaked=True, warc=WARC, published_date="2023-12-30")])
    assert pl.read_ndjson(first).schema["cloaked"] == pl.Null  # what inference does; the loader must not

    reports = {
        "postgres": load_paths([tmp_path], postgres_url, pg_table),
        "duckdb": load_paths([tmp_path], f"duckdb:///{tmp_path / 'a.duckdb'}"),
        "parquet": load_paths([tmp_path], f"parquet:{tmp_path / 'parquet'}"),
    }
    for report in reports.values():
        assert report.ok and report.counts == Counts(new=4)

    schema, table = pg_table.split(".")
    pg_types = dict(pg_rows(postgres_url, "SELECT column_name, data_type FROM information_schema.columns "
                                          f"WHERE table_schema = '{schema}' AND table_name = '{table}'"))
    assert {name: pg_types[name] for name in POSTGRES_TYPES} == POSTGRES_TYPES
    duck_types = {row[0]: row[1] for row in duck_rows(tmp_path / "a.duckdb", "DESCRIBE articles")}
    assert {name: duck_types[name] for name in DUCKDB_TYPES} == DUCKDB_TYPES

    files = sorted((tmp_path / "parquet").rglob("*.parquet"))
    assert {file.parent.relative_to(tmp_path / "parquet").as_posix() for file in files} == {
        "site=mca/year=2024", "site=mca/year=2023"}
    for file in files:  # the file holding only the first run's rows has the full types too
        physical = pq.read_schema(file)
        for name in ("spam_removed", "cloaked", "warc", "published_at"):
            assert physical.field(name).type == arrow_schema().field(name).type
    assert read_dataset(tmp_path / "parquet").schema == arrow_schema()

    frame = read_polars([tmp_path])
    from_parquet = pl.from_arrow(read_dataset(tmp_path / "parquet"))
    for polars_schema in (frame.schema, from_parquet.schema):
        assert {name: polars_schema[name] for name in POLARS_TYPES} == POLARS_TYPES
    assert frame.columns == column_names()

    # and the values survive the trip
    url = make_record(10)["url"]
    spam_pg, cloaked_pg, offset_pg = pg_rows(
        postgres_url, f"SELECT spam_removed, cloaked, warc->'offset' FROM {pg_table} WHERE url = '{url}'")[0]
    assert (spam_pg, cloaked_pg, offset_pg) == (SPAM, True, 1234)
    assert duck_rows(tmp_path / "a.duckdb", f"SELECT spam_removed, cloaked FROM articles WHERE url = '{url}'") == [
        (SPAM, True)]
    assert frame.filter(pl.col("url") == url)["spam_removed"].to_list() == [SPAM]


@pytest.fixture(params=["postgres", "duckdb"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, Any]:
    """(URL, table, run(sql) -> rows) of a real PostgreSQL schema or a DuckDB file."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        table = request.getfixturevalue("pg_table")
        return url, table, lambda sql: pg_rows(url, sql.format(table=table, versions=table.replace("articles", "article_versions")))
    path = tmp_path / "articles.duckdb"
    return f"duckdb:///{path}", "articles", lambda sql: duck_rows(path, sql.format(table="articles",
                                                                                    versions="article_versions"))


def test_loading_again_changes_nothing_and_a_changed_article_keeps_its_old_version(
    tmp_path: Path, database: tuple[str, str, Any]
) -> None:
    url, table, query = database
    run1 = write_jsonl(tmp_path / "in" / "mca-run1.jsonl", [make_record(n) for n in range(3)])
    first = load_paths([run1], url, table)
    assert first.counts == Counts(new=3)
    assert load_paths([run1], url, table).counts == Counts(unchanged=3)
    assert query("SELECT count(*), count(DISTINCT id) FROM {table}") == [(3, 3)]
    assert query("SELECT count(*) FROM {versions}") == [(0,)]

    later = "2024-04-01T02:00:00Z"
    run2 = write_jsonl(tmp_path / "in" / "mca-run2.jsonl", [
        make_record(0, body="民政部更正：会议改期举行。", fetched_at=later),  # changed body
        make_record(1, fetched_at=later, warc=WARC),  # only fetched again: same content
        make_record(2, cloaked=False, fetched_at=later),  # a changed field
    ])
    assert load_paths([run2], url, table).counts == Counts(updated=2, unchanged=1)
    assert load_paths([run2], url, table).counts == Counts(unchanged=3)
    assert load_paths([run1], url, table).counts == Counts(older=2, unchanged=1)  # old run again: no regression

    current = dict(query("SELECT id, body FROM {table}"))
    assert current[make_record(0)["id"]] == "民政部更正：会议改期举行。"
    assert query("SELECT count(*), count(DISTINCT id) FROM {table}") == [(3, 3)]
    versions = query("SELECT id, body, cloaked FROM {versions} ORDER BY id")
    assert sorted(versions) == sorted([(make_record(0)["id"], make_record(0)["body"], None),
                                       (make_record(2)["id"], make_record(2)["body"], None)])


def test_an_older_run_loaded_after_a_newer_one_goes_to_the_history(tmp_path: Path, database: tuple[str, str, Any]) -> None:
    url, table, query = database
    old = write_jsonl(tmp_path / "old.jsonl", [make_record(0)])
    new = write_jsonl(tmp_path / "new.jsonl", [make_record(0, title="新标题", fetched_at="2024-05-01T00:00:00Z")])
    assert load_paths([new], url, table).counts == Counts(new=1)
    assert load_paths([old], url, table).counts == Counts(older=1)
    assert query("SELECT title FROM {table}") == [("新标题",)]
    assert query("SELECT title FROM {versions}") == [(make_record(0)["title"],)]


def test_parquet_keeps_one_row_per_article_and_moves_it_with_its_year(tmp_path: Path) -> None:
    target = f"parquet:{tmp_path / 'pq'}"
    run1 = write_jsonl(tmp_path / "run1.jsonl", [make_record(n) for n in range(3)])
    assert load_paths([run1], target).counts == Counts(new=3)
    assert load_paths([run1], target).counts == Counts(unchanged=3)
    run2 = write_jsonl(tmp_path / "run2.jsonl", [make_record(0, published_date="2025-01-02", fetched_at="2025-01-03T00:00:00Z")])
    assert load_paths([run2], target).counts == Counts(updated=1)
    table = read_dataset(tmp_path / "pq")
    assert sorted(table["id"].to_pylist()) == sorted(make_record(n)["id"] for n in range(3))
    years = {file.parent.name for file in (tmp_path / "pq").rglob("*.parquet")}
    assert years == {"year=2024", "year=2025"}


def test_a_byte_order_mark_is_read_and_lines_that_are_not_utf8_or_json_are_malformed(tmp_path: Path) -> None:
    path = tmp_path / "mca-run1.jsonl"
    lines = [json.dumps(make_record(number), ensure_ascii=False).encode("utf-8") for number in range(4)]
    lines[1] = lines[1].replace("民政部".encode("utf-8"), b"\xe6\xb0", 1)  # a character cut in half
    lines[2] = lines[2].replace(b'"cloaked": null', b'"cloaked": NaN')
    path.write_bytes(codecs.BOM_UTF8 + b"\n".join(lines) + b"\n")
    report = load_paths([path], f"duckdb:///{tmp_path / 'a.duckdb'}")
    assert [(p.line, p.kind) for p in report.problems] == [(2, "malformed"), (3, "malformed")]
    assert "not valid JSON" in report.problems[0].reason
    assert report.counts == Counts(new=2)
    assert duck_rows(tmp_path / "a.duckdb", "SELECT url FROM articles ORDER BY url") == sorted(
        [(make_record(0)["url"],), (make_record(3)["url"],)])

def test_bad_lines_are_reported_by_file_and_line_and_the_rest_loads(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "jsonl" / "mca-run1.jsonl", [
        make_record(0),
        '{"url": "https://www.mca.gov.cn/cut-off',
        make_record(1, published_date="15/03/2024"),
        "[1, 2]",
        make_record(2, schema_version=1),  # version 1 has no cloaked field
        {k: v for k, v in make_record(3, schema_version=1).items() if k != "cloaked"},  # a version-1 record
        make_record(4, published_date="2024-02-30"),  # matches the pattern, not the calendar
    ])
    report = load_paths([tmp_path], f"duckdb:///{tmp_path / 'a.duckdb'}")
    assert not report.ok
    assert [(p.file, p.line, p.kind) for p in report.problems] == [
        (str(path), 2, "malformed"), (str(path), 3, "rejected"), (str(path), 4, "malformed"), (str(path), 5, "rejected"),
        (str(path), 7, "rejected")]
    assert "published_date" in report.problems[1].reason and make_record(1)["url"] in report.problems[1].reason
    assert "cloaked" in report.problems[3].reason
    assert "published_date: '2024-02-30' is not a real date" in report.problems[4].reason
    assert report.counts == Counts(new=2)
    assert duck_rows(tmp_path / "a.duckdb", "SELECT count(*), count(cloaked) FROM articles") == [(2, 0)]


def test_a_missing_path_is_reported_and_a_part_file_only_skipped(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "out" / "jsonl" / "mca-run1.jsonl", [make_record(0)])
    write_jsonl(tmp_path / "out" / "jsonl" / "mca-run2.jsonl.part", [make_record(1)])
    url = f"duckdb:///{tmp_path / 'a.duckdb'}"
    report = load_paths([tmp_path / "out"], url)
    assert report.ok and report.counts == Counts(new=1)
    assert [path.name for path, _reason in report.skipped] == ["mca-run2.jsonl.part"]
    report = load_paths([tmp_path / "out", tmp_path / "typo"], url)
    assert not report.ok and report.counts == Counts(unchanged=1)


def run_load(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "scrapy", "load", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.e2e
def test_scrapy_load_exits_1_after_loading_what_it_could(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "out" / "jsonl" / "mca-run1.jsonl", [make_record(0), "{not json", make_record(1)])
    done = run_load("out", "--table", "news", cwd=tmp_path)  # the default target: OUTPUT_DIR/articles.duckdb
    assert done.returncode == 1, done.stderr
    assert done.stderr.count(f"{Path('out/jsonl/mca-run1.jsonl')}:2: malformed") == 1
    assert "2 new" in done.stderr
    assert duck_rows(tmp_path / "out" / "articles.duckdb", "SELECT count(*) FROM news") == [(2,)]


def test_two_loads_of_the_same_directory_at_once_leave_correct_data(
    tmp_path: Path, postgres_url: str, pg_table: str
) -> None:
    later = "2024-04-01T02:00:00Z"
    write_jsonl(tmp_path / "jsonl" / "mca-run1.jsonl", [make_record(n) for n in range(400)])
    write_jsonl(tmp_path / "jsonl" / "mca-run2.jsonl",
                [make_record(n, body=f"第{n}篇的更正稿。", fetched_at=later) for n in range(0, 400, 2)])
    reports: list[LoadReport] = []
    start = threading.Barrier(2)

    def load() -> None:
        start.wait()
        reports.append(load_paths([tmp_path], postgres_url, pg_table, batch_size=50))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(reports) == 2 and all(report.ok for report in reports)
    assert sum(report.counts.new for report in reports) == 400
    assert sum(report.counts.updated for report in reports) == 200
    versions = pg_table.replace("articles", "article_versions")
    assert pg_rows(postgres_url, f"SELECT count(*), count(DISTINCT id) FROM {pg_table}") == [(400, 400)]
    changed = pg_rows(postgres_url, f"SELECT count(*) FROM {pg_table} WHERE body LIKE '%更正稿%'")
    assert changed == [(200,)]
    assert pg_rows(postgres_url, f"SELECT count(*), count(DISTINCT id) FROM {versions}") == [(200, 200)]


def test_the_test_database_is_the_configured_one_and_pgserver_only_a_fallback(tmp_path: Path) -> None:
    started: list[bool] = []

    def start() -> tuple[str, Any]:
        started.append(True)
        return "postgresql://started-by-pgserver/test", None

    assert choose_database_url({"DATABASE_URL": "postgresql://elsewhere/db"}, start) == ("postgresql://elsewhere/db", None)
    assert not answers("postgresql://127.0.0.1:1/test", timeout=1)
    assert choose_database_url({}, start, local_url="postgresql://127.0.0.1:1/test")[0] == "postgresql://started-by-pgserver/test"
    assert started == [True]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR on CI machines
        import pgserver
    assert callable(start_pgserver) and callable(pgserver.get_server)  # the fallback is installed


def readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("## Loading into a database"):]
    section = section[: section.index("\n## ", 10)]
    blocks = [block.split("```", 1)[0] for block in section.split("```sql\n")[1:]]
    return [block for block in blocks if block.lstrip().startswith("SELECT")]


def test_the_readme_queries_answer_on_a_loaded_table(tmp_path: Path, postgres_url: str, pg_table: str) -> None:
    write_jsonl(tmp_path / "run1.jsonl", [make_record(0), make_record(1, spam_removed=SPAM)])
    write_jsonl(tmp_path / "run2.jsonl", [make_record(0, title="更正后的标题", fetched_at="2024-04-01T00:00:00Z")])
    assert load_paths([tmp_path], postgres_url, pg_table).ok
    schema = pg_table.split(".")[0]
    queries = readme_queries()
    assert len(queries) == 3
    with psycopg.connect(postgres_url) as connection:
        connection.execute(f"SET search_path = {schema}")
        per_month, spam, versions = (
            connection.execute(query.replace("4a1a1e1e1f2c9d1d1a9c1b2e3f4a5b6c7d8e9f00", make_record(0)["id"])).fetchall()
            for query in queries
        )
    assert [(site, month.isoformat(), count) for site, month, count in per_month] == [("mca", "2024-03-01", 2)]
    assert spam == [("lexicon:gambling", 1)]
    assert [(version.split()[0], title) for version, _fetched, title, _sha in versions] == [
        ("current", "更正后的标题"), ("replaced", make_record(0)["title"])]


def test_an_article_twice_in_one_file_loads_its_later_fetch(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "run.jsonl", [
        make_record(0, title="后抓取的版本", fetched_at="2024-03-16T02:00:00.500Z"),
        make_record(0, title="先抓取的版本", fetched_at="2024-03-16T02:00:00Z"),
    ])
    report = load_paths([tmp_path], f"duckdb:///{tmp_path / 'a.duckdb'}")
    assert report.duplicates == 1 and report.counts == Counts(new=1)
    assert duck_rows(tmp_path / "a.duckdb", "SELECT title FROM articles") == [("后抓取的版本",)]


@pytest.mark.e2e
def test_a_load_into_a_duckdb_file_another_process_holds_waits_for_it(tmp_path: Path) -> None:
    database = tmp_path / "a.duckdb"
    write_jsonl(tmp_path / "in" / "run.jsonl", [make_record(0)])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
         "time.sleep(1.5)", str(database)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"open\n"
        report = load_paths([tmp_path / "in"], f"duckdb:///{database}")
        assert holder.poll() is not None  # it loaded once the other process let go
    finally:
        holder.wait(10)
    assert report.ok and report.counts == Counts(new=1)
