"""What an article page says outside its article container: info lines, breadcrumb, headline.

Government templates put the date, source and column in a line above the
article and the headline in a heading of its own; these functions find them
by the page's structure, for :func:`crawler.extract.extract_article`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from crawler.extract.infoline import (
    INFO_LABEL,
    INLINE_TAGS,
    InfoFacts,
    has_breadcrumb_hint,
    inline_line,
    label_rank,
    looks_like_breadcrumb,
    parse_info_text,
)
from crawler.extract.meta import PageMeta
from crawler.extract.text import collapse_spaces, is_site_name, strip_site_suffix
from crawler.spam.titles import title_spam_spans

_TITLE_HINT = re.compile(
    r"(?:^|[\s_\-])(?:article-?title|pages?[-_]title|news[-_]?title|artitle|art-title|detail-?title|content-?title|"
    r"xl[-_]?title|main-?title|title|tit|bt|ti|headline|biaoti)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)


@dataclass
class Outside:
    infos: list[InfoFacts] = field(default_factory=list)
    breadcrumb: str | None = None


_CELL_BLOCKS = frozenset(("td", "th", "dt", "dd"))
_EMPTY_VALUE = re.compile(r"[:：]\s*$")
_STARTS_WITH_DATE = re.compile(r"\s*(?:19|20)\d\d\s*[-./年]")
_INFO_BLOCKS = frozenset(("div", "p", "td", "th", "dt", "li", "h2", "h3", "h4", "h5", "h6", "section", "header", "tr", "table", "ul", "dl", "dd", "center"))


_CRUMB_STARTS = ("当前位置", "您现在的位置", "您的位置", "所在位置", "现在位置", "You are here", "Location")
_HOME_LINKS = ("首页", "网站首页", "Home", "HOME")
_CRUMB_TAGS = ("div", "p", "span", "td", "ul", "ol", "nav")
# Text nodes holding a colon: the only ones that can carry a label (发布时间：, 来源：).
_LABELLED_TEXT = etree.XPath('.//text()[contains(., "：") or contains(., ":")]')
# Unlabelled dates in elements named for them: <span class="time">2019-12-19</span>.
_DATE_NAME = re.compile(r"date|time|fbsj|fbrq|riqi", re.IGNORECASE)


def _inside(element: Any, container: Any | None) -> bool:
    if container is None:
        return False
    return element is container or any(ancestor is container for ancestor in element.iterancestors())


def scan_outside(page: Any, container: Any | None) -> Outside:
    """Info lines and the breadcrumb outside the content block, in document order."""
    found = Outside()
    seen_blocks: set[Any] = set()
    seen_lines: set[str] = set()
    ranked: list[tuple[int, int, int, InfoFacts]] = []
    # Keyed by the elements themselves: the dict keeps the lxml proxies alive, so identity holds.
    chain = {element: depth for depth, element in enumerate(_ancestry(container))} if container is not None else {}
    for node in _LABELLED_TEXT(page):
        if not INFO_LABEL.search(node):
            continue
        owner = node.getparent()
        if owner is None:
            continue
        element = owner.getparent() if node.is_tail else owner
        if element is None or _inside(element, container):
            continue
        block = element
        while block is not None and block.tag not in _INFO_BLOCKS:
            block = block.getparent()
        # Spans straight in <body>, <article>, <main> …: the line they sit on is the info line.
        inline = block is None
        if inline:
            text = inline_line(element)
            if text in seen_lines:
                continue
            seen_lines.add(text)
            block = element
        elif block in seen_blocks:
            continue
        else:
            text = block.text_content()
        seen_blocks.add(block)
        if len(text) > 300:
            line = inline_line(element) if not inline and element.tag in INLINE_TAGS else ""
            if not line or len(line) > 300:
                line = (element.text or "") + "".join(child.tail or "" for child in element)
            text = line
        if not inline and _EMPTY_VALUE.search(text):
            # 信息公开 tables: "发布日期：" in one cell, the date in the next; "作者：" closing
            # one line and the date alone on the next.
            following = block.getnext()
            if following is not None:
                value = following.text_content()
                if block.tag in _CELL_BLOCKS or (len(value) <= 40 and _STARTS_WITH_DATE.match(value)):
                    text = f"{text} {value}"
        text = text.replace("\xa0", " ").replace("\u3000", " ")
        facts = parse_info_text(text)
        if facts.date or facts.source or facts.author or facts.date_rejected:
            ranked.append((_distance(block, chain), label_rank(text), len(ranked), facts))
    for element in _dated_by_name(page):
        if element in seen_blocks or _inside(element, container):
            continue
        text = element.text_content()
        if not text or len(text) > 80:
            continue
        facts = parse_info_text(text.replace("\xa0", " ").replace("\u3000", " "))
        if facts.date or facts.date_rejected:
            ranked.append((_distance(element, chain), 1, len(ranked), facts))
    # The info line sits next to the article; a date in a sidebar or footer is far from it.
    # At equal distance a publication label beats a drafting date (发布日期 over 成文日期).
    found.infos = [entry[3] for entry in sorted(ranked, key=lambda entry: entry[:3])]
    found.breadcrumb = _find_breadcrumb(page, container)
    return found


_DATED_TAGS = ("span", "div", "p", "td", "em", "i", "time", "li", "font", "strong")


def _dated_by_name(page: Any) -> list[Any]:
    """Elements whose class or id names a date (``<span class="time">``), in document order."""
    found = []
    for element in page.iter(*_DATED_TAGS):
        classes = element.get("class")
        element_id = element.get("id")
        if (classes and _DATE_NAME.search(classes)) or (element_id and _DATE_NAME.search(element_id)):
            found.append(element)
    return found


def _ancestry(element: Any) -> list[Any]:
    chain = [element]
    chain.extend(element.iterancestors())
    return chain


def _distance(element: Any, container_chain: dict[Any, int]) -> int:
    """Tree steps from ``element`` to the content container (through their lowest common ancestor)."""
    if not container_chain:
        return 0
    for steps, ancestor in enumerate(_ancestry(element)):
        depth = container_chain.get(ancestor)
        if depth is not None:
            return steps + depth
    return 10_000


def _find_breadcrumb(page: Any, container: Any | None) -> str | None:
    """The first element, in document order, that reads as a breadcrumb."""
    for element in page.iter(_CRUMB_TAGS):
        classes = element.get("class")
        element_id = element.get("id")
        matched = bool((classes or element_id) and has_breadcrumb_hint(f"{classes} {element_id}"))
        if not matched:
            text = element.text  # each read of .text decodes the node's UTF-8 afresh
            own = text.strip() if text else ""
            if own:
                matched = own.startswith(_CRUMB_STARTS)
            elif len(element):
                first = element[0]
                matched = first.tag == "a" and (first.text or "").strip() in _HOME_LINKS
        if not matched or _inside(element, container):
            continue
        text = collapse_spaces(element.text_content())
        if looks_like_breadcrumb(element, text):
            return text
    return None


def _bigrams(text: str) -> set[str]:
    folded = text.casefold()
    return {folded[i:i + 2] for i in range(len(folded) - 1)} or {folded}


def _related(candidate: str, reference: set[str] | None) -> bool:
    """Does a visible heading read like the page's own title? (True when there is nothing to compare.)"""
    if not reference:
        return True
    grams = _bigrams(candidate)
    return len(grams & reference) >= 0.6 * len(grams)


def headline_reference(meta: PageMeta, site_names: list[str]) -> set[str] | None:
    """Bigrams of the <title>/ArticleTitle, unless those are empty or only the site name."""
    for value in (meta.article_title, meta.title_tag):
        if not value:
            continue
        text = strip_site_suffix(collapse_spaces(value), site_names)
        # A <title> replaced by spam (issue 5) is no reference for the real headline.
        if len(text) >= 4 and not is_site_name(text, site_names) and not title_spam_spans(text):
            return _bigrams(text)
    return None


def _acceptable_heading(text: str, site_names: list[str], reference: set[str] | None, shortest: int) -> bool:
    return (
        shortest <= len(text) <= 200
        and not is_site_name(text, site_names)
        and not INFO_LABEL.search(text)
        and _related(text, reference)
    )


def find_headline(page: Any, container: Any | None, site_names: list[str], reference: set[str] | None) -> str | None:
    """The visible headline: an ``<h1>``, else a title-classed block, that reads like the page title.

    Column banners (``<h1>新闻中心</h1>``) and sidebar box titles are skipped because they
    share little with the ``<title>``; the site logo is skipped as a site name.
    """
    hinted: str | None = None
    for element in page.iter("h1", "h2", "h3", "div", "p", "td", "span", "strong"):
        if element is container:
            break
        tag = element.tag
        if tag == "h1":
            text = collapse_spaces(element.text_content())
            if _acceptable_heading(text, site_names, reference, 2):
                return text
            continue
        if hinted is None:
            hint = f"{element.get('class', '')} {element.get('id', '')}"
            # An <h2> counts only when it matches the <title>: templates use it for box headings too.
            if (hint.strip() and _TITLE_HINT.search(hint)) or (tag == "h2" and reference):
                text = collapse_spaces(element.text_content())
                if _acceptable_heading(text, site_names, reference, 4):
                    hinted = text
    if hinted is None and container is not None:
        # Some templates put the headline inside the content block, before the text.
        for seen, element in enumerate(container.iter("h1", "h2", "h3", "div", "p", "strong")):
            if seen > 12:
                break
            hint = f"{element.get('class', '')} {element.get('id', '')}"
            if element.tag == "h1" or (hint.strip() and _TITLE_HINT.search(hint)):
                text = collapse_spaces(element.text_content())
                if _acceptable_heading(text, site_names, reference, 2):
                    return text
    return hinted


# What may follow the headline in <title>: a column or site name after a separator, maybe
# preceded by the document number (…的通知（国办发〔2020〕12号）_政府信息公开专栏).
TITLE_TAIL = re.compile(r"^\s*(?:[（(][^（）()]{1,40}[）)])?\s*(?:[_|｜\-–—]|--|——)")
