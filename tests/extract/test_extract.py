"""extract_article: each metadata source in trust order, the body, attachments, language."""

from __future__ import annotations

import pytest

from crawler.extract import EXTRACTOR_VERSION, Extracted, extract_article
from crawler.extract.body import filter_boilerplate

URL = "http://www.mca.gov.cn/article/xw/mtbd/201912/20191200022493.shtml"
PARAGRAPHS = [
    "本报讯（记者 张晶晶）12月18日，全国民政工作会议在京召开，会议总结今年民政工作，部署明年重点任务。",
    "会议指出，要坚持以人民为中心的发展思想，兜住兜准兜牢民生底线，切实保障困难群众基本生活。",
    "会议要求，各地要加快健全分层分类的社会救助体系，推动养老服务高质量发展。",
]


def page(*, head: str = "", before: str = "", content: str | None = None, after: str = "",
         title: str = "全国民政工作会议在京召开_中华人民共和国民政部", container: str = '<div id="zoom">') -> bytes:
    if content is None:
        content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    closing = "</div>" if container else ""
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
        f"{before}{container}{content}{closing}{after}</body></html>"
    ).encode("utf-8")


def test_extracted_shape_and_version():
    result = extract_article(page(), URL)
    assert isinstance(result, Extracted)
    assert isinstance(EXTRACTOR_VERSION, str) and EXTRACTOR_VERSION
    assert result.encoding == "utf-8"
    assert result.language == "zh"


# --- government meta tags ------------------------------------------------------------------

GOV_META = (
    '<meta name="SiteName" content="中华人民共和国民政部">'
    '<meta name="SiteIDCode" content="bm13000001">'
    '<meta name="ArticleTitle" content="全国民政工作会议在京召开">'
    '<meta name="PubDate" content="2019-12-19 10:30">'
    '<meta name="ContentSource" content="中国社会报">'
    '<meta name="ColumnName" content="媒体报道">'
    '<meta name="Author" content="李明">'
)


def test_government_meta_tags():
    result = extract_article(page(head=GOV_META, title="无关的标题"), URL)
    assert result.title == "全国民政工作会议在京召开"
    assert result.title_candidates[0] == ["meta:ArticleTitle", "全国民政工作会议在京召开"]
    assert result.published_date == "2019-12-19"
    assert result.published_at == "2019-12-19T10:30:00+08:00"
    assert result.source == "中国社会报"
    assert result.section == "媒体报道"
    assert result.author == "李明"
    assert result.page_signals["date_from"] == "meta:PubDate"


def test_meta_tags_with_content_first_mixed_case_and_empty_values():
    head = (
        '<meta content="" name="ArticleTitle">'
        '<meta content="2019-12-19 10:30" NAME="pubdate">'
        '<meta content="  " name="ContentSource">'
        '<meta content="中国社会报" name="contentsource">'
        '<meta content="" name="ColumnName">'
    )
    result = extract_article(page(head=head), URL)
    assert result.title == "全国民政工作会议在京召开"  # from <title>, suffix stripped
    assert result.published_at == "2019-12-19T10:30:00+08:00"
    assert result.source == "中国社会报"
    assert result.section is None


def test_meta_author_that_is_the_site_name_is_not_a_person():
    head = '<meta name="SiteName" content="中华人民共和国民政部"><meta name="Author" content="中华人民共和国民政部">'
    result = extract_article(page(head=head, content="<p>会议指出，要坚持以人民为中心的发展思想，兜住民生底线。</p>"), URL)
    assert result.author is None


def test_govcn_firstpublishedtime():
    head = '<meta name="firstpublishedtime" content="2019-12-19-10:30:12"><meta name="lanmu" content="要闻">'
    result = extract_article(page(head=head), "https://www.gov.cn/xinwen/2019-12/19/content_5462345.htm")
    assert result.published_at == "2019-12-19T10:30:12+08:00"
    assert result.section == "要闻"


# --- Open Graph / schema.org ---------------------------------------------------------------

def test_open_graph_and_article_tags():
    head = (
        '<meta property="og:title" content="Ministry holds national conference">'
        '<meta property="og:site_name" content="english.gov.cn">'
        '<meta property="article:published_time" content="2019-12-19T02:30:00Z">'
        '<meta property="article:section" content="Top News">'
    )
    body = "<p>The Ministry of Civil Affairs held its annual national conference in Beijing on Wednesday.</p>"
    result = extract_article(page(head=head, content=body, title="english.gov.cn"), "https://english.www.gov.cn/a.html")
    assert result.title == "Ministry holds national conference"
    assert result.title_candidates[0][0] == "og:title"
    assert result.published_at == "2019-12-19T10:30:00+08:00"
    assert result.section == "Top News"
    assert result.language == "en"


def test_schema_org_json_ld():
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle",'
        ' "headline": "Elderly care services expand", "datePublished": "2019-12-19",'
        ' "author": [{"@type": "Person", "name": "Zhang Jingjing"}], "articleSection": "Society"}]}</script>'
    )
    body = "<p>China will expand community-based elderly care services over the next three years.</p>"
    result = extract_article(page(head=head, content=body, title=""), "https://english.www.gov.cn/b.html")
    assert result.title == "Elderly care services expand"
    assert result.published_date == "2019-12-19" and result.published_at is None
    assert result.author == "Zhang Jingjing"
    assert result.section == "Society"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="stylesheet" href="/s.css"><link REL="Canonical" href=" /a.shtml ">', "/a.shtml"),
        ("<link href='/a?x=1&amp;y=2' rel='alternate canonical'/>", "/a?x=1&y=2"),
        ("<LINK rel=canonical href=/b.html>", "/b.html"),
        ('<link rel="canonical" href=""><link rel="canonical" href="/c.html">', "/c.html"),
        ('<link rel="canonical" href="">', None),
        ("", None),
    ],
)
def test_link_canonical_is_read_from_the_tree(head, expected):
    assert extract_article(page(head=head), URL).link_canonical == expected


def test_link_canonical_only_from_link_elements_and_never_fails():
    assert extract_article(page(before='<a rel="canonical" href="/not-a-link-tag">x</a>'), URL).link_canonical is None
    # Templates that print it in <body> still name the page.
    assert extract_article(page(before='<link rel="canonical" href="/d.html">'), URL).link_canonical == "/d.html"
    assert extract_article(b"\xff\xfe<<<not html", URL).link_canonical is None
    assert extract_article(b"", URL).link_canonical is None


def test_broken_json_ld_is_ignored():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    result = extract_article(page(head=head), URL)
    assert result.title == "全国民政工作会议在京召开"
    assert "error" not in result.notes


# --- the visible info line -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "day", "moment", "source"),
    [
        ("发布时间：2019-12-19 10:30 来源：中国社会报", "2019-12-19", "2019-12-19T10:30:00+08:00", "中国社会报"),
        ("发布时间：2019-12-19 10:30&nbsp;&nbsp;来源：中国社会报&nbsp;&nbsp;【字体：大 中 小】", "2019-12-19",
         "2019-12-19T10:30:00+08:00", "中国社会报"),
        ("发布日期：2019年12月19日", "2019-12-19", None, None),
        ("来源：中国社会报　发布时间：２０１９年１２月１９日", "2019-12-19", None, "中国社会报"),
        ("<span>2019-12-19 10:30</span> <span class='font'>来源： 新华社</span>", "2019-12-19",
         "2019-12-19T10:30:00+08:00", "新华社"),
        ("日期：2019/12/19 | 来源：国家发展改革委网站", "2019-12-19", None, "国家发展改革委网站"),
        ("Updated: Dec 19, 2019 10:30 &nbsp; Source: Xinhua", "2019-12-19", "2019-12-19T10:30:00+08:00", "Xinhua"),
        ("Updated: 19 December 2019 | Source: China Daily", "2019-12-19", None, "China Daily"),
    ],
)
def test_info_line_forms(line, day, moment, source):
    result = extract_article(page(before=f'<div class="info">{line}</div>'), "http://x.gov.cn/a.html")
    assert result.published_date == day
    assert result.published_at == moment
    assert result.source == source
    assert "发布" not in result.body and "Updated" not in result.body


def test_empty_info_line_time_and_source_labels():
    result = extract_article(page(before='<div class="info">时间： 来源：</div>'), "http://x.gov.cn/a.html")
    assert result.published_date is None
    assert result.source is None
    assert "no_date" in result.notes


def test_info_line_inside_the_container_is_read_and_removed():
    content = "<p>发布时间：2019-12-19 来源：中国社会报</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    result = extract_article(page(content=content), "http://x.gov.cn/a.html")
    assert result.published_date == "2019-12-19"
    assert result.source == "中国社会报"
    assert not result.body.startswith("发布时间")


def test_info_line_author_field():
    line = "发布时间：2019-12-19 作者：王磊 来源：中国社会报"
    result = extract_article(page(before=f"<div>{line}</div>",
                                  content="<p>会议指出，要坚持以人民为中心的发展思想，兜住民生底线。</p>"),
                             "http://x.gov.cn/a.html")
    assert result.author == "王磊"
    assert result.source == "中国社会报"


# --- reporter notes ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("first", "author"),
    [
        ("本报讯（记者 张晶晶）12月18日，会议在京召开。", "张晶晶"),
        ("新华社北京12月19日电（记者 王磊 李思远）会议在京召开。", "王磊、李思远"),
        ("（记者 刘畅 通讯员 周楠）会议在京召开。", "刘畅"),
        ("(记者：陈晓燕) 会议在京召开。", "陈晓燕"),
        ("(Reporter Zhang Jingjing) The conference opened in Beijing.", "Zhang Jingjing"),
        ("(By Reporter Wang Lei) The conference opened in Beijing.", "Wang Lei"),
    ],
)
def test_reporter_notes(first, author):
    content = f"<p>{first}</p><p>{PARAGRAPHS[1]}</p>"
    result = extract_article(page(content=content), URL)
    assert result.author == author
    assert first.split("）")[-1].split(") ")[-1] in result.body  # the note stays part of the text


# --- trailing source line ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "source", "day"),
    [
        ("（来源：中国社会报 2019.12.19）", "中国社会报", "2019-12-19"),
        ("（来源：中国社会报 2019年12月19日）", "中国社会报", "2019-12-19"),
        ("(来源：人民日报)", "人民日报", None),
        ("(Source: China Social News 2019.12.19)", "China Social News", "2019-12-19"),
    ],
)
def test_trailing_source_line(line, source, day):
    content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<p>{line}</p>"
    result = extract_article(page(content=content, before='<div class="info">时间： 来源：</div>'), URL)
    assert result.source == source
    assert result.published_date == day
    assert line not in result.body
    assert result.body.endswith(PARAGRAPHS[-1])


# --- breadcrumb ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "crumb",
    [
        '<div class="crumb"><a href="/">首页</a> &gt; <a>新闻中心</a> &gt; <a>媒体报道</a></div>',
        '<td class="dqwz">您现在的位置：<a href="/">首页</a> &gt; <a>新闻中心</a> &gt; <a>媒体报道</a> &gt; 正文</td>',
        '<div>当前位置：首页 > 新闻中心 > 媒体报道</div>',
        '<div class="position"><a>首页</a> » <a>新闻中心</a> » <a>媒体报道</a></div>',
    ],
)
def test_breadcrumb_gives_the_section(crumb):
    result = extract_article(page(before=crumb), URL)
    assert result.section == "媒体报道"
    assert "首页" not in result.body


def test_column_meta_beats_breadcrumb():
    crumb = '<div class="crumb"><a>首页</a> &gt; <a>新闻</a> &gt; <a>地方动态</a></div>'
    result = extract_article(page(before=crumb, head='<meta name="ColumnName" content="媒体报道">'), URL)
    assert result.section == "媒体报道"


# --- date from the URL, and disagreements ---------------------------------------------------

def test_date_in_url_is_the_last_resort():
    result = extract_article(page(), "http://www.mohrss.gov.cn/a/201912/t20191219_349876.html")
    assert result.published_date == "2019-12-19"
    assert result.published_at is None
    assert "date_from_url" in result.notes and "no_date" not in result.notes


def test_disagreeing_sources_keep_the_more_trusted_and_are_counted():
    head = '<meta name="PubDate" content="2019-12-19 10:30">'
    result = extract_article(page(head=head, before="<div>发布时间：2019-12-20 来源：新华社</div>"), URL)
    assert result.published_date == "2019-12-19"
    assert "date_disagreement" in result.notes


def test_agreeing_sources_are_not_a_disagreement_and_time_is_borrowed():
    head = '<meta name="PubDate" content="2019-12-19">'
    result = extract_article(page(head=head, before="<div>发布时间：2019-12-19 10:30</div>"), URL)
    assert result.published_at == "2019-12-19T10:30:00+08:00"
    assert "date_disagreement" not in result.notes


def test_future_meta_date_falls_through_to_the_next_source():
    head = '<meta name="PubDate" content="2099-01-01 00:00">'
    result = extract_article(page(head=head, before="<div>发布时间：2019-12-19 来源：新华社</div>"), URL)
    assert result.published_date == "2019-12-19"
    assert "date_rejected" in result.notes


def test_pre_1990_date_is_rejected():
    result = extract_article(page(before="<div>发布时间：1970-01-01</div>"), URL)
    assert result.published_date is None
    assert "date_rejected" in result.notes and "no_date" in result.notes


def test_source_disagreement_is_counted():
    head = '<meta name="ContentSource" content="中国社会报">'
    result = extract_article(page(head=head, before="<div>发布时间：2019-12-19 来源：人民日报</div>"), URL)
    assert result.source == "中国社会报"
    assert "source_disagreement" in result.notes


# --- title ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("全国民政工作会议在京召开_中华人民共和国民政部", "全国民政工作会议在京召开"),
        ("全国民政工作会议在京召开 - 中国政府网", "全国民政工作会议在京召开"),
        # Headline_column_site: the column goes with the site name.
        ("全国民政工作会议在京召开_滚动新闻_中国政府网", "全国民政工作会议在京召开"),
        ("Ministry holds conference - english.gov.cn", "Ministry holds conference"),
    ],
)
def test_title_tag_suffixes(title, expected):
    result = extract_article(page(title=title), URL)
    assert result.title_candidates[-1][0] == "title"
    assert result.title == expected


def test_visible_headline_beats_title_tag_but_not_the_site_logo():
    before = '<div class="logo"><h1>中华人民共和国民政部</h1></div><div class="artitle">全国民政工作会议在京召开</div>'
    result = extract_article(page(before=before, title="民政部"), URL)
    assert result.title == "全国民政工作会议在京召开"
    assert result.title_candidates[0] == ["content:h1", "全国民政工作会议在京召开"]


def test_headline_repeated_in_the_container_is_not_body():
    content = "<h1>全国民政工作会议在京召开</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    result = extract_article(page(content=content), URL)
    assert result.title == "全国民政工作会议在京召开"
    assert not result.body.startswith("全国民政工作会议在京召开")


# --- body ----------------------------------------------------------------------------------

def test_body_paragraphs_separated_by_one_blank_line():
    content = "".join(f"<p>\u3000\u3000{p}&nbsp;</p>\n\n" for p in PARAGRAPHS)
    result = extract_article(page(content=content), URL)
    assert result.body == "\n\n".join(PARAGRAPHS)


def test_br_separated_paragraphs_and_nested_inline_markup():
    content = f"<p>{PARAGRAPHS[0]}<br><br>&nbsp;&nbsp;<span><font>{PARAGRAPHS[1][:10]}</font></span>{PARAGRAPHS[1][10:]}<br/>{PARAGRAPHS[2]}</p>"
    result = extract_article(page(content=content), URL)
    assert result.body == "\n\n".join(PARAGRAPHS)


def test_tables_become_text_rows_and_captions_stay():
    content = (
        f"<p>{PARAGRAPHS[0]}</p><p align='center'><img src='a.jpg'></p><p align='center'>图为会议现场。</p>"
        "<table><tr><th>地区</th><th>数量</th></tr><tr><td>北京</td><td>120</td></tr></table>"
        "<figure><img src='b.jpg'><figcaption>图为养老服务中心。</figcaption></figure>"
    )
    result = extract_article(page(content=content), URL)
    assert result.body.split("\n\n") == [PARAGRAPHS[0], "图为会议现场。", "地区 | 数量", "北京 | 120", "图为养老服务中心。"]


@pytest.mark.parametrize(
    "furniture",
    [
        '<div class="share">分享到：<a>微信</a><a>微博</a></div>',
        "<p>【打印本页】 【关闭窗口】</p>",
        '<div id="qr_container">扫一扫在手机打开当前页</div>',
        "<p>Scan to open the current page on the mobile phone</p>",
        '<p class="fontsize">字号：<a>大</a> <a>中</a> <a>小</a></p>',
        "<p>【字体：大 中 小】</p>",
        "<p>网站标识码bm13000001 京ICP备05069133号 京公网安备11010202000115号</p>",
        "<p>版权所有：中华人民共和国民政部</p>",
        "<p>Copyright © www.gov.cn All rights reserved</p>",
        "<p>责任编辑：王洋</p>",
        '<div class="xglj"><h3>相关文章</h3><ul><li><a>民政部召开党组会议</a></li></ul></div>',
        "<p><strong>相关链接</strong></p><ul><li><a>民政部召开党组会议</a></li></ul>",
        "<script>document.write('x')</script><style>p{color:red}</style>",
    ],
)
def test_boilerplate_inside_the_container_is_removed(furniture):
    content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + furniture
    result = extract_article(page(content=content), URL)
    assert result.body == "\n\n".join(PARAGRAPHS)


FURNITURE_LINES = [
    "打印本页", "【关闭窗口】", "[Print] [Close]", "字号：大 中 小", "Font size: A A A", "分享到：微信 微博",
    "Share to: WeChat", "扫一扫在手机打开当前页", "SCAN THE QR CODE", "网站标识码 bm00000000",
    "京ICP备00000000号", "京icp证0000号", "京公网安备 0000号", "版权所有：民政部", "COPYRIGHT 2024", "© 2024",
    "all rights reserved", "（责任编辑：张三）", "Chief Editor: Li", "正文里有 Copyright 一词",
]
# Prose that starts like furniture, or is too long to be a share bar.
PROSE_LINES = [
    "民政部召开全国养老服务工作会议，部署推进基本公共服务体系建设。",
    "The Ministry of Civil Affairs held a national conference on elderly care services.",
    "打印机采购公告", "分享经验" + "很长的正文" * 20, "编辑部", "Topic of the day", "",
]


def test_furniture_lines_are_dropped_and_prose_kept():
    assert filter_boilerplate(FURNITURE_LINES) == []
    assert filter_boilerplate(PROSE_LINES) == PROSE_LINES
    assert filter_boilerplate(["第一段。", "相关链接", "第二段。"]) == ["第一段。"]


def test_known_containers_are_found(container_markup=None):
    for opening in ('<div id="UCAP-CONTENT">', '<div class="pages_content">', '<div class="TRS_Editor">',
                    '<div class="article-content">', '<td class="x" id="zoom">'):
        markup = opening if not opening.startswith("<td") else "<table><tr>" + opening
        result = extract_article(page(container=markup, before="<div><a>首页</a> <a>新闻</a> <a>公开</a></div>"), URL)
        assert result.body == "\n\n".join(PARAGRAPHS), opening
        assert "fallback_density" not in result.notes, opening


def test_unseen_template_uses_text_density():
    nav = "".join(f"<li><a href='/n{i}.html'>导航栏目第{i}项内容链接</a></li>" for i in range(30))
    before = f"<div class='menu'><ul>{nav}</ul></div><div class='side'><p>热点专题</p><ul>{nav}</ul></div>"
    after = "<div class='bottom'><p>关于我们 | 联系我们 | 网站地图</p></div>"
    result = extract_article(page(before=before, after=after, container='<div class="wz_article">'), URL)
    assert "fallback_density" in result.notes
    assert result.body == "\n\n".join(PARAGRAPHS)


def test_attachments_are_absolute_and_typed():
    content = (
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + '<p>附件：<a href="./W020191219.pdf">1.统计表.pdf</a></p>'
        + '<p><a href="/files/list.XLSX">名单</a> <a href="img.jpg">照片</a> <a href="javascript:void(0)">x.doc</a></p>'
    )
    after = '<div class="fujian"><a href="http://other.gov.cn/a/b.docx?id=1">申报表</a></div>'
    result = extract_article(page(content=content, after=after), URL)
    assert result.attachments == [
        {"url": "http://www.mca.gov.cn/article/xw/mtbd/201912/W020191219.pdf", "title": "1.统计表.pdf"},
        {"url": "http://www.mca.gov.cn/files/list.XLSX", "title": "名单"},
        {"url": "http://other.gov.cn/a/b.docx?id=1", "title": "申报表"},
    ]


def test_base_href_is_respected_for_attachments():
    head = '<base href="http://www.mca.gov.cn/files/">'
    content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + '<p><a href="a.rar">打包下载</a></p>'
    result = extract_article(page(head=head, content=content), URL)
    assert result.attachments == [{"url": "http://www.mca.gov.cn/files/a.rar", "title": "打包下载"}]


# --- language ------------------------------------------------------------------------------

def test_language_detected_from_text_not_from_hint():
    english = "<p>The Ministry of Civil Affairs held its annual conference in Beijing on Wednesday.</p>"
    assert extract_article(page(content=english, title="Conference"), URL, language="zh").language == "en"
    assert extract_article(page(), URL, language="en").language == "zh"


def test_language_hint_is_the_fallback():
    result = extract_article(page(content="<p>2019 | 12 | 19 … 123 456</p>", title="123"), URL, language="en")
    assert result.language == "en"


# --- DOM-level spam hook -------------------------------------------------------------------

def test_domspam_is_called_on_the_tree_before_the_body_is_read(monkeypatch):
    calls = []

    def fake_remove(tree, url, allowed_domains):
        calls.append((url, tuple(allowed_domains)))
        for element in tree.iter("div"):
            if element.get("class") == "injected":
                element.getparent().remove(element)
        return [{"text": "连线棋牌游戏大厅", "where": "body", "rule": "test"}]

    monkeypatch.setattr("crawler.spam.dom.remove_dom_spam", fake_remove)
    content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + '<div class="injected">连线棋牌游戏大厅</div>'
    result = extract_article(page(content=content), URL, allowed_domains=["mca.gov.cn"])
    assert calls == [(URL, ("mca.gov.cn",))]
    assert result.spam_removed == [{"text": "连线棋牌游戏大厅", "where": "body", "rule": "test"}]
    assert "棋牌" not in result.body


def test_domspam_failure_does_not_stop_extraction(monkeypatch):
    def broken(tree, url, allowed_domains):
        raise RuntimeError("boom")

    monkeypatch.setattr("crawler.spam.dom.remove_dom_spam", broken)
    result = extract_article(page(), URL)
    assert "domspam_error" in result.notes
    assert result.body == "\n\n".join(PARAGRAPHS)


def test_page_signals_count_offsite_links():
    content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + '<a href="http://spam.example.com/">x</a><a href="/local">y</a>'
    result = extract_article(page(content=content), URL, allowed_domains=["mca.gov.cn"])
    assert result.page_signals["link_count"] == 2
    assert result.page_signals["offsite_link_count"] == 1


def test_page_signals_judge_hosts_as_the_spider_does():
    links = '<a href="http://WWW.MCA.gov.cn./a">a</a><a href="//m.mca.gov.cn/b">b</a><a href="http://evilmca.gov.cn/">c</a>'
    content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + links
    result = extract_article(page(content=content), URL, allowed_domains=["mca.gov.cn"])
    assert result.page_signals["link_count"] == 3
    assert result.page_signals["offsite_link_count"] == 1  # only evilmca.gov.cn


def test_english_byline_in_the_info_line():
    line = "Updated: Dec 19, 2019 10:30 &nbsp; Source: China Daily &nbsp; <span>Written by: Hou Liqiang</span>"
    body = "<p>China's national carbon market has completed its second compliance cycle, the ministry said.</p>"
    result = extract_article(page(before=f'<div class="info">{line}</div>', content=body), "https://english.www.gov.cn/a.html")
    assert result.source == "China Daily"
    assert result.author == "Hou Liqiang"
    assert "source_disagreement" not in result.notes


@pytest.mark.parametrize("line", ["（责任编辑：王洋）", "【责任编辑：王洋】", "[Editor: Wang Yang]", "(Chief Editor: Wang Yang)"])
def test_editor_lines_are_not_body(line):
    content = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<p style='text-align:right'>{line}</p>"
    assert extract_article(page(content=content), URL).body == "\n\n".join(PARAGRAPHS)


def test_extracted_fields_are_already_normalised():
    from crawler.extract.text import normalize_body, normalize_line, strip_site_suffix

    content = "<p>\u3000\u3000养老机构数量增长１２．５％，达到３．４万家\u200b。</p><p>ＡＢＣ类地区试点&nbsp;&nbsp;继续推进。</p>"
    result = extract_article(page(content=content, title="养老服务\u3000发展_中华人民共和国民政部"), URL)
    assert result.body == "养老机构数量增长12.5%，达到3.4万家。\n\nＡＢＣ类地区试点 继续推进。"
    assert normalize_body(result.body) == result.body
    assert strip_site_suffix(normalize_line(result.title)) == result.title == "养老服务 发展"


def test_sidebar_dates_do_not_beat_the_info_line_beside_the_article():
    sidebar = "<div class='side'><div class='box'><p>网站更新时间：2023-05-06 来源：网站管理中心</p></div></div>"
    info = "<div class='info'>发布时间：2019-12-19 来源：中国社会报</div>"
    html = page(before=sidebar + f"<div class='main'>{info}<div id='zoom'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></div>",
                content="", container="")
    result = extract_article(html, "http://x.gov.cn/a.html")
    assert result.published_date == "2019-12-19"
    assert result.source == "中国社会报"
    assert "date_disagreement" not in result.notes


def test_meeting_time_in_a_notice_is_content_not_metadata():
    content = "<p>时间：2019年12月20日</p><p>地点：民政部机关二楼会议室</p><p>参会人员：各司局负责同志。</p>"
    result = extract_article(page(content=content, before="<div>发布日期：2019-12-18</div>"), URL)
    assert result.published_date == "2019-12-18"
    assert result.body.startswith("时间：2019年12月20日")


@pytest.mark.parametrize(
    "top",
    [
        "<h1>全国民政工作会议在京召开</h1><p>时间：2019-12-19 来源：中国社会报</p>",
        "<div class='title'>全国民政工作会议在京召开</div><div>日期：2019年12月19日 10:30&nbsp;&nbsp;来源：中国社会报 【字号：大 中 小】</div>",
        "<p>来源：中国社会报</p><p>发布时间：2019-12-19 10:30</p>",
    ],
)
def test_title_and_info_line_inside_the_container(top):
    content = top + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    result = extract_article(page(content=content, title="x"), "http://x.gov.cn/a.html")
    assert result.body == "\n\n".join(PARAGRAPHS)
    assert result.published_date == "2019-12-19"
    assert result.source == "中国社会报"


def test_information_disclosure_table_publication_date_beats_drafting_date():
    table = (
        "<table><tr><td>索引号：</td><td>000014349/2020-00012</td><td>成文日期：</td><td>2020年03月01日</td></tr>"
        "<tr><td>发文字号：</td><td>国办发〔2020〕12号</td><td>发布日期：</td><td>2020年03月05日</td></tr></table>"
    )
    result = extract_article(page(before=table), "https://www.gov.cn/zhengce/content/a.htm")
    assert result.published_date == "2020-03-05"


def test_title_tag_with_column_suffix_is_cut_at_the_repeated_headline():
    content = "<p align='center'><strong>关于做好困难群众基本生活保障工作的通知</strong></p>" + "".join(
        f"<p>{p}</p>" for p in PARAGRAPHS
    )
    title = "关于做好困难群众基本生活保障工作的通知（民发〔2020〕12号）_政府信息公开专栏"
    result = extract_article(page(content=content, title=title), URL)
    assert result.title == "关于做好困难群众基本生活保障工作的通知"
    assert result.body == "\n\n".join(PARAGRAPHS)


def test_unlabelled_date_in_an_element_named_for_it():
    before = "<div class='title'>全国民政工作会议在京召开</div><div class='info'><span class='time'>2019-12-19 10:30</span></div>"
    result = extract_article(page(before=before), "http://x.gov.cn/a.html")
    assert result.published_at == "2019-12-19T10:30:00+08:00"


def test_list_of_dated_links_far_from_the_article_is_not_a_publication_date():
    side = "<div class='side'><ul>" + "".join(
        f"<li><a href='/{i}.html'>其他新闻标题第{i}条</a><span class='date'>2023-05-0{i}</span></li>" for i in range(1, 6)
    ) + "</ul></div>"
    html = page(before=side + "<div class='main'><div class='art'><div class='info'>发布时间：2019-12-19</div>"
                "<div id='zoom'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></div></div>",
                content="", container="")
    result = extract_article(html, "http://x.gov.cn/a.html")
    assert result.published_date == "2019-12-19"


def test_meta_tags_emitted_inside_body_are_read():
    before = '<meta name="PubDate" content="2019-12-19 10:30"><meta name="ContentSource" content="中国社会报">'
    result = extract_article(page(before=before), "http://x.gov.cn/a.html")
    assert result.published_at == "2019-12-19T10:30:00+08:00"
    assert result.source == "中国社会报"


def test_column_banner_and_sidebar_box_titles_are_not_the_headline():
    before = (
        "<div class='banner'><h1>新闻中心</h1></div>"
        "<div class='side'><div class='title'>热点专题</div><ul><li><a>专题一</a></li></ul></div>"
        "<div class='art-title'>全国民政工作会议在京召开</div>"
    )
    result = extract_article(page(before=before, title="全国民政工作会议在京召开_中华人民共和国民政部"), URL)
    assert result.title_candidates[0] == ["content:h1", "全国民政工作会议在京召开"]


def test_generic_title_tag_does_not_veto_the_headline():
    before = "<h1>全国民政工作会议在京召开</h1>"
    result = extract_article(page(before=before, title="中华人民共和国民政部"), URL)
    assert result.title == "全国民政工作会议在京召开"
    assert "title_is_site_name" not in result.notes


def test_h2_headline_that_matches_the_title_tag():
    before = "<div class='box'><h2>热点专题</h2></div><div class='art'><h2>全国民政工作会议在京召开</h2></div>"
    result = extract_article(page(before=before, title="全国民政工作会议在京召开_中华人民共和国民政部"), URL)
    assert result.title_candidates[0] == ["content:h1", "全国民政工作会议在京召开"]


def test_layout_table_with_an_image_cell_leaves_no_dangling_separator():
    content = (
        f"<p>{PARAGRAPHS[0]}</p><table><tr><td><img src='a.jpg'></td><td>图为会议现场。</td></tr>"
        "<tr><td></td><td>&nbsp;</td></tr><tr><td>地区</td><td></td><td>数量</td></tr></table>"
    )
    result = extract_article(page(content=content), URL)
    assert result.body.split("\n\n") == [PARAGRAPHS[0], "图为会议现场。", "地区 | 数量"]


def test_density_prefers_a_short_article_over_related_news_with_summaries():
    related = "<div class='related-news'>" + "".join(
        f"<div class='item'><a href='/{i}.html'>相关新闻标题{i}</a><p>这是一段相关新闻的摘要文字，介绍该新闻的主要内容和有关情况，供读者参考第{i}条。</p></div>"
        for i in range(6)
    ) + "</div>"
    short = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    html = page(before=f"<div class='wz'>{short}</div>{related}", content="", container="")
    result = extract_article(html, URL)
    assert "fallback_density" in result.notes
    assert result.body == "\n\n".join(PARAGRAPHS[:2])


# --- forms, and dates outside the content block ----------------------------------------------

FORM_PAGE = """<html><head><title>关于开展养老服务质量提升行动的通知_民政部</title></head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xw/">新闻</a> &gt; 通知</div>
<form action="/search"><label for="q">搜索</label><input id="q" name="q" value="博彩 www.bet365.com">
<select name="s"><option>棋牌游戏大厅</option></select><textarea>澳门赌场 在线</textarea></form>
<h1>关于开展养老服务质量提升行动的通知</h1><div class="info">发布时间：2024-03-05 来源：民政部</div>
<div id="zoom"><p>各省、自治区、直辖市民政厅（局）：为提升养老服务质量，现就有关事项通知如下。</p>
<form><p>表单里的一段正文，<label>标签文字</label>也算正文。</p><input type="hidden" value="x"></form>
<p>附件：<a href="/files/a.pdf">实施方案.pdf</a></p></div></body></html>"""


def test_text_inside_a_form_is_body_and_form_controls_are_not():
    result = extract_article(FORM_PAGE.encode("utf-8"), URL, "utf-8")
    assert result.title == "关于开展养老服务质量提升行动的通知"
    assert result.body.split("\n\n") == [
        "各省、自治区、直辖市民政厅（局）：为提升养老服务质量，现就有关事项通知如下。",
        "表单里的一段正文，标签文字也算正文。",
        "附件：实施方案.pdf",
    ]
    assert (result.published_date, result.source, result.section) == ("2024-03-05", "民政部", "通知")
    assert result.attachments == [{"url": "http://www.mca.gov.cn/files/a.pdf", "title": "实施方案.pdf"}]


@pytest.mark.parametrize(
    ("layout", "date"),
    [
        # only the block's tail gives the nearest date (the cell's text is too long to be read whole)
        ('<div class="info">发布时间：2024-03-01</div><table><tr><td><div id="zoom"><p>'
         + "正文内容，" * 70 + "</p></div>发布日期：2024-03-02 10:00 作者：张三</td></tr></table>",
         "2024-03-02T10:00:00+08:00"),
        # the info line in the tail of the content block, and text right in its ancestors
        ('<div class="main time-box">发布时间：2024-03-01<div class="wrap">来源：中国社会报<div id="zoom">'
         "<p>正文第一段，说明有关情况：一是二是。</p><p>正文第二段。</p></div>"
         "发布日期：2024-03-02 10:00 作者：张三</div>尾部：文字</div>", "2024-03-02T10:00:00+08:00"),
        # a date-named ancestor of the block beats a date-named element after it; one inside is body
        ('<div class="pubdate">2024-03-03<div id="zoom"><p>正文第一段很长很长很长很长很长很长很长很长。</p>'
         '<span class="time">2019-12-19</span></div></div><span class="date">2024-03-04</span>', "2024-03-03"),
        # the only date: an element named for it after the block
        ('<div id="zoom"><p>正文第一段很长很长很长很长很长很长很长很长。</p></div><span class="date">2024-03-07</span>',
         "2024-03-07"),
        # the only date: an element named for it before the block
        ('<span class="time">2024-03-08</span><div id="zoom"><p>正文第一段很长很长很长很长很长很长很长很长。</p></div>',
         "2024-03-08"),
        # no known container: the density fallback may choose a block holding the info line
        ("<div><p>来源：新华社 2024-03-05</p><p>" + "这是一段足够长的正文内容，" * 30 + "</p></div>", "2024-03-05"),
        # text straight in <body>, the block its only child
        ('时间：2024-03-06<div id="zoom"><p>正文：第一段，足够长足够长足够长足够长足够长。</p></div>', "2024-03-06"),
    ],
)
def test_the_nearest_date_outside_the_content_block(layout, date):
    html = f"<html><head><title>测试页面标题</title></head><body>{layout}</body></html>"
    result = extract_article(html.encode("utf-8"), URL, "utf-8")
    assert (result.published_at or result.published_date) == date
