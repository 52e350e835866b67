"""Helpers for tests that run real crawls (as subprocesses) through the sample site."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sample.demo import ROOT, crawl_command, crawl_env

EXPECTED = json.loads((ROOT / "sample" / "site" / "expected.json").read_text("utf-8"))
SEED_ORDER = ("mca", "gov", "gov_en", "mee", "mohrss")


def run_crawl(
    seed: str, output_dir: Path, proxy_url: str, settings: dict[str, str] | None = None, timeout: float = 300, args: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = crawl_command(seed, output_dir, settings)
    if args:
        command += args
    return subprocess.run(command, cwd=ROOT, env=crawl_env(proxy_url), capture_output=True, text=True, timeout=timeout)


def read_jsonl(output_dir: Path, seed: str) -> list[dict[str, Any]]:
    records = []
    for path in sorted((output_dir / "jsonl").glob(f"{seed}-*.jsonl")):
        records += [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    return records


def manifests(output_dir: Path) -> dict[str, dict[str, Any]]:
    """Run manifests by seed (the latest run of each)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((output_dir / "runs").glob("*.json")):
        manifest = json.loads(path.read_text("utf-8"))
        found[manifest["seed"]] = manifest
    return found


@dataclass
class CrawlResult:
    output_dir: Path
    logs: dict[str, str] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)
    requests_by_seed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def requests(self) -> list[dict[str, Any]]:
        return [entry for entries in self.requests_by_seed.values() for entry in entries]

    def records(self, seed: str) -> list[dict[str, Any]]:
        return read_jsonl(self.output_dir, seed)

    def all_records(self) -> list[dict[str, Any]]:
        return [record for seed in self.logs for record in self.records(seed)]

    def requested_urls(self, seed: str | None = None) -> set[str]:
        entries = self.requests if seed is None else self.requests_by_seed[seed]
        return {entry["url"] for entry in entries}
