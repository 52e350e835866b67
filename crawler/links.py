"""Which links on a news list page lead to articles, more list pages or attachments.

With a seed's ``article_patterns`` / ``list_patterns`` those decide. Without,
links are classified by the URL shapes government CMSs (TRS, Hanweb, UCAP …)
actually produce, then by the link's text and its place in a list block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit

from parsel import Selector
from w3lib.url import safe_url_string

from crawler.seeds import Seed, host_in_domains

LinkKind = Literal["article", "list", "attachment"]

ATTACHMENT_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx et wps ppt pptx zip rar 7z ofd txt csv".split()
)
ATTACHMENT_RE = re.compile(r"\.(" + "|".join(sorted(ATTACHMENT_EXTENSIONS)) + r")$", re.I)

# URL shapes of article pages on Chinese government sites.
GENERIC_ARTICLE_RES = tuple(
    re.compile(p, re.I)
    for p in (
        r"/t\d{8}_\d+\.s?html?$",  # TRS: /202312/t20231219_511234.html
        r"/content_\d+\.s?html?$",  # gov.cn: content_5462345.htm
        r"/content_WS[0-9a-f]{16,}\.html?$",  # english.gov.cn: content_WS6581….html
        r"/c\d{6,}/content\.s?html?$",  # mca.gov.cn: /n152/n165/c1662004999979993926/content.html
        r"/\d{6}/\d{8,}\.s?html?$",  # older mca: /article/xw/mtbd/201912/20191200022571.shtml
        r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$",  # Hanweb
        r"/\d{4}-\d{2}/\d{2}/[\w-]+\.s?html?$",  # dated directories
    )
)
# URL shapes of news list pages and their pagination.
GENERIC_LIST_RES = tuple(
    re.compile(p, re.I)
    for p in (
        r"/(index|home|list|default)(_\d+)?\.s?html?$",
        r"/$",
        r"[?&](page|pageindex|pageno|p|curpage)=\d+",
    )
)
PAGINATION_TEXT_RE = re.compile(r"^\s*(下一?页|上一?页|首页|尾页|末页|next|previous|prev|last|first|\d{1,3}|[<>«»]+)\s*$", re.I)
DATE_TEXT_RE = re.compile(r"(19|20)\d{2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}")
NON_PAGE_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    kind: LinkKind


@dataclass(frozen=True)
class InvalidLink:
    """A link that cannot be requested: its ``href`` as written and why."""

    href: str
    reason: str


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be requested (the check Scrapy's ``Request`` would fail), or None.

    Each link is checked on its own so one bad link (a host that NFKC-normalises
    into other characters, a port out of range) never costs the rest of a page.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
        safe_url_string(url)
    except ValueError as exc:
        return str(exc) or type(exc).__name__
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} is not http(s)"
    if not parts.hostname:
        return "no host"
    return None


def is_attachment(url: str) -> bool:
    return bool(ATTACHMENT_RE.search(urlsplit(url).path))


def classify(url: str, seed: Seed, text: str = "", in_dated_list_item: bool = False) -> LinkKind | None:
    """The kind of page ``url`` leads to for ``seed``, or None when it is not followed."""
    path_and_query = _path_and_query(url)
    # Patterns may name a query (list pages like "?2"), but a tracking query on an
    # article link ("?from=timeline") must not hide it: try the bare path as well.
    candidates = (path_and_query, urlsplit(url).path) if "?" in path_and_query else (path_and_query,)
    if is_attachment(url):
        return "attachment"
    if seed.article_patterns:
        if _matches_any(seed.article_patterns, candidates):
            return "article"
    elif _matches_any(GENERIC_ARTICLE_RES, candidates):
        return "article"
    if seed.list_patterns:
        if _matches_any(seed.list_patterns, candidates):
            return "list"
        return None
    if not seed.article_patterns and in_dated_list_item and len(text.strip()) >= 8:
        # An unfamiliar URL shape, but it sits in a list item next to a date with a
        # headline-length text: that is how every ministry lays out its news lists.
        return "article"
    if not _in_start_section(url, seed) or not _looks_like_page(path_and_query):
        # Generic list discovery stays inside the sections the seed starts from,
        # so navigation menus do not pull the whole site in.
        return None
    if PAGINATION_TEXT_RE.match(text) or any(p.search(path_and_query) for p in GENERIC_LIST_RES):
        return "list"
    return None


def extract_links(
    html: str | Selector, base_url: str, seed: Seed, invalid: list[InvalidLink] | None = None
) -> Iterator[Link]:
    """Links on a list page, classified; links of no kind are left out.

    A link that cannot be requested is not yielded but appended to ``invalid``.
    """
    selector = html if isinstance(html, Selector) else Selector(text=html)
    seen: set[str] = set()
    for anchor in selector.xpath("//a[@href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(NON_PAGE_SCHEMES):
            continue
        try:
            url = urldefrag(urljoin(base_url, href))[0]
            scheme = urlsplit(url).scheme
        except ValueError as exc:
            if invalid is not None:
                invalid.append(InvalidLink(href, str(exc) or type(exc).__name__))
            continue
        if url in seen or scheme not in ("http", "https"):
            continue
        seen.add(url)
        problem = url_problem(url)
        if problem is not None:
            if invalid is not None:
                invalid.append(InvalidLink(href, problem))
            continue
        text = " ".join(anchor.xpath(".//text()").getall()).strip() or (anchor.attrib.get("title") or "")
        in_dated_item = _in_dated_list_item(anchor)
        kind = classify(url, seed, text, in_dated_item)
        if kind is not None:
            yield Link(url=url, text=text, kind=kind)


def offsite_links(links: Iterable[Link], seed: Seed) -> tuple[list[Link], list[Link]]:
    """Split ``links`` into (inside allowed_domains, outside)."""
    inside: list[Link] = []
    outside: list[Link] = []
    for link in links:
        (inside if host_in_domains(urlsplit(link.url).hostname or "", seed.allowed_domains) else outside).append(link)
    return inside, outside


def _matches_any(patterns: Iterable[re.Pattern[str]], candidates: tuple[str, ...]) -> bool:
    return any(p.search(text) for p in patterns for text in candidates)


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _in_start_section(url: str, seed: Seed) -> bool:
    parts = urlsplit(url)
    for start in seed.start_urls:
        start_parts = urlsplit(start)
        section = start_parts.path.rsplit("/", 1)[0] + "/"
        if (parts.hostname or "").lower() == (start_parts.hostname or "").lower() and parts.path.startswith(section):
            return True
    return False


def _looks_like_page(path_and_query: str) -> bool:
    # Lists are HTML pages or directories, never scripts, images or feeds.
    path = path_and_query.split("?", 1)[0]
    return not re.search(r"\.(js|css|jpe?g|png|gif|svg|ico|xml|rss|json)$", path, re.I)


def _in_dated_list_item(anchor: Selector) -> bool:
    item = anchor.xpath("ancestor::li[1] | ancestor::tr[1]")
    if not item:
        return False
    return bool(DATE_TEXT_RE.search(" ".join(item[0].xpath(".//text()").getall())))
