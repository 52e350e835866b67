"""The tamper report (crawler/report/): figures, units, both output files, scale."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from tests.report_data import record, synthetic_archive, write_run

from crawler.report import collect, unit_form, unit_key, write_report


ROOT = Path(__file__).resolve().parent.parent.parent


def spam(text: str, where: str, rule: str = "lexicon") -> dict[str, str]:
    return {"text": text, "where": where, "rule": rule}


def archive(out: Path) -> None:
    brand = "澳门金沙娱乐城 官网注册"
    write_run(out, "mca", "20240101T000000Z-1", "2024-01-01T00:00:00Z", [
        record("mca", 1, "2024-01-01T00:01:00Z", [spam(brand, "title")]),
        record("mca", 2, "2024-01-01T00:02:00Z"),
        record("mca", 3, "2024-01-01T00:03:00Z", [spam("首存即送百分百彩金，秒到账。", "body", "classifier:sentence 0.97"),
                                                   spam("dafa-bet.example link", "link")]),
    ], entries={"doorway": [{"url": "http://www.mca.gov.cn/d.html", "reason": "spam"}],
                "failed": [{"url": "http://www.mca.gov.cn/x.html", "reason": "HTTP 403"},
                           {"url": "http://www.mca.gov.cn/y.html", "reason": "HTTP 500"}]})
    write_run(out, "mca", "20240201T000000Z-2", "2024-02-01T00:00:00Z", [
        # The same unit, written with other spacing, case and a zero-width space.
        record("mca", 4, "2024-02-01T00:01:00Z", [spam("澳门金沙娱乐城\u200b  官网注册", "title")]),
        record("mca", 5, "2024-02-01T00:02:00Z", cloaked=True),
    ])
    write_run(out, "mohrss", "20240115T000000Z-3", "2024-01-15T00:00:00Z", [
        record("mohrss", 6, "2024-01-15T00:01:00Z", [spam(brand, "hidden", "css:display-none")]),
        record("mohrss", 7, "2024-01-15T00:02:00Z"),
    ])


def test_site_figures_count_articles_spam_forms_doorways_and_forbidden_pages(tmp_path: Path) -> None:
    archive(tmp_path)
    data = collect([tmp_path])
    mca, mohrss = data.sites["mca"], data.sites["mohrss"]
    # A cloaked page counts as affected even with nothing removed from its record.
    assert (mca.articles, mca.spammed, mca.cloaked, mca.doorways, mca.forbidden) == (5, 4, 1, 1, 1)
    assert {form: n for form, n in mca.units_by_form.items() if n} == {
        "headline": 2, "sentence": 1, "link farm": 1, "cloaking": 1}
    assert mca.spammed_share == 4 / 5
    assert (mohrss.articles, mohrss.spammed, mohrss.units_by_form["hidden block"]) == (2, 1, 1)
    assert [(run.run_id, run.articles, run.spammed) for run in data.runs_of("mca")] == [
        ("20240101T000000Z-1", 3, 2), ("20240201T000000Z-2", 2, 2)]


def test_a_unit_is_one_entry_however_it_is_spaced_with_its_pages_sites_and_dates(tmp_path: Path) -> None:
    archive(tmp_path)
    data = collect([tmp_path])
    assert len(data.units) == 3
    brand = data.units[unit_key("澳门金沙娱乐城 官网注册")]
    assert brand.page_count == 3 and brand.sites == {"mca", "mohrss"}
    assert brand.first_seen == "2024-01-01T00:01:00Z" and brand.last_seen == "2024-02-01T00:01:00Z"
    assert brand.rules == ["lexicon", "css:display-none"]
    assert data.units_by_reach()[0] is brand


def test_forms_come_from_where_rule_or_an_explicit_form() -> None:
    assert unit_form({"where": "title"}) == "headline"
    assert unit_form({"where": "body", "rule": "classifier:paragraph"}) == "paragraph"
    assert unit_form({"where": "body", "rule": "lexicon:brand"}) == "inserted span"
    assert unit_form({"where": "body", "form": "sentence", "rule": "x"}) == "sentence"
    assert unit_form({"where": "meta"}) == "meta"


def test_html_and_json_carry_the_same_data_and_every_affected_article_with_its_evidence(tmp_path: Path) -> None:
    archive(tmp_path / "out")
    html_path = tmp_path / "report.html"
    write_report([tmp_path / "out"], html_path, replay_base="http://127.0.0.1:8080/archive")
    report = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    page = html_path.read_text(encoding="utf-8")
    assert report["sites"]["mca"]["spammed"] == 4 and report["records"] == 7
    articles = report["articles"]
    assert sorted(a["url"].rsplit("_", 1)[1] for a in articles) == ["1.html", "3.html", "4.html", "5.html", "6.html"]
    first = next(a for a in articles if a["url"].endswith("_3.html"))
    assert first["warc_file"] == "MNA-mca.warc.gz" and first["warc_offset"] == 3000
    assert first["replay_url"] == "http://127.0.0.1:8080/archive/20240101000300/" + first["url"]
    assert first["forms"] == ["sentence", "link farm"]
    for article in articles:
        assert article["url"] in page
    assert "首存即送百分百彩金，秒到账。" in page and page.count('<svg class="chart"') == 2
    # Self-contained: nothing is loaded from elsewhere.
    assert "<link" not in page and " src=" not in page and "@import" not in page


def test_bad_lines_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    archive(tmp_path)
    with open(next((tmp_path / "jsonl").glob("mohrss-*.jsonl")), "a", encoding="utf-8") as handle:
        handle.write("{not json\n[1, 2]\n")
    data = collect([tmp_path])
    assert data.sites["mohrss"].articles == 2
    assert len(data.problems) == 2 and ":3: not JSON" in data.problems[0] and ":4: not a JSON object" in data.problems[1]


def test_ten_times_the_records_take_at_most_twelve_times_the_time_and_no_more_memory(tmp_path: Path) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    synthetic_archive(small, 2_000)
    synthetic_archive(large, 20_000)

    def measure(out: Path) -> tuple[float, int]:
        # Best of three: CPU time of a run this short still carries the machine's noise.
        cpu = []
        for _ in range(3):
            started = time.process_time()
            write_report([out], out / "report.html")
            cpu.append(time.process_time() - started)
        tracemalloc.start()
        collect([out])
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return min(cpu), peak

    (small_cpu, small_peak), (large_cpu, large_peak) = measure(small), measure(large)
    assert large_cpu <= 12 * small_cpu, (small_cpu, large_cpu)
    # The same 40 distinct units: memory follows units, not records.
    assert large_peak <= 1.25 * small_peak, (small_peak, large_peak)


@pytest.mark.e2e
def test_the_command_writes_both_files_and_refuses_a_missing_input(tmp_path: Path) -> None:
    archive(tmp_path / "out")
    command = [sys.executable, "-m", "scrapy.cmdline", "report", str(tmp_path / "out"), "-o", str(tmp_path / "r.html")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3 distinct injected unit(s)" in done.stderr.splitlines()[-1]
    assert json.loads((tmp_path / "r.json").read_text())["records"] == 7
    missing = subprocess.run([*command[:4], str(tmp_path / "nowhere")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
