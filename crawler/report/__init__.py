"""The tamper report: which sites were hacked, when, how and with what (``scrapy report``).

:func:`write_report` reads OUTPUT_DIRs (JSONL records and run manifests) and
writes a self-contained HTML page plus a JSON file holding the same data.
"""

from __future__ import annotations

from crawler.report.collect import FORMS, ReportData, collect, unit_form, unit_key
from crawler.report.render import DEFAULT_REPLAY_BASE, write_report

__all__ = ["DEFAULT_REPLAY_BASE", "FORMS", "ReportData", "collect", "unit_form", "unit_key", "write_report"]
