"""The tamper report in a real browser: headless Chromium renders it without console errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from PIL import Image
from tests.report_data import synthetic_archive

from crawler.report import write_report

ROOT = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("browser", ROOT / "tools" / "browser.py")
browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser)  # type: ignore[union-attr]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(browser.chromium() is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)"),
]
BAR_RED = (0xC0, 0x39, 0x2B)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    synthetic_archive(out / "archive", 400)
    write_report([out / "archive"], out / "report.html")
    return out / "report.html"


def test_the_console_check_sees_an_error_when_there_is_one(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction();</script>")
    _, messages = browser.render(page)
    assert any("undefinedFunction" in message for message in messages)


def test_the_report_renders_its_tables_and_charts_without_console_messages(report: Path) -> None:
    dom, messages = browser.render(report)
    assert messages == []
    assert dom.count('<svg class="chart"') == 2 and dom.count("<rect ") == 16  # 2 sites x 4 runs x 2 bars
    sites = dom.split('id="sites"', 1)[1].split("</table>", 1)[0]
    assert sites.count("<tr>") == 3  # header + mca + mohrss


def test_the_screenshot_shows_the_chart_bars(report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    browser.screenshot(report, png, height=900)
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50, "a blank page"
    red = sum(count for count, rgb in colours if all(abs(a - b) <= 8 for a, b in zip(rgb, BAR_RED)))
    assert red > 500, "no spammed-page bars drawn"
