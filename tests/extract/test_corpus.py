"""Per-field accuracy of extract_article on the labelled corpus (tests/corpus/extract/)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

from crawler.extract import extract_article

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus" / "extract"))
from extract_scoring import CorpusPage, load_corpus, score  # noqa: E402

PAGES = load_corpus()


def _extract(page: CorpusPage) -> dict:
    result = extract_article(page.body, page.expected["url"], page.expected["declared_encoding"])
    return dataclasses.asdict(result)


@pytest.fixture(scope="module")
def report():
    return score(PAGES, _extract)


def test_corpus_is_big_and_varied_enough():
    templates = {page.expected["template"] for page in PAGES}
    assert len(PAGES) >= 60
    assert len(templates) >= 6
    # Hand-written pages in templates the extractor has no container rule for.
    assert sum(1 for page in PAGES if page.name.startswith("h")) >= 4
    encodings = {page.expected["declared_encoding"] for page in PAGES}
    assert "utf-8" in encodings and None in encodings
    assert any(p.expected["template"] == "mohrss" and p.expected["declared_encoding"] == "utf-8" for p in PAGES)
    # Pages really are stored in their own encodings.
    gbk = [p for p in PAGES if p.expected["encoding"] == "gb18030"]
    assert gbk and all(not _is_utf8(p.body) for p in gbk)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_field_accuracy_meets_thresholds(report, capsys):
    with capsys.disabled():
        print("\n" + report.table())
    misses = {name: entry.misses[:5] for name, entry in report.fields.items() if entry.misses}
    fields = report.fields
    assert fields["title"].accuracy == 1.0, misses.get("title")
    assert fields["published_date"].accuracy == 1.0, misses.get("published_date")
    assert fields["published_at"].accuracy == 1.0, misses.get("published_at")
    # A time of day that the page never shows must not be invented.
    assert fields["published_at"].spurious == 0, misses.get("published_at")
    assert fields["source"].accuracy >= 0.95, misses.get("source")
    assert fields["author"].accuracy >= 0.95, misses.get("author")
    assert fields["author"].spurious <= len(PAGES) * 0.05, misses.get("author")
    assert fields["encoding"].accuracy == 1.0, misses.get("encoding")
    assert fields["language"].accuracy == 1.0, misses.get("language")
    assert report.body_mean >= 0.97
    worst = sorted(report.body_f1.items(), key=lambda kv: kv[1])[:3]
    assert report.body_min >= 0.90, worst


def test_corpus_pages_keep_boilerplate_out_of_the_body():
    furniture = ("扫一扫在手机打开当前页", "Scan to open the current page", "网站标识码", "ICP备", "公网安备",
                 "版权所有", "打印本页", "关闭窗口", "分享到", "相关链接", "相关稿件", "Related Stories",
                 "字号", "责任编辑", "当前位置", "您现在的位置", "发布时间", "（来源：")
    for page in PAGES:
        body = extract_article(page.body, page.expected["url"], page.expected["declared_encoding"]).body
        for marker in furniture:
            assert marker not in body, (page.name, marker)
        assert "\n\n\n" not in body and not body.startswith("\n")


def test_committed_corpus_is_what_the_generator_writes(tmp_path):
    """The pages and labels on disk come from generate.py, unedited (regenerate after changing it)."""
    import generate

    generated = [page for page in PAGES if page.name.isdigit()]
    count = generate.main(tmp_path)
    assert count == len(generated)
    for page in generated:
        assert (tmp_path / f"{page.name}.html").read_bytes() == page.body, page.name
        assert json.loads((tmp_path / f"{page.name}.json").read_text(encoding="utf-8")) == page.expected, page.name
