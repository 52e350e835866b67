"""The settings `scrapy replay` runs each archived run with (crawler/commands/replay.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.commands.replay import CAPTURE, REPLAY, replay_settings
from sample.demo import ROOT


def project(**cmdline: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_replay_overrides_the_project_politeness_and_capture() -> None:
    declared = project()
    assert declared.getbool("WARC_ENABLED") and declared.getbool("AUTOTHROTTLE_ENABLED")  # the crawl's defaults
    replay = replay_settings(declared)
    assert not replay.getbool("WARC_ENABLED")
    assert not replay.getbool("AUTOTHROTTLE_ENABLED")
    assert replay.getfloat("DOWNLOAD_DELAY") == 0
    middlewares = replay.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[CAPTURE] is None and middlewares[REPLAY] is not None
    assert declared.getbool("WARC_ENABLED")  # the command's own settings are left as they were


def test_the_command_line_still_wins() -> None:
    replay = replay_settings(project(DOWNLOAD_DELAY=2.5))
    assert replay.getfloat("DOWNLOAD_DELAY") == 2.5



@pytest.mark.e2e
def test_replay_refuses_an_option_it_does_not_know_instead_of_reading_it_as_a_path(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(  # --jobs was removed with the extraction pool
        [sys.executable, "-m", "scrapy", "replay", "--jobs", "2", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "unknown option --jobs" in result.stderr
    assert "Skipping" not in result.stdout + result.stderr  # nothing was read as a path
