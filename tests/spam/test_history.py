"""History evidence (crawler/spam/history.py): sentences new since an article's earlier capture are suspects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.dedup.sqlite import SQLiteStateStore
from crawler.items import ArticleItem
from crawler.spam.classifier import default_model
from crawler.spam.history import EVIDENCE_PROBABILITY, Evidence, body_fingerprints, sentence_key
from crawler.spam.units import clean_body
from pipelines.spam import SpamPipeline

URL = "http://www.mca.gov.cn/article/xw/202503/20250300004321.shtml"
FIRST = "3月14日，民政部召开全国养老服务工作推进会。会议总结了去年养老服务工作。"
MIDDLE = ["会议指出，各地新建社区养老服务设施1.2万个。", "农村互助养老服务覆盖面持续扩大。"]
LAST = "会议要求，各地要加快健全养老服务体系，确保各项任务按期完成。"
# Made up for this test: a description that reads only mildly like an advert on its own.
ADVERT = "松间茶社的明前龙井在本地颇有口碑。"
CORRECTION = "（本文第二段中的日期已更正为3月14日。）"


def body(*middle: str) -> str:
    return "\n\n".join([FIRST, "".join(middle), LAST])


def test_advert_alone_is_under_the_threshold_and_correction_reads_as_news() -> None:
    model = default_model()
    assert EVIDENCE_PROBABILITY <= model.probability(ADVERT) < 0.5
    assert model.probability(CORRECTION) < EVIDENCE_PROBABILITY
    # Without evidence the advert stays.
    assert clean_body(body(MIDDLE[0], ADVERT, MIDDLE[1])).removals == []


def test_new_sentence_judged_with_history() -> None:
    evidence = Evidence.from_fingerprints("history", body_fingerprints(body(*MIDDLE)))
    assert evidence is not None
    result = clean_body(body(MIDDLE[0], ADVERT, MIDDLE[1]) + "\n\n" + CORRECTION, evidence=evidence)
    assert [(r["text"], r["rule"]) for r in result.removals] == [(ADVERT, "body:sentence:history+register")]
    assert result.text == body(*MIDDLE) + "\n\n" + CORRECTION
    # The same sentence known from the earlier capture is no suspect.
    known = Evidence.from_fingerprints("history", body_fingerprints(body(MIDDLE[0], ADVERT, MIDDLE[1])))
    assert clean_body(body(MIDDLE[0], ADVERT, MIDDLE[1]), evidence=known).removals == []


def test_fingerprints_ignore_spacing_and_width_and_bad_blobs_give_no_evidence() -> None:
    assert sentence_key("会议指出，各地新建社区养老服务设施1.2万个。") == sentence_key("会议指出, 各地新建社区养老服务设施１.２万个")
    assert Evidence.from_fingerprints("history", b"") is None
    assert Evidence.from_fingerprints("history", b"\x01\x02\x03") is None  # not a whole fingerprint


def test_sqlite_store_keeps_fingerprints_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    article_id = "ab" * 20
    store = SQLiteStateStore.shared(path)
    assert store.get_sentence_fingerprints(article_id) is None
    store.put_sentence_fingerprints(article_id, b"12345678")
    store.put_sentence_fingerprints(article_id, b"abcdefgh")
    store.close()
    store = SQLiteStateStore.shared(path)
    try:
        assert store.get_sentence_fingerprints(article_id) == b"abcdefgh"
    finally:
        store.close()


@pytest.fixture
def crawler(tmp_path: Path) -> Any:
    crawler = get_crawler(settings_dict={
        "STATE_PATH": str(tmp_path / "state.sqlite"),
        "ITEM_PIPELINES": {"pipelines.spam.SpamPipeline": 200, "pipelines.dedup.DedupPipeline": 300},
    })
    crawler.stats.open_spider()
    yield crawler
    getattr(crawler, "_ministry_news_state_store").close()


def capture(pipeline: SpamPipeline, crawler: Any, text: str, url: str = URL) -> ArticleItem:
    item = ArticleItem(url=url, site="mca", language="zh", title="民政部召开全国养老服务工作推进会", body=text,
                       spam_removed=[], extra={"title_candidates": []})
    pipeline.process_item(item)
    crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=None)
    return item


def test_pipeline_recaptured_article_loses_the_new_advert_keeps_the_correction(crawler: Any) -> None:
    pipeline = SpamPipeline.from_crawler(crawler)
    assert pipeline.history is not None
    first = capture(pipeline, crawler, body(*MIDDLE))
    assert first.spam_removed == [] and crawler.stats.get_value("spam/history_used") is None
    second = capture(pipeline, crawler, body(MIDDLE[0], ADVERT, MIDDLE[1]) + "\n\n" + CORRECTION)
    assert [(r["where"], r["rule"]) for r in second.spam_removed] == [("body", "body:sentence:history+register")]
    assert ADVERT not in second.body and CORRECTION in second.body
    assert crawler.stats.get_value("spam/history_used") == 1
    # Another URL has no history: the same text passes.
    other = capture(pipeline, crawler, body(MIDDLE[0], ADVERT, MIDDLE[1]), url=URL.replace("4321", "4322"))
    assert other.spam_removed == []


def test_no_history_without_the_dedup_pipeline_or_when_switched_off(tmp_path: Path) -> None:
    alone = get_crawler(settings_dict={"STATE_PATH": str(tmp_path / "a.sqlite")})
    assert SpamPipeline.from_crawler(alone).history is None
    off = get_crawler(settings_dict={"STATE_PATH": str(tmp_path / "b.sqlite"), "SPAM_HISTORY_ENABLED": False,
                                     "ITEM_PIPELINES": {"pipelines.dedup.DedupPipeline": 300}})
    assert SpamPipeline.from_crawler(off).history is None
    assert not (tmp_path / "a.sqlite").exists() and not (tmp_path / "b.sqlite").exists()


def test_pipeline_copy_at_another_site_loses_the_sentence_its_sibling_lacks(crawler: Any) -> None:
    from pipelines.dedup import DedupPipeline

    spam = SpamPipeline.from_crawler(crawler)
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.open_spider()
    longer = [*MIDDLE, "各地将加强养老服务人才队伍建设，提升护理员职业技能。"]

    def written(url: str, text: str) -> ArticleItem:
        item = ArticleItem(url=url, site="mca", language="zh", title="民政部召开全国养老服务工作推进会", body=text,
                           spam_removed=[], extra={"title_candidates": []})
        spam.process_item(item)
        dedup.process_item(item)  # gives the record its id and, once written, indexes its signature
        crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=None)
        return item

    first = written(URL, body(*longer))
    assert first.spam_removed == []
    # The copy at another site with an advert added: cleaned, it is the same article, and dedup drops it.
    with pytest.raises(DropItem, match=f"duplicate of {first.id}"):
        copy = ArticleItem(url="http://mzt.gansu.gov.cn/art/2025/3/14/art_1234.html", site="gansu", language="zh",
                           title="民政部召开全国养老服务工作推进会", body=body(longer[0], ADVERT, *longer[1:]),
                           spam_removed=[], extra={"title_candidates": []})
        spam.process_item(copy)
        assert [(r["text"], r["rule"]) for r in copy.spam_removed] == [(ADVERT, "body:sentence:siblings+register")]
        dedup.process_item(copy)
    assert crawler.stats.get_value("spam/siblings_used") == 1
    # A copy that edits the text (a correction) keeps it: the new sentence reads as news.
    edited = written("http://mzt.gansu.gov.cn/art/2025/3/14/art_1235.html", body(*longer) + "\n\n" + CORRECTION)
    assert edited.spam_removed == [] and edited.near_duplicate_of == first.id
