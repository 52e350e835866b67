"""OffsiteRedirectMiddleware (crawler/middlewares/offsiteredirect.py): off-site redirects fail loudly."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.offsiteredirect import OffsiteRedirectError, OffsiteRedirectMiddleware


@pytest.fixture()
def middleware() -> OffsiteRedirectMiddleware:
    crawler = get_crawler()
    crawler.spider = SimpleNamespace(allowed_domains=["mca.gov.cn"])
    crawler.stats.open_spider()
    return OffsiteRedirectMiddleware.from_crawler(crawler)


def redirect(to: str) -> Response:
    return Response("http://www.mca.gov.cn/a.html", status=302, headers={"Location": to})


def test_offsite_redirect_is_refused_and_counted_in_its_own_namespace(middleware: OffsiteRedirectMiddleware) -> None:
    request = Request("http://www.mca.gov.cn/a.html")
    with pytest.raises(OffsiteRedirectError, match="www.spam-example.com"):
        middleware.process_response(request, redirect("http://www.spam-example.com/landing.html"))
    stats = middleware.crawler.stats.get_stats()
    assert stats["offsite_redirect/refused"] == 1
    assert not any(key.startswith("offsite/") for key in stats)  # Scrapy's OffsiteMiddleware owns offsite/


def test_onsite_redirects_and_other_responses_pass(middleware: OffsiteRedirectMiddleware) -> None:
    request = Request("http://www.mca.gov.cn/a.html")
    for response in (redirect("/b.html"), redirect("http://m.mca.gov.cn:8080/b.html"), redirect("http://MCA.gov.cn./c")):
        assert middleware.process_response(request, response) is response
    allowed = Request("http://www.mca.gov.cn/a.html", meta={"allow_offsite": True})
    moved = redirect("http://elsewhere.example/")
    assert middleware.process_response(allowed, moved) is moved
    assert middleware.crawler.stats.get_value("offsite_redirect/refused") is None
