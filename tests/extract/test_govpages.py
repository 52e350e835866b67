"""Classes of real gov.cn article pages that extraction got wrong (issue 16, point 14).

Each page in tests/extract/govpages/ is written for this project in the shape of one
class; its ``.json`` says which class (``page``) and the fields a careful reader
writes down. The unit tests below pin each rule on its own.
"""

from __future__ import annotations

import json
import logging
from datetime import date, time
from pathlib import Path

import lxml.html
import pytest

from crawler.extract import extract_article
from crawler.extract.authors import choose_author, editor_text
from crawler.extract.dates import ParsedDate, find_date, without_placeholder_clock
from crawler.extract.infoline import InfoFacts, inline_line, parse_info_text
from crawler.extract.meta import PageMeta, read_meta, without_markup
from crawler.extract.repair import drop_early_document_end
from crawler.extract.titles import looks_like_site_name, trim_title
from crawler.extract.text import strip_site_suffix

PAGES = Path(__file__).resolve().parent.parent / "extract" / "govpages"
FIELDS = ("title", "published_date", "published_at", "source", "author", "section", "body")
LABELS = sorted(PAGES.glob("*.json"))


def test_every_class_has_a_page():
    assert {label.stem for label in LABELS} >= {
        "gazette_title_parts", "science_site_hyphen_title", "articletitle_markup", "pubdate_midnight",
        "pubdate_end_of_day", "meta_author_is_editor", "meta_author_is_site", "header_closes_document",
        "infoline_in_spans", "infoline_date_on_next_line",
    }


@pytest.mark.parametrize("label", LABELS, ids=lambda path: path.stem)
def test_govcn_page_fields(label: Path):
    expected = json.loads(label.read_text(encoding="utf-8"))
    result = extract_article(label.with_suffix(".html").read_bytes(), expected["url"])
    assert {name: getattr(result, name) for name in FIELDS} == {name: expected[name] for name in FIELDS}


def test_header_closing_the_document_is_noted_logged_and_the_container_found(caplog):
    label = PAGES / "header_closes_document.json"
    url = json.loads(label.read_text())["url"]
    with caplog.at_level(logging.WARNING, logger="crawler.extract"):
        result = extract_article(label.with_suffix(".html").read_bytes(), url)
    assert "early_document_end" in result.notes
    assert any("early_document_end" in r.getMessage() and url in r.getMessage() for r in caplog.records)
    assert result.page_signals["body_from"] == "container"


# --- titles ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("国务院关于加强农村公路养护管理工作的通知__2007年第23号国务院公报_中国政府网", "国务院关于加强农村公路养护管理工作的通知"),
        ("全国科普日主场活动筹备工作启动-中国科普网", "全国科普日主场活动筹备工作启动"),
        ("2021-2025年科普规划发布 - 中国科普网", "2021-2025年科普规划发布"),
        ("我市新增一批城市口袋公园｜某市人民政府门户网站", "我市新增一批城市口袋公园"),
        ("全省河湖长制工作会议召开——某省水利厅", "全省河湖长制工作会议召开"),
        ("全省河湖长制工作会议召开丨某省水利厅", "全省河湖长制工作会议召开"),
        ("全省河湖长制工作会议召开－某省水利厅", "全省河湖长制工作会议召开"),
        ("养老服务质量提升行动启动_工作动态_某省民政厅", "养老服务质量提升行动启动"),
        ("养老服务质量提升行动启动 | 工作动态 | 某省民政厅", "养老服务质量提升行动启动"),
        ("春耕备耕工作有序推进_www.example.gov.cn", "春耕备耕工作有序推进"),
        ("职业技能培训补贴政策解读_政策解读__某某新闻网", "职业技能培训补贴政策解读"),
    ],
)
def test_title_parts_after_the_headline_are_cut(title, expected):
    stripped = strip_site_suffix(title)
    assert trim_title(stripped, site_cut=stripped != title) == expected


@pytest.mark.parametrize(
    "title",
    [
        "中国-东盟博览会在南宁开幕",          # a hyphen inside the headline
        "推进乡村振兴-中西部",                # a region, not a government body
        "关于印发《2021-2025年行动计划》的通知",
        "国务院办公厅关于做好保障工作的通知（国办发〔2020〕12号）_政府信息公开专栏",  # column, no site name
        "新闻_某某网",                        # too little would be left
        "养老服务质量提升行动启动_工作动态",   # columns are cut only once a site name was
    ],
)
def test_titles_without_a_site_part_are_kept(title):
    assert trim_title(title) == title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中国科普网", True), ("某市人民政府门户网站", True), ("某市人民政府", True), ("某省民政厅", True),
        ("中华人民共和国水利部", True), ("www.example.gov.cn", True), ("国家统计局", True),
        ("李明轩", False), ("陈思远", False), ("中西部", False), ("2007年第23号国务院公报", False),
        ("Zhang Jingjing", False),
    ],
)
def test_site_name_shapes(text, expected):
    assert looks_like_site_name(text) is expected


# --- markup in meta values -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("标题<div>——副标题</div>", "标题——副标题"),
        ("某部召开会议<br/>部署冬季工作", "某部召开会议 部署冬季工作"),
        ("<p>《指引》</p><p>印发</p>", "《指引》印发"),
        ("<b>Ministry</b> <i>holds</i> meeting", "Ministry holds meeting"),
        ("A < B 与 C > D", "A < B 与 C > D"),  # comparison signs are not tags
    ],
)
def test_markup_is_taken_out_of_meta_values(value, expected):
    assert without_markup(value) == expected


def test_title_tag_with_literal_markup_keeps_the_served_text():
    root = lxml.html.document_fromstring(
        "<html><head><title>标题<div>——副标题</div>_中国政府网</title></head><body><p>x</p></body></html>"
    )
    meta = read_meta(root, "https://www.gov.cn/a.htm")
    assert meta.title_tag == "标题——副标题_中国政府网"
    assert meta.title_served == "标题<div>——副标题</div>_中国政府网"


# --- placeholder times ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("2023-11-20 00:00:00", None),
        ("2023-11-20 00:00", None),
        ("2023-11-20 23:59:59", None),
        ("2023-11-19T16:00:00Z", None),  # Beijing midnight written in UTC
        ("2023-11-20 23:59", time(23, 59)),
        ("2023-11-20 00:01:00", time(0, 1)),
        ("2023-11-20 14:43", time(14, 43)),
    ],
)
def test_placeholder_times_are_no_time_of_day(text, clock):
    parsed = without_placeholder_clock(find_date(text, today=date(2024, 1, 1)))
    assert parsed == ParsedDate(date(2023, 11, 20), clock)


def test_placeholder_pubdate_borrows_the_visible_time_of_the_same_day():
    html = (
        "<html><head><meta name='PubDate' content='2023-11-21 00:00:00'><title>会议召开</title></head><body>"
        "<h1>全国冬季安全生产电视电话会议召开</h1><div class='info'>发布时间：2023-11-21 09:30 来源：新华社</div>"
        "<div id='UCAP-CONTENT'><p>会议对今冬明春安全防范工作作出部署，要求压实各方责任。</p></div></body></html>"
    )
    result = extract_article(html.encode(), "https://www.gov.cn/a.htm")
    assert (result.published_date, result.published_at) == ("2023-11-21", "2023-11-21T09:30:00+08:00")


# --- author --------------------------------------------------------------------------------

def _no_site(name: str) -> bool:
    return False


def _meta(**tags: str) -> PageMeta:
    return PageMeta(tags={name.lower(): value for name, value in tags.items()})


def test_blank_visible_author_label_overrules_the_meta_author():
    facts = parse_info_text("来源：新华社 作者： 2023-12-01 14:43")
    assert facts.author is None and facts.author_blank
    assert choose_author(_meta(Author="王小明"), [facts], _no_site, "", "") is None
    # Without the blank label the meta tag is believed.
    assert choose_author(_meta(Author="王小明"), [parse_info_text("来源：新华社 2023-12-01")], _no_site, "", "") == "王小明"


def test_meta_author_named_as_editor_is_not_the_author():
    page = lxml.html.fromstring(
        "<div><div id='zoom'><p>正文内容。</p></div><div class='zrbj'><span>责任编辑：</span><span>王小明</span></div></div>"
    )
    editors = editor_text(page, _meta(Author="王小明"), _no_site)
    assert "责任编辑：王小明" in editors
    assert choose_author(_meta(Author="王小明"), [], _no_site, editors, "") is None
    assert choose_author(_meta(Author="李四"), [], _no_site, editors, "") == "李四"
    assert choose_author(_meta(Author="王小明"), [], _no_site, "（编辑：李四 王小明）", "") is None
    # An editor named before the author's own label does not make the author an editor.
    assert choose_author(_meta(Author="王小明"), [], _no_site, "编辑：李四 作者：王小明", "") == "王小明"


def test_page_text_is_read_only_when_a_meta_author_could_be_a_person():
    page = lxml.html.fromstring("<div><p>责任编辑：王小明</p></div>")
    assert editor_text(page, _meta(Author="中国科普网"), _no_site) == ""
    assert editor_text(page, _meta(), _no_site) == ""
    assert editor_text(page, _meta(Author="王小明"), _no_site) == "责任编辑：王小明"


@pytest.mark.parametrize("name", ["中国科普网", "某市人民政府门户网站", "新华社"])
def test_meta_author_that_is_a_site_or_the_source_falls_back_to_the_reporter(name):
    infos = [InfoFacts(source="新华社")]
    body = "本报讯（记者 陈思远）记者从有关部门获悉，相关工作进展顺利。"
    assert choose_author(_meta(Author=name), infos, _no_site, "", body) == "陈思远"


def test_visible_author_is_used_when_the_meta_tag_is_not_credible():
    facts = parse_info_text("来源：某市日报 作者：赵一鸣 2024-04-02")
    assert choose_author(_meta(Author="某市日报"), [facts], _no_site, "", "") == "赵一鸣"


# --- info line -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<article><h1>标题</h1><span>来源：新华社</span> <span id='a'>作者：</span> <span>2023-12-01 14:43</span>"
         "<div>正文</div></article>", "来源：新华社 作者： 2023-12-01 14:43"),
        ("<div>发布时间：<b><span id='a'>2023-12-01</span></b> 来源：新华社<br/>下一行</div>", "发布时间： 2023-12-01 来源：新华社"),
    ],
)
def test_inline_line_is_the_rendered_line(markup, expected):
    root = lxml.html.fromstring(markup)
    element = root.get_element_by_id("a")
    assert inline_line(element) == expected


@pytest.mark.parametrize("wrapper", ["article", "main", "form", "font"])
def test_info_line_of_spans_outside_any_block(wrapper):
    html = (
        f"<html><head><title>会议召开</title></head><body><{wrapper}><h1>某部召开会议部署冬季工作</h1>"
        "<span>来源：新华社</span> <span>作者：</span> <span>2023-12-01 14:43</span>"
        "<div id='UCAP-CONTENT'><p>会议强调，要扎实推进各项工作落实落细，确保群众温暖过冬。</p></div>"
        f"</{wrapper}></body></html>"
    )
    result = extract_article(html.encode(), "https://www.gov.cn/a.htm")
    assert (result.published_at, result.source, result.author) == ("2023-12-01T14:43:00+08:00", "新华社", None)


def test_empty_label_does_not_pull_in_a_following_paragraph():
    html = (
        "<html><head><title>会议召开</title></head><body><h1>某部召开会议部署冬季工作</h1>"
        "<div class='box'><div>来源：</div><div>会议强调，要扎实推进各项工作落实落细。</div></div>"
        "<div id='UCAP-CONTENT'><p>会议强调，要扎实推进各项工作落实落细，确保群众温暖过冬。</p></div></body></html>"
    )
    assert extract_article(html.encode(), "https://www.gov.cn/a.htm").source is None


# --- early end of the document ----------------------------------------------------------------

def test_early_closing_tags_are_dropped_only_when_elements_follow():
    whole = "<html><body><p>a</p></body></html>\n<!-- served by node 3 -->\n"
    assert drop_early_document_end(whole) is whole
    analytics = "<html><body><p>a</p></body></html>\n<script>var _hm = [];</script><noscript><img src='/c.gif'></noscript>"
    assert drop_early_document_end(analytics) is analytics
    early = "<html><body><div>header</div></body></html><div id='UCAP-CONTENT'><p>text</p></div></body></html>"
    repaired = drop_early_document_end(early)
    assert "</html>" not in repaired and "</body>" not in repaired
    root = lxml.html.document_fromstring(repaired)
    assert root.find("body").get_element_by_id("UCAP-CONTENT").text_content() == "text"


def test_info_line_of_spans_in_a_long_block_is_read_as_its_line():
    paragraphs = "".join(f"<p>第{n}段：会议强调，要扎实推进各项工作落实落细，确保群众温暖过冬，切实兜牢民生底线。</p>" for n in range(8))
    html = (
        "<html><head><title>会议召开</title></head><body><div class='wrap'><h1>某部召开会议部署冬季工作</h1>"
        "<span>来源：新华社</span> <span>作者：</span> <span>2023-12-01 14:43</span>"
        f"<div id='UCAP-CONTENT'>{paragraphs}</div></div></body></html>"
    )
    result = extract_article(html.encode(), "https://www.gov.cn/a.htm")
    assert (result.published_at, result.source) == ("2023-12-01T14:43:00+08:00", "新华社")
