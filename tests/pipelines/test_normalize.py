"""Normalisation functions (crawler/extract/text.py) and NormalizePipeline."""

from __future__ import annotations

import unicodedata

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.extract.text import (
    collapse_spaces,
    halfwidth_data,
    is_site_name,
    normalize_body,
    normalize_line,
    normalize_lines,
    strip_site_suffix,
)
from pipelines.normalize import NormalizePipeline


def test_nfc():
    decomposed = unicodedata.normalize("NFD", "Café Zürich")
    assert collapse_spaces(decomposed) == "Café Zürich"
    assert unicodedata.is_normalized("NFC", collapse_spaces(decomposed))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("民政部\xa0\xa0召开 会议", "民政部 召开 会议"),
        ("\u3000\u3000会议指出，要兜住民生底线。", "会议指出，要兜住民生底线。"),
        ("a \t\r\n b", "a b"),
        ("兜\u200b住\u200d民\ufeff生\u2060底线\u00ad", "兜住民生底线"),
        ("  ", ""),
    ],
)
def test_whitespace_and_zero_width(raw, clean):
    assert collapse_spaces(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("２０１９年１２月１９日", "2019年12月19日"),
        ("增长１２．５％，共３，４００人", "增长12.5%，共3,400人"),
        ("时间：１０：３０", "时间：10:30"),
        ("网址：ｈｔｔｐ：／／ｗｗｗ．ｍｃａ．ｇｏｖ．ｃｎ／ａ", "网址：http://www.mca.gov.cn/a"),
        # Full-width letters in prose stay as written, and so does Chinese punctuation.
        ("ＡＢＣ类地区（试点）：", "ＡＢＣ类地区（试点）："),
        ("第二届全国职业技能大赛", "第二届全国职业技能大赛"),
        # A full-width comma alone is punctuation; between digits it is a thousands separator.
        ("一，二", "一，二"),
        ("第１，２００人", "第1,200人"),
    ],
)
def test_halfwidth_only_for_data(raw, clean):
    assert halfwidth_data(raw) == clean


def test_body_paragraphs_one_blank_line():
    raw = "\u3000\u3000第一段。\r\n\r\n\r\n  第二段\n  续行。\n\n\n\n第三段。\n"
    assert normalize_body(raw) == "第一段。\n\n第二段 续行。\n\n第三段。"


def test_normalize_lines_cleans_each_line_and_drops_the_empty_ones():
    lines = [" 2019年１２月１９日 ", "", "\u3000\u3000访问ｈｔｔｐ：／／ｗｗｗ．ｍｃａ．ｇｏｖ．ｃｎ", "e\u0301", "\u0301x",
             "\u200b", "a\x1eb", "  c  ", "\u212b ab"]
    # NFC composes é and turns the Angstrom sign into Å; a combining mark opening a line stays.
    assert normalize_lines(lines) == ["2019年12月19日", "访问http://www.mca.gov.cn", "é", "\u0301x", "ab", "c", "\u00c5 ab"]


def test_normalize_line_empty_is_none():
    assert normalize_line("  \u3000 ") is None
    assert normalize_line(None) is None


@pytest.mark.parametrize(
    ("title", "names", "clean"),
    [
        ("全国民政工作会议在京召开_中华人民共和国民政部", (), "全国民政工作会议在京召开"),
        ("全国民政工作会议在京召开 - 中国政府网", (), "全国民政工作会议在京召开"),
        ("全国民政工作会议在京召开——中国政府网", (), "全国民政工作会议在京召开"),
        ("全国民政工作会议在京召开 | XX市民政局", ("XX市民政局",), "全国民政工作会议在京召开"),
        ("XX市民政局 - 全国民政工作会议在京召开", ("XX市民政局",), "全国民政工作会议在京召开"),
        ("会议_滚动新闻_中国政府网", (), "会议_滚动新闻"),
        ("民政部召开会议", (), "民政部召开会议"),  # the site name inside a headline is not a suffix
        ("中华人民共和国民政部", (), "中华人民共和国民政部"),  # never empty
    ],
)
def test_strip_site_suffix(title, names, clean):
    assert strip_site_suffix(title, names) == clean


def test_is_site_name():
    assert is_site_name("中华人民共和国民政部")
    assert is_site_name(" XX市人民政府 ", ["XX市人民政府"])
    assert not is_site_name("民政部召开会议")


def _pipeline():
    crawler = get_crawler(settings_dict={"NORMALIZE_SITE_NAMES": ["XX市民政局"]})
    return NormalizePipeline.from_crawler(crawler), crawler.stats


def test_pipeline_normalises_item_fields_and_counts():
    pipeline, stats = _pipeline()
    item = ArticleItem(
        url="http://www.mca.gov.cn/a.html", site="mca", language="zh",
        title="  全国民政工作会议在京召开\u200b_XX市民政局 ", source="中国社会报\xa0", author=None,
        section="媒体\u3000报道", body="\u3000\u3000第一段。\n\n\n\n第二段，２０１９年。",
    )
    result = pipeline.process_item(item)
    assert result is item
    assert item.title == "全国民政工作会议在京召开"
    assert item.source == "中国社会报"
    assert item.author is None
    assert item.section == "媒体 报道"
    assert item.body == "第一段。\n\n第二段，2019年。"
    assert stats.get_value("normalize/items") == 1
    assert stats.get_value("normalize/changed/title") == 1
    assert stats.get_value("normalize/changed/body") == 1
    assert stats.get_value("normalize/changed/author") is None


def test_pipeline_uses_the_site_name_from_extra():
    pipeline, _ = _pipeline()
    item = ArticleItem(url="u", site="x", language="zh", title="标题 - 某某局网站", extra={"site_name": "某某局网站"})
    pipeline.process_item(item)
    assert item.title == "标题"


def test_pipeline_is_idempotent():
    pipeline, _ = _pipeline()
    item = {"url": "u", "title": "标题_中国政府网", "body": "一。\n\n二。", "source": " 新华社 "}
    pipeline.process_item(item)
    once = dict(item)
    pipeline.process_item(item)
    assert item == once == {"url": "u", "title": "标题", "body": "一。\n\n二。", "source": "新华社"}


def test_pipeline_survives_bad_values(caplog):
    pipeline, stats = _pipeline()
    item = {"url": "http://x/bad", "title": 42, "body": None, "author": ["a"]}
    assert pipeline.process_item(item) is item
    assert stats.get_value("normalize/non_string_field") == 2
    assert any("http://x/bad" in r.getMessage() for r in caplog.records)


def test_pipeline_strips_the_running_seeds_site_name():
    from types import SimpleNamespace

    crawler = get_crawler()
    pipeline = NormalizePipeline.from_crawler(crawler)
    crawler.spider = SimpleNamespace(seed=SimpleNamespace(site_name="某某县人民政府"))
    item = {"url": "u", "title": "县政府召开常务会议_某某县人民政府"}
    pipeline.process_item(item)
    assert item["title"] == "县政府召开常务会议"
