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


# -- dedup: the body's digest and MinHash signature -------------------------------------
NEARDUP = CORPUS / "neardup"


def dedup_bodies() -> list[str]:
    """Near-duplicate pairs, unrelated pairs, an exact repeat, an empty and a short body."""
    bodies = [path.read_text("utf-8") for path in sorted(NEARDUP.glob("*/*/*.txt"))]
    assert len(bodies) >= 40
    return [*bodies, bodies[0], "", "短文"]


@pytest.mark.parametrize("settings", [{}, {"NEAR_DUP_SHINGLE_SIZE": 3, "NEAR_DUP_NUM_PERM": 64},
                                      {"NEAR_DUP_ENABLED": False}], ids=["defaults", "other-minhash", "near-off"])
def test_dedup_takes_worker_digests_and_signatures(tmp_path: Path, settings: dict[str, Any]) -> None:
    from test_dedup import Harness

    computed = Harness(tmp_path / "computed", "r1", **settings)
    precomputed = Harness(tmp_path / "precomputed", "r1", **settings)
    worker_step = pickle.loads(pickle.dumps(precomputed.pipeline.derivation()))
    near = precomputed.pipeline.dedup.near
    if near is None:
        assert worker_step.near is None
    else:  # the worker's signer has the pipeline's settings, without its store
        assert (worker_step.near.num_perm, worker_step.near.shingle_size) == (near.num_perm, near.shingle_size)
        assert worker_step.near.store is None
    try:
        outcomes = []
        for number, body in enumerate(dedup_bodies()):
            url = f"http://www.mca.gov.cn/article/xw/{number}.shtml"
            facts = pickle.loads(pickle.dumps(worker_step.compute(body)))
            expected = computed.feed(url, body)
            got = precomputed.feed(url, body, extra={EXTRA_KEY: {"dedup": (body, facts)}})
            assert exported(got) == exported(expected), number
            outcomes.append(expected is not None and (expected.near_duplicate_of is not None))
        for name in ("new", "duplicate", "near_duplicate", "empty_body"):
            assert precomputed.stat(name) == computed.stat(name), name
        assert computed.stat("duplicate") >= 1
        assert (computed.stat("near_duplicate") > 0) == (near is not None)
        assert precomputed.crawler.stats.get_value("extract/precomputed/dedup") == len(dedup_bodies())
    finally:
        computed.close()
        precomputed.close()


def test_dedup_computes_again_for_a_body_that_changed(tmp_path: Path) -> None:
    from test_dedup import Harness

    run = Harness(tmp_path, "r1")
    try:
        first, second = dedup_bodies()[:2]
        stale = run.pipeline.derivation().compute(first)
        item = run.feed("http://www.mca.gov.cn/article/xw/1.shtml", second, extra={EXTRA_KEY: {"dedup": (first, stale)}})
        assert item is not None and item.body_sha1 != stale.digest
        assert run.crawler.stats.get_value("extract/precomputed_stale/dedup") == 1
    finally:
        run.close()


def test_a_worker_computes_signatures_without_importing_datasketch(tmp_path: Path) -> None:
    import subprocess
    import sys

    from test_dedup import Harness

    run = Harness(tmp_path, "r1")
    try:
        step = run.pipeline.derivation()
        body = dedup_bodies()[0]
        expected = step.compute(body)
        script = (
            "import pickle, sys; step = pickle.loads(sys.stdin.buffer.read()); facts = step.compute(sys.argv[1]);"
            "sys.stdout.buffer.write(pickle.dumps((facts, 'datasketch' in sys.modules)))"
        )
        done = subprocess.run([sys.executable, "-c", script, body], input=pickle.dumps(step),
                              capture_output=True, check=True, cwd=Path(__file__).resolve().parent.parent)
        facts, imported = pickle.loads(done.stdout)
        assert not imported
        assert facts.digest == expected.digest and facts.empty == expected.empty
        assert facts.signature is not None and (facts.signature == expected.signature).all()
    finally:
        run.close()
