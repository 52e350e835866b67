"""From a ``<title>`` (or ``og:title``) to the headline: site and column names cut off.

Government templates append the site's name, often with columns between:
``标题_滚动新闻_中国政府网``, ``标题__2007年第23号国务院公报_中国政府网``,
``标题-中国科普网``, ``标题 | 某市人民政府``, ``标题丨某省民政厅``. The caller cuts
the known names first (the ``SiteName`` meta, pipelines.normalize's list). A last
part after a separator that is shaped like a site's name is cut too, even when the
name is not known: a portal (``…网``, ``…门户网站``, a domain), a ministry or
government (``中华人民共和国…``, ``…人民政府``, ``…部``, ``…局`` …). When a site name
was cut from a title separated by ``_``, ``|``, ``｜`` or ``丨``, the parts before it
are ``headline_column``: those separators do not occur in Chinese headlines, so the
first part is the headline. A doubled underscore always ends the headline. Hyphens
and dashes are left alone otherwise (``2021-2025年``).
"""

from __future__ import annotations

import re

_PORTAL = re.compile(
    r"^[\w·（）()]{1,24}(?:网|网站|门户|门户网站|官网|在线|频道|客户端|政务网|新闻网)$"
    r"|^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov\.cn|org\.cn|com\.cn|cn|com|org|net)$",
    re.IGNORECASE,
)
_GOVERNMENT = re.compile(
    r"^中华人民共和国\w{2,24}$"
    r"|^\w{1,20}(?:人民政府|人民政府办公厅|人民政府办公室|政府网站|委员会)$"
    r"|^(?![东南西北中]+部$)\w{2,20}(?:部|局|厅|署|委|办公室|办公厅)$"
)
# The separator before the last part of a title, and that part.
_LAST_PART = re.compile(r"\s*(?:__|_|\||｜|丨|--|——|—|–|－|-|::)\s*(?P<part>[^_|｜丨—–－:-]{2,40}?)\s*$")
# Separators that never stand inside a headline: what follows the first is columns.
_COLUMN_SEPARATOR = re.compile(r"[_|｜丨]")
_MIN_HEADLINE = 4


def looks_like_site_name(text: str) -> bool:
    """True for a portal or government body's name (``中国科普网``, ``某市人民政府``, ``www.x.gov.cn``)."""
    text = text.strip()
    if not text or len(text) > 40 or " " in text:
        return False
    return bool(_PORTAL.match(text) or _GOVERNMENT.match(text))


def _headline_length(text: str) -> int:
    return len(text.strip(" _-|｜—–:"))


def trim_title(title: str, *, site_cut: bool = False) -> str:
    """``title`` without the site and column names after its headline (never empty).

    ``site_cut``: a known site name has already been cut from the title's end.
    """
    text = title.strip()
    cut_site = site_cut
    while True:
        match = _LAST_PART.search(text)
        if match is None or not looks_like_site_name(match.group("part")):
            break
        rest = text[: match.start()].rstrip()
        if _headline_length(rest) < _MIN_HEADLINE:
            break
        text, cut_site = rest, True
    head, doubled, _ = text.partition("__")
    if doubled and _headline_length(head) >= _MIN_HEADLINE:
        return head.strip()
    if cut_site:
        head = _COLUMN_SEPARATOR.split(text, 1)[0]
        if head != text and _headline_length(head) >= _MIN_HEADLINE:
            return head.strip()
    return text
