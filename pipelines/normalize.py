"""NormalizePipeline: the text normalisation of crawler/extract/text.py applied to every item.

Cleans the one-line fields (title, source, author, section) and the body, and
drops site-name suffixes from the title; counts what changed.

Settings: ``NORMALIZE_SITE_NAMES`` (list of str, default ``[]``): site names
stripped from titles besides the built-in list, the running seed's ``site_name``
and ``item.extra["site_name"]``.

Stats: ``normalize/items``, ``normalize/changed/<field>``,
``normalize/non_string_field``, ``normalize/errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from itemadapter import ItemAdapter

from crawler.extract.text import normalize_body, normalize_line, strip_site_suffix

logger = logging.getLogger(__name__)

_LINE_FIELDS = ("title", "source", "author", "section")
_FIELDS = (*_LINE_FIELDS, "body")


def normalized_fields(values: Sequence[Any], site_names: Sequence[str]) -> dict[str, Any]:
    """The cleaned text fields, for ``values`` in the order of ``_FIELDS``.

    Only text values are cleaned (``None`` and anything else are left out); a
    field whose value does not change keeps its very object.
    """
    cleaned: dict[str, Any] = {}
    for name, value in zip(_FIELDS, values):
        if not isinstance(value, str):
            continue
        if name == "body":
            new = normalize_body(value)
        else:
            new = normalize_line(value)
            if name == "title":
                new = (strip_site_suffix(new, site_names) if new else new) or ""
        cleaned[name] = value if new == value else new
    return cleaned


class NormalizePipeline:
    """Applies the text normalisation functions to an ArticleItem's text fields."""

    def __init__(self, stats: Any, site_name_setting: Iterable[str] = (), crawler: Any = None) -> None:
        self.stats = stats
        self.site_names = tuple(site_name_setting)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalizePipeline:
        names = crawler.settings.getlist("NORMALIZE_SITE_NAMES", [])
        return cls(crawler.stats, names, crawler)

    def site_names_for(self, adapter: Any) -> tuple[str, ...]:
        """The site names to strip from this item's title (besides the built-in list)."""
        names = self.site_names
        seed_name = getattr(getattr(getattr(self.crawler, "spider", None), "seed", None), "site_name", None)
        if isinstance(seed_name, str) and seed_name:
            names = (*names, seed_name)
        extra = adapter.get("extra") or {}
        if isinstance(extra, dict) and extra.get("site_name"):
            names = (*names, str(extra["site_name"]))
        return names

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        self.stats.inc_value("normalize/items")
        try:
            values = [adapter.get(name) for name in _FIELDS]
            cleaned = normalized_fields(values, self.site_names_for(adapter))
            for name, value in zip(_FIELDS, values):
                if name in cleaned:  # text: cleaned, changed or not
                    if cleaned[name] != value:
                        self.stats.inc_value(f"normalize/changed/{name}")
                elif value is not None and name != "body":
                    self.stats.inc_value("normalize/non_string_field")
                    logger.warning("normalize: field %s is not text on %s", name, adapter.get("url"))
            for name, value in cleaned.items():
                adapter[name] = value
        except Exception:
            # Bad input must not stop the crawl: keep the item as it was and count it.
            self.stats.inc_value("normalize/errors")
            logger.exception("normalize: failed on %s", adapter.get("url"))
        return item
