"""The settings `scrapy replay` runs each archived run with (crawler/commands/replay.py)."""

from __future__ import annotations

from scrapy.settings import Settings

from crawler.commands.replay import CAPTURE, REPLAY, replay_settings


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
