"""Cloaking probe functions (crawler/spam/cloaking.py)."""

from __future__ import annotations

from urllib.parse import unquote

from crawler.spam.cloaking import (
    BAIDUSPIDER_USER_AGENT,
    CloakingPolicy,
    compare_fetches,
    remove_additions,
    probe_headers,
    should_probe,
    text_similarity,
)

URL = "http://www.mca.gov.cn/article/xw/mtbd/202001/20200100023133.shtml"
DOMAINS = ("www.mca.gov.cn", "mca.gov.cn")
PARAGRAPHS = (
    "<p>12月18日，农村留守儿童关爱保护和困境儿童保障工作部际联席会议第二次全体会议在京召开。</p>"
    "<p>会议强调，要进一步健全农村留守儿童关爱服务体系和困境儿童保障制度，压实家庭监护主体责任。</p>"
    "<p>会议审议通过了联席会议2019年工作总结和2020年工作要点，部分成员单位作交流发言。</p>"
)


def article(title: str = "部际联席会议第二次全体会议召开", extra: str = "", head: str = "", visits: int = 1024) -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body><h1>{title}</h1>"
            f"<div id='zoom'>{PARAGRAPHS}{extra}</div><div class='tj'>浏览次数：{visits} 更新时间：2026-11-29 05:0{visits % 10}</div>"
            "</body></html>")


def test_probe_headers_look_like_baiduspider_from_a_baidu_search() -> None:
    headers = probe_headers(URL, "部际联席会议第二次全体会议召开")
    assert headers["User-Agent"] == BAIDUSPIDER_USER_AGENT
    assert "Baiduspider" in headers["User-Agent"]
    assert headers["Referer"].startswith("https://www.baidu.com/s?wd=")
    assert unquote(headers["Referer"].split("wd=", 1)[1]) == "部际联席会议第二次全体会议召开"
    assert probe_headers(URL)["Referer"].endswith("www.mca.gov.cn")


def test_sampling_is_stable_and_close_to_the_fraction() -> None:
    urls = [f"http://www.mca.gov.cn/article/xw/{n}.shtml" for n in range(4000)]
    chosen = [u for u in urls if should_probe(u, 0.1)]
    assert 300 <= len(chosen) <= 500
    assert chosen == [u for u in urls if should_probe(u, 0.1)]
    assert not any(should_probe(u, 0.0) for u in urls[:50])
    assert all(should_probe(u, 0.0, showed_spam=True) for u in urls[:50])
    assert all(should_probe(u, 1.0) for u in urls[:50])


def test_same_page_with_different_counters_is_not_cloaked() -> None:
    result = compare_fetches(article(visits=1024), article(visits=1025), URL, DOMAINS)
    assert not result.cloaked
    assert result.similarity > 0.9


def test_spam_title_for_the_crawler_only_is_cloaking() -> None:
    result = compare_fetches(article(), article(title="连线棋牌游戏大厅"), URL, DOMAINS)
    assert result.cloaked
    assert result.spider_only_spam == ["连线棋牌游戏大厅"]
    assert any("headline differs" in r for r in result.reasons)


def test_hidden_link_farm_for_the_crawler_only_is_cloaking() -> None:
    farm = ("<div style='display:none'><a href='http://www.xpj8888.cc/'>澳门新葡京</a>"
            "<a href='http://www.hg3088.vip/'>皇冠体育</a></div>")
    result = compare_fetches(article(), article(extra=farm), URL, DOMAINS)
    assert result.cloaked
    assert result.spider_only_spam == ["澳门新葡京 皇冠体育"]


def test_spam_in_both_views_is_not_cloaking() -> None:
    phrase = "<p>另悉，近日，民政部 澳门新葡京娱乐场官网 等六部门联合印发指导意见。</p>"
    result = compare_fetches(article(extra=phrase), article(extra=phrase), URL, DOMAINS)
    assert not result.cloaked


def test_doorway_for_the_crawler_and_offsite_redirect() -> None:
    doorway = "<html><head><title>百家乐</title></head><body><p>百家乐 真人娱乐 注册送彩金</p></body></html>"
    assert compare_fetches(article(), doorway, URL, DOMAINS).cloaked
    redirected = compare_fetches(article(), "", URL, DOMAINS, spider_location="http://www.vns8888.cc/")
    assert redirected.cloaked
    assert "crawler redirected to www.vns8888.cc" in redirected.reasons
    assert not compare_fetches(article(), article(), URL, DOMAINS, spider_location="/m/index.html").cloaked


def test_text_similarity_ignores_digits() -> None:
    assert text_similarity("浏览次数 100 会议召开了很久", "浏览次数 999 会议召开了很久") == 1.0
    assert text_similarity("", "") == 1.0
    assert text_similarity("会议召开了很久很久", "完全不同的一段文字内容") == 0.0


def test_garbage_views_do_not_raise() -> None:
    result = compare_fetches(b"\x00\xff<<<", b"", URL, DOMAINS)
    assert isinstance(result.cloaked, bool)


# -- the spider's probe wiring (crawler/spiders/news.py) --------------------------------

from typing import Any  # noqa: E402

from scrapy.http import HtmlResponse, Request  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402
from twisted.python.failure import Failure  # noqa: E402

from crawler.spam.cloaking import PROBE_META_KEY  # noqa: E402
from crawler.items import ArticleItem  # noqa: E402
from crawler.seeds import load_seed  # noqa: E402
from crawler.settings import SEEDS_DIR  # noqa: E402
from crawler.signals import manifest_entry  # noqa: E402
from crawler.spiders.news import NewsSpider  # noqa: E402


class McaSpider(NewsSpider):
    name = "mca"
    seed = load_seed(f"{SEEDS_DIR}/mca.toml")


def make_spider(**settings: Any) -> tuple[NewsSpider, list[tuple[str, dict[str, str]]]]:
    settings.setdefault("CLOAKING_PROBE_MEMORY_RUNS", 0)  # no state store unless a test gives one
    crawler = get_crawler(McaSpider, settings_dict=settings)
    spider = McaSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    entries: list[tuple[str, dict[str, str]]] = []
    crawler.signals.connect(lambda kind, entry, **_: entries.append((kind, entry)), signal=manifest_entry, weak=False)
    return spider, entries


def make_item(spam: bool = False) -> ArticleItem:
    return ArticleItem(url=URL, site="mca", language="zh", title="部际联席会议第二次全体会议召开",
                       body="会议强调，要进一步健全农村留守儿童关爱服务体系。",
                       spam_removed=[{"text": "澳门金沙", "where": "hidden", "rule": "hidden:display-none"}] if spam else [],
                       extra={"title_candidates": [["title", "部际联席会议第二次全体会议召开"]]})


def test_spider_probes_spam_pages_and_sample_only_when_enabled() -> None:
    response = HtmlResponse(URL, body=article().encode(), encoding="utf-8", request=Request(URL))
    spider, _ = make_spider()
    assert spider._cloaking_probe(response, make_item(spam=True)) is None  # off by default
    spider, _ = make_spider(CLOAKING_PROBE_ENABLED=True, CLOAKING_PROBE_SAMPLE=0.0, CLOAKING_PROBE_UNTIL_CLEAN=0)
    assert spider._cloaking_probe(response, make_item()) is None
    probe = spider._cloaking_probe(response, make_item(spam=True))
    assert isinstance(probe, Request) and probe.dont_filter and probe.meta[PROBE_META_KEY]
    assert probe.headers[b"User-Agent"].decode() == BAIDUSPIDER_USER_AGENT
    assert b"baidu.com" in probe.headers[b"Referer"]
    assert probe.cb_kwargs["item"].url == URL
    assert spider.crawler.stats.get_value("spider/cloaking/probes") == 1


def test_probe_callback_flags_cloaking_and_errback_keeps_the_item() -> None:
    spider, entries = make_spider(CLOAKING_PROBE_ENABLED=True)
    normal = article().encode()
    spider_view = HtmlResponse(URL, body=article(title="连线棋牌游戏大厅").encode(), encoding="utf-8")
    [item] = list(spider.parse_cloaking_probe(spider_view, item=make_item(), normal_body=normal))
    assert item.extra["cloaked"] is True
    assert entries and entries[0][0] == "cloaked" and entries[0][1]["url"] == URL
    same = HtmlResponse(URL, body=normal, encoding="utf-8")
    [item] = list(spider.parse_cloaking_probe(same, item=make_item(), normal_body=normal))
    assert item.extra["cloaked"] is False

    request = Request(URL, cb_kwargs={"item": make_item(), "normal_body": normal})
    failure = Failure(TimeoutError("probe timed out"))
    failure.request = request  # type: ignore[attr-defined]
    [item] = list(spider.on_cloaking_probe_error(failure))
    assert item.extra["cloaked"] is None
    assert spider.crawler.stats.get_value("spider/cloaking/probe_failed") == 1


def test_malformed_location_does_not_raise() -> None:
    result = compare_fetches(article(), article(), URL, DOMAINS, spider_location="http://[bad")
    assert not result.cloaked


# -- probing policy and the site's memory (issue 17) -------------------------------------


class NoteStore:
    """The two state-store methods the policy uses, in memory."""

    def __init__(self) -> None:
        self.notes: dict[tuple[str, str], str] = {}

    def get_site_note(self, site: str, key: str) -> str | None:
        return self.notes.get((site, key))

    def put_site_note(self, site: str, key: str, value: str) -> None:
        self.notes[(site, key)] = value


URLS = [f"http://www.mca.gov.cn/article/xw/2024/{n}.shtml" for n in range(200)]


def run_policy(store: NoteStore, cloaked_at: int | None = None) -> int:
    """One run over 200 articles; returns how many were probed."""
    policy = CloakingPolicy("mca", until_clean=5, sample=0.1, memory_runs=2, store=store)
    probed = 0
    for index, url in enumerate(URLS):
        if policy.should_probe(url):
            probed += 1
            policy.record(index == cloaked_at)
    policy.close()
    return probed


def test_policy_probes_until_clean_then_samples_and_remembers_a_cloaking_site() -> None:
    store = NoteStore()
    sampled = sum(should_probe(url, 0.1) for url in URLS[5:])
    assert run_policy(store) == 5 + sampled  # five clean probes, then the sample
    assert store.notes == {}
    # Cloaking on the third probe: every later article of the run is probed.
    assert run_policy(store, cloaked_at=2) == 200
    assert store.notes[("mca", "cloaking_runs_left")] == "2"
    # The next two runs probe everything although nothing cloaks; then sampling again.
    assert run_policy(store) == 200
    assert run_policy(store) == 200
    assert store.notes[("mca", "cloaking_runs_left")] == "0"
    assert run_policy(store) == 5 + sampled


def test_failed_probes_do_not_count_as_clean() -> None:
    policy = CloakingPolicy("mca", until_clean=2, sample=0.0)
    for _ in range(5):
        policy.record(None)
    assert policy.should_probe(URLS[0])
    policy.record(False)
    policy.record(False)
    assert not policy.should_probe(URLS[0])


def test_site_memory_survives_in_the_sqlite_state_store(tmp_path: Any) -> None:
    from scrapy import signals

    state = str(tmp_path / "state.sqlite")
    spider, _ = make_spider(CLOAKING_PROBE_ENABLED=True, CLOAKING_PROBE_MEMORY_RUNS=3, STATE_PATH=state)
    cloaked_view = HtmlResponse(URL, body=article(title="连线棋牌游戏大厅").encode(), encoding="utf-8")
    list(spider.parse_cloaking_probe(cloaked_view, item=make_item(), normal_body=article().encode()))
    spider.closed("finished")
    spider.crawler.signals.send_catch_log(signals.engine_stopped)  # closes the store
    again, _ = make_spider(CLOAKING_PROBE_ENABLED=True, CLOAKING_PROBE_MEMORY_RUNS=3, STATE_PATH=state)
    policy = again._cloaking_policy()
    assert policy.runs_left == 3 and policy.watching
    again.crawler.signals.send_catch_log(signals.engine_stopped)


def test_what_only_the_crawler_sees_is_cut_from_the_record() -> None:
    advert = "鸿运坊线上厅开户即送58元，客服微信hy2288kf，秒提现！"
    comparison = compare_fetches(article(), article(extra=f"<p>{advert}</p>"), URL, DOMAINS)
    assert comparison.cloaked and comparison.spider_added == [advert]
    # A record whose normal fetch carried the advert too (served to some browsers).
    body = "会议强调，要进一步健全农村留守儿童关爱服务体系。\n\n" + advert + "\n\n会议审议通过了工作要点。"
    title, cleaned, entries = remove_additions("部际联席会议第二次全体会议召开", body, comparison.spider_added)
    assert cleaned == "会议强调，要进一步健全农村留守儿童关爱服务体系。\n\n会议审议通过了工作要点。"
    assert title == "部际联席会议第二次全体会议召开"
    assert entries == [{"text": advert, "where": "body", "rule": "cloaking:spider-only"}]

    spider, _ = make_spider(CLOAKING_PROBE_ENABLED=True)
    item = make_item()
    item.body = body
    spider_view = HtmlResponse(URL, body=article(extra=f"<p>{advert}</p>").encode(), encoding="utf-8")
    [result] = list(spider.parse_cloaking_probe(spider_view, item=item, normal_body=article().encode()))
    assert result.extra["cloaked"] is True and advert not in result.body
    assert result.spam_removed == entries
    assert spider.crawler.stats.get_value("spider/cloaking/removed_units") == 1
