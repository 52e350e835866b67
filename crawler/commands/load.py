"""``scrapy load PATH… [--to URL] [--table NAME]``: load JSONL records into a database.

A thin shell over :func:`crawler.load.load_paths`. PATH is an OUTPUT_DIR
(its ``jsonl/*.jsonl``), a directory of JSONL files or a JSONL file. URL is
``postgresql://…``, ``duckdb:///FILE`` (default: ``OUTPUT_DIR/articles.duckdb``)
or ``parquet:DIR``. Loading is idempotent; see "Loading into a database" in
the README.

Exit status: 0 when every line was loaded; 1 when a PATH was missing, a line
was malformed, a record failed the schema or a batch could not be written
(everything else is loaded), or the target could not be opened; 2 on a
usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.load import LoadError, load_paths
from crawler.load.columns import DEFAULT_TABLE


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options] PATH…"

    def short_desc(self) -> str:
        return "Load JSONL records (an OUTPUT_DIR or files) into PostgreSQL, DuckDB or Parquet"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--to", metavar="URL", default=None,
                            help="postgresql://…, duckdb:///FILE or parquet:DIR (default: duckdb:///OUTPUT_DIR/articles.duckdb)")
        parser.add_argument("--table", metavar="NAME", default=DEFAULT_TABLE,
                            help=f"table (or schema.table) to load into (default: {DEFAULT_TABLE}; its history "
                                 "table is article_versions, or NAME_versions)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give an OUTPUT_DIR or JSONL files")
        assert self.settings is not None
        url = opts.to or f"duckdb:///{Path(self.settings.get('OUTPUT_DIR') or 'out') / 'articles.duckdb'}"
        # Every skipped path, bad line and failed batch is logged by crawler.load as it happens.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        library_logger = logging.getLogger("crawler.load")
        library_logger.addHandler(handler)
        library_logger.propagate = False
        try:
            report = load_paths(args, url, opts.table)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        except LoadError as exc:
            print(f"Cannot load: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        print(f"Loaded into {report.summary()}", file=sys.stderr)
        if not report.ok:
            print("Some lines were not loaded (see above): exit status 1", file=sys.stderr)
            self.exitcode = 1
