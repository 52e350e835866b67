"""Loading whole JSONL files into DuckDB (crawler/load/run.py): the same result as batch by batch.

DuckDB reads a whole file while Python checks its lines; the batch-by-batch
load (every file DuckDB is not given whole) is the reference: each test
loads the same input both ways and compares everything a load leaves.
"""

from __future__ import annotations

import codecs
import json
import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.synthetic_articles import make_record, write_jsonl

from crawler.load import LoadReport, load_paths
from crawler.load.duckdbfile import DuckDBTarget
from crawler.load.records import FileScan, scan_file
from crawler.load.upsert import Counts

SPAM = [{"text": "澳门新葡京在线娱乐", "where": "body", "rule": "lexicon:gambling", "score": 0.97}]
WARC = {"file": "mca-run2-00000.warc.gz", "offset": 1234, "record_id": "<urn:uuid:7d6e>", "payload_digest": "sha1:ABCD"}
LATER = "2024-04-01T02:00:00Z"


def line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of both tables, without the times of the load itself."""
    with duckdb.connect(str(path), read_only=True) as connection:
        return {
            table: connection.execute(
                f"SELECT * EXCLUDE ({excluded}) FROM {table} ORDER BY id, fetched_at").fetchall()
            for table, excluded in (("articles", "loaded_at"), ("article_versions", "loaded_at, saved_at"))
        } | {"types": connection.execute("SELECT column_name, data_type FROM information_schema.columns "
                                         "ORDER BY table_name, ordinal_position").fetchall()}


def outcome(report: LoadReport) -> tuple[Any, ...]:
    return (report.files, report.records, report.counts, report.duplicates, [str(p) for p in report.problems],
            report.failed, report.ok)


class Spy:
    """Records what each whole-file merge returned (None: the file went batch by batch)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.merged: dict[str, Counts | None] = {}
        self.read: dict[str, bool] = {}
        stage, merge = DuckDBTarget.stage_file, DuckDBTarget.merge_file
        current: list[str] = []

        def stage_file(target: DuckDBTarget, path: Path) -> bool:
            current[:] = [Path(path).name]
            self.read[Path(path).name] = result = stage(target, path)
            return result

        def merge_file(target: DuckDBTarget, scan: FileScan) -> Counts | None:
            self.merged[current[0]] = result = merge(target, scan)
            return result

        monkeypatch.setattr(DuckDBTarget, "stage_file", stage_file)
        monkeypatch.setattr(DuckDBTarget, "merge_file", merge_file)


def batch_by_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DuckDBTarget, "stage_file", lambda target, path: False)


def load_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: list[list[Path]],
                   batch_size: int = 10_000) -> tuple[list[tuple[Any, ...]], Spy]:
    """Load each list of paths in turn whole-file and batch by batch; assert both leave the same; the outcomes."""
    whole, batched = tmp_path / "whole.duckdb", tmp_path / "batched.duckdb"
    outcomes: list[tuple[Any, ...]] = []
    with monkeypatch.context() as patch:
        spy = Spy(patch)
        for paths in runs:
            outcomes.append(outcome(load_paths(paths, f"duckdb:///{whole}", batch_size=batch_size)))
    with monkeypatch.context() as patch:
        batch_by_batch(patch)
        reference = [outcome(load_paths(paths, f"duckdb:///{batched}", batch_size=batch_size)) for paths in runs]
    assert outcomes == reference
    assert contents(whole) == contents(batched)
    return outcomes, spy


def test_a_first_file_of_empty_lists_then_changed_older_and_unchanged_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first 50 lines have only empty lists and nulls where later lines have values.
    run1 = write_jsonl(tmp_path / "in1" / "mca-run1.jsonl",
                       [make_record(n) for n in range(50)]
                       + [make_record(n, spam_removed=SPAM, cloaked=n % 2 == 0, warc=WARC) for n in range(50, 60)])
    run2 = write_jsonl(tmp_path / "in2" / "mca-run2.jsonl", [
        make_record(0, body="民政部更正：会议改期举行。", fetched_at=LATER),  # changed
        make_record(1, fetched_at=LATER, warc=WARC),  # fetched again, same content
        make_record(2, cloaked=True, fetched_at=LATER),  # a changed field
        make_record(3, title="旧标题", fetched_at="2024-01-01T00:00:00Z"),  # an older version
        make_record(100),  # new
    ])
    outcomes, spy = load_both_ways(tmp_path, monkeypatch, [[run1], [run2], [run1], [run2]])
    assert [o[2] for o in outcomes] == [Counts(new=60), Counts(new=1, updated=2, older=1, unchanged=1),
                                        Counts(older=2, unchanged=58), Counts(older=1, unchanged=4)]
    assert spy.merged == {"mca-run1.jsonl": outcomes[2][2], "mca-run2.jsonl": outcomes[3][2]}  # taken whole


def test_rejected_records_are_left_out_by_row_while_the_file_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in" / "mca-run1.jsonl"
    lines = [
        line(make_record(0)),
        "",  # blank lines are not rows
        line({k: v for k, v in make_record(1, schema_version=1).items() if k != "cloaked"}),  # a valid version-1 record
        line(make_record(2, schema_version=1)),  # version 1 has no cloaked field: rejected
        "   ",
        line(make_record(3) | {"comment": "an extra field"}),  # rejected: not in the schema
        line(make_record(4, url="ftp://www.mca.gov.cn/x")),  # rejected: pattern
        line(make_record(5)),
    ]
    path.parent.mkdir(parents=True)
    # a byte-order mark and Windows line ends, as an editor may save the file
    path.write_bytes(codecs.BOM_UTF8 + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    outcomes, spy = load_both_ways(tmp_path, monkeypatch, [[path], [path]])
    files, records, counts, duplicates, problems, failed, ok = outcomes[0]
    assert (records, counts, ok) == (3, Counts(new=3), False)
    assert [problem.split(": ")[0] for problem in problems] == [f"{path}:4", f"{path}:6", f"{path}:7"]
    assert outcomes[1][2] == Counts(unchanged=3)
    assert spy.merged["mca-run1.jsonl"] == Counts(unchanged=3)


def test_a_malformed_line_in_the_middle_or_a_value_duckdb_cannot_read_loads_the_file_batch_by_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut = write_jsonl(tmp_path / "a" / "mca-run1.jsonl",
                      [make_record(0), '{"url": "https://www.mca.gov.cn/cut-off', make_record(1), "[1, 2]", make_record(2)])
    bad_date = write_jsonl(tmp_path / "b" / "mca-run2.jsonl",
                           [make_record(3), make_record(4, published_date="2024-02-30"), make_record(5)])
    clean = write_jsonl(tmp_path / "c" / "mca-run3.jsonl", [make_record(6)])
    outcomes, spy = load_both_ways(tmp_path, monkeypatch, [[cut, bad_date, clean]], batch_size=2)
    assert outcomes[0][1:3] == (6, Counts(new=6))
    assert [problem.split(": ")[0] for problem in outcomes[0][4]] == [f"{cut}:2", f"{cut}:4", f"{bad_date}:2"]
    assert spy.read == {"mca-run1.jsonl": False, "mca-run2.jsonl": False, "mca-run3.jsonl": True}
    assert spy.merged == {"mca-run3.jsonl": Counts(new=1)}


def test_an_article_on_two_lines_of_a_file_keeps_the_batches_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of two: the first version is loaded, then the second replaces it and goes to the history.
    path = write_jsonl(tmp_path / "in" / "mca-run1.jsonl", [
        make_record(0), make_record(1), make_record(0, title="后抓取的版本", fetched_at=LATER), make_record(2)])
    outcomes, spy = load_both_ways(tmp_path, monkeypatch, [[path]], batch_size=2)
    assert outcomes[0][2] == Counts(new=3, updated=1)
    assert spy.read == {"mca-run1.jsonl": True} and spy.merged == {}  # read whole, merged batch by batch


def test_rows_that_do_not_line_up_with_the_checked_lines_write_nothing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mca-run1.jsonl", [make_record(n) for n in range(3)])
    scan = scan_file(path)
    positions, ids = scan.valid
    assert (scan.rows, positions) == (3, [1, 2, 3])
    target = DuckDBTarget(str(tmp_path / "a.duckdb"))
    try:
        shifted = FileScan(rows=3, valid=([1, 2, 3], [ids[1], ids[2], ids[0]]))
        assert target.stage_file(path) and target.merge_file(shifted) is None
        assert target.stage_file(path) and target.merge_file(FileScan(rows=4, valid=scan.valid)) is None
        assert target.connection.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        assert target.stage_file(path) and target.merge_file(scan) == Counts(new=3)
    finally:
        target.close()


def test_two_loads_of_one_duckdb_file_in_one_process_take_turns(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "jsonl" / "mca-run1.jsonl", [make_record(n) for n in range(300)])
    write_jsonl(tmp_path / "jsonl" / "mca-run2.jsonl",
                [make_record(n, body=f"第{n}篇的更正稿。", fetched_at=LATER) for n in range(0, 300, 2)])
    database = tmp_path / "a.duckdb"
    reports: list[LoadReport] = []
    start = threading.Barrier(2)

    def load() -> None:
        start.wait()
        reports.append(load_paths([tmp_path / "jsonl"], f"duckdb:///{database}", batch_size=50))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(reports) == 2 and all(report.ok and not report.failed for report in reports)
    assert {report.counts for report in reports} == {Counts(new=300, updated=150), Counts(unchanged=300, older=150)}
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE body LIKE '%更正稿%') "
                                  "FROM articles").fetchall() == [(300, 300, 150)]
        assert connection.execute("SELECT count(*), count(DISTINCT id) FROM article_versions").fetchall() == [(150, 150)]
