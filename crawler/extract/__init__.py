"""Extraction: article HTML bytes -> fields. Plain functions, no Scrapy.

``extract_article(body, url, declared_encoding)`` decodes the page (encoding.py),
parses it once with lxml, lets the DOM-level spam stage clean the tree
(crawler/spam/dom.py), then reads metadata in order of trust: government meta tags and
Open Graph / schema.org (meta.py), the visible info line, reporter notes, the
trailing source line and the breadcrumb (infoline.py), a date in the URL last
(dates.py); the body comes from body.py. It never raises.

Note codes (``Extracted.notes``; the spider counts each as ``extract/<code>``):

- ``empty``: the response body is empty or only whitespace
- ``binary``: the bytes are not HTML (NUL bytes, PDF/ZIP/image signatures)
- ``large_page``: more than 2 MB of HTML (parsed anyway; libxml2 caps nesting depth)
- ``no_body_element``: the HTML has no ``<body>`` tag (parsed with one implied)
- ``early_document_end``: elements follow an early ``</body>``/``</html>`` (repair.py drops those tags)
- ``unparseable``: lxml could not build a tree at all
- ``encoding_mismatch``: the HTTP header charset was not the one the bytes are in
- ``encoding_unknown``: a charset label Python does not know
- ``decode_replaced``: no charset decoded cleanly; replacement characters remain
- ``domspam_error``: the DOM spam stage raised; extraction went on without it
- ``no_title``: no title anywhere
- ``title_is_site_name``: the only title found is the site's name
- ``no_date``: no publication date in any source (published_date is null)
- ``date_rejected``: a source gave a date in the future or before 1990 (skipped)
- ``date_disagreement``: two sources give different publication dates (more trusted kept)
- ``date_from_url``: the only date was the one in the URL
- ``source_disagreement``: meta tag and visible source line name different outlets
- ``fallback_density``: no known content container; the body was found by text density
- ``no_body``: no body text after boilerplate removal
- ``error``: an unexpected exception (logged with traceback; fields may be partial)

``Extracted.page_signals`` carries ``link_count``, ``offsite_link_count``,
``script_count``, ``iframe_count`` (counted before the spam stage runs), ``body_from``
(``container`` or ``density``) and ``date_from`` (which source gave the date).
``Extracted.raw_title`` is the ``<title>`` text as served, before any cleaning.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.extract import body as body_module
from crawler.extract.authors import choose_author, editor_text
from crawler.extract.dates import DateRejected, ParsedDate, date_from_url, find_date, without_placeholder_clock
from crawler.spam import dom as domspam
from crawler.extract.encoding import decode_html
from crawler.extract.infoline import (
    INFO_LABEL,
    INLINE_TAGS,
    InfoFacts,
    breadcrumb_leaf,
    has_breadcrumb_hint,
    inline_line,
    is_info_line,
    label_rank,
    looks_like_breadcrumb,
    parse_info_text,
    trailing_source,
)
from crawler.extract.meta import PageMeta, read_meta
from crawler.extract.repair import drop_early_document_end
from crawler.extract.titles import trim_title
from pipelines.normalize import collapse_spaces, is_site_name, normalize_line, strip_site_suffix
from pipelines.spam import title_spam_spans

__all__ = ["EXTRACTOR_VERSION", "Extracted", "extract_article"]

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = "extract-1.0"

LARGE_PAGE_BYTES = 2 * 1024 * 1024
# Notes that describe bad input; each is logged with the URL.
BAD_INPUT_NOTES = frozenset(
    ("empty", "binary", "large_page", "no_body_element", "early_document_end", "unparseable", "no_title",
     "title_is_site_name", "no_date", "no_body", "error", "domspam_error", "decode_replaced")
)

_BINARY_SIGNATURES = (
    b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"Rar!",
    b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"7z\xbc\xaf", b"RIFF", b"\x00\x00\x01\x00", b"ID3",
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# libxml2 refuses strings with C0 controls; a stray one (Word paste, truncated field) must not
# cost the whole page.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
_CONTROL_ASCII = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"


def _has_control_chars(text: str) -> bool:
    """``bool(_CONTROL_CHARS.search(text))``: the ASCII ones found in the text's ASCII projection
    by a byte-table pass (~1 ns a character; the class scan ~6), the two others with ``in``."""
    ascii_part = text.encode("ascii", "ignore")
    return (len(ascii_part.translate(None, _CONTROL_ASCII)) != len(ascii_part)
            or "\ufffe" in text or "\uffff" in text)
_BODY_TAG = re.compile(r"<body[\s>]", re.IGNORECASE)
_CJK_RUN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]+")
_LATIN_RUN = re.compile("[A-Za-z]+")
_TITLE_HINT = re.compile(
    r"(?:^|[\s_\-])(?:article-?title|pages?[-_]title|news[-_]?title|artitle|art-title|detail-?title|content-?title|"
    r"xl[-_]?title|main-?title|title|tit|bt|ti|headline|biaoti)(?:$|[\s_\-\d])",
    re.IGNORECASE,
)

_local = threading.local()


def _parser() -> Any:
    # lxml parsers are not safe to share between threads; one per thread.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
        # lxml.html's own parser asks a Python method for the class of every element proxy
        # it makes (~1 us each; an extraction makes thousands). Every element an HtmlElement,
        # decided in C: the same methods (text_content, cssselect …), only <form>, <input>,
        # <select>, <textarea> and <label> lose their form-handling extras, which nothing here uses.
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity,
        ))
        _local.parser = parser
    return parser


@dataclass
class Extracted:
    """Fields of one article page. Text fields are whitespace-normalised."""

    title: str = ""
    title_candidates: list[list[str]] = field(default_factory=list)
    published_date: str | None = None
    published_at: str | None = None
    source: str | None = None
    author: str | None = None
    section: str | None = None
    body: str = ""
    attachments: list[dict[str, str]] = field(default_factory=list)
    language: str = "und"
    encoding: str = ""
    spam_removed: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    page_signals: dict[str, Any] = field(default_factory=dict)
    raw_title: str | None = None

    def note(self, code: str) -> None:
        if code not in self.notes:
            self.notes.append(code)


def extract_article(
    body: bytes,
    url: str,
    declared_encoding: str | None = None,
    *,
    allowed_domains: Sequence[str] = (),
    language: str | None = None,
    stylesheets: Sequence[str] = (),
) -> Extracted:
    """Turn an article page into fields. Never raises; problems become ``notes``.

    ``stylesheets``: CSS of same-host stylesheets the page links to, for the DOM
    spam stage (crawler/spam/stylesheets.py)."""
    result = Extracted(language=language or "und")
    try:
        _extract(result, body, url, declared_encoding, allowed_domains, language, stylesheets)
    except Exception:
        result.note("error")
        logger.exception("extract: failed on %s", url)
    problems = [code for code in result.notes if code in BAD_INPUT_NOTES and code != "error"]
    if problems:
        logger.warning("extract: %s on %s", ", ".join(problems), url)
    return result


def _looks_binary(body: bytes) -> bool:
    head = body[:2048]
    if head.lstrip().startswith(_BINARY_SIGNATURES) or head.startswith(_BINARY_SIGNATURES):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a BOM: NUL bytes are expected
    # Random bytes are full of control codes; an HTML page has at most a stray one.
    return len(_CONTROL_BYTES.findall(head)) > len(head) * 0.05


def _extract(
    result: Extracted,
    body: bytes,
    url: str,
    declared_encoding: str | None,
    allowed_domains: Sequence[str],
    language_hint: str | None,
    stylesheets: Sequence[str] = (),
) -> None:
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif isinstance(body, (bytearray, memoryview)):
        body = bytes(body)
    if not body or not body.strip():
        result.note("empty")
        return
    if _looks_binary(body):
        result.note("binary")
        return
    decoded = decode_html(body, declared_encoding)
    result.encoding = decoded.encoding
    for code in decoded.notes:
        result.note(code)
    if len(body) > LARGE_PAGE_BYTES:
        result.note("large_page")
    text = decoded.text
    if _has_control_chars(text):
        text = _CONTROL_CHARS.sub("", text)
    if text.lstrip().startswith("<?xml"):
        text = _XML_DECLARATION.sub("", text, count=1)
    repaired = drop_early_document_end(text)
    if repaired is not text:
        result.note("early_document_end")
        text = repaired
    if not _BODY_TAG.search(text):
        result.note("no_body_element")
    try:
        root = lxml.html.document_fromstring(text, parser=_parser())
    except (etree.ParserError, ValueError):
        result.note("unparseable")
        return
    if root is None:
        result.note("unparseable")
        return

    try:
        linked = {"stylesheets": stylesheets} if stylesheets else {}
        result.spam_removed = list(domspam.remove_dom_spam(root, url, allowed_domains, **linked) or [])
    except Exception:
        result.note("domspam_error")
        logger.exception("extract: DOM spam stage failed on %s", url)

    meta = read_meta(root, url)
    site_names = [n for n in (meta.site_name, meta.og_site_name) if n]
    result.page_signals = _page_signals(root, url, allowed_domains)
    body_module.drop_non_content(root)
    page = root.find("body")
    if page is None:
        page = root

    container = body_module.find_known_container(page)
    if container is not None:
        result.page_signals["body_from"] = "container"
    else:
        container = body_module.find_dense_block(page)
        result.note("fallback_density")
        result.page_signals["body_from"] = "density"

    # The breadcrumb only names the section when no meta tag does (and its search reads
    # every paragraph's text).
    outside = _scan_outside(page, container, want_breadcrumb=not (meta.column_name or meta.og_section))
    headline = _find_headline(page, container, site_names, _headline_reference(meta, site_names))

    # Editor lines are furniture, but they tell whether the Author meta tag names the editor.
    names_site = partial(is_site_name, site_names=site_names)
    editors = editor_text(page, meta, names_site)
    raw_lines: list[str] = []
    if container is not None:
        body_module.drop_furniture(container)
        raw_lines = body_module.paragraphs(container)

    # Title candidates, in trust order.
    result.raw_title = meta.title_served
    candidates: list[list[str]] = []
    for name, value in (
        ("meta:ArticleTitle", meta.article_title),
        ("og:title", meta.og_title),
        ("content:h1", headline),
        ("title", meta.title_tag),
    ):
        cleaned = normalize_line(value) if value else None
        if cleaned:
            candidates.append([name, cleaned])
    result.title_candidates = candidates
    result.title = _choose_title(result, candidates, site_names, raw_lines[:3])

    # Body.
    lines: list[str] = []
    inside_info: list[InfoFacts] = []
    trailing: InfoFacts | None = None
    if container is not None:
        lines, inside_info, trailing = _clean_lines(raw_lines, result.title, candidates)
        result.attachments = body_module.find_attachments(
            root, container, urljoin(url, meta.base_href) if meta.base_href else url
        )
    result.body = "\n\n".join(lines)
    if not result.body:
        result.note("no_body")

    # Nearest first: a line inside the article, then the info line beside it, then anything farther.
    infos = [*inside_info, *outside.infos]
    _choose_dates(result, meta, infos, trailing, url)
    _choose_source(result, meta, infos, trailing, site_names)
    author = choose_author(meta, infos, names_site, editors, result.body)
    result.author = normalize_line(author) if author else None
    section = meta.column_name or meta.og_section
    if not section and outside.breadcrumb:
        section = breadcrumb_leaf(outside.breadcrumb, result.title)
    result.section = normalize_line(section) if section else None
    result.language = _detect_language(result.title, result.body, language_hint)


_ABSOLUTE_HOST = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//([^/:?#\s\\]+)")


def _page_signals(root: Any, url: str, allowed_domains: Sequence[str]) -> dict[str, Any]:
    own_host = (urlsplit(url).hostname or "").lower()
    domains = tuple(d.lower().lstrip(".") for d in allowed_domains) or ((own_host,) if own_host else ())
    verdicts: dict[str, bool] = {}
    links = offsite = scripts = iframes = 0
    for element in root.iter("a", "script", "iframe"):
        tag = element.tag
        if tag == "a":
            href = element.get("href")
            if not href:
                continue
            links += 1
            match = _ABSOLUTE_HOST.match(href)
            if not match:
                continue  # relative: same site
            host = match.group(1).lower()
            verdict = verdicts.get(host)
            if verdict is None:
                verdict = not any(host == d or host.endswith("." + d) for d in domains)
                verdicts[host] = verdict
            offsite += verdict
        elif tag == "script":
            scripts += 1
        else:
            iframes += 1
    return {"link_count": links, "offsite_link_count": offsite, "script_count": scripts,
            "iframe_count": iframes}


@dataclass
class _Outside:
    infos: list[InfoFacts] = field(default_factory=list)
    breadcrumb: str | None = None


_CELL_BLOCKS = frozenset(("td", "th", "dt", "dd"))
_EMPTY_VALUE = re.compile(r"[:：]\s*$")
_STARTS_WITH_DATE = re.compile(r"\s*(?:19|20)\d\d\s*[-./年]")
_INFO_BLOCKS = frozenset(("div", "p", "td", "th", "dt", "li", "h2", "h3", "h4", "h5", "h6", "section", "header", "tr", "table", "ul", "dl", "dd", "center"))


_CRUMB_STARTS = ("当前位置", "您现在的位置", "您的位置", "所在位置", "现在位置", "You are here", "Location")
_HOME_LINKS = ("首页", "网站首页", "Home", "HOME")
_CRUMB_TAGS = ("div", "p", "span", "td", "ul", "ol", "nav")
# XPath runs in C: the few text nodes with a colon come back instead of a walk over every node.
_LABELLED_TEXT = etree.XPath('.//text()[contains(., "：") or contains(., ":")]')
# The same nodes outside the content block $c (the only ones _scan_outside keeps), in document
# order: the preceding and following axes skip $c's own text, which is most of the page and
# which contains() would otherwise scan in full; $p is the page the scan is confined to.
_LABELLED_OUTSIDE = etree.XPath(
    '($c/preceding::text() | $c/following::text())[count(ancestor::*|$p) = count(ancestor::*)]'
    '[contains(., "：") or contains(., ":")]'
)
# Unlabelled dates in elements named for them: <span class="time">2019-12-19</span>.
_DATE_NAME = re.compile(r"date|time|fbsj|fbrq|riqi", re.IGNORECASE)


def _inside(element: Any, container: Any | None) -> bool:
    if container is None:
        return False
    return element is container or any(ancestor is container for ancestor in element.iterancestors())


def _scan_outside(page: Any, container: Any | None, *, want_breadcrumb: bool = True) -> _Outside:
    """Info lines and the breadcrumb outside the content block, in document order."""
    found = _Outside()
    seen_blocks: set[Any] = set()
    seen_lines: set[str] = set()
    ranked: list[tuple[int, int, int, InfoFacts]] = []
    # Keyed by the elements themselves: the dict keeps the lxml proxies alive, so identity holds.
    chain = {element: depth for depth, element in enumerate(_ancestry(container))} if container is not None else {}
    labelled = _LABELLED_TEXT(page) if container is None else _LABELLED_OUTSIDE(page, c=container, p=page)
    for node in labelled:
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
    for element in _dated_by_name(page, container):
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
    found.breadcrumb = _find_breadcrumb(page, container) if want_breadcrumb else None
    return found


_DATED_TAGS = ("span", "div", "p", "td", "em", "i", "time", "li", "font", "strong")
# Elements of those tags in the page $p but not inside the content block $c (its ancestors
# included), in document order.
_OUTSIDE_ELEMENTS = etree.XPath(
    "($c/preceding::* | $c/following::* | $c/ancestor::*)[count(ancestor::*|$p) = count(ancestor::*)]"
    f"[{' or '.join(f'self::{tag}' for tag in _DATED_TAGS)}]"
)


def _dated_by_name(page: Any, container: Any | None = None) -> list[Any]:
    """Elements named for a date (class or id), outside ``container`` when one is given."""
    # A Python pass over class/id is cheaper here than an XPath with a dozen contains().
    found = []
    candidates = page.iter(*_DATED_TAGS) if container is None else _OUTSIDE_ELEMENTS(page, c=container, p=page)
    for element in candidates:
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


def _headline_reference(meta: PageMeta, site_names: list[str]) -> set[str] | None:
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


def _find_headline(page: Any, container: Any | None, site_names: list[str], reference: set[str] | None) -> str | None:
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
_TITLE_TAIL = re.compile(r"^\s*(?:[（(][^（）()]{1,40}[）)])?\s*(?:[_|｜\-–—]|--|——)")


def _choose_title(
    result: Extracted, candidates: list[list[str]], site_names: list[str], first_lines: list[str]
) -> str:
    cleaned: list[tuple[str, str]] = []
    for name, value in candidates:
        text = value
        if name in ("title", "og:title"):
            text = strip_site_suffix(value, site_names)
            text = trim_title(text, site_cut=text != value)
        if name == "title":
            # "Headline_Column name": the headline is repeated as one of the first lines of the text.
            for line in first_lines:
                if 4 <= len(line) < len(text) and text.startswith(line) and _TITLE_TAIL.match(text[len(line):]):
                    text = line
                    break
        cleaned.append((name, text))
    for _name, text in cleaned:
        if text and not is_site_name(text, site_names):
            return text
    if cleaned:
        result.note("title_is_site_name")
        return cleaned[0][1]
    result.note("no_title")
    return ""


def _clean_lines(
    raw_lines: list[str], title: str, candidates: list[list[str]]
) -> tuple[list[str], list[InfoFacts], InfoFacts | None]:
    titles = {title, *(value for _, value in candidates)}
    infos: list[InfoFacts] = []
    lines: list[str] = []
    for index, line in enumerate(raw_lines):
        if index < 4 and line in titles:
            continue
        if index < 4 and is_info_line(line, strict=True) and not trailing_source(line):
            facts = parse_info_text(line)
            if facts.date or facts.source or facts.author:
                infos.append(facts)
                continue
        if index < 3 and looks_like_breadcrumb_text(line):
            continue
        lines.append(line)
    lines = body_module.filter_boilerplate(lines)
    trailing: InfoFacts | None = None
    for position in range(len(lines) - 1, max(len(lines) - 3, -1), -1):
        facts = trailing_source(lines[position])
        if facts is not None:
            trailing = facts
            del lines[position]
            break
    return lines, infos, trailing


def looks_like_breadcrumb_text(line: str) -> bool:
    return bool(re.match(r"^(?:当前位置|您现在的位置|您的位置)\s*[:：]|^(?:首页|Home)\s*(?:>|＞|»|›)", line))


def _parse_candidate(text: str | None, result: Extracted) -> ParsedDate | None:
    if not text:
        return None
    try:
        return find_date(text)
    except DateRejected:
        result.note("date_rejected")
        return None


def _choose_dates(
    result: Extracted, meta: PageMeta, infos: list[InfoFacts], trailing: InfoFacts | None, url: str
) -> None:
    candidates: list[tuple[str, ParsedDate]] = []
    for name, value in (
        ("meta:PubDate", meta.pub_date),
        ("meta:firstpublishedtime", meta.first_published),
        ("og:published_time", meta.og_published),
    ):
        parsed = _parse_candidate(value, result)
        if parsed:
            candidates.append((name, parsed))
    for facts in infos:
        if facts.date_rejected:
            result.note("date_rejected")
        if facts.date:
            # Only the nearest dated line: a farther one is a sidebar or footer, not a rival source.
            candidates.append(("infoline", facts.date))
            break
    if trailing is not None:
        if trailing.date_rejected:
            result.note("date_rejected")
        if trailing.date:
            candidates.append(("trailing_source", trailing.date))
    from_url = date_from_url(url)
    if from_url:
        candidates.append(("url", from_url))
    if not candidates:
        result.note("no_date")
        return
    candidates = [(name, without_placeholder_clock(parsed)) for name, parsed in candidates]
    chosen_source, chosen = candidates[0]
    clock = chosen.clock
    for name, other in candidates[1:]:
        if other.day != chosen.day:
            if name != "url" or chosen_source == "url":
                result.note("date_disagreement")
            continue
        if clock is None and other.clock is not None:
            clock = other.clock
    if chosen_source == "url":
        result.note("date_from_url")
    final = ParsedDate(chosen.day, clock)
    result.published_date = final.published_date
    result.published_at = final.published_at
    result.page_signals["date_from"] = chosen_source


def _choose_source(
    result: Extracted, meta: PageMeta, infos: list[InfoFacts], trailing: InfoFacts | None,
    site_names: list[str],
) -> None:
    nearest = next((f.source for f in infos if f.source), None)
    values = [meta.content_source, nearest, trailing.source if trailing else None]
    cleaned = [v for v in (normalize_line(x) if x else None for x in values) if v]
    if not cleaned:
        return
    result.source = cleaned[0]
    if any(v != cleaned[0] for v in cleaned[1:]):
        result.note("source_disagreement")


def _detect_language(title: str, body: str, hint: str | None) -> str:
    sample = f"{title}\n{body[:3000]}"
    # Summed run lengths: findall of single characters builds a string per character.
    cjk = sum(map(len, _CJK_RUN.findall(sample)))
    latin = sum(map(len, _LATIN_RUN.findall(sample)))
    if cjk == 0 and latin == 0:
        return hint or "und"
    if cjk and cjk * 3 >= latin:
        return "zh"
    if latin:
        return "en"
    return hint or "und"
