"""``scrapy runs OUTPUT_DIR [--json]``: the runs an OUTPUT_DIR holds, read from their manifests.

One line per run (run id, seed, start and end, status, items written, exit
status), oldest first. A distributed run (crawler/distributed/) has one
manifest per worker under one run id: its line sums them, and a row per
worker follows (host, pid, items, exit status, finish reason). A worker that
left records in ``jsonl/`` but no manifest (killed, or still running) gets a
row of its own, its items counted from its JSONL file. ``--json`` prints the
same as a JSON list. An unreadable manifest is reported on stderr and the
command exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.crawl import RunOutcome, exit_status


def worker_row(manifest: dict[str, Any]) -> dict[str, Any]:
    """What ``scrapy runs`` shows of one worker's (or one local run's) manifest."""
    worker = manifest.get("worker") or ""
    host, _, pid = worker.rpartition("-")
    status = manifest.get("exit_status")
    if not isinstance(status, int):  # written before manifests recorded it: decided again from the stats
        outcome = RunOutcome(finish_reason=manifest.get("finish_reason"), stats=manifest.get("stats") or {})
        status = exit_status(outcome)[0]
    return {
        "worker": worker or None,
        "host": host or None,
        "pid": int(pid) if pid.isdigit() else None,
        "items": int((manifest.get("counts") or {}).get("records_written", 0) or 0),
        "exit_status": status,
        "finish_reason": manifest.get("finish_reason"),
        "started_at": manifest.get("started_at"),
        "finished_at": manifest.get("finished_at"),
    }


def unfinished_workers(jsonl_dir: Path, run: str, known: set[str]) -> list[dict[str, Any]]:
    """Workers of distributed run ``run`` whose JSONL file is here but whose manifest is not."""
    found: dict[str, int] = defaultdict(int)
    for path in sorted(jsonl_dir.glob(f"*-{run}-*.jsonl*")):
        worker = path.name.split(f"-{run}-", 1)[1].removesuffix(".part").removesuffix(".jsonl")
        if worker in known:
            continue
        with path.open("rb") as lines:
            found[worker] += sum(1 for line in lines if line.endswith(b"\n"))
    rows = []
    for worker, items in sorted(found.items()):
        host, _, pid = worker.rpartition("-")
        rows.append({"worker": worker, "host": host or None, "pid": int(pid) if pid.isdigit() else None,
                     "items": items, "exit_status": None, "finish_reason": "no manifest (killed, or still running)",
                     "started_at": None, "finished_at": None})
    return rows


def list_runs(output_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The runs of ``output_dir`` (oldest first) and the problems met reading its manifests."""
    problems: list[str] = []
    by_run: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted((output_dir / "runs").glob("*.json")):
        try:
            manifest = json.loads(path.read_text("utf-8"))
            by_run[str(manifest["run_id"])].append(manifest)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path}: unreadable manifest ({type(exc).__name__}: {exc})")
    runs = []
    for run, manifests in by_run.items():
        rows = sorted((worker_row(m) for m in manifests), key=lambda row: row["worker"] or "")
        distributed = any(row["worker"] for row in rows)
        if distributed:
            rows += unfinished_workers(output_dir / "jsonl", run, {row["worker"] for row in rows})
        statuses = [row["exit_status"] for row in rows]
        failed = sum(1 for code in statuses if code not in (0, None))
        missing = statuses.count(None)
        if failed or missing:
            parts = [f"{failed} failed"] * bool(failed) + [f"{missing} without manifest"] * bool(missing)
            status = f"{'failed' if failed else 'incomplete'} ({', '.join(parts)} of {len(rows)} workers)" \
                if distributed else "failed"
        else:
            status = "finished"
        started = [row["started_at"] for row in rows if row["started_at"]]
        finished = [row["finished_at"] for row in rows if row["finished_at"]]
        runs.append({
            "run_id": run,
            "seed": manifests[0].get("seed"),
            "started_at": min(started) if started else None,
            "finished_at": max(finished) if finished else None,
            "status": status,
            "items": sum(row["items"] for row in rows),
            "exit_status": max((code for code in statuses if code is not None), default=None),
            "distributed": distributed,
            "workers": rows if distributed else [],
        })
    runs.sort(key=lambda run: (run["started_at"] or "", run["run_id"]))
    return runs, problems


def format_runs(runs: list[dict[str, Any]]) -> str:
    """The table ``scrapy runs`` prints."""
    lines = [f"{'run id':28} {'seed':10} {'started':20} {'finished':20} {'items':>6} {'exit':>4}  status"]
    for run in runs:
        exit_text = "-" if run["exit_status"] is None else str(run["exit_status"])
        lines.append(f"{run['run_id']:28} {run['seed'] or '-':10} {run['started_at'] or '-':20} "
                     f"{run['finished_at'] or '-':20} {run['items']:6d} {exit_text:>4}  {run['status']}")
        for row in run["workers"]:
            exit_text = "-" if row["exit_status"] is None else str(row["exit_status"])
            lines.append(f"  worker host {row['host'] or '-'} pid {row['pid'] or '-'}: {row['items']} items, "
                         f"exit {exit_text} ({row['finish_reason'] or 'unknown'})")
    return "\n".join(lines)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--json] OUTPUT_DIR"

    def short_desc(self) -> str:
        return "List the runs of an OUTPUT_DIR (a distributed run with its workers) from their manifests"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="print the runs as JSON")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one OUTPUT_DIR")
        directory = Path(args[0])
        if not directory.is_dir():
            raise UsageError(f"no such directory: {directory}")
        runs, problems = list_runs(directory)
        for problem in problems:
            print(f"problem: {problem}", file=sys.stderr)
        print(json.dumps(runs, ensure_ascii=False, indent=2) if opts.json else format_runs(runs))
        self.exitcode = 1 if problems else 0
