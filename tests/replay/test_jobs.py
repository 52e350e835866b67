"""``scrapy replay --jobs N``: extraction in worker processes, same records in the same order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import SEED_ORDER, read_jsonl
from tests.replay.test_replay import by_url, files_of_seed, replay_stats, run_replay, without


@pytest.mark.e2e
def test_replay_with_extraction_workers_writes_what_the_inline_replay_writes(
    sample_crawl: Any, fresh_sample_site: Any, tmp_path: Path
) -> None:
    warc_dir = sample_crawl.output_dir / "warc"
    inline = run_replay([warc_dir], tmp_path / "inline", args=["--jobs", "0"])
    assert inline.returncode == 0, inline.stderr[-4000:]
    pooled = run_replay([warc_dir], tmp_path / "pooled", args=["--jobs", "2"])
    assert pooled.returncode == 0, pooled.stderr[-4000:]
    assert "Extracting articles in 2 worker processes" in pooled.stderr
    assert fresh_sample_site.requests() == [], "replay reached the network"
    stats = replay_stats(tmp_path / "pooled")
    compared = 0
    for seed in SEED_ORDER:
        expected = read_jsonl(tmp_path / "inline", seed)
        got = read_jsonl(tmp_path / "pooled", seed)
        # Record for record, in the same order (dedup and the writer saw the same sequence).
        assert [without(r, "fetched_at") for r in got] == [without(r, "fetched_at") for r in expected], seed
        live = by_url(sample_crawl.records(seed))
        for record in got:
            assert without(record, "fetched_at", "warc") == without(live[record["url"]], "fetched_at", "warc")
            compared += 1
        assert stats[seed].get("extract/pool_errors", 0) == 0
    assert compared == len(sample_crawl.all_records())
    total = {key: sum(s.get(key, 0) for s in stats.values()) for key in (
        "extract/read_ahead_used", "extract/pool_ready", "extract/pool_waited", "extract/pool_taken_back")}
    # Pages a worker extracted (those the crawl process took back it extracted itself) ...
    from_workers = total["extract/pool_ready"] + total["extract/pool_waited"]
    assert from_workers > 0 and from_workers + total["extract/pool_taken_back"] >= compared
    # ... most of them read from the archive by the worker when the request was scheduled.
    assert total["extract/read_ahead_used"] > 0


@pytest.mark.e2e
def test_a_negative_job_count_is_a_usage_error(sample_crawl: Any, tmp_path: Path) -> None:
    result = run_replay([sample_crawl.output_dir / "warc"], tmp_path / "out", args=["--jobs", "-1"])
    assert result.returncode == 2
    assert "--jobs" in result.stderr


def test_replay_extracts_in_one_fewer_workers_than_cpus_by_default() -> None:
    from crawler.commands.replay import MAX_DEFAULT_JOBS, default_jobs

    assert [default_jobs(cpus) for cpus in (1, 2, 3, 8)] == [0, 1, 2, MAX_DEFAULT_JOBS]
    assert default_jobs(None) == default_jobs(os.cpu_count())


@pytest.mark.e2e
def test_the_jobs_default_gives_way_to_a_setting(sample_crawl: Any, tmp_path: Path) -> None:
    files = files_of_seed(sample_crawl.output_dir / "warc", "mca")
    result = run_replay(files, tmp_path / "out", settings={"EXTRACT_PROCESSES": "0"})
    assert result.returncode == 0, result.stderr[-4000:]
    assert "worker processes" not in result.stderr
    stats = replay_stats(tmp_path / "out")["mca"]
    assert not any(key.startswith("extract/pool_") for key in stats)
