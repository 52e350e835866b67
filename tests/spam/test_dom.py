"""DOM-level spam removal (crawler/spam/dom.py), on lxml trees."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.spam.css import hiding_reason, parse_style
from crawler.spam.dom import page_spam_signals, remove_dom_spam
from crawler.spam.scripts import decode_script

URL = "http://www.mca.gov.cn/article/xw/mtbd/202001/20200100023133.shtml"
DOMAINS = ("www.mca.gov.cn", "mca.gov.cn")
ARTICLE = "<div id='zoom'><p>民政部召开全国养老服务工作会议，部署推进基本养老服务体系建设。</p></div>"


def page(body: str, head: str = "", body_attributes: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f"<html><head><title>民政部召开全国养老服务工作会议</title>{head}</head>"
        f"<body {body_attributes}>{body}</body></html>"
    )


def clean(tree: lxml.html.HtmlElement) -> tuple[list[dict[str, str]], str]:
    removals = remove_dom_spam(tree, URL, DOMAINS)
    return removals, tree.text_content()


# -- hidden blocks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<div style='display:none'>{spam}</div>", "hidden:display-none"),
        ("<div style='DISPLAY: NONE !important'>{spam}</div>", "hidden:display-none"),
        ("<span style='visibility:hidden'>{spam}</span>", "hidden:visibility-hidden"),
        ("<div style='position:absolute;left:-9999px;top:-9999px'>{spam}</div>", "hidden:offscreen"),
        ("<p style='text-indent:-10000px'>{spam}</p>", "hidden:offscreen"),
        ("<div style='font-size:0px'>{spam}</div>", "hidden:font-size"),
        ("<div style='font-size:1px;line-height:1px'>{spam}</div>", "hidden:font-size"),
        ("<div style='height:1px;overflow:hidden'>{spam}</div>", "hidden:zero-size"),
        ("<div style='width:0;height:0'>{spam}</div>", "hidden:zero-size"),
        ("<marquee width='1' height='1' scrollamount='5000'>{spam}</marquee>", "hidden:marquee-zero-size"),
        ("<marquee style='height:0px'>{spam}</marquee>", "hidden:marquee-zero-size"),
        ("<font color='#FFFFFF'>{spam}</font>", "hidden:colour"),
        ("<span style='color:#fff'>{spam}</span>", "hidden:colour"),
        ("<div style='opacity:0'>{spam}</div>", "hidden:opacity-zero"),
        ("<div hidden>{spam}</div>", "hidden:hidden-attribute"),
        ("<div class='a1 gg'>{spam}</div>", "hidden:class:display-none"),
        ("<div id='x9'>{spam}</div>", "hidden:class:offscreen"),
    ],
)
def test_hidden_spam_blocks_removed_and_recorded(markup: str, reason: str) -> None:
    spam = "<a href='http://www.xpj8888.cc/'>澳门新葡京娱乐场</a><a href='http://www.hg3088.vip/'>皇冠体育</a>"
    style = "<style>.gg{display:none} #x9 { position:absolute; top:-2000px }</style>"
    tree = page(ARTICLE + markup.format(spam=spam), head=style)
    removals, text = clean(tree)
    assert removals == [{"text": "澳门新葡京娱乐场 皇冠体育", "where": "hidden", "rule": reason}]
    assert "新葡京" not in text and "皇冠体育" not in text
    assert "民政部召开全国养老服务工作会议" in text


def test_colour_equal_to_page_background_set_on_body() -> None:
    tree = page(ARTICLE + "<font color='#003366'>六合彩 特码 一码中特</font>", body_attributes="bgcolor='#003366'")
    removals, _ = clean(tree)
    assert [r["rule"] for r in removals] == ["hidden:colour"]


def test_coloured_text_on_its_own_background_is_visible() -> None:
    tree = page("<div style='background:#c00'><font color='#ffffff'>全国彩票销售情况通报</font></div>" + ARTICLE)
    removals, text = clean(tree)
    assert removals == [] and "全国彩票销售情况通报" in text


def test_hidden_block_without_spam_is_left_alone() -> None:
    markup = (ARTICLE + "<div style='display:none' class='share'>分享到：微信 微博</div>"
              "<ul style='display:none'><li><a href='http://www.gov.cn/'>中国政府网</a></li>"
              "<li><a href='http://www.mof.gov.cn/'>财政部</a></li><li><a href='http://www.people.com.cn/'>人民网</a></li></ul>")
    removals, text = clean(page(markup))
    assert removals == []
    assert "分享到" in text and "人民网" in text


def test_tail_text_after_a_hidden_block_is_kept() -> None:
    tree = page("<p>会议指出，<span style='display:none'>百家乐真人娱乐</span>要加强儿童福利机构建设。</p>")
    removals, text = clean(tree)
    assert removals[0]["text"] == "百家乐真人娱乐"
    assert "会议指出，要加强儿童福利机构建设。" in text


# -- link farms ----------------------------------------------------------------------


def test_visible_link_farm_in_footer_removed_whole() -> None:
    farm = ("<div class='yqlj'>友情链接：<a href='http://www.amjs1888.com/'>澳门金沙</a> | "
            "<a href='http://www.vns5588.cc/'>威尼斯人娱乐</a> | <a href='http://www.bbin365.net/'>真人视讯</a> | "
            "<a href='http://www.6hc888.com/'>六合彩资料</a></div>")
    footer = "<div class='footer'>主办：中华人民共和国民政部 <a href='http://www.miit.gov.cn/'>京ICP备13012430号</a></div>"
    removals, text = clean(page(ARTICLE + farm + footer))
    assert len(removals) == 1
    assert removals[0]["where"] == "link" and removals[0]["rule"] == "link:farm"
    assert removals[0]["text"] == "友情链接： 澳门金沙 | 威尼斯人娱乐 | 真人视讯 | 六合彩资料"
    assert "京ICP备13012430号" in text and "主办" in text


def test_list_of_spam_links_removed_with_its_list() -> None:
    farm = "<ul>" + "".join(
        f"<li><a href='http://www.{host}/'>{name}</a></li>"
        for host, name in [("hg0088.vip", "皇冠体育"), ("bet365a.com", "bet365"), ("ag888.cc", "AG真人")]
    ) + "</ul>"
    tree = page(ARTICLE + farm)
    removals, _ = clean(tree)
    assert [r["rule"] for r in removals] == ["link:farm"]
    assert tree.find(".//ul") is None


def test_single_spam_link_inside_paragraph_removed_sentence_kept() -> None:
    tree = page("<div id='zoom'><p>会议要求，<a href='http://www.xpj8888.cc/'>新葡京娱乐场</a>各地要落实监护责任。</p></div>")
    removals, text = clean(tree)
    assert removals == [{"text": "新葡京娱乐场", "where": "link", "rule": "link:spam-anchor"}]
    assert "会议要求，各地要落实监护责任。" in text


def test_legitimate_links_survive() -> None:
    links = ("<div class='xglj'>相关链接：<a href='http://www.cwl.gov.cn/'>中国福利彩票</a> "
             "<a href='http://www.lottery.gov.cn/'>中国体育彩票</a> "
             "<a href='/article/xw/tzgg/202001/1.shtml'>民政部 财政部关于2019年彩票公益金使用情况的公告</a> "
             "<a href='http://www.mps.gov.cn/n2254098/n4904352/c7000000/content.html'>公安部破获特大跨境赌博案</a></div>")
    removals, text = clean(page(ARTICLE + links))
    assert removals == []
    assert "中国福利彩票" in text and "公安部破获特大跨境赌博案" in text


# -- scripts, iframes, metas ---------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "rule"),
    [
        ("document.write('<div style=\"display:none\"><a href=\"http://www.vns8888.cc/\">澳门威尼斯人</a></div>');",
         "script:writes-spam"),
        ("document.write(String.fromCharCode(60,97,32,104,114,101,102,61,34,104,116,116,112,58,47,47,120,112,"
         "106,56,56,46,99,99,34,62,28595,38376,36172,22330,60,47,97,62));", "script:writes-spam"),
        ("eval(unescape('%64%6f%63%75%6d%65%6e%74%2e%77%72%69%74%65%28%22%3c%61%20%68%72%65%66%3d%27%68%74%74%70"
         "%3a%2f%2f%77%77%77%2e%78%70%6a%38%38%2e%63%63%27%3e%u767e%u5bb6%u4e50%3c%2f%61%3e%22%29'));",
         "script:writes-spam"),
        ("var r=document.referrer;if(r.indexOf('baidu')>-1||r.indexOf('sogou')>-1||r.indexOf('so.com')>-1)"
         "{window.location.href='http://www.hg3088.vip/';}", "script:search-engine-cloak"),
        ("var ua=navigator.userAgent.toLowerCase();if(/baiduspider|sogou|360spider/.test(ua))"
         "{document.title='澳门新葡京娱乐场_百家乐';}", "script:spider-cloak"),
        ("setTimeout(function(){top.location.replace('http://www.amjs88.com/')},100);", "script:spam-domain"),
    ],
)
def test_injected_scripts_removed(script: str, rule: str) -> None:
    tree = page(ARTICLE, head=f"<script>{script}</script>")
    removals, _ = clean(tree)
    assert [r["where"] for r in removals] == ["script"]
    assert removals[0]["rule"] == rule
    assert removals[0]["text"]
    assert tree.find(".//script") is None


@pytest.mark.parametrize(
    "script",
    [
        "var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
        "hm.src='https://hm.baidu.com/hm.js?0123456789abcdef';var s=document.getElementsByTagName('script')[0];"
        "s.parentNode.insertBefore(hm,s);})();",
        "if(/(iPhone|iPod|Android|ios)/i.test(navigator.userAgent)){window.location.href='/m/index.html';}",
        "var cnzz_protocol=(('https:'==document.location.protocol)?'https://':'http://');document.write(unescape("
        "\"%3Cspan id='cnzz_stat_icon_1000'%3E%3C/span%3E%3Cscript src='\"+cnzz_protocol+\"s96.cnzz.com/z_stat.php"
        "%3Fid%3D1000' type='text/javascript'%3E%3C/script%3E\"));",
        "document.write('<a href=\"http://www.gov.cn/\">中国政府网</a>');",
        "$(function(){ $('#zoom').css('font-size','16px'); });",
    ],
)
def test_ordinary_scripts_kept(script: str) -> None:
    tree = page(ARTICLE, head=f"<script>{script}</script>")
    removals, _ = clean(tree)
    assert removals == []
    assert tree.find(".//script") is not None


def test_external_script_from_spam_domain_removed() -> None:
    tree = page(ARTICLE, head="<script src='http://js.bet365x.com/t.js'></script><script src='/js/jquery.js'></script>")
    removals, _ = clean(tree)
    assert removals == [{"text": "http://js.bet365x.com/t.js", "where": "script", "rule": "script:spam-src"}]
    assert len(tree.findall(".//script")) == 1


def test_decode_script_reads_obfuscated_strings() -> None:
    decoded = decode_script("x=String.fromCharCode(0x61,98,99);y=unescape('%u4f60%u597d');z=atob('5L2g5aW9');w='\\x41\\u4e2d'")
    assert "abc" in decoded and decoded.count("你好") == 2 and "A中" in decoded


def test_iframes_to_spam_domains_and_hidden_iframes_removed() -> None:
    markup = (ARTICLE + "<iframe src='http://www.xpj8888.cc/' width='600' height='400'></iframe>"
              "<iframe src='http://ad.example.com/x' width='0' height='0'></iframe>"
              "<iframe src='http://www.gov.cn/video/1.htm' width='0' height='0'></iframe>"
              "<iframe src='http://v.people.com.cn/video/1.html' width='640' height='360'></iframe>")
    tree = page(markup)
    removals, _ = clean(tree)
    assert [(r["where"], r["rule"]) for r in removals] == [("link", "iframe:spam-domain"), ("hidden", "iframe:hidden")]
    assert [f.get("src") for f in tree.iter("iframe")] == ["http://www.gov.cn/video/1.htm", "http://v.people.com.cn/video/1.html"]


def test_stuffed_metas_cleaned_or_removed() -> None:
    head = ("<meta name='keywords' content='养老服务,民政部,百家乐,澳门新葡京,真人娱乐'>"
            "<meta name='description' content='澳门新葡京娱乐场官网注册送88元彩金'>"
            "<meta name='Keywords' content='福利彩票,彩票公益金,民政部'>"
            "<meta http-equiv='refresh' content='0;url=http://www.vns888.cc/'>")
    tree = page(ARTICLE, head=head)
    removals, _ = clean(tree)
    assert [(r["where"], r["rule"]) for r in removals] == [
        ("meta", "meta:keywords"), ("meta", "meta:description"), ("meta", "meta:refresh-offsite")]
    metas = {m.get("name"): m.get("content") for m in tree.iter("meta") if m.get("name")}
    assert metas == {"keywords": "养老服务,民政部", "Keywords": "福利彩票,彩票公益金,民政部"}
    assert "百家乐" in removals[0]["text"] and "澳门新葡京" in removals[0]["text"]


# -- helpers and signals -------------------------------------------------------------


def test_parse_style_and_hiding_reason() -> None:
    assert parse_style("Color: RED; font-size : 0 !important") == {"color": "red", "font-size": "0"}
    assert hiding_reason({"font-size": "12px"}) is None
    assert hiding_reason({"position": "absolute", "left": "-999em"}) == "offscreen"
    assert hiding_reason({"color": "#FFF"}, page_background="#ffffff") == "colour"
    assert hiding_reason({"height": "300px", "overflow": "hidden"}) is None


def test_page_spam_signals_after_cleaning() -> None:
    tree = page(ARTICLE + "<p>澳门新葡京娱乐场 百家乐 太阳城娱乐 皇冠体育 注册送88元彩金</p>")
    remove_dom_spam(tree, URL, DOMAINS)
    signals = page_spam_signals(tree, URL, DOMAINS)
    assert signals["spam_chars"] >= 20
    assert signals["visible_chars"] > signals["spam_chars"]


def test_broken_markup_does_not_raise() -> None:
    tree = lxml.html.fromstring("<div><p style='display:none;;;color:'>百家乐<a href='http://[bad'>澳门赌场</a>"
                                "<style>.x{display:none</style><iframe src='http://['></iframe></div>")
    removals = remove_dom_spam(tree, "not a url", ())
    assert all(set(r) == {"text", "where", "rule"} for r in removals)


def test_malformed_page_url_does_not_raise() -> None:
    tree = page(ARTICLE + "<div style='display:none'><a href='http://www.xpj8888.cc/'>澳门新葡京</a></div>")
    removals = remove_dom_spam(tree, "http://[::1", ())
    assert [r["where"] for r in removals] == ["hidden"]
