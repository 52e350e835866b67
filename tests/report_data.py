"""Synthetic OUTPUT_DIRs for the tamper-report tests: records and manifests shaped as a crawl writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def record(site: str, number: int, fetched_at: str, spam: list[dict[str, Any]] | None = None,
           cloaked: bool | None = None) -> dict[str, Any]:
    url = f"http://www.{site}.gov.cn/xw/t2024_{number}.html"
    return {
        "schema_version": 2,
        "url": url,
        "site": site,
        "title": f"关于做好第{number}批养老服务工作的通知",
        "body": "各地民政部门要切实做好相关工作。",
        "spam_removed": spam or [],
        "cloaked": cloaked,
        "fetched_at": fetched_at,
        "warc": {"file": f"MNA-{site}.warc.gz", "offset": number * 1000, "record_id": f"<urn:uuid:{number}>",
                 "payload_digest": "sha1:X"},
    }


def write_run(out: Path, site: str, run_id: str, started_at: str, records: list[dict[str, Any]],
              entries: dict[str, list[dict[str, Any]]] | None = None) -> None:
    (out / "jsonl").mkdir(parents=True, exist_ok=True)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    with open(out / "jsonl" / f"{site}-{run_id}.jsonl", "w", encoding="utf-8") as handle:
        for item in records:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    manifest = {"manifest_version": 1, "run_id": run_id, "seed": site, "started_at": started_at,
                "entries": entries or {}}
    (out / "runs" / f"{run_id}.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def synthetic_archive(out: Path, records: int, distinct_units: int = 40, spam_every: int = 3) -> None:
    """``records`` articles over two sites and four runs; every ``spam_every``-th carries one of ``distinct_units`` units."""
    sites = ("mca", "mohrss")
    per_run = max(records // 4, 1)
    number = 0
    for run in range(4):
        for site in sites:
            batch = []
            for _ in range(per_run // 2):
                number += 1
                spam = None
                if number % spam_every == 0:
                    unit = number % distinct_units
                    spam = [{"text": f"新葡京{unit}号娱乐官网 注册就送888", "where": "body", "rule": f"classifier:sentence {unit}"}]
                batch.append(record(site, number, f"2024-0{run + 1}-15T08:00:{number % 60:02d}Z", spam))
            write_run(out, site, f"2024010{run + 1}T000000Z-{run}{site}", f"2024-0{run + 1}-15T07:59:00Z", batch)
