"""The article's author: the ``Author`` meta tag when the page bears it out, else what the page shows.

CMS templates fill ``<meta name="author">`` with whatever they have at hand: the
site's name, the outlet, or the editor who published the page. So the tag is not
taken when it names a site or government body (``中国政府网``, ``某市人民政府``),
when it is the source outlet, when the page names that person as editor
(``责任编辑：王小明``), or when the visible info line has an author label with
nothing after it (``来源：新华社 作者： 2023-12-01``): then the page says that it
names no author. Otherwise: meta ``Author``, Open Graph / schema.org author, the
info line's ``作者：``, and last a reporter note in the text (``（记者 张晶晶）``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from crawler.extract.infoline import InfoFacts, reporter_names
from crawler.extract.meta import PageMeta
from crawler.extract.titles import looks_like_site_name

# Text nodes that may hold an editor label (XPath runs in C over the whole page).
_EDITOR_NODES = etree.XPath(
    './/text()[contains(., "编辑") or contains(., "责编") or contains(., "审核") or contains(., "校对")'
    ' or contains(., "签发") or contains(., "ditor")]'
)
_EDITOR_LABEL = re.compile(
    r"(?:责任编辑|编辑|责编|审核|审校|校对|签发|(?<![A-Za-z])Editors?)\s*[:：]?", re.IGNORECASE
)
_INLINE = frozenset(("span", "font", "em", "strong", "b", "i", "a", "label", "small", "u"))


def editor_lines(page: Any) -> list[str]:
    """Short texts of the page that name an editor (``责任编辑：王小明``), read before furniture is removed."""
    lines: list[str] = []
    seen: set[Any] = set()
    for node in _EDITOR_NODES(page):
        if not _EDITOR_LABEL.search(node):
            continue
        element = node.getparent()
        if element is not None and node.is_tail:
            element = element.getparent()
        # "<span>责任编辑：</span><span>王小明</span>": the name is in the next inline element.
        if element is not None and element.tag in _INLINE and element.getparent() is not None:
            element = element.getparent()
        if element is None or element in seen:
            continue
        seen.add(element)
        text = element.text_content()
        lines.append(text if len(text) <= 300 else str(node))
    return lines


def _named_as_editor(name: str, lines: Sequence[str]) -> bool:
    pattern = re.compile(_EDITOR_LABEL.pattern + r"[^\n]{0,30}?" + re.escape(name), re.IGNORECASE)
    return any(name in line and pattern.search(line) for line in lines)


def _credible(
    name: str | None, meta: PageMeta, infos: Sequence[InfoFacts], is_site_name: Callable[[str], bool],
    editors: Sequence[str],
) -> bool:
    if not name:
        return False
    sources = {meta.content_source, *(facts.source for facts in infos)}
    return not (
        is_site_name(name)
        or looks_like_site_name(name)
        or name in sources
        or any(facts.author_blank for facts in infos)
        or _named_as_editor(name, editors)
    )


def choose_author(
    meta: PageMeta, infos: Sequence[InfoFacts], is_site_name: Callable[[str], bool], editors: Sequence[str],
    body: str,
) -> str | None:
    """The author's name as the page gives it, or None.

    ``is_site_name`` tells the names of this site (and the known ones) from a person's;
    ``editors`` are the page's editor lines (``editor_lines``).
    """
    for name in (meta.author, meta.og_author):
        if _credible(name, meta, infos, is_site_name, editors):
            return name
    author = next((facts.author for facts in infos if facts.author), None)
    if not author and body:
        author = reporter_names(body)
    return author
