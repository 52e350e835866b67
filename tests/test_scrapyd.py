"""Scrapyd: schedule a crawl of the sample site through Scrapyd's HTTP API and find its JSONL.

Scrapyd runs from the venv on a free loopback port in a temp dir. It serves
the installed project through its ``[settings]`` section (no egg upload), the
way docs/scheduling.md describes for a host where the project is installed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.crawling import EXPECTED, read_jsonl

from sample.demo import LOOPBACK_SETTINGS, ROOT

pytestmark = pytest.mark.e2e

PROJECT = "ministry_news"
SCRAPYD = Path(sys.executable).with_name("scrapyd")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Scrapyd:
    def __init__(self, process: subprocess.Popen[bytes], port: int, home: Path) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.home = home

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        url = f"{self.base}/{endpoint}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        with NO_PROXY.open(url, timeout=10) as response:
            return json.loads(response.read())

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        data = urllib.parse.urlencode(fields).encode()
        with NO_PROXY.open(f"{self.base}/{endpoint}", data=data, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path: Path, sample_site: Any) -> Iterator[Scrapyd]:
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        "poll_interval = 0.2\n"
        f"logs_dir = {home / 'logs'}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"
        "max_proc = 1\n"
        "\n[settings]\n"
        f"{PROJECT} = crawler.settings\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
    env.update(
        http_proxy=sample_site.proxy_url,  # the crawl reaches "real" host names through the sample proxy
        SCRAPY_SETTINGS_MODULE="crawler.settings",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    log = (home / "scrapyd.stderr").open("wb")
    process = subprocess.Popen(
        [str(SCRAPYD), "--nodaemon", f"--pidfile={home / 'twistd.pid'}", f"--logfile={home / 'scrapyd.log'}"],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    server = Scrapyd(process, port, home)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if server.get("daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("scrapyd did not start: " + (home / "scrapyd.stderr").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_schedule_sample_crawl_through_scrapyd(scrapyd: Scrapyd, tmp_path: Path, sample_site: Any) -> None:
    sample_site.reset()
    assert PROJECT in scrapyd.get("listprojects.json")["projects"]
    spiders = scrapyd.get("listspiders.json", project=PROJECT)["spiders"]
    assert "mca" in spiders and "gov" in spiders

    out = tmp_path / "out"
    settings = {**LOOPBACK_SETTINGS, "OUTPUT_DIR": str(out)}
    answer = scrapyd.post(
        "schedule.json",
        [("project", PROJECT), ("spider", "mca"), *[("setting", f"{k}={v}") for k, v in settings.items()]],
    )
    assert answer["status"] == "ok", answer
    job = answer["jobid"]

    deadline = time.monotonic() + 180
    while True:
        jobs = scrapyd.get("listjobs.json", project=PROJECT)
        finished = [j for j in jobs["finished"] if j["id"] == job]
        if finished:
            break
        assert time.monotonic() < deadline, f"job {job} did not finish: {jobs}"
        time.sleep(0.3)
    job_log = scrapyd.home / "logs" / PROJECT / "mca" / f"{job}.log"

    records = read_jsonl(out, "mca")
    expected = set(EXPECTED["mca"]["articles"]) - set(EXPECTED["mca"].get("duplicates", {}))
    assert {record["url"] for record in records} == expected, job_log.read_text(errors="replace")[-3000:]
    assert "crawl mca: exit status 0" in job_log.read_text(errors="replace")
    sample_site.reset()
