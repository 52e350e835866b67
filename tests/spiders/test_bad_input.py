"""Bad input never crashes a crawl: each case gets a log line naming the URL and a counter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.crawling import manifests, run_crawl

from sample.demo import ROOT, crawl_env

pytestmark = pytest.mark.e2e

FAULTS = "http://faults.sample.test"
SEED = f"""
name = "faults"
site_name = "故障测试站"
allowed_domains = ["faults.sample.test"]
start_urls = ["{FAULTS}/missing-start.html", "{FAULTS}/slow.html", "{FAULTS}/list.html"]
language = "zh"
article_patterns = ['/(good-article|redirect-offsite)\\.html$']
list_patterns = ['/(empty-)?list\\.html$']
"""
LIST = """<html><head><meta charset="utf-8"><title>工作动态</title></head><body><ul>
<li><a href="/good-article.html">民政部部署做好冬春救助工作</a> 2023-12-19</li>
<li><a href="/redirect-offsite.html">一条被转到站外的链接</a> 2023-12-18</li>
</ul><a href="/empty-list.html">下一页</a></body></html>"""
EMPTY_LIST = """<html><head><meta charset="utf-8"><title>工作动态</title></head><body><p>暂无信息</p></body></html>"""
ARTICLE = """<html><head><meta charset="utf-8"><title>民政部部署做好冬春救助工作</title>
<meta name="ArticleTitle" content="民政部部署做好冬春救助工作"><meta name="PubDate" content="2023-12-19 10:30"></head>
<body><h1>民政部部署做好冬春救助工作</h1><div id="zoom"><p>近日，民政部印发通知，要求各地切实做好冬春期间困难群众救助工作，确保困难群众温暖过冬。</p>
<p>通知强调，要加强对低保对象、特困人员等困难群众的主动发现和及时救助。</p></div></body></html>"""


def test_invalid_seed_file_exits_non_zero_before_crawling(tmp_path, fresh_sample_site):
    seed = tmp_path / "broken.toml"
    seed.write_text(SEED + "start_urls = \n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"seed={seed}", "-s", f"OUTPUT_DIR={tmp_path / 'out'}"],
        cwd=ROOT, env=crawl_env(fresh_sample_site.proxy_url), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert f"invalid seed file {seed}" in result.stderr
    assert fresh_sample_site.requests() == []


def test_unreachable_start_urls_empty_lists_and_offsite_redirects_are_logged_and_counted(tmp_path, fresh_sample_site):
    site = fresh_sample_site
    site.override(f"{FAULTS}/list.html", LIST)
    site.override(f"{FAULTS}/empty-list.html", EMPTY_LIST)
    site.override(f"{FAULTS}/good-article.html", ARTICLE)
    seed = tmp_path / "faults.toml"
    seed.write_text(SEED, encoding="utf-8")
    result = run_crawl(
        "news", tmp_path / "out", site.proxy_url,
        {"DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "0"}, args=["-a", f"seed={seed}"],
    )
    log = result.stderr
    assert "Traceback" not in log, log[-4000:]
    assert f"Failed list {FAULTS}/missing-start.html: http_404" in log
    assert f"Failed list {FAULTS}/slow.html: DownloadTimeoutError" in log
    assert f"List page has no article links: {FAULTS}/empty-list.html" in log
    assert f"Failed article {FAULTS}/redirect-offsite.html: offsite_redirect (to http://www.spam-example.com/landing.html)" in log
    manifest = manifests(tmp_path / "out")["faults"]
    stats = manifest["stats"]
    assert stats["spider/failed_reason/http_404"] == 1
    assert stats["spider/failed_reason/DownloadTimeoutError"] == 1
    assert stats["spider/failed_reason/offsite_redirect"] == 1
    assert stats["spider/failed_start_urls"] == 2
    assert stats["spider/list_without_articles"] == 1
    assert {entry["url"] for entry in manifest["entries"]["failed"]} == {
        f"{FAULTS}/missing-start.html", f"{FAULTS}/slow.html", f"{FAULTS}/redirect-offsite.html"
    }
    # The good article still made it, and the off-site target was never requested.
    (jsonl,) = (tmp_path / "out" / "jsonl").glob("faults-*.jsonl")
    assert [json.loads(line)["url"] for line in jsonl.read_text("utf-8").splitlines()] == [f"{FAULTS}/good-article.html"]
    assert not any("spam-example.com" in url for url in site.requested_urls())
