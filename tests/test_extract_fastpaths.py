"""Fast paths in extraction give exactly what the plain versions gave."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from pathlib import Path

import lxml.html
import pytest

from crawler.extract.body import filter_boilerplate

# The boilerplate rule as one regex, before it was split for speed.
PLAIN_LINE_DROP = re.compile(
    r"^(?:[【\[]?\s*(?:打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|返回顶部|收藏|纠错|我要纠错|"
    r"Print|Close|Back to top|Top)\s*[】\]]?\s*)+$"
    r"|^[【\[]?\s*(?:字号|字体|Font ?size|Text size)\s*[:：]?.{0,20}$"
    r"|^(?:分享到|分享|Share(?: to)?)\s*[:：]?.{0,40}$"
    r"|扫一扫在手机打开当前页|Scan to open the current page|Scan the QR code"
    r"|网站标识码|ICP备|ICP证|公网安备|公安备案|版权所有|Copyright|©|All rights reserved"
    r"|^[（(\[【]?\s*(?:责任编辑|编辑|Editor|Chief Editor)\s*[:：]",
    re.IGNORECASE,
)

FURNITURE = [
    "打印本页", "【关闭窗口】", "[Print] [Close]", "字号：大 中 小", "Font size: A A A", "分享到：微信 微博",
    "Share to: WeChat", "扫一扫在手机打开当前页", "SCAN THE QR CODE", "网站标识码 bm00000000",
    "京ICP备00000000号", "京icp证0000号", "京公网安备 0000号", "版权所有：民政部", "COPYRIGHT 2024", "© 2024",
    "all rights reserved", "（责任编辑：张三）", "Chief Editor: Li", "正文里有 Copyright 一词",
]
PROSE = [
    "民政部召开全国养老服务工作会议，部署推进基本公共服务体系建设。",
    "The Ministry of Civil Affairs held a national conference on elderly care services.",
    "打印机采购公告", "分享经验" + "很长的正文" * 20, "编辑部", "Topic of the day", "",
]


def plain(lines: list[str]) -> list[str]:
    return [line for line in lines if not PLAIN_LINE_DROP.search(line)]


@pytest.mark.parametrize("line", FURNITURE + PROSE)
def test_each_line_is_judged_as_before(line: str) -> None:
    assert filter_boilerplate([line]) == plain([line])


def test_furniture_is_dropped_and_prose_kept() -> None:
    assert filter_boilerplate(FURNITURE) == []
    assert filter_boilerplate(PROSE) == PROSE


@pytest.mark.parametrize("seed", range(30))
def test_random_lines_are_judged_as_before(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "打印本页关闭窗口【】[] 字号：:分享到扫一扫网站标识码ICP备证公安版权所有©CopyrightAllrsvdScanQRcode责任编辑ſKİı民政部，。l"
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(60)]
    assert [line for line in lines if filter_boilerplate([line])] == plain(lines)


# -- the parser: element classes looked up in C, not by lxml.html's Python method ------

CORPUS = Path(__file__).resolve().parent / "corpus"
SAMPLE_SITE = Path(__file__).resolve().parent.parent / "sample" / "site"
FORM_PAGE = """<html><head><title>关于开展养老服务质量提升行动的通知_民政部</title></head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xw/">新闻</a> &gt; 通知</div>
<form action="/search"><label for="q">搜索</label><input id="q" name="q" value="博彩 www.bet365.com">
<select name="s"><option>棋牌游戏大厅</option></select><textarea>澳门赌场 在线</textarea></form>
<h1>关于开展养老服务质量提升行动的通知</h1><div class="info">发布时间：2024-03-05 来源：民政部</div>
<div id="zoom"><p>各省、自治区、直辖市民政厅（局）：为提升养老服务质量，现就有关事项通知如下。</p>
<form><p>表单里的一段正文，<label>标签文字</label>也算正文。</p><input type="hidden" value="x"></form>
<p>附件：<a href="/files/a.pdf">实施方案.pdf</a></p></div></body></html>"""


def _pages() -> list[tuple[bytes, str, str | None]]:
    pages = [(FORM_PAGE.encode("utf-8"), "http://www.mca.gov.cn/article/xw/tzgg/202403/20240300001.shtml", "utf-8")]
    for html in sorted((CORPUS / "extract").glob("*.html")):
        expected = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append((html.read_bytes(), expected["url"], expected.get("declared_encoding")))
    for html in sorted((CORPUS / "spam" / "pages").glob("*.html")):
        pages.append((html.read_bytes(), f"http://www.mca.gov.cn/article/{html.stem}.shtml", None))
    for html in sorted(SAMPLE_SITE.rglob("*.html")):
        pages.append((html.read_bytes(), f"http://{html.relative_to(SAMPLE_SITE).as_posix()}", None))
    return pages


def test_default_class_lookup_extracts_what_lxml_html_parser_did(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.extract as extract
    import crawler.extract.parse  # noqa: F401 -- extract.parse below

    pages = _pages()
    assert len(pages) > 100
    ours = [dataclasses.asdict(extract.extract_article(body, url, charset)) for body, url, charset in pages]
    plain_parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
    monkeypatch.setattr(extract.parse, "html_parser", lambda: plain_parser)
    before = [dataclasses.asdict(extract.extract_article(body, url, charset)) for body, url, charset in pages]
    for (_, url, _), new, old in zip(pages, ours, before):
        assert new == old, url
    form_page = ours[0]
    assert form_page["title"] == "关于开展养老服务质量提升行动的通知" and "表单里的一段正文" in form_page["body"]


def test_breadcrumb_search_skipped_only_where_a_meta_tag_names_the_section(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.extract as extract

    page = FORM_PAGE.replace("<head>", '<head><meta name="ColumnName" content="通知公告">')
    pages = [(page.encode("utf-8"), "http://www.mca.gov.cn/article/xw/tzgg/202403/1.shtml", "utf-8"), *_pages()]
    ours = [dataclasses.asdict(extract.extract_article(body, url, charset)) for body, url, charset in pages]
    assert ours[0]["section"] == "通知公告" and ours[1]["section"] == "通知"  # meta tag, breadcrumb
    searched: list[bool] = []
    plain_scan = extract.scan_outside

    def always_search(page: object, container: object, *, want_breadcrumb: bool = True) -> object:
        searched.append(want_breadcrumb)
        return plain_scan(page, container)

    monkeypatch.setattr(extract, "scan_outside", always_search)
    before = [dataclasses.asdict(extract.extract_article(body, url, charset)) for body, url, charset in pages]
    assert ours == before
    assert False in searched and True in searched  # both paths taken


# Info lines and date-named elements are looked for outside the content block only.
LAYOUTS = [
    # only the block's tail gives the nearest date (the cell's text is too long to be read whole)
    '<div class="info">发布时间：2024-03-01</div><table><tr><td><div id="zoom"><p>'
    + "正文内容，" * 70 + "</p></div>发布日期：2024-03-02 10:00 作者：张三</td></tr></table>",
    # the info line in the tail of the content block, and text right in its ancestors
    '<div class="main time-box">发布时间：2024-03-01<div class="wrap">来源：中国社会报<div id="zoom">'
    "<p>正文第一段，说明有关情况：一是二是。</p><p>正文第二段。</p></div>"
    "发布日期：2024-03-02 10:00 作者：张三</div>尾部：文字</div>",
    # a date-named ancestor of the block, and a date-named element after it
    '<div class="pubdate">2024-03-03<div id="zoom"><p>正文第一段很长很长很长很长很长很长很长很长。</p>'
    '<span class="time">2019-12-19</span></div></div><span class="date">2024-03-04</span>',
    # the only date: an element named for it after the block
    '<div id="zoom"><p>正文第一段很长很长很长很长很长很长很长很长。</p></div><span class="date">2024-03-07</span>',
    # the only date: an element named for it before the block
    '<span class="time">2024-03-08</span><div id="zoom"><p>正文第一段很长很长很长很长很长很长很长很长。</p></div>',
    # no known container: the density fallback may choose a block holding the info line
    "<div><p>来源：新华社 2024-03-05</p><p>" + "这是一段足够长的正文内容，" * 30 + "</p></div>",
    # text straight in <body>, the block its only child
    '时间：2024-03-06<div id="zoom"><p>正文：第一段，足够长足够长足够长足够长足够长。</p></div>',
]


def test_outside_scans_find_what_the_whole_page_scans_found(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.extract as extract

    pages = _pages() + [
        (f"<html><head><title>测试页面标题第{i}号</title></head><body>{body}</body></html>".encode("utf-8"),
         f"http://www.mca.gov.cn/article/xw/{i}.shtml", "utf-8")
        for i, body in enumerate(LAYOUTS)
    ]
    ours = [dataclasses.asdict(extract.extract_article(body, url, charset)) for body, url, charset in pages]
    dated = [page["published_at"] or page["published_date"] for page in ours[-len(LAYOUTS):]]
    # The nearest info line is the block's tail; the nearest date-named element is an ancestor of the block.
    assert dated[:5] == ["2024-03-02T10:00:00+08:00", "2024-03-02T10:00:00+08:00", "2024-03-03", "2024-03-07",
                         "2024-03-08"]
    # The plain forms: every labelled text node and dated element of the page (the scan
    # drops those inside the block itself).
    import crawler.extract.outside as outside

    monkeypatch.setattr(outside, "_LABELLED_OUTSIDE", lambda page, c, p: outside._LABELLED_TEXT(page))
    monkeypatch.setattr(outside, "_OUTSIDE_ELEMENTS", lambda page, c, p: list(page.iter(*outside._DATED_TAGS)))
    before = [dataclasses.asdict(extract.extract_article(body, url, charset)) for body, url, charset in pages]
    for (_, url, _), new, old in zip(pages, ours, before):
        assert new == old, url


@pytest.mark.parametrize("seed", range(10))
def test_control_character_test_agrees_with_the_regex(seed: int) -> None:
    from crawler.extract import _CONTROL_CHARS, _has_control_chars

    rng = random.Random(seed)
    plain = "<p>民政部召开会议，abc 123</p>\n\t\r\x0b\x0c\x1b\u3000\xa0𐐀é"
    specials = [chr(code) for code in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, 0xFFFE, 0xFFFF)]
    for _ in range(200):
        text = "".join(rng.choice(plain) for _ in range(rng.randint(0, 60)))
        if rng.random() < 0.5:
            position = rng.randint(0, len(text))
            text = text[:position] + rng.choice(specials) + text[position:]
        assert _has_control_chars(text) == bool(_CONTROL_CHARS.search(text)), repr(text)
    for char in map(chr, range(0x10000)):
        assert _has_control_chars(char) == bool(_CONTROL_CHARS.match(char)), hex(ord(char))
