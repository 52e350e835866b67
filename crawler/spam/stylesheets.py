"""Same-host stylesheets an article links to, fetched once per run.

A block hidden by a rule in the site's own stylesheet (``/css/article.css``)
looks visible to a crawler that reads only the page.  With
``SPAM_FETCH_STYLESHEETS`` the spider fetches each same-host stylesheet an
article links to once per run (an ordinary request: scheduled, polite,
archived), keeps its text when it has a rule that can hide something, and
extracts the articles that link to it with those rules applied before the
page's own ``<style>`` blocks (crawler/spam/css.py).  Articles wait for the
first fetch of a stylesheet; a failed fetch releases them without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.spam.css import StyleResolver, parse_stylesheet

logger = logging.getLogger(__name__)

MAX_STYLESHEETS_PER_PAGE = 3
MAX_STYLESHEET_BYTES = 512 * 1024


def linked_stylesheets(selector: Any, url: str, allowed_domains: Sequence[str] = ()) -> list[str]:
    """Absolute URLs of the same-host screen stylesheets a page links to (at most three)."""
    try:
        own = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return []
    hosts = {own, *(d.lower() for d in allowed_domains)}
    found: list[str] = []
    for link in selector.xpath("//link[@href and contains(concat(' ', translate(@rel, 'STYLEHS', 'stylehs'), ' '), ' stylesheet ')]"):
        media = (link.attrib.get("media") or "all").strip().lower()
        if not all(part.strip() in {"", "all", "screen"} for part in media.split(",")):
            continue
        try:
            target = urljoin(url, link.attrib["href"].strip())
            host = (urlsplit(target).hostname or "").lower()
        except ValueError:
            continue
        if host in hosts and target not in found and urlsplit(target).scheme in {"http", "https"}:
            found.append(target)
        if len(found) >= MAX_STYLESHEETS_PER_PAGE:
            break
    return found


def hiding_css(text: str) -> str:
    """``text`` when the stylesheet has a rule that may hide something, else "" (nothing to apply)."""
    rules = parse_stylesheet(text)
    return text if any(StyleResolver.rule_may_hide(rule) for rule in rules) else ""


@dataclass
class StylesheetCache:
    """One run's stylesheets: fetched texts, fetches in flight, and the articles waiting for them."""

    texts: dict[str, str] = field(default_factory=dict)  # url -> CSS that may hide ("" when none or failed)
    in_flight: set[str] = field(default_factory=set)
    waiting: list[tuple[Any, list[str]]] = field(default_factory=list)  # (response, stylesheet urls)

    def missing(self, urls: Sequence[str]) -> list[str]:
        return [url for url in urls if url not in self.texts]

    def wait(self, response: Any, urls: Sequence[str]) -> list[str]:
        """Park ``response`` until ``urls`` are known; returns the ones to fetch now."""
        self.waiting.append((response, list(urls)))
        to_fetch = [url for url in self.missing(urls) if url not in self.in_flight]
        self.in_flight.update(to_fetch)
        return to_fetch

    def done(self, url: str, text: str) -> list[Any]:
        """Record a fetched (or failed: "") stylesheet; returns the responses now ready."""
        self.in_flight.discard(url)
        self.texts[url] = text
        ready = [(response, urls) for response, urls in self.waiting if not self.missing(urls)]
        self.waiting = [(response, urls) for response, urls in self.waiting if self.missing(urls)]
        return [response for response, _ in ready]

    def css_for(self, urls: Sequence[str]) -> list[str]:
        return [self.texts[url] for url in urls if self.texts.get(url)]
