"""Same-host stylesheets an article links to (crawler/spam/stylesheets.py and the
spider's SPAM_FETCH_STYLESHEETS wiring)."""

from __future__ import annotations

from typing import Any

import lxml.html
from parsel import Selector
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.items import ArticleItem
from crawler.seeds import load_seed
from crawler.settings import SEEDS_DIR
from crawler.spam.css import StyleResolver
from crawler.spam.dom import remove_dom_spam
from crawler.spam.stylesheets import StylesheetCache, hiding_css, linked_stylesheets
from crawler.spiders.news import NewsSpider

URL = "http://www.mca.gov.cn/article/xw/mtbd/202405/20240500001234.shtml"
CSS_URL = "http://www.mca.gov.cn/css/article.css"
ADVERT = "鸿运坊线上厅开户即送58元，客服微信hy2288kf，秒提现！"
HEAD = ("<link rel='stylesheet' href='/css/article.css'><link rel='Stylesheet' href='print.css' media='print'>"
        "<link rel='stylesheet' href='http://cdn.example.com/x.css'><link rel='icon' href='/favicon.ico'>")


def article(url: str = URL) -> str:
    return (f"<html><head><title>民政部召开全国社会救助工作会议</title>{HEAD}</head><body>"
            "<h1>民政部召开全国社会救助工作会议</h1><div id='zoom'><p>民政部召开全国社会救助工作会议，部署做好低收入人口动态监测工作。</p>"
            f"<div class='x7q'>{ADVERT}</div><p>会议要求，各地要加强社会救助家庭经济状况核对。</p></div></body></html>")


def test_linked_stylesheets_same_host_screen_only() -> None:
    assert linked_stylesheets(Selector(text=article()), URL, ["www.mca.gov.cn", "mca.gov.cn"]) == [CSS_URL]


def test_linked_rules_apply_before_the_pages_own() -> None:
    tree = lxml.html.document_fromstring("<html><head><style>.b{display:block}</style></head><body>"
                                         "<div id='a' class='a'>x</div><div id='b' class='b'>y</div></body></html>")
    resolver = StyleResolver(tree, list(tree.iter("style")), [".a,.b{display:none}"])
    assert [(e.get("id"), rule) for e, rule in resolver.hidden_elements()] == [("a", "class:display-none")]
    assert hiding_css(".nav{color:#333;margin:0}") == "" and hiding_css(".x7q{display:none}") == ".x7q{display:none}"


def test_remove_dom_spam_with_a_linked_stylesheet() -> None:
    tree = lxml.html.document_fromstring(article())
    assert remove_dom_spam(tree, URL, ("www.mca.gov.cn",)) == []  # visible without the stylesheet
    tree = lxml.html.document_fromstring(article())
    removals = remove_dom_spam(tree, URL, ("www.mca.gov.cn",), stylesheets=[".x7q{position:absolute;left:-9000px}"])
    assert [(r["where"], r["rule"]) for r in removals] == [("hidden", "hidden:class:offscreen")]


def test_cache_releases_waiting_articles_when_their_stylesheets_are_known() -> None:
    cache = StylesheetCache()
    assert cache.wait("first", ["a.css", "b.css"]) == ["a.css", "b.css"]
    assert cache.wait("second", ["a.css"]) == []  # already in flight
    assert cache.done("a.css", ".x{display:none}") == ["second"]
    assert cache.done("b.css", "") == ["first"]
    assert cache.css_for(["a.css", "b.css"]) == [".x{display:none}"]
    assert cache.waiting == [] and cache.in_flight == set()


class McaSpider(NewsSpider):
    name = "mca"
    seed = load_seed(f"{SEEDS_DIR}/mca.toml")


def make_spider(**settings: Any) -> NewsSpider:
    crawler = get_crawler(McaSpider, settings_dict=settings)
    spider = McaSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    return spider


def response(url: str = URL) -> HtmlResponse:
    return HtmlResponse(url, body=article(url).encode(), encoding="utf-8", request=Request(url))


def test_spider_fetches_a_stylesheet_once_and_extracts_waiting_articles_with_it() -> None:
    spider = make_spider(SPAM_FETCH_STYLESHEETS=True)
    [request] = list(spider.parse_article(response()))
    assert isinstance(request, Request) and request.url == CSS_URL and request.meta["page_kind"] == "stylesheet"
    second = URL.replace("1234", "1235")
    assert list(spider.parse_article(response(second))) == []  # waits for the same fetch
    css = TextResponse(CSS_URL, body=b".x7q { display: none }", encoding="utf-8", request=request)
    items = list(spider.parse_stylesheet(css, url=CSS_URL))
    assert [item.url for item in items] == [URL, second]
    for item in items:
        assert isinstance(item, ArticleItem) and "鸿运坊" not in item.body and "各地要加强" in item.body
        assert [r["rule"] for r in item.spam_removed] == ["hidden:class:display-none"]
    # Later articles use the cached stylesheet without a request.
    [item] = list(spider.parse_article(response(URL.replace("1234", "1236"))))
    assert isinstance(item, ArticleItem) and item.spam_removed
    stats = spider.crawler.stats
    assert stats.get_value("spider/stylesheets/requests") == 1
    assert stats.get_value("spider/stylesheets/applied") == 3


def test_failed_stylesheet_fetch_releases_articles_without_it() -> None:
    spider = make_spider(SPAM_FETCH_STYLESHEETS=True)
    [request] = list(spider.parse_article(response()))
    failure = Failure(TimeoutError("stylesheet timed out"))
    failure.request = request  # type: ignore[attr-defined]
    [item] = list(spider.on_stylesheet_error(failure))
    assert item.url == URL and "各地要加强" in item.body and item.spam_removed == []
    assert spider.crawler.stats.get_value("spider/stylesheets/failed") == 1


def test_off_by_default_no_stylesheet_request() -> None:
    [item] = list(make_spider().parse_article(response()))
    assert isinstance(item, ArticleItem)
