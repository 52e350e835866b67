"""``scrapy wacz``: a run's archive packaged as a WACZ that ``wacz validate`` accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sample.demo import ROOT
from crawler.replay.wacz import article_pages


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.e2e
def test_wacz_of_a_run_validates_and_holds_the_warcs_unchanged(sample_crawl: Any, tmp_path: Path) -> None:
    out = sample_crawl.output_dir
    target = tmp_path / "run.wacz"
    result = scrapy("wacz", str(out), "-o", str(target), "--title", "sample crawl")
    assert result.returncode == 0, result.stdout + result.stderr
    wacz = Path(sys.executable).with_name("wacz")
    validation = subprocess.run([str(wacz), "validate", "-f", str(target)], capture_output=True, text=True, timeout=300)
    assert validation.returncode == 0, validation.stdout + validation.stderr
    assert "Validation succeeded" in validation.stdout
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    with zipfile.ZipFile(target) as package:
        names = set(package.namelist())
        assert {"datapackage.json", "datapackage-digest.json", "indexes/index.cdx.gz", "pages/pages.jsonl"} <= names
        for path in warcs:
            assert package.read(f"archive/{path.name}") == path.read_bytes()
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").decode("utf-8").splitlines()]
        datapackage = json.loads(package.read("datapackage.json"))
    assert datapackage["title"] == "sample crawl"
    # The page list is the run's articles, with their cleaned titles.
    articles = {record["url"]: record["title"] for record in sample_crawl.all_records()}
    listed = {page["url"]: page["title"] for page in pages[1:]}
    assert listed == articles


@pytest.mark.e2e
def test_wacz_refuses_an_input_without_warcs(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    result = scrapy("wacz", str(tmp_path / "notes.txt"), "-o", str(tmp_path / "x.wacz"))
    assert result.returncode == 1
    assert "not a WARC file" in result.stderr and "No WARC files to package." in result.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_article_pages_skip_bad_lines_and_repeat_urls(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        json.dumps({"url": "http://a/1", "title": "一"}, ensure_ascii=False) + "\n"
        + "{broken\n"
        + json.dumps({"url": "http://a/1", "title": "again"}) + "\n"
        + json.dumps({"url": "http://a/2", "title": ""}) + "\n",
        encoding="utf-8",
    )
    assert article_pages([jsonl]) == [{"url": "http://a/1", "title": "一"}, {"url": "http://a/2", "title": "http://a/2"}]
