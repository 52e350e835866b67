"""Machine-readable metadata: government meta tags, Open Graph, schema.org JSON-LD.

The State Council's 2017 guidelines for government websites require every article
page to carry ``ArticleTitle``, ``PubDate`` (``YYYY-MM-DD HH:MM``, Beijing time),
``ContentSource``, ``ColumnName``, ``Author``, ``SiteName`` and ``SiteIDCode`` meta
tags; gov.cn adds ``firstpublishedtime`` (``YYYY-MM-DD-HH:MM:SS``). Templates put
``content`` before ``name``, vary the case, and leave values empty; all of that is
tolerated here. Names are case-folded; the first non-empty value wins.

Some CMSs copy the editor's rich-text headline into the tag, so a value can hold
literal markup (``标题<div>——副标题``); so can ``<title>``, whose text is never parsed
as HTML. The tags are removed from every value (a tag between two words leaves a
space: ``标题<br>副标题`` reads ``标题 副标题``).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_TAG_MARK = "\x00"
_TAGS_BETWEEN_WORDS = re.compile(r"(?<=[^\W_])\x00+(?=[^\W_])")
_SPACES = re.compile(r"\s+")


def without_markup(value: str) -> str:
    """``value`` with literal HTML tags taken out; tags between two words leave a space."""
    if "<" not in value or not _TAG.search(value):
        return value
    text = _TAGS_BETWEEN_WORDS.sub(" ", _TAG.sub(_TAG_MARK, value)).replace(_TAG_MARK, "")
    return _SPACES.sub(" ", text).strip()


@dataclass
class PageMeta:
    """Every non-empty ``<meta>`` value by lower-cased name/property, plus JSON-LD facts."""

    tags: dict[str, str] = field(default_factory=dict)
    jsonld: dict[str, str] = field(default_factory=dict)
    title_tag: str | None = None
    title_served: str | None = None  # the <title> text before markup was taken out
    base_href: str | None = None

    def get(self, *names: str) -> str | None:
        for name in names:
            value = self.tags.get(name.lower())
            if value:
                return value
        return None

    # Government tags (2017 guidelines) --------------------------------------------------
    @property
    def article_title(self) -> str | None:
        return self.get("ArticleTitle")

    @property
    def pub_date(self) -> str | None:
        return self.get("PubDate")

    @property
    def first_published(self) -> str | None:
        return self.get("firstpublishedtime")

    @property
    def content_source(self) -> str | None:
        return self.get("ContentSource")

    @property
    def column_name(self) -> str | None:
        return self.get("ColumnName", "lanmu")

    @property
    def author(self) -> str | None:
        return self.get("Author")

    @property
    def site_name(self) -> str | None:
        return self.get("SiteName")

    # Open Graph / article / schema.org ---------------------------------------------------
    @property
    def og_title(self) -> str | None:
        return self.get("og:title") or self.jsonld.get("headline")

    @property
    def og_site_name(self) -> str | None:
        return self.get("og:site_name") or self.jsonld.get("publisher")

    @property
    def og_published(self) -> str | None:
        return (
            self.get("article:published_time", "og:published_time", "og:release_date")
            or self.jsonld.get("datePublished")
        )

    @property
    def og_author(self) -> str | None:
        return self.get("article:author") or self.jsonld.get("author")

    @property
    def og_section(self) -> str | None:
        return self.get("article:section") or self.jsonld.get("articleSection")


def _person_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = value.get("name")
        return name.strip() if isinstance(name, str) and name.strip() else None
    if isinstance(value, list):
        names = [n for n in (_person_name(v) for v in value) if n]
        return "、".join(names) or None
    return None


def _read_jsonld(text: str, into: dict[str, str], url: str) -> None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        logger.debug("extract: unreadable JSON-LD on %s", url)
        return
    queue = list(data) if isinstance(data, list) else [data]
    index = 0
    while index < len(queue) and index < 50:
        node = queue[index]
        index += 1
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("@graph"), list):
            queue.extend(node["@graph"][:20])
            continue
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and k.endswith(("Article", "NewsArticle", "WebPage", "Report")) for k in kinds):
            continue
        for key in ("headline", "datePublished", "articleSection"):
            value = node.get(key)
            if isinstance(value, str) and value.strip() and key not in into:
                into[key] = value.strip()
        author = _person_name(node.get("author"))
        if author and "author" not in into:
            into["author"] = author
        publisher = _person_name(node.get("publisher"))
        if publisher and "publisher" not in into:
            into["publisher"] = publisher


def read_meta(root: Any, url: str) -> PageMeta:
    """Collect metadata from a parsed document (lxml root) without modifying it."""
    meta = PageMeta()
    head = root.find("head")
    scope = head if head is not None and len(head) else root
    for element in scope.iter("meta", "title", "base", "script"):
        tag = element.tag
        if tag == "meta":
            key = element.get("name") or element.get("property") or element.get("itemprop")
            value = element.get("content")
            if key and value:
                value = without_markup(value.strip())
                if value:
                    meta.tags.setdefault(key.strip().lower(), value)
        elif tag == "title":
            if meta.title_tag is None:
                meta.title_served = element.text_content()
                meta.title_tag = without_markup(meta.title_served)
        elif tag == "base":
            if meta.base_href is None and element.get("href"):
                meta.base_href = element.get("href")
        elif tag == "script" and (element.get("type") or "").lower() == "application/ld+json":
            if element.text:
                _read_jsonld(element.text, meta.jsonld, url)
    if scope is head:
        # Some templates emit meta tags or JSON-LD in <body>; look there only for what is missing.
        body = root.find("body")
        if body is not None and not meta.tags.get("pubdate"):
            for element in body.iter("meta"):
                key = element.get("name") or element.get("property") or element.get("itemprop")
                value = element.get("content")
                if key and value:
                    value = without_markup(value.strip())
                    if value:
                        meta.tags.setdefault(key.strip().lower(), value)
    return meta
