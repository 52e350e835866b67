"""What a browser would not show (crawler/spam/css.py), and what of it is spam
(crawler/spam/evidence.py through crawler/spam/dom.py): injections in brand names
no lexicon knows, and legitimate hidden content that must stay."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.spam.css import StyleResolver, contrast, colour, hiding_reason, length_px, parse_style
from crawler.spam.dom import remove_dom_spam
from crawler.spam.evidence import is_brand_shaped, is_trusted_host, solicitation_kinds

URL = "http://www.mca.gov.cn/article/xw/tzgg/202405/20240500001234.shtml"
DOMAINS = ("www.mca.gov.cn", "mca.gov.cn")
ARTICLE = "<div id='zoom'><p>民政部召开全国社会救助工作会议，部署做好低收入人口动态监测工作。</p></div>"
# New vocabulary: no term of the shipped lexicon, brands invented for these tests.
LINKS = ("<a href='http://www.jinlongge8899.com/'>金龙阁线上厅</a> <a href='http://www.hongyunfang66.net/'>鸿运坊</a> "
         "<a href='http://www.jubaozhuang.top/'>聚宝庄</a>")


def page(body: str, head: str = "", body_attributes: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f"<html><head><title>民政部召开全国社会救助工作会议</title>{head}</head><body {body_attributes}>{body}</body></html>"
    )


def hidden(tree: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    root = tree.getroottree().getroot()
    resolver = StyleResolver(root, list(root.iter("style")))
    return [(element.get("id") or element.tag, rule) for element, rule in resolver.hidden_elements()]


# -- the cascade ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("css", "markup", "expected"),
    [
        (".k7{display:none}", "<div id='t' class='k7'>x</div>", [("t", "class:display-none")]),
        ("#t{visibility:hidden}", "<div id='t'>x</div>", [("t", "class:visibility-hidden")]),
        ("div.box p{font-size:0}", "<div class='box'><p id='t'>x</p></div>", [("t", "class:font-size")]),
        (".o{position:absolute;left:-9999px}", "<div id='t' class='o'>x</div>", [("t", "class:offscreen")]),
        (".i{text-indent:-9999px}", "<p id='t' class='i'>x</p>", [("t", "class:offscreen")]),
        (".z{height:0;overflow:hidden}", "<div id='t' class='z'>x</div>", [("t", "class:zero-size")]),
        (".c{color:#fefefe}", "<p id='t' class='c'>x</p>", [("t", "class:colour")]),
        # later rule wins
        (".a{display:none} .a{display:block}", "<div id='t' class='a'>x</div>", []),
        # more specific rule wins regardless of order
        ("#t.a{display:none} .a{display:block}", "<div id='t' class='a'>x</div>", [("t", "class:display-none")]),
        # !important beats the inline style
        (".a{display:none!important}", "<div id='t' class='a' style='display:block'>x</div>", [("t", "class:display-none")]),
        # the inline style beats an ordinary rule
        (".a{display:none}", "<div id='t' class='a' style='display:block'>x</div>", []),
        # print-only and narrow-screen rules do not hide on a desktop screen
        ("@media print{.a{display:none}}", "<div id='t' class='a'>x</div>", []),
        ("@media (max-width:768px){.a{display:none}}", "<div id='t' class='a'>x</div>", []),
        ("@media screen{.a{display:none}}", "<div id='t' class='a'>x</div>", [("t", "class:display-none")]),
        # hover menus are shown on hover only: never matched
        (".m:hover .s{display:none}", "<div class='m'><div id='t' class='s'>x</div></div>", []),
        # comments and unknown syntax do not break the sheet
        ("/* a{display:none} */ .a{display:none} @font-face{font-family:x}", "<div id='t' class='a'>x</div>",
         [("t", "class:display-none")]),
    ],
)
def test_cascade_decides_what_is_hidden(css: str, markup: str, expected: list[tuple[str, str]]) -> None:
    assert hidden(page(markup, head=f"<style>{css}</style>")) == expected


def test_colour_against_the_background_resolved_through_ancestors() -> None:
    css = ".panel{background:#003366} .panel .t{color:#013467} .plain{color:#ffffff}"
    markup = ("<div class='panel'><p id='dark' class='t'>x</p><p id='white' class='plain'>y</p></div>"
              "<p id='onwhite' class='plain'>z</p>")
    assert hidden(page(markup, head=f"<style>{css}</style>")) == [("dark", "class:colour"), ("onwhite", "class:colour")]


def test_background_image_makes_the_colour_unknown_and_the_text_visible() -> None:
    css = ".banner{background:url(/images/banner.jpg) no-repeat} .banner p{color:#fff}"
    assert hidden(page("<div class='banner'><p id='t'>标题</p></div>", head=f"<style>{css}</style>")) == []


def test_body_background_from_a_rule() -> None:
    css = "body{background-color:#f0f0f0} .x{color:#eeeeee}"
    assert hidden(page("<p id='t' class='x'>x</p>", head=f"<style>{css}</style>")) == [("t", "class:colour")]


def test_font_size_zero_layout_trick_with_sized_children_is_visible() -> None:
    css = ".nav{font-size:0} .nav li{display:inline-block;font-size:14px}"
    assert hidden(page("<ul id='t' class='nav'><li>首页</li><li>政务公开</li></ul>", head=f"<style>{css}</style>")) == []


def test_values_and_contrast() -> None:
    assert length_px("-99em") == -99 * 16
    assert length_px("0") == 0 and length_px("auto") is None
    assert colour("white") == (1.0, 1.0, 1.0, 1.0)
    assert colour("#fff url(x.png) repeat-x") == (1.0, 1.0, 1.0, 1.0)
    assert contrast((1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 1.0)) == pytest.approx(21.0)
    assert parse_style("Color: RED; font-size : 0 !important; float:left") == {"color": "red", "font-size": "0"}
    assert hiding_reason({"font-size": "12px"}) is None
    assert hiding_reason({"position": "absolute", "left": "-999em"}) == "offscreen"
    assert hiding_reason({"color": "#FFF"}, page_background="#ffffff") == "colour"
    assert hiding_reason({"color": "#999"}, page_background="#ffffff") is None
    assert hiding_reason({"height": "300px", "overflow": "hidden"}) is None
    assert hiding_reason({"height": "0", "overflow": "hidden"}) == "zero-size"


# -- what of the hidden is spam (new vocabulary) ---------------------------------------


@pytest.mark.parametrize(
    ("css", "markup", "rule"),
    [
        (".gk3{display:none}", f"<div class='gk3'>{LINKS}</div>", "hidden:class:display-none"),
        ("#ft2{position:absolute;top:-3000px}", f"<div id='ft2'>{LINKS}</div>", "hidden:class:offscreen"),
        (".lx{color:#fff}", f"<p class='lx'>{LINKS}</p>", "hidden:class:colour"),
        ("", f"<p style='font-size:0.5px'>{LINKS}</p>", "hidden:font-size"),
        (".r{height:0;overflow:hidden}", "<div class='r'>鸿运坊线上厅开户即送58元，客服微信hy2288kf，秒提现！</div>",
         "hidden:class:zero-size"),
        ("", "<marquee height='1' width='1'><a href='http://www.jinlongge8899.com/'>金龙阁线上厅</a></marquee>",
         "hidden:marquee-zero-size"),
    ],
)
def test_hidden_injections_in_unknown_vocabulary_removed(css: str, markup: str, rule: str) -> None:
    tree = page(ARTICLE + markup, head=f"<style>{css}</style>" if css else "")
    removals = remove_dom_spam(tree, URL, DOMAINS)
    assert [r["rule"] for r in removals] == [rule]
    assert removals[0]["where"] == "hidden"
    text = tree.text_content()
    assert "金龙阁" not in text and "鸿运坊" not in text
    assert "部署做好低收入人口动态监测工作" in text


LEGIT_HIDDEN = [
    # drop-down menu of the site's own sections
    (".sub{display:none}", "<ul class='nav'><li><a href='/zwgk/'>政务公开</a><ul class='sub'>"
     "<li><a href='/zwgk/fgwj/'>法规文件</a></li><li><a href='/zwgk/tzgg/'>通知公告</a></li></ul></li></ul>"),
    # skip link and screen-reader text
    (".sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)}",
     "<a class='sr-only' href='#zoom'>跳转到主要内容</a><span class='sr-only'>当前位置：首页 新闻中心</span>"),
    # print-only footer with the page address and telephone
    (".print-only{display:none}", "<div class='print-only'>本页网址：http://www.mca.gov.cn/ 电话：010-58123114</div>"),
    # share widget with share links carrying the page address
    (".share-box{display:none}", "<div class='share-box'>分享到：<a href='http://service.weibo.com/share/share.php?url="
     "http://www.mca.gov.cn/article/1.shtml'>微博</a><a href='http://sns.qzone.example.com/share?url=www.mca.gov.cn'>QQ空间</a></div>"),
    # hidden tab of related news, lottery and anti-gambling titles, same-site links
    ("#tab2{display:none}", "<div id='tab2'><a href='/a/1.shtml'>2024年4月份全国彩票销售情况：销售彩票493.53亿元</a>"
     "<a href='/a/2.shtml'>公安部部署开展打击跨境赌博专项行动</a><a href='/a/3.shtml'>全国象棋锦标赛在澳门开幕</a></div>"),
    # hidden leaving-the-site dialog and a QR code caption
    (".dlg{display:none}", "<div class='dlg'>您访问的链接即将离开“民政部”门户网站，是否继续？</div>"
     "<div class='dlg'>扫一扫在手机打开当前页</div>"),
    # image replacement: the site name as text indented off-screen under a logo
    (".logo{text-indent:-9999px;background:url(/img/logo.png)}", "<h2 class='logo'>中华人民共和国民政部</h2>"),
    # hidden list of state media and other ministries
    (".media{display:none}", "<div class='media'><a href='http://www.people.com.cn/'>人民网</a>"
     "<a href='http://www.xinhuanet.com/'>新华网</a><a href='http://www.mof.gov.cn/'>财政部</a></div>"),
    # hidden drop-down of related institutions' sites (.org, .com.cn, .cn, not trusted by name)
    (".xglj ul{display:none}", "<div class='xglj'>相关网站<ul><li><a href='http://www.swchina.org/'>中国社会工作联合会</a></li>"
     "<li><a href='http://www.chinacharityfederation.org/'>中华慈善总会</a></li><li><a href='http://www.cncaprc.com.cn/'>"
     "中国老龄协会</a></li><li><a href='http://www.cdpf.org.cn/'>中国残疾人联合会</a></li></ul></div>"),
    # white text on a dark banner set by a rule
    (".banner{background:#0b3d91} .banner span{color:#ffffff}",
     "<div class='banner'><span>澳门特别行政区政府代表团来访 双方就降低对博彩业的过度依赖交流经验</span></div>"),
]


@pytest.mark.parametrize(("css", "markup"), LEGIT_HIDDEN)
def test_legitimately_hidden_content_stays(css: str, markup: str) -> None:
    tree = page(ARTICLE + markup, head=f"<style>{css}</style>")
    before = " ".join(tree.text_content().split())
    assert remove_dom_spam(tree, URL, DOMAINS) == []
    assert " ".join(tree.text_content().split()) == before


def test_visible_footer_farm_of_brand_shaped_hosts_removed() -> None:
    farm = ("<div class='links'><a href='http://www.jinlongge8899.com/'>金龙阁</a> | <a href='http://hy-2288.net/'>鸿运坊</a> | "
            "<a href='http://www.jubao66.cc/'>聚宝庄</a> | <a href='http://www.fuman888.com/'>福满楼</a></div>")
    footer = "<div class='footer'>主办：中华人民共和国民政部 <a href='http://beian.miit.gov.cn/'>京ICP备05000000号</a></div>"
    tree = page(ARTICLE + farm + footer)
    removals = remove_dom_spam(tree, URL, DOMAINS)
    assert [(r["where"], r["rule"]) for r in removals] == [("link", "link:farm")]
    assert "福满楼" not in tree.text_content() and "京ICP备05000000号" in tree.text_content()


def test_visible_footer_of_national_service_links_stays() -> None:
    footer = ("<div class='links'><a href='http://www.12377.cn/'>违法和不良信息举报中心</a> | "
              "<a href='http://www.12371.cn/'>共产党员网</a> | <a href='http://www.12306.cn/'>中国铁路</a> | "
              "<a href='http://www.cwl.gov.cn/'>中国福利彩票</a></div>")
    assert remove_dom_spam(page(ARTICLE + footer), URL, DOMAINS) == []


def test_script_writing_hidden_foreign_links_removed() -> None:
    script = ("<script>document.write('<div style=\"display:none\"><a href=\"http://www.jinlongge8899.com/\">金龙阁</a>"
              "<a href=\"http://www.hongyunfang66.net/\">鸿运坊</a></div>');</script>")
    removals = remove_dom_spam(page(ARTICLE + script), URL, DOMAINS)
    assert [r["rule"] for r in removals] == ["script:writes-foreign-links"]


def test_host_shapes_and_advertising_marks() -> None:
    assert is_brand_shaped("www.jinlongge8899.com") and is_brand_shaped("jubao.top")
    assert not is_brand_shaped("www.12371.cn") and not is_brand_shaped("www.people.com.cn")
    assert is_trusted_host("service.weibo.com") and is_trusted_host("www.ndrc.gov.cn")
    assert not is_trusted_host("www.jinlongge.com")
    assert solicitation_kinds("鸿运坊开户即送58元，客服微信hy2288kf") >= {"call-to-action", "amount", "contact"}
    assert solicitation_kinds("2024年4月份全国彩票销售情况：销售彩票493.53亿元") == set()
    # The contact mark is the classifier's CONTACT_RE, read case-insensitively: WeChat written
    # "WX", "微信号", a Telegram handle, a mobile number.
    for contact in ("WX：HY2288KF", "微信号 hy2288kf", "TG @jubao888", "联系 13912345678"):
        assert "contact" in solicitation_kinds(contact), contact
    assert "contact" not in solicitation_kinds("服务热线 12345，工作日 9:00-17:00")


@pytest.mark.parametrize(
    ("css", "rule"),
    [
        # Parsed as a browser parses them: a rule that survives still hides; a block
        # swallowed by broken syntax hides nothing, and the then visible block of
        # brand-shaped links is caught as a farm.
        (".a{display:none;;;color:}", "hidden:class:display-none"),
        ("@media screen{.a{display:none}", "hidden:class:display-none"),  # unclosed at the end: closed
        ("}}}{{{ .a{display:none", "link:farm"),  # all one prelude and block: no .a rule
        (".a[href=={display:none} :nth-child(2n+{display:none} .a{display:none}", "link:farm"),
        ("\x00\ufffd.a{display:none}", "link:farm"),  # a type selector nothing matches
        (".a{font-size:calc(100% - 2px);color:rgb(300,-1,0);background:url(}", "link:farm"),
    ],
)
def test_malformed_css_is_read_as_a_browser_reads_it(css: str, rule: str) -> None:
    tree = page(f"<div id='t' class='a'>{LINKS}</div>" + ARTICLE, head=f"<style>{css}</style>")
    assert [r["rule"] for r in remove_dom_spam(tree, URL, DOMAINS)] == [rule]
    assert "部署做好低收入人口动态监测工作" in tree.text_content() and "金龙阁" not in tree.text_content()
