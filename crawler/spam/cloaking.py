"""Cloaking probe: does a page show search-engine crawlers something else?

Hacked sites often serve spam only to search-engine crawlers (or to visitors
arriving from a search engine) and the normal page to everyone else, so a
crawler that looks like a browser never sees the injection.  The spider
re-fetches article pages as Baiduspider with a baidu.com ``Referer``; both
fetches go into the WARC.  ``CloakingPolicy`` chooses the pages (each site's
first articles of a run until enough came back clean, then a sample; every
article of a site that has cloaked, for some runs, remembered in the state
store), the functions below build the probe headers and decide whether the two
views differ *materially*: spam the normal view does not have, a redirect to
another site, or different text (beyond counters and timestamps).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.spam.dom import remove_dom_spam
from crawler.spam.units import solicitation_kinds
from pipelines.spam import Lexicon, default_lexicon, find_spam_spans, has_spam_candidates, title_spam_spans

logger = logging.getLogger(__name__)

BAIDUSPIDER_USER_AGENT = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
BAIDU_SEARCH_URL = "https://www.baidu.com/s?wd={query}"
PROBE_META_KEY = "cloaking_probe"

_SHINGLE = 4
_WORD_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[A-Za-z]+")
_SPACE_RE = re.compile(r"\s+")


def probe_headers(url: str, title: str = "") -> dict[str, str]:
    """Request headers that make the probe look like Baidu's crawler arriving from a Baidu search."""
    query = title.strip() or (urlsplit(url).hostname or url)
    return {
        "User-Agent": BAIDUSPIDER_USER_AGENT,
        "Referer": BAIDU_SEARCH_URL.format(query=quote(query[:60])),
    }


def should_probe(url: str, sample: float, *, showed_spam: bool = False) -> bool:
    """Probe every page that showed spam and a stable ``sample`` fraction of the rest.

    The choice is a hash of the URL, not a random draw, so a replay of the same
    archive picks the same pages.
    """
    if showed_spam:
        return True
    if sample <= 0:
        return False
    if sample >= 1:
        return True
    digest = hashlib.sha1(url.encode("utf-8", "replace")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < sample


def page_showed_spam(
    title_candidates: Sequence[Sequence[str]],
    body: str,
    dom_removals: Sequence[dict[str, str]],
    language: str | None = None,
    lexicon: Lexicon | None = None,
) -> bool:
    """Did the normal view already show spam (DOM removals, a spam headline or phrase)?"""
    if dom_removals:
        return True
    lexicon = lexicon or default_lexicon()
    for pair in title_candidates:
        if len(pair) == 2 and pair[1] and title_spam_spans(str(pair[1]), lexicon, language=language):
            return True
    return bool(body) and has_spam_candidates(body, lexicon) and bool(find_spam_spans(body, lexicon, language=language))


class CloakingPolicy:
    """Which article pages of one site to probe in this run.

    * every article, when the site has cloaked in this run or in one of the
      last ``memory_runs`` runs (the count is kept in the state store);
    * otherwise the site's articles until ``until_clean`` probes came back
      clean, then a stable ``sample`` fraction (and every page that showed spam).
    """

    NOTE_KEY = "cloaking_runs_left"

    def __init__(self, site: str, *, until_clean: int = 5, sample: float = 0.1, memory_runs: int = 3,
                 store: Any = None) -> None:
        self.site = site
        self.until_clean = until_clean
        self.sample = sample
        self.memory_runs = memory_runs
        self.store = store
        self.clean = 0
        self.cloaked = 0
        self.runs_left = 0
        if store is not None and memory_runs > 0:
            note = store.get_site_note(site, self.NOTE_KEY)
            try:
                self.runs_left = max(0, int(note)) if note else 0
            except ValueError:
                logger.warning("cloaking: ignoring a malformed note for site %s: %r", site, note)

    @property
    def watching(self) -> bool:
        """Probe every article: the site cloaked in this run or recently."""
        return self.cloaked > 0 or self.runs_left > 0

    def should_probe(self, url: str, *, showed_spam: bool = False) -> bool:
        if self.watching or showed_spam or self.clean < self.until_clean:
            return True
        return should_probe(url, self.sample)

    def record(self, cloaked: bool | None) -> None:
        """A probe's outcome (None: it failed, which proves nothing)."""
        if cloaked:
            self.cloaked += 1
        elif cloaked is False:
            self.clean += 1

    def close(self) -> None:
        """Remember the site for the next runs: reset the count on cloaking, else count down."""
        if self.store is None or self.memory_runs <= 0:
            return
        runs_left = self.memory_runs if self.cloaked else max(0, self.runs_left - 1)
        if runs_left != self.runs_left or self.cloaked:
            self.store.put_site_note(self.site, self.NOTE_KEY, str(runs_left))


@dataclass
class PageView:
    """What a visitor (or a crawler) is shown."""

    title: str
    text: str
    spam: list[str] = field(default_factory=list)
    redirect_host: str | None = None


@dataclass
class ViewComparison:
    cloaked: bool
    reasons: list[str]
    similarity: float
    spider_only_spam: list[str] = field(default_factory=list)
    spider_added: list[str] = field(default_factory=list)  # text units only the crawler is shown

    def summary(self) -> str:
        return "; ".join(self.reasons)


def page_view(
    html: bytes | str,
    url: str,
    allowed_domains: Sequence[str] = (),
    *,
    location: str | None = None,
    lexicon: Lexicon | None = None,
) -> PageView:
    """Title, visible text and spam found in one fetched page (never raises)."""
    lexicon = lexicon or default_lexicon()
    redirect_host = None
    try:
        own = [d.lower() for d in allowed_domains] or [(urlsplit(url).hostname or "").lower()]
        host = (urlsplit(urljoin(url, location)).hostname or "").lower() if location else ""
    except ValueError:
        logger.warning("cloaking: malformed URL or Location on %s: %r", url, location)
        own, host = [], ""
    if host and not any(host == d or host.endswith("." + d) for d in own):
        redirect_host = host
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    if not html.strip():
        return PageView("", "", [], redirect_host)
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        logger.warning("cloaking: cannot parse a view of %s", url)
        return PageView("", "", [], redirect_host)
    title_element = root.find(".//title")
    title = _SPACE_RE.sub(" ", title_element.text_content()).strip() if title_element is not None else ""
    spam = [r["text"] for r in remove_dom_spam(root, url, allowed_domains, lexicon=lexicon) if r.get("text")]
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    body = root.find("body")
    # Text nodes joined by line breaks, so a headline does not run into the
    # first paragraph.
    pieces = (piece.strip() for piece in (body if body is not None else root).itertext())
    text = "\n".join(piece for piece in pieces if piece)
    if title and title_spam_spans(title, lexicon):
        spam.extend(s.text for s in title_spam_spans(title, lexicon))
    if has_spam_candidates(text, lexicon):
        spam.extend(s.text for s in find_spam_spans(text, lexicon))
    return PageView(title, text, spam, redirect_host)


def _shingles(text: str) -> set[str]:
    # Digits are left out so visit counters and clocks do not count as changes.
    words = _WORD_RE.findall(text.lower())
    if len(words) < _SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def text_similarity(first: str, second: str) -> float:
    """Jaccard similarity of word 4-shingles (Chinese characters count as words)."""
    a, b = _shingles(first), _shingles(second)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def compare_views(
    normal: PageView,
    spider: PageView,
    *,
    min_similarity: float = 0.5,
) -> ViewComparison:
    """Decide whether the spider view differs materially from the normal view."""
    reasons: list[str] = []
    normal_spam = set(normal.spam)
    added = spider_additions(normal, spider)
    # Spam the rules found in the crawler's view only, and added text that reads
    # as an advert (two marks of advertising: brands the lexicon does not know).
    adverts = [unit for unit in added if len(solicitation_kinds(unit) - {"promotion"}) >= 2]
    spider_only = [s for s in dict.fromkeys([*spider.spam, *adverts]) if s not in normal_spam]
    if spider_only:
        reasons.append("spam shown only to the crawler: " + ", ".join(spider_only[:5]))
    if spider.redirect_host and spider.redirect_host != normal.redirect_host:
        reasons.append(f"crawler redirected to {spider.redirect_host}")
    if normal.title and spider.title and normal.title != spider.title:
        reasons.append(f"headline differs: {spider.title[:80]!r} instead of {normal.title[:80]!r}")
    similarity = text_similarity(normal.text, spider.text)
    if similarity < min_similarity:
        reasons.append(f"text differs (similarity {similarity:.2f})")
    # A different headline or text alone may be a site update between the two
    # fetches; it is cloaking when it also brings spam or a redirect, or when
    # the pages hardly share any text.
    cloaked = (
        bool(spider_only)
        or bool(spider.redirect_host and spider.redirect_host != normal.redirect_host)
        or similarity < min_similarity
    )
    return ViewComparison(cloaked, reasons if cloaked else [], similarity, spider_only, added if cloaked else [])


_UNIT_NOISE_RE = re.compile(r"[\s\d]+")


def _unit_key(line: str) -> str:
    return _UNIT_NOISE_RE.sub("", line).lower()


def spider_additions(normal: PageView, spider: PageView) -> list[str]:
    """Text units (lines) of the crawler's view that the normal view lacks (digits ignored)."""
    seen = {_unit_key(line) for line in normal.text.splitlines()}
    seen.add(_unit_key(normal.title))
    added = []
    for line in dict.fromkeys(line.strip() for line in spider.text.splitlines()):
        key = _unit_key(line)
        if len(key) >= 4 and key not in seen:
            added.append(line)
    return added


def remove_additions(title: str, body: str, additions: Sequence[str]) -> tuple[str, str, list[dict[str, str]]]:
    """Cut from a record what only the crawler's view had: (title, body, spam_removed entries).

    The record is built from the normal view, so this finds something only when
    the normal fetch carried part of the injection too (a site that serves it to
    some browsers, or changed between the fetches); the title is never changed
    here (the normal view's headline is in neither list of additions)."""
    entries: list[dict[str, str]] = []
    for unit in additions:
        if unit in body:
            body = body.replace(unit, "")
            entries.append({"text": unit, "where": "body", "rule": "cloaking:spider-only"})
    if entries:
        body = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in body.split("\n"))).strip()
    return title, body, entries


def compare_fetches(
    normal_html: bytes | str,
    spider_html: bytes | str,
    url: str,
    allowed_domains: Sequence[str] = (),
    *,
    spider_location: str | None = None,
    min_similarity: float = 0.5,
    lexicon: Lexicon | None = None,
) -> ViewComparison:
    """``compare_views`` on two raw fetches of ``url``."""
    normal = page_view(normal_html, url, allowed_domains, lexicon=lexicon)
    spider = page_view(spider_html, url, allowed_domains, location=spider_location, lexicon=lexicon)
    return compare_views(normal, spider, min_similarity=min_similarity)
