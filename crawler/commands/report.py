"""``scrapy report OUTPUT_DIR… -o report.html``: the tamper report of one or more archives.

A thin shell over :func:`crawler.report.write_report`; ``report.json``
beside the page holds the same data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.report import DEFAULT_REPLAY_BASE, write_report
from crawler.report.render import summary_line


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options] OUTPUT_DIR|FILE.jsonl… -o report.html"

    def short_desc(self) -> str:
        return "Write the tamper report (HTML + JSON) of crawled archives"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", default="report.html", help="HTML file to write")
        parser.add_argument("--json", metavar="FILE", help="JSON file to write (default: beside the HTML, .json)")
        parser.add_argument(
            "--replay-url",
            default=DEFAULT_REPLAY_BASE,
            help=f"pywb collection URL for the evidence links (default {DEFAULT_REPLAY_BASE}, as make replay-ui serves it; '' for none)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give one or more OUTPUT_DIRs or JSONL files")
        paths = [Path(arg) for arg in args]
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise UsageError(f"no such file or directory: {', '.join(missing)}")
        html_path = Path(opts.output)
        json_path = Path(opts.json) if opts.json else html_path.with_suffix(".json")
        data = write_report(paths, html_path, json_path, replay_base=opts.replay_url or None)
        for problem in data.problems[:20]:
            print(f"problem: {problem}", file=sys.stderr)
        print(summary_line(data, html_path, json_path), file=sys.stderr)
        self.exitcode = 1 if data.problems else 0
