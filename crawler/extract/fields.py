"""The item fields that come from an extraction.

The spider builds each ArticleItem from these fields plus what the response
says (URL, fetch time, WARC pointer).
"""

from __future__ import annotations

from typing import Any

from crawler.extract import EXTRACTOR_VERSION, Extracted


def article_fields(extracted: Extracted, default_language: str) -> dict[str, Any]:
    """Keyword arguments of ArticleItem taken from ``extracted`` (``extra`` included)."""
    return {
        "language": extracted.language or default_language,
        "title": extracted.title,
        "published_date": extracted.published_date,
        "published_at": extracted.published_at,
        "source": extracted.source,
        "author": extracted.author,
        "section": extracted.section,
        "body": extracted.body,
        "attachments": list(extracted.attachments),
        "spam_removed": list(extracted.spam_removed),
        "encoding": extracted.encoding,
        "extractor_version": EXTRACTOR_VERSION,
        "extra": {
            "title_candidates": [list(c) for c in extracted.title_candidates],
            "extract_notes": list(extracted.notes),
            "page_signals": dict(extracted.page_signals),
            # Dedup names the article after it when it stays on the site (crawler/dedup/canonical.py).
            "link_canonical": extracted.link_canonical,
        },
    }
