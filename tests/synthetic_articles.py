"""Valid JSONL article records for the load tests, and writing them to files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def make_record(number: int, **changes: Any) -> dict[str, Any]:
    """Article ``number`` of the mca seed as a schema-v2 record; ``changes`` replace fields."""
    url = f"https://www.mca.gov.cn/n152/n166/c{1000 + number}/content.html"
    body = changes.pop("body", f"民政部召开第{number}次全国养老服务工作推进会，部署下一阶段重点任务。")
    record: dict[str, Any] = {
        "url": url, "site": "mca", "language": "zh", "schema_version": 2, "id": sha1(url), "canonical_url": url,
        "title": f"民政部部署养老服务重点任务（第{number}号）", "published_date": "2024-03-15",
        "published_at": "2024-03-15T09:30:00+08:00", "source": "民政部", "author": None, "section": "工作动态",
        "body": body, "attachments": [], "body_sha1": sha1(body), "near_duplicate_of": None, "spam_removed": [],
        "cloaked": None, "fetched_at": "2024-03-16T02:00:00Z", "encoding": "utf-8", "extractor_version": "4.2",
        "warc": None,
    }
    record.update(changes)
    return record


def write_jsonl(path: Path, records: list[dict[str, Any] | str]) -> Path:
    """One record (or raw line, for bad input) per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
