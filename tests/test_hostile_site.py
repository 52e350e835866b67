"""Crawls of the sample site's hostile pages (faults.sample.test/hostile/): nothing lost, nothing silent.

One list page holds ordinary article links between a link whose host NFKC-normalises
into other characters, a link with port 99999, a redirect to itself, a URL over
URLLENGTH_LIMIT, a page that is only a script and a page of 10,000 nested divs.
Another holds a 50 MB article and a gzip bomb that inflates to 1 GiB.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.crawling import manifests, read_jsonl

from sample.demo import ROOT, crawl_command, crawl_env

HOSTILE = "http://faults.sample.test/hostile"
# The whole crawl's peak RSS (one process: the WARC writer is a thread, extraction runs
# inline); measured ~350 MiB, the ceiling is 500 MB.
BOUND_MIB = 476  # 500 MB, the bound the issue sets for the whole crawl
SEED = """
name = "hostile"
site_name = "故障测试站"
allowed_domains = ["faults.sample.test"]
start_urls = [{start}]
language = "zh"
article_patterns = ['/hostile/(good-[0-9]|script-only|deep|huge|bomb-1g|a{{50,}})\\.html$', '/redirect-loop\\.html$']
list_patterns = ['/hostile/(index|big)\\.html$']
"""


def _crawl(tmp_path: Path, proxy_url: str, start: str, settings: dict[str, str] | None = None) -> subprocess.Popen[str]:
    seed = tmp_path / "hostile.toml"
    seed.write_text(SEED.format(start=json.dumps(start)), encoding="utf-8")
    command = crawl_command("news", tmp_path / "out", {"RETRY_TIMES": "0", **(settings or {})}) + ["-a", f"seed={seed}"]
    return subprocess.Popen(command, cwd=ROOT, env=crawl_env(proxy_url), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.e2e
def test_hostile_links_redirects_and_empty_pages_are_reported_and_cost_nothing_else(tmp_path, fresh_sample_site):
    crawl = _crawl(tmp_path, fresh_sample_site.proxy_url, f"{HOSTILE}/index.html")
    _, log = crawl.communicate(timeout=180)
    assert "Traceback" not in log, log[-4000:]
    requested = set(fresh_sample_site.requested_urls())
    # Point 3: the articles beside the bad links were requested and written.
    assert {f"{HOSTILE}/good-1.html", f"{HOSTILE}/good-2.html"} <= requested
    records = {record["url"]: record for record in read_jsonl(tmp_path / "out", "hostile")}
    assert {f"{HOSTILE}/good-1.html", f"{HOSTILE}/good-2.html"} <= set(records)
    manifest = manifests(tmp_path / "out")["hostile"]
    stats, entries = manifest["stats"], manifest["entries"]
    assert stats["links/invalid"] == 2
    assert "spider_exceptions/count" not in stats and "spider_error" not in entries
    invalid = {entry["link"]: entry for entry in entries["invalid_link"]}
    nfkc = "http://evil.example.com＃@faults.sample.test/hostile/good-9.html"
    port = "http://faults.sample.test:99999/hostile/good-8.html"
    assert set(invalid) == {nfkc, port}
    assert all(entry["page"] == f"{HOSTILE}/index.html" for entry in invalid.values())
    assert "NFKC" in invalid[nfkc]["reason"] and "Port" in invalid[port]["reason"]
    assert f"Invalid link on {HOSTILE}/index.html: {nfkc!r}" in log
    assert crawl.returncode == 0, log[-3000:]
    # Point 4: the self-redirect and the over-long URL are counted, logged and listed.
    assert stats["dropped/redirect_loop"] == 1
    (loop,) = entries["redirect_loop"]
    assert loop["url"] == "http://faults.sample.test/redirect-loop.html"
    assert "Redirect loop, http://faults.sample.test/redirect-loop.html not fetched" in log
    assert stats["urllength/request_ignored_count"] == 1
    (too_long,) = entries["url_too_long"]
    assert too_long["length"] > 2083 and too_long["page"] == f"{HOSTILE}/index.html"
    assert too_long["url"].startswith(f"{HOSTILE}/aaaa")
    assert "Link not followed, URL of" in log
    assert not any("aaaaaaaa" in url for url in requested)
    # Point 5: the script-only page gives no record but an invalid_record problem; the
    # 10,000-deep page is parsed and its text kept.
    assert f"{HOSTILE}/script-only.html" not in records
    assert stats["spider/invalid_record"] == 1
    assert [entry["url"] for entry in entries["invalid_record"]] == [f"{HOSTILE}/script-only.html"]
    deep = records[f"{HOSTILE}/deep.html"]
    assert "第二段正文" in deep["body"] and deep["title"] == "深层嵌套页面测试"
    assert stats["extract/flattened"] == 1
    assert all(record["body"].strip() for record in records.values())


def _rss_kib(pid: int) -> tuple[int, int] | None:
    """(VmHWM, VmRSS) of a live process, in KiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    try:
        return int(values["VmHWM"].split()[0]), int(values["VmRSS"].split()[0])
    except (KeyError, ValueError):
        return None


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class TreeMemory:
    """Samples the resident memory of a process tree until the root exits.

    ``peak_sum_mib`` bounds the tree's peak from above: every process's own high-water
    mark (VmHWM, the kernel's), summed as if all had peaked at the same moment.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.high_water: dict[int, int] = {}
        self.sampled_total_kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            total = 0
            for pid in {self.pid, *_descendants(self.pid)}:
                sample = _rss_kib(pid)
                if sample is not None:
                    self.high_water[pid] = max(self.high_water.get(pid, 0), sample[0])
                    total += sample[1]
            self.sampled_total_kib = max(self.sampled_total_kib, total)
            time.sleep(0.02)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def peak_sum_mib(self, root_peak_kib: int) -> float:
        others = sum(kib for pid, kib in self.high_water.items() if pid != self.pid)
        return (max(root_peak_kib, self.high_water.get(self.pid, 0)) + others) / 1024


@pytest.mark.e2e
@pytest.mark.alone  # beside another test's crawl, its peak reached 489 and 510 MiB in 2 of 5 runs
def test_a_50_mb_page_and_a_1_gib_gzip_bomb_keep_memory_bounded(tmp_path, fresh_sample_site):
    """The whole crawl's peak memory, measured per process (the kernel's high-water marks).

    Summed over the process tree, so a child process added later counts too. Measured
    ~350 MiB; before the parse cap extraction alone took ~0.9 GiB.
    """
    crawl = _crawl(tmp_path, fresh_sample_site.proxy_url, f"{HOSTILE}/big.html")
    memory = TreeMemory(crawl.pid)
    output: dict[str, str] = {}
    readers = [threading.Thread(target=lambda name=name: output.__setitem__(name, getattr(crawl, name).read()))
               for name in ("stdout", "stderr")]
    for reader in readers:
        reader.start()
    try:
        # wait4: the crawl's own peak (and its reaped children's), from the kernel's accounting.
        _, status, usage = os.wait4(crawl.pid, 0)
    finally:
        memory.stop()
    for reader in readers:
        reader.join()
    crawl.returncode = os.waitstatus_to_exitcode(status)
    log = output["stderr"]
    assert crawl.returncode == 0, log[-4000:]
    peak = memory.peak_sum_mib(usage.ru_maxrss)
    assert peak < BOUND_MIB, f"summed peak RSS of the crawl and any children {peak:.0f} MiB: {memory.high_water}"
    manifest = manifests(tmp_path / "out")["hostile"]
    stats, entries = manifest["stats"], manifest["entries"]
    # The 50 MB page: downloaded whole (the WARC keeps it), parsed only up to EXTRACT_MAXSIZE,
    # its body cut at EXTRACT_MAX_BODY_CHARS; both counted and listed.
    assert stats["extract/parse_truncated"] == 1 and stats["extract/body_truncated"] == 1
    assert sorted((entry["url"], entry["setting"], entry["limit"]) for entry in entries["truncated"]) == [
        (f"{HOSTILE}/huge.html", "EXTRACT_MAXSIZE", 8 * 1024 * 1024),
        (f"{HOSTILE}/huge.html", "EXTRACT_MAX_BODY_CHARS", 500_000)]
    records = {record["url"]: record for record in read_jsonl(tmp_path / "out", "hostile")}
    assert 0 < len(records[f"{HOSTILE}/huge.html"]["body"]) <= 500_000
    assert f"{HOSTILE}/good-1.html" in records
    jsonl_lines = (tmp_path / "out" / "jsonl").glob("hostile-*.jsonl")
    assert max(len(line) for path in jsonl_lines for line in path.read_bytes().splitlines()) < 2 * 1024 * 1024
    # The bomb stops at DOWNLOAD_MAXSIZE and is reported as a failed article.
    assert stats.get("warc/decompression_bombs", 0) >= 1
    assert f"{HOSTILE}/bomb-1g.html" in {entry["url"] for entry in entries["failed"]}
