"""Pipeline steps run ahead in an extraction worker (crawler/precomputed.py): same items as computing them.

The worker's half is :func:`crawler.extract.pool.precompute` (what a worker runs
after extracting), sent through pickle as the pool sends it; the pipelines then
take its results. Every item must come out exactly as when the pipelines compute
everything themselves, over the spam corpus (spam, doorways, clean pages) and
the extraction corpus.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.extract import extract_article
from crawler.extract.fields import article_fields
from crawler.extract.pool import ExtractionPool, precompute
from crawler.items import ArticleItem
from crawler.precomputed import EXTRA_KEY, pipeline_steps, run_steps
from pipelines.normalize import NormalizePipeline
from pipelines.spam import SpamCheck, SpamPipeline

CORPUS = Path(__file__).resolve().parent / "corpus"
SPAM_PAGES = sorted((CORPUS / "spam" / "pages").glob("*.html"))
EXTRACT_PAGES = sorted((CORPUS / "extract").glob("*.html"))


class Pipelines:
    """normalize -> spam as the crawl builds them, with their steps."""

    def __init__(self, **settings: Any) -> None:
        self.crawler = get_crawler(settings_dict=settings)
        self.crawler.stats.open_spider()
        self.normalize = NormalizePipeline.from_crawler(self.crawler)
        self.spam = SpamPipeline.from_crawler(self.crawler)
        self.steps = [self.normalize.derivation(), self.spam.derivation()]

    def run(self, item: ArticleItem) -> ArticleItem | None:
        item = self.normalize.process_item(item)
        try:
            return self.spam.process_item(item)
        except DropItem:
            return None

    def stat(self, name: str) -> int:
        return int(self.crawler.stats.get_value(name, 0))


def page_inputs(path: Path) -> tuple[bytes, str, list[str], str]:
    label_file = path.with_suffix(".json")
    label = json.loads(label_file.read_text("utf-8")) if label_file.exists() else {}
    url = label.get("url") or f"http://www.mca.gov.cn/{path.name}"
    return path.read_bytes(), url, label.get("allowed_domains") or ["mca.gov.cn"], label.get("language") or "zh"


def spider_item(extracted: Any, url: str, language: str, precomputed: dict[str, Any] | None) -> ArticleItem:
    """The item as the spider builds it (minus what comes from the response)."""
    fields = article_fields(extracted, language)
    extra = fields.pop("extra")
    if precomputed:
        extra[EXTRA_KEY] = precomputed
    return ArticleItem(url=url, site="test", extra=extra, **fields)


def exported(item: ArticleItem | None) -> dict[str, Any] | None:
    if item is None:
        return None
    record = ItemAdapter(item).asdict()
    extra = record.pop("extra")
    extra.pop(EXTRA_KEY, None)
    return {**record, "extra": extra}


@pytest.fixture(autouse=True)
def quiet_extractor() -> Iterator[None]:
    logger = logging.getLogger("crawler.extract")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("settings", [{}, {"SPAM_EXTRA_TERMS": ["民政部"], "NORMALIZE_SITE_NAMES": ["民政"]}],
                         ids=["defaults", "changed-settings"])
def test_pipelines_give_the_same_items_from_worker_results(settings: dict[str, Any]) -> None:
    computed, precomputed = Pipelines(**settings), Pipelines(**settings)
    # The worker gets the steps pickled, as the pool's initializer does.
    worker_steps = pickle.loads(pickle.dumps(precomputed.steps))
    dropped = with_spam = 0
    for path in [*SPAM_PAGES, *EXTRACT_PAGES]:
        body, url, domains, language = page_inputs(path)
        extracted = extract_article(body, url, None, allowed_domains=domains, language=language)
        results = pickle.loads(pickle.dumps(precompute(worker_steps, extracted, url, language)))
        assert "normalize" in results, path.name
        expected = computed.run(spider_item(extracted, url, language, None))
        got = precomputed.run(spider_item(extracted, url, language, results))
        assert exported(got) == exported(expected), path.name
        dropped += expected is None
        with_spam += bool(expected is not None and expected.spam_removed)
    assert dropped >= 3 and with_spam >= 20  # doorways and spam pages were among them
    pages = len(SPAM_PAGES) + len(EXTRACT_PAGES)
    assert precomputed.stat("extract/precomputed/normalize") == pages
    assert precomputed.stat("extract/precomputed/spam") == pages
    assert precomputed.stat("extract/precomputed_stale/spam") == 0
    assert computed.stat("extract/precomputed/spam") == 0
    # The same stats either way (apart from the precomputed counters).
    same = {k: v for k, v in computed.crawler.stats.get_stats().items() if not k.startswith("extract/")}
    assert {k: v for k, v in precomputed.crawler.stats.get_stats().items() if k in same} == same


def test_a_field_changed_after_the_worker_is_computed_again() -> None:
    pipelines = Pipelines()
    path = next(p for p in SPAM_PAGES if "legit" in p.name)
    body, url, domains, language = page_inputs(path)
    extracted = extract_article(body, url, None, allowed_domains=domains, language=language)
    results = precompute(pipelines.steps, extracted, url, language)
    item = spider_item(extracted, url, language, results)
    # Something between the worker and the pipelines appends an injected phrase.
    item.body += "\n\n澳门葡京赌场 官方网站 注册就送 彩金"
    pipelines.normalize.process_item(item)
    assert pipelines.stat("extract/precomputed_stale/normalize") == 1
    result = pipelines.spam.process_item(item)
    assert pipelines.stat("extract/precomputed_stale/spam") == 1
    assert "赌场" not in result.body
    fresh = Pipelines()
    expected_item = spider_item(extracted, url, language, None)
    expected_item.body += "\n\n澳门葡京赌场 官方网站 注册就送 彩金"
    assert exported(result) == exported(fresh.run(expected_item))


def test_a_worker_uses_the_pipelines_own_lexicon_setting() -> None:
    term = "困难群众"  # an ordinary phrase, declared spam by a setting
    path = next(p for p in EXTRACT_PAGES if term in extract_article(p.read_bytes(), "http://www.mca.gov.cn/x").body)
    body, url, domains, language = page_inputs(path)
    extracted = extract_article(body, url, None, allowed_domains=domains, language=language)
    for settings, removed in (({}, False), ({"SPAM_EXTRA_TERMS": [term]}, True)):
        steps = pickle.loads(pickle.dumps(Pipelines(**settings).steps))
        results = precompute(steps, extracted, url, language)
        verdict = results["spam"][1]
        assert (term not in verdict.body) == removed
        assert any(term in r["text"] for r in verdict.removals) == removed


def test_the_shipped_lexicon_is_not_sent_to_workers() -> None:
    shipped = pickle.dumps(Pipelines().spam.derivation())
    custom = pickle.dumps(Pipelines(SPAM_EXTRA_TERMS=["新词"]).spam.derivation())
    assert len(shipped) < 1000 < len(custom)
    assert pickle.loads(shipped).lexicon is None


def test_the_steps_stop_at_a_doorway() -> None:
    pipelines = Pipelines()

    class After:
        name = "after"

        def key(self, adapter: Any) -> str:
            return str(adapter.get("body"))

        def compute(self, key: str) -> int:
            return len(key)

        def apply(self, adapter: Any, result: int) -> bool:
            return True

    doorway = next(p for p in SPAM_PAGES if "doorway" in p.name)
    clean = next(p for p in SPAM_PAGES if "legit" in p.name)
    for path, reaches_after in ((doorway, False), (clean, True)):
        body, url, domains, language = page_inputs(path)
        extracted = extract_article(body, url, None, allowed_domains=domains, language=language)
        results = run_steps([*pipelines.steps, After()], ItemAdapter(spider_item(extracted, url, language, None)))
        assert ("after" in results) == reaches_after, path.name


def test_a_failing_step_leaves_the_work_to_its_pipeline(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(SpamCheck):
        def compute(self, key: Any) -> Any:
            raise ValueError("bad input")

    adapter = ItemAdapter(ArticleItem(url="http://www.mca.gov.cn/a", site="t", language="zh", body="正文"))
    results = run_steps([NormalizePipeline(None).derivation(), Broken(None, 0.6, 200)], adapter)
    assert list(results) == ["normalize"]


def test_pipeline_steps_of_a_crawl_in_pipeline_order() -> None:
    class Engine:
        class scraper:  # noqa: N801 - stands in for Scrapy's attribute
            class itemproc:  # noqa: N801
                middlewares = (Pipelines().spam, object(), Pipelines().normalize)

    class Crawler:
        engine = Engine()

    assert [step.name for step in pipeline_steps(Crawler())] == ["spam", "normalize"]
    assert pipeline_steps(object()) == []
    assert pipeline_steps(get_crawler()) == []  # before the crawl starts Scrapy has no engine


def test_pool_workers_run_the_steps() -> None:
    pipelines = Pipelines()
    inputs = [page_inputs(path) for path in SPAM_PAGES[:4]]
    pool = ExtractionPool(1, pipelines.steps)
    try:
        futures = [pool.submit(body, url, None, allowed_domains=domains, language=language)
                   for body, url, domains, language in inputs]
        results = [ExtractionPool.result(future) for future in futures]
    finally:
        pool.close()
    for (body, url, domains, language), (extracted, precomputed) in zip(inputs, results):
        assert extracted == extract_article(body, url, None, allowed_domains=domains, language=language)
        assert precomputed == precompute(pipelines.steps, extracted, url, language)
