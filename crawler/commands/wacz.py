"""``scrapy wacz OUTPUT_DIR|WARC… -o FILE.wacz``: package a run's archive as one WACZ file.

A thin shell over :func:`crawler.replay.wacz.build_wacz`. Given an
OUTPUT_DIR, it packages ``OUTPUT_DIR/warc/*.warc.gz`` and lists the
articles of ``OUTPUT_DIR/jsonl/*.jsonl`` as the WACZ's pages.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.replay.wacz import article_pages, build_wacz, collect_warcs


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options] OUTPUT_DIR|WARC… -o FILE.wacz"

    def short_desc(self) -> str:
        return "Package WARC files (e.g. an OUTPUT_DIR's) as a WACZ file"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", required=True, help="WACZ file to write")
        parser.add_argument("--title", help="title stored in the WACZ datapackage")
        parser.add_argument("--desc", help="description stored in the WACZ datapackage")
        parser.add_argument("--jsonl", action="append", default=[], metavar="FILE",
                            help="JSONL files whose articles become the page list (default: OUTPUT_DIR/jsonl/*.jsonl)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give an OUTPUT_DIR or WARC files")
        paths = [Path(arg) for arg in args]
        warcs, skipped = collect_warcs(paths)
        for path, reason in skipped:
            print(f"Skipping {path}: {reason}", file=sys.stderr)
        if not warcs:
            print("No WARC files to package.", file=sys.stderr)
            self.exitcode = 1
            return
        jsonl = [Path(name) for name in opts.jsonl]
        if not jsonl:
            jsonl = [p for path in paths if (path / "jsonl").is_dir() for p in sorted((path / "jsonl").glob("*.jsonl"))]
        pages = article_pages(jsonl)
        status = build_wacz(warcs, Path(opts.output), pages=pages, title=opts.title, description=opts.desc)
        if status == 0:
            print(f"Wrote {opts.output}: {len(warcs)} WARC file(s), {len(pages)} article page(s)", file=sys.stderr)
        self.exitcode = status
