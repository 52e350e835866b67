from __future__ import annotations

from crawler.links import classify, extract_links, offsite_links
from crawler.seeds import parse_seed

MCA = parse_seed(
    {
        "name": "mca",
        "site_name": "民政部",
        "allowed_domains": ["www.mca.gov.cn"],
        "start_urls": ["http://www.mca.gov.cn/n152/n165/index.html"],
        "language": "zh",
        "article_patterns": [r"/n152/n165/c\d+/content\.html$"],
        "list_patterns": [r"/n152/n165/index(_\d+)?\.html$"],
    }
)
GENERIC = parse_seed(
    {
        "name": "mohrss",
        "site_name": "人社部",
        "allowed_domains": ["www.mohrss.gov.cn"],
        "start_urls": ["http://www.mohrss.gov.cn/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/"],
        "language": "zh",
    }
)


def test_patterns_decide_when_given():
    assert classify("http://www.mca.gov.cn/n152/n165/c1662004999979993926/content.html", MCA) == "article"
    assert classify("http://www.mca.gov.cn/n152/n165/index_2.html", MCA) == "list"
    # A generic article shape is not followed when the seed has its own patterns.
    assert classify("http://www.mca.gov.cn/xxgk/202312/t20231219_1.html", MCA) is None
    assert classify("http://www.mca.gov.cn/n152/n166/index.html", MCA) is None
    assert classify("http://www.mca.gov.cn/files/report.PDF", MCA) == "attachment"


def test_generic_article_shapes():
    for url in (
        "http://www.mohrss.gov.cn/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/202312/t20231219_511234.html",
        "http://www.gov.cn/xinwen/2019-12/19/content_5462345.htm",
        "http://english.www.gov.cn/news/202312/19/content_WS6581a2b3c6d0868f4e8e2b1a.html",
        "http://www.mca.gov.cn/n152/n165/c1662004999979993926/content.html",
        "http://www.mca.gov.cn/article/xw/mtbd/201912/20191200022571.shtml",
        "http://www.zj.gov.cn/art/2023/12/19/art_1229_5123.html",
    ):
        assert classify(url, GENERIC) == "article", url


def test_generic_lists_stay_in_the_start_section():
    base = "http://www.mohrss.gov.cn/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/"
    assert classify(base + "index_1.html", GENERIC) == "list"
    assert classify(base + "index.html?page=2", GENERIC) == "list"
    assert classify(base + "more.html", GENERIC, text="下一页") == "list"
    # Navigation to other sections or the home page is not a list of this section.
    assert classify("http://www.mohrss.gov.cn/SYrlzyhshbzb/zwgk/index.html", GENERIC) is None
    assert classify("http://www.mohrss.gov.cn/", GENERIC) is None
    assert classify(base + "style.css", GENERIC, text="2") is None


def test_unfamiliar_shape_in_a_dated_list_item_is_an_article():
    html = """<ul class="list">
      <li><a href="/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/show.jsp?id=42">人力资源社会保障部召开全国就业工作会议</a><span>2023-12-19</span></li>
      <li><a href="/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/show.jsp?id=43">更多</a></li>
    </ul><div><a href="/SYrlzyhshbzb/about.jsp">关于我们的一些说明文字</a></div>"""
    links = list(extract_links(html, GENERIC.start_urls[0], GENERIC))
    assert [(link.url.rsplit("/", 1)[1], link.kind) for link in links] == [("show.jsp?id=42", "article")]


def test_extract_links_resolves_dedups_and_splits_offsite():
    html = """
      <a href="cx/content.html">not an article shape</a>
      <a href="/n152/n165/c1662004999979993926/content.html#top">民政部召开会议</a>
      <a href="/n152/n165/c1662004999979993926/content.html">民政部召开会议（重复）</a>
      <a href="index_1.html">下一页</a>
      <a href="javascript:void(0)">打印</a>
      <a href="mailto:x@mca.gov.cn">信箱</a>
      <a href="/files/2023/plan.xlsx">附件：统计表</a>
      <a href="http://www.casino-example.com/n152/n165/c1/content.html">彩票</a>
    """
    links = list(extract_links(html, "http://www.mca.gov.cn/n152/n165/index.html", MCA))
    kinds = [(link.url, link.kind) for link in links]
    assert kinds == [
        ("http://www.mca.gov.cn/n152/n165/c1662004999979993926/content.html", "article"),
        ("http://www.mca.gov.cn/n152/n165/index_1.html", "list"),
        ("http://www.mca.gov.cn/files/2023/plan.xlsx", "attachment"),
        ("http://www.casino-example.com/n152/n165/c1/content.html", "article"),
    ]
    inside, outside = offsite_links(links, MCA)
    assert [link.url for link in outside] == ["http://www.casino-example.com/n152/n165/c1/content.html"]
    assert len(inside) == 3


def test_tracking_query_does_not_hide_an_article_from_its_pattern():
    url = "http://www.mca.gov.cn/n152/n165/c1662004999979990005/content.html?from=timeline"
    assert classify(url, MCA) == "article"
    assert classify("http://www.gov.cn/xinwen/2019-12/19/content_5462345.htm?utm_source=x", GENERIC) == "article"


def test_an_unusable_link_is_set_aside_and_the_others_go_on():
    html = """<ul>
    <li><a href="/n152/n165/c1/content.html">第一条新闻标题文字</a> 2023-12-19</li>
    <li><a href="http://evil.example.com＃@www.mca.gov.cn/n152/n165/c9/content.html">全角井号</a> 2023-12-19</li>
    <li><a href="http://www.mca.gov.cn:99999/n152/n165/c8/content.html">端口超出范围</a> 2023-12-18</li>
    <li><a href="/n152/n165/c2/content.html">第二条新闻标题文字</a> 2023-12-18</li></ul>"""
    invalid: list = []
    links = list(extract_links(html, "http://www.mca.gov.cn/n152/n165/index.html", MCA, invalid))
    assert [link.url for link in links] == [
        "http://www.mca.gov.cn/n152/n165/c1/content.html", "http://www.mca.gov.cn/n152/n165/c2/content.html"]
    assert [bad.href for bad in invalid] == [
        "http://evil.example.com＃@www.mca.gov.cn/n152/n165/c9/content.html",
        "http://www.mca.gov.cn:99999/n152/n165/c8/content.html"]
    assert "NFKC" in invalid[0].reason and "Port out of range" in invalid[1].reason


def test_url_problem_says_what_a_request_would_fail_on():
    from crawler.links import url_problem

    assert url_problem("http://www.mca.gov.cn/n152/index.html") is None
    assert "Port out of range" in url_problem("http://www.mca.gov.cn:70000/a.html")
    assert url_problem("http:///nohost") == "no host"
    assert "not http" in url_problem("ftp://www.mca.gov.cn/a.pdf")
