"""Write the tamper report: one self-contained HTML page and a JSON file with the same data.

The page has no external assets (inline CSS, inline SVG charts, a few lines
of inline script to sort tables), so it opens offline and can be mailed.
The affected-article list is streamed from the second pass over the JSONL
straight into both files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import IO

from crawler.report.collect import FORMS, AffectedArticle, ReportData, RunFigures, affected_articles, collect

REPORT_VERSION = 1
DEFAULT_REPLAY_BASE = "http://127.0.0.1:8080/archive"  # what `make replay-ui` serves
UNIT_TEXT_SHOWN = 300

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#1d1d1f;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3;cursor:pointer;user-select:none}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.unit{font-family:monospace;white-space:pre-wrap;word-break:break-all;background:#fff4f4;min-width:16em}
td a{word-break:break-all}
.chart{display:inline-block;margin:.5em 1em .5em 0}
.muted{color:#666}.warn{color:#a00}
"""

# Click a header to sort its table by that column (numbers as numbers).
_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, column) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var down = th.dataset.order !== 'down';
    th.dataset.order = down ? 'down' : 'up';
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.v || a.cells[column].textContent;
      var y = b.cells[column].dataset.v || b.cells[column].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return down ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""


def write_report(
    paths: Iterable[Path],
    html_path: Path,
    json_path: Path | None = None,
    replay_base: str | None = DEFAULT_REPLAY_BASE,
) -> ReportData:
    """Write ``html_path`` and ``json_path`` (default: beside it, ``.json``); returns the collected figures."""
    paths = list(paths)
    data = collect(paths)
    json_path = json_path or html_path.with_suffix(".json")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    with open(html_path, "w", encoding="utf-8") as html, open(json_path, "w", encoding="utf-8") as out:
        _write_head(html, data, paths, generated)
        summary = {
            "report_version": REPORT_VERSION,
            "generated_at": generated,
            "inputs": [str(path) for path in paths],
            "records": data.records,
            "sites": {name: figures.as_dict() for name, figures in sorted(data.sites.items())},
            "runs": [run.as_dict() for name in sorted(data.sites) for run in data.runs_of(name)],
            "units": [unit.as_dict() for unit in data.units_by_reach()],
            "problems": data.problems,
        }
        out.write(json.dumps(summary, ensure_ascii=False)[:-1] + ', "articles": [')
        count = 0
        for article in affected_articles(data.jsonl_files, replay_base):
            html.write(_article_row(article))
            out.write((",\n" if count else "\n") + json.dumps(article.as_dict(), ensure_ascii=False))
            count += 1
        out.write("\n]}\n")
        if not count:
            html.write('<tr><td colspan="6" class="muted">No affected article.</td></tr>')
        html.write(f"</tbody></table>\n<script>{_SCRIPT}</script>\n</body></html>\n")
    return data


def _write_head(html: IO[str], data: ReportData, paths: list[Path], generated: str) -> None:
    spammed = sum(f.spammed for f in data.sites.values())
    html.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Tamper report</title><style>{_STYLE}</style></head><body>\n"
        "<h1>Tamper report</h1>\n"
        f'<p class="muted">Generated {escape(generated)} from {escape(", ".join(map(str, paths)))}: '
        f"{data.records} article records, {spammed} with injected spam removed or cloaked, "
        f"{len(data.units)} distinct injected units.</p>\n"
    )
    if data.problems:
        html.write(f'<p class="warn">{len(data.problems)} input problem(s); the first: {escape(data.problems[0])}</p>\n')
    html.write("<h2>Sites</h2>\n" + _sites_table(data))
    html.write("<h2>Spammed pages per run</h2>\n")
    for name in sorted(data.sites):
        html.write(_timeline_svg(name, data.runs_of(name)))
    html.write("<h2>Injected units</h2>\n" + _units_table(data))
    html.write(
        "<h2>Affected articles</h2>\n<p class=\"muted\">The evidence is the WARC record at the offset given; "
        "the replay link works while <code>make replay-ui</code> serves the collection.</p>\n"
        '<table class="sortable" id="articles"><thead><tr><th>site</th><th>title</th><th>fetched</th>'
        "<th>forms</th><th>units</th><th>evidence</th></tr></thead><tbody>\n"
    )


def _sites_table(data: ReportData) -> str:
    head = "".join(f"<th>{escape(form)}</th>" for form in FORMS)
    rows = []
    for name, f in sorted(data.sites.items()):
        forms = "".join(f'<td class="n">{f.units_by_form[form]}</td>' for form in FORMS)
        rows.append(
            f"<tr><td>{escape(name)}</td><td class=\"n\">{f.articles}</td><td class=\"n\">{f.spammed}</td>"
            f'<td class="n" data-v="{f.spammed_share:.4f}">{f.spammed_share:.1%}</td>{forms}'
            f'<td class="n">{f.doorways}</td><td class="n">{f.forbidden}</td></tr>'
        )
    return (
        '<table class="sortable" id="sites"><thead><tr><th>site</th><th>articles</th><th>with spam</th><th>share</th>'
        f"{head}<th>doorway pages</th><th>forbidden pages</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
    )


def _units_table(data: ReportData) -> str:
    rows = []
    for unit in data.units_by_reach():
        text = unit.text if len(unit.text) <= UNIT_TEXT_SHOWN else unit.text[:UNIT_TEXT_SHOWN] + "…"
        pages = "<br>".join(f'<a href="{escape(url)}">{escape(url)}</a>' for url in unit.pages)
        if unit.page_count > len(unit.pages):
            pages += f'<br><span class="muted">and {unit.page_count - len(unit.pages)} more</span>'
        rows.append(
            f'<tr><td class="unit">{escape(text)}</td><td>{escape(unit.form)}</td>'
            f"<td>{escape('; '.join(unit.rules + unit.evidence))}</td><td class=\"n\">{unit.page_count}</td>"
            f"<td>{escape(', '.join(sorted(unit.sites)))}</td><td>{pages}</td>"
            f"<td>{escape(unit.first_seen)}</td><td>{escape(unit.last_seen)}</td></tr>"
        )
    if not rows:
        rows.append('<tr><td colspan="8" class="muted">No injected unit.</td></tr>')
    return (
        '<table class="sortable" id="units"><thead><tr><th>text</th><th>form</th><th>rule and evidence</th>'
        "<th>pages</th><th>sites</th><th>where</th><th>first seen</th><th>last seen</th></tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>\n"
    )


def _article_row(article: AffectedArticle) -> str:
    evidence = escape(f"{article.warc_file} @ {article.warc_offset}") if article.warc_file else "no WARC pointer"
    if article.replay_url:
        evidence += f' · <a href="{escape(article.replay_url)}">replay</a>'
    return (
        f"<tr><td>{escape(article.site)}</td><td><a href=\"{escape(article.url)}\">{escape(article.title or article.url)}</a></td>"
        f"<td>{escape(article.fetched_at)}</td><td>{escape(', '.join(article.forms))}</td>"
        f'<td class="n">{article.units}</td><td>{evidence}</td></tr>\n'
    )


def _timeline_svg(site: str, runs: list[RunFigures], width: int = 560, height: int = 180) -> str:
    """Bars of spammed pages per run over grey bars of all articles that run."""
    left, bottom, top = 40, 30, 24
    plot_h = height - bottom - top
    peak = max([run.articles for run in runs] + [run.spammed for run in runs] + [1])
    slot = (width - left - 10) / max(len(runs), 1)
    bar = max(min(slot * 0.7, 40), 2)
    parts = [
        f'<svg class="chart" role="img" aria-label="spammed pages per run on {escape(site)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(site)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}" stroke="#888"/>',
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    for index, run in enumerate(runs):
        x = left + index * slot + (slot - bar) / 2
        for value, colour in ((run.articles, "#d5d5d5"), (run.spammed, "#c0392b")):
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(run.run_id)}: {run.spammed} of {run.articles} pages spammed</title></rect>"
            )
        if len(runs) <= 12 or index % max(len(runs) // 12, 1) == 0:
            label = (run.started_at or run.run_id)[:10]
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 12}" font-size="9" text-anchor="middle">{escape(label)}</text>'
            )
    if not runs:
        parts.append(f'<text x="{left + 10}" y="{top + plot_h / 2}" font-size="11" fill="#666">no runs</text>')
    parts.append("</svg>\n")
    return "".join(parts)


def summary_line(data: ReportData, html_path: Path, json_path: Path) -> str:
    spammed = sum(f.spammed for f in data.sites.values())
    return (
        f"Wrote {html_path} and {json_path}: {len(data.sites)} site(s), {data.records} record(s), "
        f"{spammed} affected, {len(data.units)} distinct injected unit(s)"
    )

