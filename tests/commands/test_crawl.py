"""``scrapy crawl`` usage errors: exit status 2 and one error line, nothing before it, nothing after it.

Run in-process through ``scrapy.cmdline.execute``: a usage error ends the
command before Scrapy's crawler process (and its banner) exists, so no
reactor is started.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_USAGE
from sample.demo import ROOT

BAD_SEED = (
    'name = "broken"\nsite_name = "坏种子"\nallowed_domains = ["www.mca.gov.cn"]\n'
    'start_urls = ["ftp://www.mca.gov.cn/"]\nlanguage = "zh"\n'
)


def crawl(argv: list[str], monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Exit status and the lines written to stdout and stderr."""
    from scrapy.cmdline import execute

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    with pytest.raises(SystemExit) as exited:
        execute(["scrapy", "crawl", *argv])
    out, err = capfd.readouterr()
    return int(exited.value.code or 0), (out + err).strip().splitlines()


def test_the_generic_spider_without_a_seed_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    status, lines = crawl(["news"], monkeypatch, capfd)
    assert status == EXIT_USAGE
    assert lines == [
        "scrapy crawl news: error: invalid seed or spider arguments: the 'news' spider needs a seed file: "
        "scrapy crawl news -a seed=PATH (exit status 2)"
    ]


def test_an_unknown_spider_gets_one_line_and_no_usage_block(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    status, lines = crawl(["nosuch"], monkeypatch, capfd)
    assert status == EXIT_USAGE
    assert lines == ["scrapy crawl nosuch: error: no spider 'nosuch' (see 'scrapy list') (exit status 2)"]


def test_a_bad_seed_file_ends_the_output_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_SEED, encoding="utf-8")
    status, lines = crawl(["news", "-a", f"seed={bad}"], monkeypatch, capfd)
    assert status == EXIT_USAGE
    assert not any("Scrapy" in line and "started" in line for line in lines)  # no banner before it
    assert lines[-1].startswith(f"scrapy crawl news: error: invalid seed or spider arguments: invalid seed file {bad}: ")
    assert "field 'start_urls'" in lines[-1]


def test_a_broken_shipped_seed_is_a_usage_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "broken.toml").write_text(BAD_SEED, encoding="utf-8")
    status, lines = crawl(["broken", "-s", f"SEEDS_DIR={seeds}"], monkeypatch, capfd)
    assert status == EXIT_USAGE
    assert not any("Traceback" in line for line in lines)
    assert lines[-1].startswith(f"scrapy crawl broken: error: invalid seed: invalid seed file {seeds / 'broken.toml'}: ")


def test_a_shipped_spider_refuses_a_seed_argument(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    status, lines = crawl(["mca", "-a", "seed=seeds/gov.toml"], monkeypatch, capfd)
    assert status == EXIT_USAGE
    assert lines[-1].endswith("-a seed is only for 'news' (exit status 2)")
