"""Dedup decisions (crawler/dedup/decide.py) and their pipeline (pipelines/dedup.py): one record per article."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.signals import manifest_entry
from crawler.dedup.sqlite import SQLiteStateStore
from crawler.dedup.state import StateStoreCorrupt
from crawler.dedup.decide import Deduplicator, run_jsonl_files
from crawler.dedup.fingerprint import body_digest, normalise_for_digest
from crawler.dedup.minhash import shingle_hashes
from crawler.dedup.near import DEFAULT_NEAR_DUP_THRESHOLD, NearDuplicateIndex
from pipelines.dedup import DedupPipeline

CORPUS = Path(__file__).parent.parent / "corpus" / "neardup"


def url_id(canonical_url: str) -> str:
    """The record id docs/schema.md promises: hex SHA-1 of the canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


def corpus_text(kind: str, name: str, side: str) -> str:
    return (CORPUS / kind / name / f"{side}.txt").read_text(encoding="utf-8")


ARTICLE = corpus_text("true", "01-editor-note", "a")
OTHER = corpus_text("true", "04-correction-appended", "a")


# -- plain functions ------------------------------------------------------------
def test_digest_ignores_layout_but_not_words() -> None:
    base = "民政部召开会议。\n\n会议强调，要做好2024年工作。"
    variants = [
        "民政部召开会议。 会议强调，要做好2024年工作。",
        "  民政部召开会议。\r\n会议强调，要做好２０２４年工作。\u200b",
        "民政部召开会议。\u3000\u3000会议强调，要做好2024年工作。",
    ]
    for variant in variants:
        assert body_digest(variant) == body_digest(base)
    assert body_digest(base.replace("2024", "2025")) != body_digest(base)
    assert body_digest("") == body_digest(" \n ") == hashlib.sha1(b"").hexdigest()
    assert body_digest(base) == hashlib.sha1(normalise_for_digest(base).encode("utf-8")).hexdigest()


def test_shingle_hashes_are_stable_one_per_shingle_and_rarely_collide() -> None:
    text = normalise_for_digest(ARTICLE)
    first, second = shingle_hashes(text, 5), shingle_hashes(text, 5)
    assert (first == second).all()
    assert len(first) == len(text) - 4  # one hash per 5-character shingle
    shingles = {text[i : i + 5] for i in range(len(text) - 4)}
    assert len(set(first.tolist())) >= 0.99 * len(shingles)
    assert len(shingle_hashes("短", 5)) == 0


# -- the Deduplicator over a real store ----------------------------------------------
@pytest.fixture()
def store(tmp_path: Path) -> SQLiteStateStore:
    store = SQLiteStateStore(tmp_path / "state.sqlite")
    yield store
    store.close()


def make_dedup(store: SQLiteStateStore, run: str = "r1") -> Deduplicator:
    return Deduplicator(store, run_id=run, near_duplicates=NearDuplicateIndex(store))


def see(dedup: Deduplicator, url: str, body: str, **kwargs: Any):
    decision = dedup.classify(url=url, body=body, **kwargs)
    dedup.record(decision)
    return decision


MCA = "http://www.mca.gov.cn/article/xw/mtbd/202311/20231100001.shtml"
GOV = "http://www.gov.cn/xinwen/2023-11/09/content_5.htm"


def test_new_then_unchanged_next_run(store: SQLiteStateStore) -> None:
    first = see(make_dedup(store, "r1"), MCA, ARTICLE, site="mca")
    assert first.kind == "new" and first.emit and first.id == url_id(MCA)
    assert first.body_sha1 == body_digest(ARTICLE)
    store.flush()
    again = see(make_dedup(store, "r2"), MCA + "?utm_source=wechat#top", ARTICLE, site="mca")
    assert again.kind == "unchanged" and not again.emit and again.id == first.id


def test_same_article_at_two_urls_in_one_run(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    first = see(dedup, MCA, ARTICLE)
    second = see(dedup, MCA.replace("http://www.", "HTTP://WWW.") + "?from=timeline", ARTICLE)
    assert second.kind == "duplicate" and not second.emit and second.duplicate_of == first.id


def test_republication_on_another_site_is_a_duplicate(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    first = see(dedup, MCA, ARTICLE, site="mca")
    # another ministry re-typesets the same text: different whitespace, full-width digits
    copy = ARTICLE.replace("\n\n", "\n").replace("40.4", "４０.４")
    second = see(dedup, GOV, copy, site="gov")
    assert second.kind == "duplicate" and second.duplicate_of == first.id and second.id == url_id(GOV)
    store.flush()
    # next run: both URLs are known, neither is emitted or re-listed as a duplicate
    later = make_dedup(store, "r2")
    assert see(later, GOV, copy).kind == "unchanged"
    assert see(later, MCA, ARTICLE).kind == "unchanged"


def test_republication_caught_in_a_later_run(store: SQLiteStateStore) -> None:
    first = see(make_dedup(store, "r1"), MCA, ARTICLE, site="mca")
    store.flush()
    second = see(make_dedup(store, "r2"), GOV, ARTICLE, site="gov")
    assert second.kind == "duplicate" and second.duplicate_of == first.id


def test_changed_body_is_emitted_with_same_id(store: SQLiteStateStore) -> None:
    first = see(make_dedup(store, "r1"), MCA, ARTICLE)
    edited = ARTICLE.replace("40.4万个", "40.7万个")
    changed = see(make_dedup(store, "r2"), MCA, edited)
    assert changed.kind == "changed" and changed.emit
    assert changed.id == first.id and changed.body_sha1 != first.body_sha1
    assert changed.near_duplicate_of is None  # its own earlier version is not "another record"
    assert see(make_dedup(store, "r3"), MCA, edited).kind == "unchanged"
    assert store.get_article(first.id).body_sha1 == changed.body_sha1


def test_near_duplicate_is_kept_and_linked(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    original = see(dedup, MCA, corpus_text("true", "12-two-paragraphs-edited", "a"))
    revised = see(dedup, GOV, corpus_text("true", "12-two-paragraphs-edited", "b"))
    assert revised.kind == "new" and revised.emit
    assert revised.near_duplicate_of == original.id
    assert DEFAULT_NEAR_DUP_THRESHOLD <= revised.near_similarity < 1.0
    unrelated = see(dedup, GOV + "?id=2", corpus_text("false", "12-assistance-different", "b"))
    assert unrelated.kind == "new" and unrelated.near_duplicate_of is None


def test_in_flight_records_are_seen_before_they_are_stored(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    first = dedup.classify(url=MCA, body=ARTICLE)
    assert first.emit and store.get_article(first.id) is None  # not stored until written out
    assert dedup.classify(url=GOV, body=ARTICLE).duplicate_of == first.id
    assert dedup.classify(url=MCA + "#x", body=ARTICLE).kind == "duplicate"
    near = dedup.classify(url=GOV + "?p=1", body=corpus_text("true", "01-editor-note", "b"))
    assert near.near_duplicate_of == first.id
    dedup.record(first)
    assert store.get_article(first.id) is not None


def test_forgotten_record_is_new_next_time(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    first = dedup.classify(url=MCA, body=ARTICLE)
    dedup.forget(first)  # e.g. the JSONL writer rejected it
    assert store.get_article(first.id) is None
    assert dedup.classify(url=MCA, body=ARTICLE).kind == "new"


def test_empty_bodies_are_not_duplicates_of_each_other(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    assert see(dedup, MCA, "").kind == "new"
    assert see(dedup, GOV, "  ").kind == "new"
    store.flush()
    assert see(make_dedup(store, "r2"), MCA, "").kind == "unchanged"


def test_offsite_canonical_link_is_ignored(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    decision = dedup.classify(
        url=MCA, body=ARTICLE, link_canonical="http://bet365.example.com/", allowed_domains=["mca.gov.cn"]
    )
    assert decision.canonical_url == MCA and decision.rejected_link == "offsite"
    onsite = dedup.classify(url=MCA + "?from=x", body=OTHER, link_canonical="/a.shtml", allowed_domains=["mca.gov.cn"])
    assert onsite.canonical_url == "http://www.mca.gov.cn/a.shtml" and onsite.canonical_from_link


def test_seed_url_aliases_merge_mobile_twins(store: SQLiteStateStore) -> None:
    dedup = make_dedup(store)
    aliases = {"m.mca.gov.cn": "www.mca.gov.cn"}
    pc = see(dedup, MCA, ARTICLE, url_aliases=aliases)
    mobile = see(dedup, MCA.replace("www.", "m."), ARTICLE, url_aliases=aliases)
    assert mobile.id == pc.id and mobile.kind == "duplicate"


def test_reconcile_stores_records_a_killed_run_wrote(store: SQLiteStateStore) -> None:
    record = {"id": url_id(MCA), "canonical_url": MCA, "body_sha1": body_digest(ARTICLE), "site": "mca", "body": ARTICLE}
    dedup = make_dedup(store, "r2")
    assert dedup.reconcile(record, "r1") is True
    assert dedup.reconcile(record, "r1") is False  # already known
    assert dedup.reconcile({"id": 5}, "r1") is False  # garbage is ignored
    assert dedup.classify(url=MCA, body=ARTICLE).kind == "unchanged"
    near = dedup.classify(url=GOV, body=corpus_text("true", "01-editor-note", "b"))
    assert near.near_duplicate_of == url_id(MCA)  # signature rebuilt from the record's body


# -- threshold choice ------------------------------------------------------------------
def corpus_precision_recall(threshold: float, tmp_path: Path) -> tuple[float, float]:
    """Index every a.txt, query every b.txt through MinHash LSH; score the links found."""
    store = SQLiteStateStore(tmp_path / f"corpus-{threshold:.2f}.sqlite")
    index = NearDuplicateIndex(store, threshold=threshold)
    true_pairs = sorted((CORPUS / "true").iterdir())
    false_pairs = sorted((CORPUS / "false").iterdir())
    ids: dict[Path, str] = {}
    for pair in true_pairs + false_pairs:
        text = normalise_for_digest((pair / "a.txt").read_text(encoding="utf-8"))
        ids[pair] = hashlib.sha1(text.encode()).hexdigest()
        if store.get_signature(ids[pair]) is None:
            index.add(ids[pair], index.signature(text))
    right = wrong = 0
    for pair in true_pairs + false_pairs:
        found = index.find(index.signature(normalise_for_digest((pair / "b.txt").read_text(encoding="utf-8"))), "query")
        if found is None:
            continue
        if pair in true_pairs and found[0] == ids[pair]:
            right += 1
        else:
            wrong += 1
    store.close()
    precision = right / (right + wrong) if right + wrong else 1.0
    return precision, right / len(true_pairs)


def test_default_threshold_on_corpus(tmp_path: Path) -> None:
    """NEAR_DUP_THRESHOLD's default is the middle of the thresholds that score perfectly.

    Measured: 0.30-0.50 give precision 1.00, recall 1.00 (12 true, 12 false pairs);
    0.25 links a false pair; 0.55 misses a true one.
    """
    thresholds = [round(0.2 + 0.05 * n, 2) for n in range(13)]  # 0.20 … 0.80
    scores = {t: corpus_precision_recall(t, tmp_path) for t in thresholds}
    perfect = [t for t, (p, r) in scores.items() if p == 1.0 and r == 1.0]
    print({t: f"P={p:.2f} R={r:.2f}" for t, (p, r) in scores.items()})
    assert perfect, scores
    assert scores[DEFAULT_NEAR_DUP_THRESHOLD] == (1.0, 1.0)
    middle = (min(perfect) + max(perfect)) / 2
    assert abs(DEFAULT_NEAR_DUP_THRESHOLD - middle) <= 0.05
    # The extremes must fail, or the corpus would not be choosing anything.
    assert scores[0.2][0] < 1.0 and scores[0.8][1] < 1.0


# -- the Scrapy pipeline ------------------------------------------------------------------
class SeedStub:
    name = "mca"
    url_aliases = {"m.mca.gov.cn": "www.mca.gov.cn"}


class MinistrySpider(Spider):
    name = "mca"
    allowed_domains = ["www.mca.gov.cn", "mca.gov.cn"]
    seed = SeedStub()


class Harness:
    """A crawler with the dedup pipeline, and what it reported."""

    def __init__(self, out: Path, run: str, **settings: Any) -> None:
        self.crawler = get_crawler(
            MinistrySpider, {"OUTPUT_DIR": str(out), "RUN_ID": run, "STATE_COMMIT_INTERVAL": 3600, **settings}
        )
        self.crawler.spider = MinistrySpider.from_crawler(self.crawler)
        self.crawler.stats.open_spider()
        self.manifest: list[tuple[str, dict[str, Any]]] = []
        self.crawler.signals.connect(self._entry, signal=manifest_entry)
        self.pipeline = DedupPipeline.from_crawler(self.crawler)
        self.pipeline.open_spider()

    def _entry(self, kind: str, entry: dict[str, Any]) -> None:
        self.manifest.append((kind, entry))

    def feed(self, url: str, body: str, *, written: bool = True, **fields: Any) -> ArticleItem | None:
        item = ArticleItem(url=url, site="mca", language="zh", body=body, **fields)
        try:
            out = self.pipeline.process_item(item)
        except DropItem:
            return None
        if written:  # what the engine does after the JSONL writer returned the item
            self.crawler.signals.send_catch_log(signals.item_scraped, item=out, response=None, spider=self.crawler.spider)
        return out

    def stat(self, key: str) -> int:
        return self.crawler.stats.get_value(f"dedup/{key}", 0)

    def close(self) -> None:
        self.pipeline.spider_closed("finished")
        self.pipeline.store.close()


def test_pipeline_fills_fields_and_counts(tmp_path: Path) -> None:
    run = Harness(tmp_path, "r1")
    item = run.feed(MCA + "?utm_medium=app", ARTICLE, extra={"link_canonical": "http://evil.example/"})
    assert item is not None
    assert item.canonical_url == MCA and item.id == url_id(MCA) and item.body_sha1 == body_digest(ARTICLE)
    assert run.stat("canonical_offsite") == 1
    assert run.feed(GOV.replace("gov.cn", "mca.gov.cn"), ARTICLE) is None  # republished copy
    assert run.manifest == [
        ("duplicate", {"url": GOV.replace("gov.cn", "mca.gov.cn"), "id": url_id(GOV.replace("gov.cn", "mca.gov.cn")),
                       "duplicate_of": url_id(MCA)})
    ]
    near = run.feed(MCA.replace("0001", "0002"), corpus_text("true", "01-editor-note", "b"))
    assert near is not None and near.near_duplicate_of == url_id(MCA)
    assert ("near_duplicate", {"url": near.url, "id": near.id, "near_duplicate_of": url_id(MCA),
                               "similarity": pytest.approx(0.8, abs=0.2)}) in run.manifest
    mobile = run.feed(MCA.replace("www.", "m."), ARTICLE)  # seed alias: same canonical URL
    assert mobile is None
    assert (run.stat("new"), run.stat("duplicate"), run.stat("near_duplicate")) == (2, 2, 1)
    run.close()

    second = Harness(tmp_path, "r2")
    assert second.feed(MCA, ARTICLE) is None
    edited = second.feed(MCA.replace("0001", "0002"), corpus_text("true", "01-editor-note", "b") + "（完）")
    assert edited is not None and edited.id == url_id(MCA.replace("0001", "0002"))
    assert (second.stat("unchanged"), second.stat("changed"), second.stat("new")) == (1, 1, 0)
    second.close()


def test_pipeline_record_not_written_is_not_remembered(tmp_path: Path) -> None:
    run = Harness(tmp_path, "r1")
    item = run.feed(MCA, ARTICLE, written=False)
    assert item is not None
    run.crawler.signals.send_catch_log(
        signals.item_dropped, item=item, response=None, exception=DropItem("invalid"), spider=run.crawler.spider
    )
    run.close()
    again = Harness(tmp_path, "r2")
    assert again.feed(MCA, ARTICLE) is not None and again.stat("new") == 1
    again.close()


def test_emit_unchanged_setting_re_emits_known_records(tmp_path: Path) -> None:
    run = Harness(tmp_path, "r1")
    run.feed(MCA, ARTICLE)
    run.close()
    replay = Harness(tmp_path, "r2", DEDUP_EMIT_UNCHANGED=True)
    item = replay.feed(MCA, ARTICLE)
    assert item is not None and item.id == url_id(MCA) and replay.stat("unchanged") == 1
    replay.close()


# The second name is a distributed run's worker file (crawler/runinfo.py worker_suffix).
@pytest.mark.parametrize("name", ["mca-r1.jsonl.part", "mca-r1-host-4242.jsonl.part"])
def test_killed_run_is_reconciled_from_its_jsonl(tmp_path: Path, name: str) -> None:
    killed = Harness(tmp_path, "r1", STATE_COMMIT_EVERY=10_000)
    item = killed.feed(MCA, ARTICLE)
    assert item is not None
    # The JSONL writer got the line out; the process died before the state batch was committed.
    jsonl = tmp_path / "jsonl" / name
    jsonl.parent.mkdir(parents=True)
    record = {"id": item.id, "canonical_url": item.canonical_url, "body_sha1": item.body_sha1, "body": item.body}
    jsonl.write_text(json.dumps(record, ensure_ascii=False) + "\n" + '{"id": "cut-off', encoding="utf-8")
    killed.pipeline.store._db.close()  # no commit, no session end: as SIGKILL leaves it
    killed.pipeline.store._closed = True

    resumed = Harness(tmp_path, "r2")
    assert resumed.stat("killed_runs") == 1 and resumed.stat("reconciled") == 1
    assert resumed.stat("reconcile_bad_line") == 1
    assert resumed.feed(MCA, ARTICLE) is None and resumed.stat("unchanged") == 1
    resumed.close()


def test_a_killed_runs_files_are_every_worker_of_that_run_and_no_other(tmp_path: Path) -> None:
    names = ["mca-r1.jsonl", "gov-r1.jsonl.part", "mca-r1-host-7.jsonl", "mca-r1-host-8.jsonl.part",
             "mca-r10.jsonl", "mca-r10-host-7.jsonl", "mca-r2.jsonl.part", "mca-r1.jsonl.lock"]
    for name in names:
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [path.name for path in run_jsonl_files(tmp_path, "r1")] == [
        "mca-r1.jsonl", "gov-r1.jsonl.part", "mca-r1-host-7.jsonl", "mca-r1-host-8.jsonl.part"]


def test_deduplicator_from_settings_reads_tracking_near_and_emit_settings(store: SQLiteStateStore) -> None:
    settings = Settings({"CANONICAL_TRACKING_PARAMS": ["campaign"], "NEAR_DUP_ENABLED": False, "DEDUP_EMIT_UNCHANGED": True})
    dedup = Deduplicator.from_settings(store, settings, "r9")
    assert dedup.run_id == "r9" and dedup.near is None and dedup.emit_unchanged
    assert dedup.canonicalizer.canonicalize("http://www.mca.gov.cn/a.html?campaign=x&p=1") == "http://www.mca.gov.cn/a.html?p=1"
    default = Deduplicator.from_settings(store, Settings(), "r9")
    assert isinstance(default.near, NearDuplicateIndex) and not default.emit_unchanged
    assert "campaign=x" in default.canonicalizer.canonicalize("http://www.mca.gov.cn/a.html?campaign=x&p=1")


def test_bad_url_is_dropped_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    run = Harness(tmp_path, "r1")
    assert run.feed("javascript:alert(1)", ARTICLE) is None
    assert run.stat("bad_url") == 1 and "javascript:alert(1)" in caplog.text
    assert run.feed(MCA, ARTICLE) is not None  # and the run goes on
    run.close()


def test_corrupt_state_stops_the_run_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"\x00garbage" * 64)
    with pytest.raises(StateStoreCorrupt):
        Harness(tmp_path, "r1")
    assert path.read_bytes() == b"\x00garbage" * 64


def test_state_failure_mid_run_is_counted_not_raised(tmp_path: Path) -> None:
    run = Harness(tmp_path, "r1")
    run.pipeline.store.close()
    assert run.feed(MCA, ARTICLE) is None
    assert run.stat("state_error") == 1


def test_bench_runs_at_toy_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """bench/dedup.py still works; the full 1M-item run is `make bench`-style manual work, never a test."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_dedup", Path(__file__).parents[2] / "bench" / "dedup.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--count", "600", "--near-count", "200", "--checkpoints", "300,600", "--state-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "exact dedup:" in out and "exact + near-duplicate:" in out and "peak RSS" in out
    assert "'duplicate'" in out  # the synthetic stream does contain republications
    # Bodies are punctuated as Chinese news is, so they take the path real text takes; --plain-text ones are not.
    bodies = [body for _, body in bench.articles(200)]
    assert all("，" in body for body in bodies) and sum("“" in body for body in bodies) > 50
    assert not any("，" in body for _, body in bench.articles(200, plain=True))
