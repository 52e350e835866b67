"""The real seed page (issue 5, point 9), rebuilt as HTML, through the full path:
extract_article -> NormalizePipeline -> SpamPipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler.extract import extract_article
from crawler.items import ArticleItem
from pipelines.normalize import NormalizePipeline
from pipelines.spam import SpamPipeline

PAGE = Path(__file__).parent.parent / "corpus" / "spam" / "seed" / "000_6f244d56ff19791c.html"
URL = "http://www.mca.gov.cn/article/xw/mtbd/201912/20191200022522.shtml"
HEADLINE = (
    "The second plenary meeting of the Inter-Ministerial Joint Meeting on Care and Protection of Rural "
    "Left-behind Children and the Protection of Distressed Children was held"
)
SPAM = "连线棋牌游戏大厅"


def run_full_path(html: bytes) -> tuple[ArticleItem, Any]:
    extracted = extract_article(html, URL, None, allowed_domains=["www.mca.gov.cn", "mca.gov.cn"], language="en")
    item = ArticleItem(
        url=URL,
        site="mca",
        language=extracted.language,
        title=extracted.title,
        body=extracted.body,
        spam_removed=list(extracted.spam_removed),
        extra={"title_candidates": extracted.title_candidates, "page_signals": extracted.page_signals},
    )
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    item = NormalizePipeline.from_crawler(crawler).process_item(item)
    item = SpamPipeline.from_crawler(crawler).process_item(item)
    return item, crawler.stats


@pytest.mark.parametrize("with_article_title_meta", [True, False], ids=["ArticleTitle-meta", "no-meta"])
def test_seed_page_title_and_mid_sentence_injection(with_article_title_meta: bool) -> None:
    html = PAGE.read_bytes()
    assert b"<title>" + SPAM.encode() + b"</title>" in html
    if with_article_title_meta:
        html = html.replace(b"<!--ARTICLE_TITLE_META-->", f'<meta name="ArticleTitle" content="{HEADLINE}">'.encode())
    item, stats = run_full_path(html)

    assert item.title == HEADLINE
    assert SPAM not in item.body
    # The sentence around the injected phrase stays.
    assert ("Another recently, the Ministry of Civil Affairs, the SASAC, the All-China Federation of Industry "
            "and Commerce and other six departments jointly issued") in item.body
    wheres = {(r["where"], r["text"]) for r in item.spam_removed}
    assert ("title", SPAM) in wheres
    assert ("body", SPAM) in wheres
    assert len(item.spam_removed) == 2
    # The rest of the article is untouched.
    assert "(Reporter Zhang Jingjing) On December 18" in item.body
    assert "Gao Xiaobing, member of the Party Group of the Ministry of Civil Affairs, chaired the meeting." in item.body
    assert stats.get_value("spam/removed/title") == 1 and stats.get_value("spam/removed/body") == 1
