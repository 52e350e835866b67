"""The article body: find the content block, drop boilerplate, keep paragraphs.

The block is first looked up among the containers ministry CMSs use (``#zoom``,
``#UCAP-CONTENT``, ``.pages_content``, ``.TRS_Editor``, ``.article-content`` …);
when none holds text, blocks are scored by text density (text length, discounted
by the share of link text), so an unseen template still works. Inside the block,
share bars, print/close links, font-size switchers, QR-code prompts, related-article
lists and footers are removed. Paragraphs come out separated by one blank line;
table rows become text rows with cells joined by `` | ``; image captions stay.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extract.text import collapse_spaces, normalize_lines
from crawler.links import ATTACHMENT_EXTENSIONS

logger = logging.getLogger(__name__)

# (attribute, value) in preference order. An id is unique; a class may repeat, the first wins.
KNOWN_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("id", "UCAP-CONTENT"),
    ("class", "pages_content"),
    ("id", "zoom"),
    ("id", "Zoom"),
    ("id", "fontzoom"),
    ("class", "TRS_Editor"),
    ("class", "TRS_UEDITOR"),
    ("class", "article-content"),
    ("class", "content-article"),
    ("class", "article_content"),
    ("class", "articleContent"),
    ("id", "articleContent"),
    ("id", "article-content"),
    ("class", "content-text"),
    ("class", "news-content"),
    ("class", "news_content"),
    ("id", "news_content"),
    ("class", "detail-content"),
    ("class", "arti_content"),
    ("class", "xwnr"),
    ("class", "artibody"),
    ("id", "artibody"),
)
_KNOWN_IDS = {value: rank for rank, (attr, value) in enumerate(KNOWN_CONTAINERS) if attr == "id"}
_KNOWN_CLASSES = {value: rank for rank, (attr, value) in enumerate(KNOWN_CONTAINERS) if attr == "class"}

BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 table tr tbody thead tfoot figure figcaption section article "
    "blockquote center dl dt dd pre hr header footer main aside nav address caption form".split()
)
_CELL_TAGS = frozenset(("td", "th"))
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "button",
              "select", "option", "input", "textarea", "svg", "canvas", "map", "head")

# class/id tokens of page furniture that may sit inside the content block.
_FURNITURE = re.compile(
    r"(?:^|[\s_\-])(?:share|bdshare|bdsharebuttonbox|fenxiang|print|dayin|close|guanbi|fontsize|font-size|"
    r"zihao|zh-size|fontset|related|xglj|xgwz|xgxw|relevant|qrcode|qr_container|ewm|erweima|sweep|footer|"
    r"foot|copyright|breadcrumb|crumb|position|toolbar|tools|pagetool|article-tools|zrbj|bjzr|"
    r"pageBreak|nextpage|prevnext|sxp|comment)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)
# A furniture line: print/close buttons, font-size and share bars, QR-code prompts,
# ICP and copyright notices, the editor's name.
_LINE_DROP = re.compile(
    r"^(?:[【\[]?\s*(?:打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|返回顶部|收藏|纠错|我要纠错|"
    r"Print|Close|Back to top|Top)\s*[】\]]?\s*)+$"
    r"|^[【\[]?\s*(?:字号|字体|Font ?size|Text size)\s*[:：]?.{0,20}$"
    r"|^(?:分享到|分享|Share(?: to)?)\s*[:：]?.{0,40}$"
    r"|扫一扫在手机打开当前页|Scan to open the current page|Scan the QR code"
    r"|网站标识码|ICP备|ICP证|公网安备|公安备案|版权所有|Copyright|©|All rights reserved"
    r"|^[（(\[【]?\s*(?:责任编辑|编辑|Editor|Chief Editor)\s*[:：]",
    re.IGNORECASE,
)
_LINE_STOP = re.compile(
    r"^(?:[【\[]?\s*)?(?:相关链接|相关文章|相关新闻|相关稿件|相关阅读|相关报道|推荐阅读|延伸阅读|"
    r"Related (?:Stories|News|Articles|Links|Content)|More (?:Stories|News))\s*[】\]]?\s*[:：]?\s*$",
    re.IGNORECASE,
)
_ATTACHMENT_BLOCK = re.compile(r"fujian|attach|appendix|download|xgfj", re.IGNORECASE)
_CJK = re.compile("[\u4e00-\u9fff]")
_PARAGRAPH_MARK = "\x1e"
_CELL_SEPARATOR = " | "


def _attribute_rank(element: Any) -> int | None:
    rank: int | None = None
    element_id = element.get("id")
    if element_id and element_id in _KNOWN_IDS:
        rank = _KNOWN_IDS[element_id]
    classes = element.get("class")
    if classes:
        for name in classes.split():
            class_rank = _KNOWN_CLASSES.get(name)
            if class_rank is not None and (rank is None or class_rank < rank):
                rank = class_rank
    return rank


def _visible_length(element: Any) -> int:
    text = element.text_content()
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\xa0")


def find_known_container(root: Any) -> Any | None:
    """The known content container with the best rank that holds some text."""
    best: tuple[int, Any] | None = None
    for element in root.iter("div", "td", "section", "article", "span", "p"):
        if not (element.get("id") or element.get("class")):
            continue
        rank = _attribute_rank(element)
        if rank is None or (best is not None and rank >= best[0]):
            continue
        if _visible_length(element) >= 20:
            best = (rank, element)
    return best[1] if best else None


def _own_text_length(element: Any) -> int:
    # Each read of .text / .tail decodes the node's UTF-8 afresh: read once.
    text = element.text
    length = len(text.strip()) if text else 0
    for child in element:
        tail = child.tail
        if tail:
            length += len(tail.strip())
    return length


_SCORED = frozenset(("div", "td", "article", "section", "main", "body", "center", "font"))
_INLINE_TEXT = frozenset(("p", "span", "font", "strong", "b", "em", "i", "u", "li", "h2", "h3", "h4",
                          "blockquote", "pre", "figcaption", "td", "div", "section", "article", "center"))


def find_dense_block(root: Any) -> Any | None:
    """The block with the most non-link text, Readability-style (parents credited, grandparents half)."""
    body = root.find("body")
    if body is None:
        body = root
    scores: dict[Any, float] = {}
    for element in body.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag not in _INLINE_TEXT:
            continue
        length = _own_text_length(element)
        if length < 8:
            continue
        # Chinese packs more meaning per character; count CJK text double.
        text = element.text
        if text and _CJK.search(text):
            length *= 2
        holder = element if tag in _SCORED else element.getparent()
        while holder is not None and holder.tag not in _SCORED:
            holder = holder.getparent()
        if holder is None:
            continue
        scores[holder] = scores.get(holder, 0.0) + length
        grand = holder.getparent()
        while grand is not None and grand.tag not in _SCORED:
            grand = grand.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + length / 2
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:8]
    best: tuple[float, Any] | None = None
    for element, score in ranked:
        total = len(element.text_content()) or 1
        link_text = sum(len(a.text_content()) for a in element.iter("a"))
        adjusted = score * (1.0 - min(link_text / total, 1.0))
        if _in_page_furniture(element, body):
            # Related-news summaries, sidebars and footers can out-write a short article.
            adjusted *= 0.2
        if best is None or adjusted > best[0]:
            best = (adjusted, element)
    return best[1] if best else None


_NON_CONTENT = re.compile(
    r"(?:^|[\s_\-])(?:side|sidebar|aside|nav|menu|footer|foot|bottom|related|relevant|xgxw|xglj|xgwz|"
    r"links|friend|header|banner|copyright|share|comment|recommend|hot|rank|list)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)


def _in_page_furniture(element: Any, body: Any) -> bool:
    """The element or one of its close ancestors is named or tagged as page furniture."""
    for _level, node in zip(range(4), (element, *element.iterancestors())):
        if node is body:
            return False
        if node.tag in ("aside", "nav", "footer", "header"):
            return True
        hint = f"{node.get('class', '')} {node.get('id', '')}"
        if hint.strip() and _NON_CONTENT.search(hint):
            return True
    return False


def drop_furniture(container: Any) -> None:
    """Remove share bars, print links, QR prompts, related lists … inside the container."""
    doomed = []
    for element in container.iter():
        if element is container or not isinstance(element.tag, str):
            continue
        hint = f"{element.get('class', '')} {element.get('id', '')}"
        if hint.strip() and _FURNITURE.search(hint):
            doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            _remove_keep_tail(element)


def _remove_keep_tail(element: Any) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def drop_non_content(root: Any) -> None:
    """Scripts, styles, forms and other non-text elements, everywhere."""
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)


def _chunks(container: Any) -> Iterator[str]:
    # .text and .tail are read once each: every read decodes the node's UTF-8 afresh.
    for event, element in etree.iterwalk(container, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):
            if event == "end":
                tail = element.tail
                if tail:
                    yield tail
            continue
        if event == "start":
            if tag in _CELL_TAGS:
                previous = element.getprevious()
                if previous is not None and previous.tag in _CELL_TAGS:
                    yield _CELL_SEPARATOR
            elif tag in BLOCK_TAGS:
                yield _PARAGRAPH_MARK
            text = element.text
            if text:
                yield text
        else:
            if tag in BLOCK_TAGS:
                yield _PARAGRAPH_MARK
            if element is not container:
                tail = element.tail
                if tail:
                    yield tail


def paragraphs(container: Any) -> list[str]:
    """Visible text of ``container`` as paragraphs (whitespace collapsed, empty ones dropped)."""
    pieces = "".join(_chunks(container)).split(_PARAGRAPH_MARK)
    for index, piece in enumerate(pieces):
        if _CELL_SEPARATOR in piece:
            # Layout tables leave empty cells (an image beside its caption): no dangling " | ".
            pieces[index] = _CELL_SEPARATOR.join(cell for cell in piece.split(_CELL_SEPARATOR) if cell.strip())
    return normalize_lines(pieces)


def filter_boilerplate(lines: list[str]) -> list[str]:
    """Drop furniture lines; stop at a related-articles heading."""
    kept: list[str] = []
    for line in lines:
        if _LINE_STOP.match(line):
            break
        if _LINE_DROP.search(line):
            continue
        kept.append(line)
    return kept


def find_attachments(root: Any, container: Any | None, base_url: str) -> list[dict[str, str]]:
    """Links to documents (PDF, DOC(X), XLS(X), ZIP, RAR, WPS, PPT …) in the article."""
    scopes: list[Any] = []
    if container is not None:
        scopes.append(container)
    body = root.find("body")
    if body is not None:
        for element in body.iter("div", "ul", "p", "span", "td"):
            hint = f"{element.get('class', '')} {element.get('id', '')}"
            if hint.strip() and _ATTACHMENT_BLOCK.search(hint):
                scopes.append(element)
    seen: set[str] = set()
    found: list[dict[str, str]] = []
    for scope in scopes:
        for link in scope.iter("a"):
            href = (link.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            try:
                path = urlsplit(href).path.lower()
                extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
                if extension not in ATTACHMENT_EXTENSIONS:
                    continue
                absolute = urljoin(base_url, href)
            except ValueError as exc:  # one unusable link must not cost the article's text
                logger.warning("extract: invalid attachment link %r on %s (%s)", href, base_url, exc)
                continue
            if absolute in seen:
                continue
            seen.add(absolute)
            title = collapse_spaces(link.text_content()) or collapse_spaces(link.get("title") or "")
            found.append({"url": absolute, "title": title or absolute.rsplit("/", 1)[-1]})
    return found
