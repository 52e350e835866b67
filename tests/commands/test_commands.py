"""Scrapy's own commands (shell, fetch, view, parse, check) work and write nothing into OUTPUT_DIR.

The archive, JSONL, state, lock and manifest components belong to ``scrapy
crawl`` and ``scrapy replay`` (crawler/runoutputs.py). Each command runs as a
subprocess through the sample site's proxy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from sample.demo import LOOPBACK_SETTINGS, ROOT, crawl_env
from crawler.runoutputs import RUN_OUTPUT_COMPONENTS, RunOutputs

LIST_PAGE = "http://www.mca.gov.cn/n152/n165/index.html"

COMMANDS: dict[str, tuple[list[str], str]] = {
    # name: (arguments after `scrapy`, text the output must hold)
    "shell without a URL": (["shell", "-c", "1+1"], "2"),
    "shell with a URL": (["shell", LIST_PAGE, "-c", "(response.status, spider.name)"], "(200, 'mca')"),
    "fetch": (["fetch", "--nolog", LIST_PAGE], "媒体报道"),
    "view": (["view", "--nolog", LIST_PAGE], ""),
    # depth 2: the list page's requests, then the article callbacks' items
    "parse": (["parse", "--spider", "mca", "-c", "parse_list", "--depth", "2", LIST_PAGE], "'body':"),
    "check": (["check"], "OK"),
}


def scrapy(arguments: list[str], output_dir: Path, proxy_url: str) -> subprocess.CompletedProcess[str]:
    env = crawl_env(proxy_url)
    env["BROWSER"] = "true"  # `scrapy view` opens the page with a command that does nothing
    command = [sys.executable, "-m", "scrapy", *arguments, "-s", f"OUTPUT_DIR={output_dir}"]
    for name, value in LOOPBACK_SETTINGS.items():  # no politeness delays on loopback (`parse` follows ~20 links)
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(COMMANDS))
def test_scrapy_command_works_and_leaves_output_dir_alone(name: str, sample_site: Any, tmp_path: Path) -> None:
    arguments, expected = COMMANDS[name]
    output_dir = tmp_path / "out"
    result = scrapy(arguments, output_dir, sample_site.proxy_url)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert expected in result.stdout + result.stderr
    if name == "check":
        ran = [line for line in result.stderr.splitlines() if line.startswith("Ran ")]
        assert ran and int(ran[0].split()[1]) > 0, result.stderr[-2000:]
    assert not output_dir.exists(), sorted(str(p) for p in output_dir.rglob("*"))


def test_outside_crawl_and_replay_the_run_output_components_are_switched_off() -> None:
    from scrapy.utils.test import get_crawler

    project = Settings()
    project.setmodule("crawler.settings", priority="project")
    project.set("ITEM_PIPELINES", {**project.getdict("ITEM_PIPELINES"), "pipelines.jsonl.JsonLinesWriter": 900},
                priority="cmdline")
    RunOutputs(get_crawler()).update_settings(project)
    for name, paths in RUN_OUTPUT_COMPONENTS.items():
        enabled = {path for path, order in project[name].items() if order is not None}
        assert enabled.isdisjoint(paths), name
    assert project.getdict("ITEM_PIPELINES")["pipelines.normalize.NormalizePipeline"] == 100  # the rest stay

    for_a_crawl = Settings()
    for_a_crawl.setmodule("crawler.settings", priority="project")
    for_a_crawl.set("RUN_OUTPUTS_ENABLED", True, priority="command")  # what `scrapy crawl` and `scrapy replay` set
    RunOutputs(get_crawler()).update_settings(for_a_crawl)
    assert for_a_crawl.getdict("DOWNLOADER_MIDDLEWARES")["crawler.middlewares.warc.WarcCaptureMiddleware"] == 950
    assert for_a_crawl.getdict("ITEM_PIPELINES")["pipelines.jsonl.JsonLinesWriter"] == 800
