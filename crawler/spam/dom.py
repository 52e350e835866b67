"""DOM-level spam removal: what the injector hid in the markup.

Black-hat SEO on hacked government pages leaves traces that only the HTML
shows: blocks hidden from readers but not from search engines (``display:none``,
off-screen positioning, ``font-size:0``, 1-pixel marquees, text coloured like
the background, classes hidden by an inline ``<style>``), link farms pointing to
casino and porn domains, ``<script>`` that writes links or redirects visitors
arriving from a search engine, iframes to such domains, and keyword-stuffed
``keywords``/``description`` metas.  ``remove_dom_spam`` removes them from the
tree before metadata and body are read, and returns one audit entry per
removal: ``{"text", "where": hidden|link|script|meta, "rule"}``.

What a browser would not show is resolved from the page's CSS
(crawler/spam/css.py).  A hidden block or a link is removed only when it is an
injected unit by its nature (crawler/spam/evidence.py: foreign link-dense blocks,
brand-shaped hosts, the marks of advertising) or by the lexicon and context
rules of ``pipelines.spam``; a hidden share widget, a skip link or a menu of
sister-ministry links is not spam and stays.  Script rules are in
crawler/spam/scripts.py.  The rules are listed in docs/spam.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crawler.spam.css import StyleResolver, hiding_reason, parse_style
from crawler.spam.evidence import (
    LinkFacts,
    farm_hosts,
    hidden_unit_is_spam,
    host_of,
    is_brand_shaped,
    is_trusted_host,
    link_facts,
)
from crawler.spam.classifier import RegisterModel, default_model
from crawler.spam.lexicon import Lexicon, default_lexicon, has_spam_candidates
from crawler.spam.metas import PageText, judge_metas
from crawler.spam.scripts import SCRIPT_MARKERS_RE, judge_script
from crawler.spam.spans import score_spans
from crawler.spam.titles import lexicon_title_spans as title_spam_spans

logger = logging.getLogger(__name__)

_MAX_ENTRY_CHARS = 2000
_SPACE_RE = re.compile(r"\s+")
_SIGNIFICANT_RE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
_GOVERNMENT_HOST_RE = re.compile(r"(?:^|\.)(?:gov\.cn|edu\.cn|gov|mil\.cn)$")

# ---------------------------------------------------------------- helpers


def _collapse(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _significant(text: str) -> int:
    return len(_SIGNIFICANT_RE.findall(text))


_ABSOLUTE_HOST_RE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^/?#@]*@)?([^/?#:\s]+)")


def _host(href: str, base: str) -> str:
    """Host a link points to; "" for relative links (they stay on the page's host)."""
    match = _ABSOLUTE_HOST_RE.match(href)
    if match:
        return match.group(1).lower().rstrip(".")
    if href.strip().lower().startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
        return ""
    # Relative: the page's own host.  Parsed once per page by the caller.
    try:
        return (urlsplit(base).hostname or "").lower()
    except ValueError:
        return ""


_ABSOLUTE_HREFS = etree.XPath("//a/@href[contains(., '//')]", smart_strings=False)


class _Page:
    """What the rules need to know about the page being cleaned."""

    def __init__(self, root: Any, url: str, allowed_domains: Sequence[str], lexicon: Lexicon,
                 stylesheets: Sequence[str] = ()) -> None:
        self.root = root
        self.stylesheets = stylesheets
        self.url = url
        try:
            own = (urlsplit(url).hostname or "").lower()
        except ValueError:  # a malformed URL: no own host, every absolute link is off-site
            own = ""
        self.domains = [d.lower().lstrip(".") for d in allowed_domains if d] or ([own] if own else [])
        self.lexicon = lexicon
        self._styles: StyleResolver | None = None
        self.own_host = own
        self._domain_verdicts: dict[str, bool] = {}
        # Page-level screens, set by remove_dom_spam: when neither the text nor any linked host
        # looks like spam, no hidden block or link can be spam and those stages are skipped.
        self.text_suspect = True
        self.domain_suspect = True
        self.text, self._model = PageText(""), None  # the visible text (set below); the classifier, for metas
        # One pass over the tree collects what every stage needs.
        self.metas: list[Any] = []
        self.scripts: list[Any] = []
        self.frames: list[Any] = []
        self.styles: list[Any] = []
        self.code_hosts: set[str] = set()
        for element in root.iter("script", "meta", "iframe", "frame", "style"):
            tag = element.tag
            if tag == "script":
                self.scripts.append(element)
            elif tag == "meta":
                self.metas.append(element)
            elif tag == "style":
                self.styles.append(element)
            else:
                self.frames.append(element)
            source = element.get("src")
            if source:
                match = _ABSOLUTE_HOST_RE.match(source)
                if match:
                    self.code_hosts.add(match.group(1).lower())
        self._link_hosts: set[str] | None = None
        # Brand-shaped hosts that appear in a visible cluster (set by remove_dom_spam).
        self.farm_hosts: set[str] = set()

    @property
    def model(self) -> RegisterModel:
        """The register classifier, for metas (loaded on first use)."""
        if self._model is None:
            self._model = default_model()
        return self._model

    @property
    def link_hosts(self) -> set[str]:
        """Hosts of absolute ``<a href>`` links (read only when needed: a
        page has hundreds of links and reading them all is not free)."""
        if self._link_hosts is None:
            hosts = set()
            for href in set(_ABSOLUTE_HREFS(self.root)):
                match = _ABSOLUTE_HOST_RE.match(href)
                if match:
                    hosts.add(match.group(1).lower())
            self._link_hosts = hosts
        return self._link_hosts

    def styles_resolved(self) -> StyleResolver:
        """The page's CSS cascade (built on first use)."""
        if self._styles is None:
            self._styles = StyleResolver(self.root, self.styles, self.stylesheets)
        return self._styles

    def is_foreign(self, host: str) -> bool:
        """Off-site, and neither government nor a trusted medium or service."""
        return self.is_offsite(host) and not is_trusted_host(host)

    def is_offsite(self, host: str) -> bool:
        return bool(host) and not any(host == d or host.endswith("." + d) for d in self.domains)

    def is_spam_domain(self, host: str) -> bool:
        if not host or _GOVERNMENT_HOST_RE.search(host):
            return False
        cached = self._domain_verdicts.get(host)
        if cached is None:
            folded = " " + host + " "
            cached = any(p.search(folded) for p in self.lexicon.domain_patterns)
            self._domain_verdicts[host] = cached
        return cached

    def text_is_spam(self, text: str) -> bool:
        """Short text (an anchor, a hidden block, a meta) judged like a headline."""
        if not text or not has_spam_candidates(text, self.lexicon):
            return False
        if len(text) <= 200:
            return bool(title_spam_spans(text, self.lexicon))
        return any(s.is_spam for s in score_spans(text, self.lexicon))


def _remove(element: Any) -> None:
    """Detach ``element`` but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _visible_text(element: Any) -> str:
    """Text of an element without script/style content."""
    pieces: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag
        if event == "start":
            if isinstance(tag, str) and tag in {"script", "style", "noscript", "template"}:
                continue
            if isinstance(tag, str) and node.text and not _inside_invisible_tag(node, element):
                pieces.append(node.text)
        elif node is not element and node.tail and not _inside_invisible_tag(node.getparent(), element):
            pieces.append(node.tail)
    return _collapse(" ".join(pieces))


def _inside_invisible_tag(node: Any, stop: Any) -> bool:
    while node is not None:
        if isinstance(node.tag, str) and node.tag in {"script", "style", "noscript", "template"}:
            return True
        if node is stop:
            return False
        node = node.getparent()
    return False


def _entry(text: str, where: str, rule: str) -> dict[str, str]:
    text = _collapse(text)
    if len(text) > _MAX_ENTRY_CHARS:
        text = text[:_MAX_ENTRY_CHARS] + "…"
    return {"text": text, "where": where, "rule": rule}


# ---------------------------------------------------------------- metas


def _clean_metas(page: _Page) -> list[dict[str, str]]:
    removals: list[dict[str, str]] = []
    names = [(meta.get("name") or meta.get("property") or "").strip().lower() for meta in page.metas]
    contents = [meta.get("content") or "" for meta in page.metas]
    verdicts = judge_metas(list(zip(names, contents)), page.text, page.lexicon, lambda: page.model)
    for meta, name, content, verdict in zip(page.metas, names, contents, verdicts):
        if verdict is not None:
            if not verdict.removed:
                continue
            if _significant(verdict.kept) >= 4:
                meta.set("content", verdict.kept)
            else:
                _remove(meta)
            # One entry per meta, named after the classifier when it decided any part.
            rule = next((rule for _, rule in verdict.removed if rule), "")
            removed = " ".join(text for text, _ in verdict.removed)
            removals.append(_entry(removed, "meta", f"meta:{name}" + (f":{rule}" if rule else "")))
        elif (meta.get("http-equiv") or "").strip().lower() == "refresh":
            target = re.search(r"url\s*=\s*['\"]?([^'\";\s]+)", content, re.IGNORECASE)
            if not target:
                continue
            host = _host(target.group(1), page.url)
            if page.is_offsite(host) and not _GOVERNMENT_HOST_RE.search(host):
                _remove(meta)
                removals.append(_entry(target.group(1), "meta", "meta:refresh-offsite"))
    return removals


# ---------------------------------------------------------------- scripts


def _clean_scripts(page: _Page) -> list[dict[str, str]]:
    removals: list[dict[str, str]] = []
    for script in page.scripts:
        source = script.get("src")
        if source:
            host = _host(source, page.url)
            if page.is_offsite(host) and page.is_spam_domain(host):
                _remove(script)
                removals.append(_entry(source, "script", "script:spam-src"))
            continue
        code = script.text or ""
        if not code.strip():
            continue
        # Every verdict needs the script to write, redirect or retitle, or to
        # hide what it does (obfuscation); scripts with none of the markers
        # (configuration, widgets, analytics loaders) are not judged.
        if not SCRIPT_MARKERS_RE.search(code):
            continue
        verdict = judge_script(code, page)
        if verdict:
            _remove(script)
            removals.append(_entry(verdict[1], "script", verdict[0]))
    return removals


# ---------------------------------------------------------------- iframes


def _clean_iframes(page: _Page) -> list[dict[str, str]]:
    removals: list[dict[str, str]] = []
    for frame in page.frames:
        source = frame.get("src") or ""
        host = _host(source, page.url) if source else ""
        if not page.is_offsite(host) or _GOVERNMENT_HOST_RE.search(host):
            continue
        declarations = parse_style(frame.get("style"))
        for attribute in ("width", "height"):
            if frame.get(attribute) and attribute not in declarations:
                declarations[attribute] = frame.get(attribute, "").strip()
        hidden = hiding_reason(declarations, page_background=None) is not None
        if page.is_spam_domain(host) or hidden:
            _remove(frame)
            removals.append(_entry(source, "hidden" if hidden else "link", "iframe:hidden" if hidden else "iframe:spam-domain"))
    return removals


# ---------------------------------------------------------------- hidden blocks


def _has_spam_evidence(element: Any, page: _Page, text: str) -> bool:
    if page.text_is_spam(text):
        return True
    for link in element.iter("a"):
        host = _host(link.get("href") or "", page.url)
        if page.is_offsite(host) and (page.is_spam_domain(host) or page.text_is_spam(_collapse(link.text_content()))):
            return True
        if not page.is_offsite(host) and page.text_is_spam(_collapse(link.text_content())):
            return True
    # A hidden block of many links to non-government sites is a link farm even
    # with innocent-looking anchors.
    offsite = [
        h for h in (_host(link.get("href") or "", page.url) for link in element.iter("a"))
        if page.is_offsite(h) and not _GOVERNMENT_HOST_RE.search(h)
    ]
    return len(offsite) >= 5 and len(set(offsite)) >= 3 and page.text_is_spam(text + " " + " ".join(offsite))


def _own_link_list(element: Any, facts: LinkFacts, text: str) -> bool:
    """A hidden list of links to the site's own (or trusted) pages, nothing but their
    titles: a related-news tab.  Its headlines may name lotteries or gambling."""
    if facts.links < 2 or facts.foreign_hosts or any(is_brand_shaped(host_of(a.get("href") or "")) for a in element.iter("a")):
        return False
    return facts.link_chars >= 0.8 * len(_SPACE_RE.sub("", text))


def _clean_hidden(page: _Page) -> list[dict[str, str]]:
    removals: list[dict[str, str]] = []
    for element, reason in page.styles_resolved().hidden_elements():
        if element.getparent() is None:
            continue
        text = _visible_text(element)
        if not text and element.find(".//a") is None:
            continue
        facts = link_facts(element.iter("a"), page.own_host, page.is_offsite)
        if hidden_unit_is_spam(text, facts, is_foreign=page.is_foreign) or (
            not _own_link_list(element, facts, text) and _has_spam_evidence(element, page, text)
        ):
            _remove(element)
            removals.append(_entry(text or " ".join(a.get("href", "") for a in element.iter("a")), "hidden", f"hidden:{reason}"))
    return removals


# ---------------------------------------------------------------- link farms


def _spam_links(body: Any, page: _Page) -> list[Any]:
    links = list(body.iter("a"))
    if not links:
        return []
    texts = [link.text_content() for link in links]
    # One screen over every anchor text at once: on a clean page (the usual
    # case) no anchor needs a closer look.
    text_suspect = has_spam_candidates("\n".join(texts), page.lexicon)
    found = []
    for link, text in zip(links, texts, strict=True):
        href = link.get("href") or ""
        match = _ABSOLUTE_HOST_RE.match(href)
        host = match.group(1).lower() if match else ""
        if host and page.is_offsite(host) and (page.is_spam_domain(host) or host in page.farm_hosts):
            found.append(link)
        elif text_suspect and page.text_is_spam(_collapse(text) or _collapse(link.get("title") or "")):
            found.append(link)
    return found


def _clean_link_farms(page: _Page) -> list[dict[str, str]]:
    body = page.root.find("body") if page.root.tag != "body" else page.root
    if body is None:
        return []
    spam_links = _spam_links(body, page)
    if not spam_links:
        return []
    spam_set = set(spam_links)
    removals: list[dict[str, str]] = []
    done: set[Any] = set()
    for link in spam_links:
        if link in done or link.getparent() is None:
            continue
        target = link
        node = link.getparent()
        while node is not None and node is not body and node.tag not in {"html", "body"}:
            links = list(node.iter("a"))
            spam_count = sum(1 for a in links if a in spam_set)
            non_link_text = _significant(_visible_text(node)) - sum(_significant(_collapse(a.text_content())) for a in links)
            # Climb while the ancestor is nothing but spam links and separators
            # (a label like "友情链接：" may stay with them).
            if spam_count / max(len(links), 1) >= 0.6 and (
                non_link_text <= 2 or (spam_count >= 2 and non_link_text <= 6 + spam_count)
            ):
                target = node
                node = node.getparent()
                continue
            break
        members = [a for a in target.iter("a") if a in spam_set] if target is not link else [link]
        done.update(members)
        text = _visible_text(target)
        rule = "link:farm" if len(members) >= 2 else "link:spam-anchor"
        _remove(target)
        removals.append(_entry(text or (link.get("href") or ""), "link", rule))
    return removals


# ---------------------------------------------------------------- entry point


def _text_without_code(root: Any, code_elements: Sequence[Any]) -> str:
    """The document's text (title and hidden blocks included) without the code
    of scripts and styles, which scripts are judged on separately."""
    saved = [(element, element.text) for element in code_elements if element.text]
    for element, _ in saved:
        element.text = None
    try:
        return root.text_content()
    finally:
        for element, text in saved:
            element.text = text


def remove_dom_spam(
    tree: lxml.html.HtmlElement,
    url: str,
    allowed_domains: Sequence[str] = (),
    *,
    lexicon: Lexicon | None = None,
    stylesheets: Sequence[str] = (),
    model: RegisterModel | None = None,
) -> list[dict[str, str]]:
    """Remove injected spam elements from ``tree`` in place; return the removals.

    ``stylesheets``: CSS texts of linked stylesheets, applied before the page's own;
    ``model``: the register classifier that judges meta keywords and descriptions
    (default: the shipped one).

    Order matters: metas and scripts first (they are invisible), then hidden
    blocks (recorded as ``hidden`` even when they hold links), then visible
    link farms.  Entries are ``{"text", "where", "rule"}``.
    """
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    page = _Page(root, url, allowed_domains, lexicon or default_lexicon(), stylesheets)
    page._model = model
    text = _text_without_code(root, page.scripts + page.styles)
    page.text_suspect = has_spam_candidates(text, page.lexicon)
    page.text = PageText(text)
    # Link targets are read when the text already looks suspect; on a clean
    # page only script and frame sources are checked (docs/spam.md, limits).
    hosts = page.code_hosts | (page.link_hosts if page.text_suspect else set())
    page.domain_suspect = any(page.is_offsite(host) and page.is_spam_domain(host) for host in hosts)
    stages = [_clean_metas, _clean_scripts, _clean_iframes, _clean_hidden]
    # Brand-shaped hosts (jl8899.com) need no lexicon term: three or more of them
    # clustered in one block make a farm (crawler/spam/evidence.py).
    page.farm_hosts = farm_hosts(page.root, page.link_hosts, page.own_host, page.is_offsite)
    if page.text_suspect or page.domain_suspect or page.farm_hosts:
        stages.append(_clean_link_farms)
    removals: list[dict[str, str]] = []
    for stage in stages:
        removals.extend(stage(page))
    if removals:
        logger.debug("spam.dom: %d removals on %s", len(removals), url)
    return removals


def page_spam_signals(tree: lxml.html.HtmlElement, url: str, allowed_domains: Sequence[str] = (),
                      *, lexicon: Lexicon | None = None) -> dict[str, Any]:
    """Page-level facts for doorway detection, read after ``remove_dom_spam``.

    ``visible_chars``: significant characters of the page's visible text;
    ``spam_chars``: those inside spans the text rules call spam;
    ``spam_links``: links whose anchor text or target is spam.
    """
    lexicon = lexicon or default_lexicon()
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    body = root.find("body") if root.tag != "body" else root
    if body is None:
        return {"visible_chars": 0, "spam_chars": 0, "spam_links": 0}
    text = _visible_text(body)
    spam_chars = 0
    if has_spam_candidates(text, lexicon):
        spam_chars = sum(_significant(s.text) for s in score_spans(text, lexicon) if s.is_spam)
    page = _Page(root, url, allowed_domains, lexicon)
    spam_links = len(_spam_links(body, page))
    return {"visible_chars": _significant(text), "spam_chars": spam_chars, "spam_links": spam_links}
