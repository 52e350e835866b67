"""Ministry News Archive: crawl ministry news sites into WARC files and clean JSONL."""

from __future__ import annotations

__version__ = "0.1.0"
