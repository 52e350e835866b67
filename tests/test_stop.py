"""Ctrl-C and ``systemctl stop``: a stop signal sent to the crawl's whole process group.

A terminal's Ctrl-C sends SIGINT to every process in the foreground group, and
``systemctl stop`` sends SIGTERM to every process of the unit. The crawl must
stop gracefully (WARC, JSONL, state and JOBDIR flushed and closed) within
STOP_BOUND_SECONDS, and a resumed run must then finish the site with every
article written exactly once and every WARC pointer resolving.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from tests.test_resume import ARTICLES, SLOW, check_outputs, part_lines, requested
from warcio.archiveiterator import ArchiveIterator

from sample.demo import ROOT, crawl_command, crawl_env

STOP_BOUND_SECONDS = 30


def records_in(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted((out / "jsonl").glob("*.jsonl*")) for line in path.read_bytes().splitlines()]


def resolves(warc_dir: Path, pointer: dict[str, Any]) -> bool:
    """Whether the pointer names a response or revisit record with its id at its offset."""
    path = warc_dir / pointer["file"]
    if not path.is_file():
        return False
    with open(path, "rb") as stream:
        stream.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(stream)), None)
        if record is None:
            return False
        return (
            record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
            and record.rec_type in ("response", "revisit")
        )


def stop_group_mid_crawl(out: Path, jobdir: Path, site: Any, sig: int) -> str:
    """Start a crawl in a process group of its own, signal the group once records flow; return stderr."""
    command = crawl_command("mca", out, {**SLOW, "JOBDIR": str(jobdir)})
    process = subprocess.Popen(command, cwd=ROOT, env=crawl_env(site.proxy_url), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (part_lines(out) >= 3 and sum(url in ARTICLES for url in requested(site)) >= 5):
            if process.poll() is not None:
                pytest.fail(f"crawl ended before the stop:\n{process.stderr.read()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail("the crawl never started writing records")
            time.sleep(0.03)
        os.killpg(process.pid, sig)
        try:
            _, stderr = process.communicate(timeout=STOP_BOUND_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the crawl did not exit within {STOP_BOUND_SECONDS} s of {signal.Signals(sig).name}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 0, stderr[-3000:]
    return stderr


@pytest.mark.e2e
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_stop_signal_to_process_group_then_resume(tmp_path: Path, fresh_sample_site: Any, sig: int) -> None:
    out, jobdir = tmp_path / "out", tmp_path / "job"
    site = fresh_sample_site
    stderr = stop_group_mid_crawl(out, jobdir, site, sig)
    assert "KeyboardInterrupt" not in stderr, stderr[-3000:]
    # stopped gracefully: JOBDIR saved, every output closed
    assert (jobdir / "requests.queue").exists() and not (jobdir / "run.active").exists()
    assert not list((out / "jsonl").glob("*.part")) and not list((out / "warc").glob("*.open"))
    (manifest_path,) = (out / "runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["finish_reason"] == "shutdown"
    stopped_records = records_in(out)
    assert stopped_records and all(record["warc"] is not None for record in stopped_records)
    stopped_warcs = sorted(str(path) for path in (out / "warc").glob("*.warc.gz"))
    assert manifest["outputs"]["warc"] == stopped_warcs  # the manifest names the run's WARC files

    site.reset_log()
    final = subprocess.run(crawl_command("mca", out, {"JOBDIR": str(jobdir)}), cwd=ROOT,
                           env=crawl_env(site.proxy_url), capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-3000:]
    check_outputs(out)  # every article exactly once across both runs, every WARC file valid
    records = records_in(out)
    assert all(record["warc"] is not None and resolves(out / "warc", record["warc"]) for record in records)
    (resumed_manifest,) = set((out / "runs").glob("*.json")) - {manifest_path}
    resumed_warcs = sorted(str(path) for path in (out / "warc").glob("*.warc.gz") if str(path) not in stopped_warcs)
    assert json.loads(resumed_manifest.read_text("utf-8"))["outputs"]["warc"] == resumed_warcs
