"""A crawl and a replay reach nothing but loopback, and open no control servers.

The crawl and the replay run as subprocesses with ``tests/network_guard`` on
PYTHONPATH: its ``sitecustomize`` makes every name lookup or connection
outside 127.0.0.1/::1 fail and records the attempt. The mca seed's list page
sets cookies, so Scrapy's cookie middleware consults the Public Suffix List
(tldextract); each run gets an empty tldextract cache, so a download of the
list would show up in the guard's record.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tldextract
from tests.crawling import read_jsonl
from scrapy.downloadermiddlewares import cookies
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from sample.demo import ROOT, crawl_command, crawl_env
from crawler.spiderloader import SeedSpiderLoader

GUARD = Path(__file__).resolve().parent / "network_guard"


def guarded_env(env: dict[str, str], guard_log: Path, tld_cache: Path) -> dict[str, str]:
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join([str(GUARD), str(ROOT), env.get("PYTHONPATH", "")])
    env["NETWORK_GUARD_LOG"] = str(guard_log)
    env["TLDEXTRACT_CACHE"] = str(tld_cache)
    return env


def attempts(guard_log: Path) -> list[str]:
    return guard_log.read_text("utf-8").splitlines() if guard_log.exists() else []


@pytest.mark.e2e
def test_the_guard_refuses_and_records_outside_connections(tmp_path: Path) -> None:
    guard_log = tmp_path / "guard.log"
    script = (
        "import socket, urllib.request\n"
        "try:\n    urllib.request.urlopen('https://publicsuffix.org/list/public_suffix_list.dat', timeout=5)\n"
        "except OSError as exc:\n    print('REFUSED')\n"
        "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=5)\n"
        "except OSError as exc:\n    print('REFUSED')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    completed = subprocess.run([sys.executable, "-c", script], env=guarded_env(env, guard_log, tmp_path / "tld"),
                               capture_output=True, text=True, timeout=60)
    assert completed.stdout.split() == ["REFUSED", "REFUSED"], completed.stderr
    assert [line.split(" ", 1)[1] for line in attempts(guard_log)] == ["resolve publicsuffix.org", "connect 192.0.2.1"]


@pytest.mark.e2e
def test_crawl_and_replay_reach_nothing_outside_loopback(sample_site: Any, tmp_path: Path) -> None:
    guard_log, out = tmp_path / "guard.log", tmp_path / "out"
    sample_site.reset()
    crawl = subprocess.run(crawl_command("mca", out), cwd=ROOT, capture_output=True, text=True, timeout=300,
                           env=guarded_env(crawl_env(sample_site.proxy_url), guard_log, tmp_path / "tld-crawl"))
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert read_jsonl(out, "mca"), "the crawl wrote no records"
    assert "http://www.mca.gov.cn/n152/n165/index.html" in sample_site.requested_urls()  # the page that sets cookies

    replayed = tmp_path / "replayed"
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    replay = subprocess.run(
        [sys.executable, "-m", "scrapy", "replay", str(out / "warc"), "-s", f"OUTPUT_DIR={replayed}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=guarded_env(env, guard_log, tmp_path / "tld-replay"),
    )
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert len(read_jsonl(replayed, "mca")) == len(read_jsonl(out, "mca"))

    assert attempts(guard_log) == []
    for log in (crawl.stderr, replay.stderr):
        assert "Public Suffix List" not in log
        assert "Remote control HTTP server" not in log
        assert "Telnet console listening" not in log


def test_project_settings_start_no_control_server_and_keep_tldextract_offline(tmp_path: Path) -> None:
    project = {name: value for name, value in vars(project_settings).items() if name.isupper()}
    project["OUTPUT_DIR"] = str(tmp_path)
    # Scrapy's own extensions (EXTENSIONS_BASE) and ours minus the run lock, which needs a started spider.
    project["EXTENSIONS"] = {name: order for name, order in project["EXTENSIONS"].items() if "runlock" not in name}
    spider_class = SeedSpiderLoader(Settings(project)).load("mca")
    crawler = get_crawler(spider_class, project)
    loaded = {type(extension).__name__ for extension in crawler.extensions.middlewares}
    assert crawler.settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert "OfflinePublicSuffixList" in loaded
    assert not loaded & {"RemoteControl", "TelnetConsole"}
    assert tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls == ()
    assert cookies._split_domain.suffix_list_urls == ()
    # The bundled snapshot answers (no network in tests: a download would have failed here).
    assert cookies._is_public_domain("gov.cn") and not cookies._is_public_domain("www.mca.gov.cn")
