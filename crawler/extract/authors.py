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

from crawler.extract.infoline import InfoFacts, reporter_names
from crawler.extract.meta import PageMeta
from crawler.extract.titles import looks_like_site_name

# An editor label shortly before a name: "责任编辑：王小明", "（编辑：李四 王小明）".
_EDITOR_BEFORE = re.compile(
    r"(?:责任编辑|编辑|责编|审核|审校|校对|签发|(?<![A-Za-z])Editors?)\s*[:：]?[^\n:：]{0,30}$", re.IGNORECASE
)


def _could_be_person(name: str | None, meta: PageMeta, is_site_name: Callable[[str], bool]) -> bool:
    return bool(name) and not (is_site_name(name) or looks_like_site_name(name) or name == meta.content_source)


def editor_text(page: Any, meta: PageMeta, is_site_name: Callable[[str], bool]) -> str:
    """The page's text, to be read before editor lines are removed as furniture.

    Only needed when a meta author could be a person; "" otherwise (reading a
    page's text costs a few percent of its extraction).
    """
    if any(_could_be_person(name, meta, is_site_name) for name in (meta.author, meta.og_author)):
        return page.text_content()
    return ""


def _named_as_editor(name: str, text: str) -> bool:
    start = text.find(name)
    while start >= 0:
        if _EDITOR_BEFORE.search(text, max(0, start - 40), start):
            return True
        start = text.find(name, start + len(name))
    return False


def _credible(
    name: str | None, meta: PageMeta, infos: Sequence[InfoFacts], is_site_name: Callable[[str], bool],
    editors: str,
) -> bool:
    if not name or not _could_be_person(name, meta, is_site_name):
        return False
    return not (
        name in {facts.source for facts in infos}
        or any(facts.author_blank for facts in infos)
        or _named_as_editor(name, editors)
    )


def choose_author(
    meta: PageMeta, infos: Sequence[InfoFacts], is_site_name: Callable[[str], bool], editors: str, body: str,
) -> str | None:
    """The author's name as the page gives it, or None.

    ``is_site_name`` tells the names of this site (and the known ones) from a person's;
    ``editors`` is the page's text from ``editor_text``.
    """
    for name in (meta.author, meta.og_author):
        if _credible(name, meta, infos, is_site_name, editors):
            return name
    author = next((facts.author for facts in infos if facts.author), None)
    if not author and body:
        author = reporter_names(body)
    return author
