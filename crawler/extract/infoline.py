"""Human-readable metadata: the info line, reporter notes, trailing source line, breadcrumb.

* info line: ``发布时间：2019-12-19 10:30 来源：中国社会报``, ``时间： 来源：``,
  ``发布日期：…``, ``Updated: Dec 19, 2019 10:30 Source: China Daily``;
* reporter note inside the text: ``（记者 张晶晶）``, ``(Reporter Zhang Jingjing)``;
* trailing source line: ``（来源：中国社会报 2019.12.19）``,
  ``(Source: China Social News 2019.12.19)``;
* breadcrumb: ``首页 > 新闻中心 > 媒体报道`` (its last useful step is the section).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crawler.extract.dates import DateRejected, ParsedDate, find_date

# Labels that start an info line. Matching one of these in a short text block marks it.
INFO_LABEL = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|时间|日期|来源|信息来源|稿件来源|文章来源|作者|"
    r"(?<![A-Za-z])(?:Updated|Source|Date|Published|Release Date|Author|Written by))\s*[:：]",
    re.IGNORECASE,
)
_END_OF_VALUE = (
    r"(?=\s*(?:发布时间|发布日期|时间|日期|来源|作者|编辑|责任编辑|浏览|点击|阅读|访问|字号|字体|打印|分享|【|\[|\||"
    r"Updated|Date|Source|Author|Written by|By\s|Reporters?\b|Editor|Photo|Print|Font|Share|Views)|\s{2,}|"
    r"\s*(?:19|20)\d\d[-./年]|\s*$)"
)
_SOURCE = re.compile(
    r"(?:信息来源|稿件来源|文章来源|来源|(?<![A-Za-z])Source)\s*[:：]\s*(?P<value>.*?)" + _END_OF_VALUE,
    re.IGNORECASE,
)
_AUTHOR = re.compile(
    r"(?:作者|撰稿|(?<![A-Za-z])(?:Author|Writer|Written by))\s*[:：]\s*(?P<value>.*?)" + _END_OF_VALUE,
    re.IGNORECASE,
)
_REPORTER_ZH = re.compile(
    r"[（(]\s*(?:本报|本网|新华社|中新社)?记者\s*[:：]?\s*(?P<names>[^（）()]{2,40}?)\s*[）)]"
)
_REPORTER_EN = re.compile(
    r"\(\s*(?:By\s+)?(?:Staff\s+)?Reporters?\s*:?\s+(?P<names>[A-Z][^()]{1,60}?)\s*\)"
)
_REPORTER_STOP = re.compile(r"\s*(?:通讯员|实习生|实习记者|摄影|摄|报道)\b.*$|\s*(?:通讯员|实习生|摄影).*$")
_NAME_SPLIT = re.compile(r"[\s、，,]+")
_TRAILING_SOURCE = re.compile(
    r"^\s*[（(]\s*(?:来源|信息来源|稿件来源|文章来源|Source)\s*[:：]\s*(?P<value>[^（）()]*?)\s*[）)]\s*$",
    re.IGNORECASE,
)
_BREADCRUMB_START = re.compile(r"^\s*(?:当前位置|您现在的位置|您的位置|现在位置|所在位置|位置|You are here|Location)\s*[:：]?", re.IGNORECASE)
_BREADCRUMB_SPLIT = re.compile(r"\s*(?:>|＞|»|›|→|&gt;|＞＞|>>)\s*|\s+[/|]\s+")
_BREADCRUMB_HINT = re.compile(
    r"crumb|position|location|dqwz|weizhi|curpos|currentpos|nav-?path|bread|route|(?<![\w-])path(?![\w-])", re.IGNORECASE
)
_BREADCRUMB_SKIP = {"正文", "详情", "内容", "正文内容", "文章", "text", "content", "article", "details", "detail"}
_HOME = re.compile(r"^(?:首页|网站首页|主页|Home|HOME|民政部首页)$")


@dataclass
class InfoFacts:
    """What one info line (or trailing source line) says."""

    date: ParsedDate | None = None
    date_rejected: bool = False
    source: str | None = None
    author: str | None = None
    author_blank: bool = False  # the line has an author label with nothing after it


def _clean_value(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip(" \t\u3000\xa0:：|/")
    # 【来源：县民政局】: the closing bracket belongs to the line's decoration, not the value.
    if value.endswith(("】", "]")) and "【" not in value and "[" not in value:
        value = value.rstrip("】]").rstrip()
    return value or None


_PUBLISH_LABEL = re.compile(r"发布时间|发布日期|发稿时间|Updated|Published|Release Date", re.IGNORECASE)
_DRAFTING_LABEL = re.compile(r"成文日期|发文日期|印发日期|生效日期|实施日期|施行日期")


def label_rank(text: str) -> int:
    """0 for a publication label, 2 for a drafting or effective date, 1 for anything else."""
    if _PUBLISH_LABEL.search(text):
        return 0
    if _DRAFTING_LABEL.search(text):
        return 2
    return 1


def parse_info_text(text: str) -> InfoFacts:
    """Date, source and author from an info line's text."""
    facts = InfoFacts()
    try:
        facts.date = find_date(text)
    except DateRejected:
        facts.date_rejected = True
    match = _SOURCE.search(text)
    if match:
        facts.source = _clean_value(match.group("value"))
    match = _AUTHOR.search(text)
    if match:
        facts.author = _clean_value(match.group("value"))
        facts.author_blank = facts.author is None
    return facts


# Inside the article text only unambiguous labels count: "时间：…" or "日期：…" at the top
# of a notice is content (会议时间、报名日期), not publication metadata.
_STRICT_INFO_LABEL = re.compile(
    r"^[【\[]?\s*(?:发布时间|发布日期|发稿时间|信息来源|稿件来源|文章来源|来源|"
    r"(?:Updated|Published|Release Date|Source))\s*[:：]",
    re.IGNORECASE,
)


def is_info_line(text: str, *, strict: bool = False) -> bool:
    """Short text that is an info line rather than prose (``strict``: only unambiguous labels, at its start)."""
    if len(text) > 160:
        return False
    if strict and not _STRICT_INFO_LABEL.search(text):
        # "时间：2019-12-19 来源：中国社会报" is unambiguous too: a date beside a source label.
        if not (_SOURCE.search(text) and re.search(r"(?:19|20)\d\d\s*[-./年]", text)):
            return False
    return bool(INFO_LABEL.search(text)) and (
        bool(re.search(r"(?:19|20)\d\d|[:：]\s*$|[:：]\s+(?:来源|Source)", text, re.IGNORECASE))
        or bool(_SOURCE.search(text))
    )


def trailing_source(text: str) -> InfoFacts | None:
    """Facts from a closing ``（来源：… 2019.12.19）`` line, or None if it is not one."""
    match = _TRAILING_SOURCE.match(text)
    if not match:
        return None
    value = match.group("value")
    facts = InfoFacts()
    try:
        facts.date = find_date(value)
    except DateRejected:
        facts.date_rejected = True
    source = re.split(r"\s*(?:(?:19|20)\d\d[-./年]|[０-９]{4})", value, maxsplit=1)[0]
    facts.source = _clean_value(source)
    return facts


def reporter_names(text: str) -> str | None:
    """Names in a reporter note near the start of the article, joined with '、'."""
    head = text[:600]
    match = _REPORTER_ZH.search(head)
    if match:
        names = _REPORTER_STOP.sub("", match.group("names"))
        parts = [p for p in _NAME_SPLIT.split(names) if p]
        return "、".join(parts) or None
    match = _REPORTER_EN.search(head)
    if match:
        return match.group("names").strip() or None
    return None


def breadcrumb_leaf(text: str, title: str | None = None) -> str | None:
    """The deepest step of a breadcrumb that names a section (not "正文", not the title)."""
    text = _BREADCRUMB_START.sub("", text.strip())
    steps = [s.strip() for s in _BREADCRUMB_SPLIT.split(text) if s.strip()]
    if len(steps) < 2:
        return None
    for step in reversed(steps[1:]):
        if step.casefold() in _BREADCRUMB_SKIP or (title and step == title):
            continue
        if _HOME.match(step):
            return None
        return step
    return None


INLINE_TAGS = frozenset(
    ("span", "font", "em", "strong", "b", "i", "a", "label", "small", "u", "time", "sup", "sub", "abbr", "cite")
)


def inline_line(element: Any) -> str:
    """The text of the rendered line an inline element sits on (``<span>来源：…</span> <span>作者：</span> …``).

    The line runs over the inline siblings on either side, up to a block element or
    ``<br>``; text between them (tails) belongs to it too.
    """
    node = element
    parent = node.getparent()
    while parent is not None and parent.tag in INLINE_TAGS:
        node, parent = parent, parent.getparent()
    if parent is None:
        return node.text_content()
    siblings = list(parent)
    index = siblings.index(node)
    first = last = index
    while first > 0 and siblings[first - 1].tag in INLINE_TAGS:
        first -= 1
    while last + 1 < len(siblings) and siblings[last + 1].tag in INLINE_TAGS:
        last += 1
    if first == 0:
        pieces = [parent.text or ""]
    else:
        pieces = [siblings[first - 1].tail or ""]
    for sibling in siblings[first:last + 1]:
        pieces.append(sibling.text_content())
        pieces.append(sibling.tail or "")
    return " ".join(piece.strip() for piece in pieces if piece.strip())


def has_breadcrumb_hint(hint: str) -> bool:
    """True when a class/id string names a breadcrumb ("position", "crumb", "dqwz" …)."""
    return bool(_BREADCRUMB_HINT.search(hint))


def looks_like_breadcrumb(element: Any, text: str) -> bool:
    hint = f"{element.get('class', '')} {element.get('id', '')}"
    if len(text) > 200:
        return False
    if _BREADCRUMB_START.match(text):
        return bool(_BREADCRUMB_SPLIT.search(text))
    if _BREADCRUMB_HINT.search(hint) and _BREADCRUMB_SPLIT.search(text):
        return True
    first = _BREADCRUMB_SPLIT.split(text.strip(), maxsplit=1)[0]
    return bool(_HOME.match(first)) and text.count(">") + text.count("＞") + text.count("»") >= 1
