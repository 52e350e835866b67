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
- ``parse_truncated``: more than ``max_parse_bytes`` of HTML; only the first part was parsed
- ``body_truncated``: the body text was longer than ``max_body_chars`` and was cut
- ``no_body_element``: the HTML has no ``<body>`` tag (parsed with one implied)
- ``early_document_end``: elements follow an early ``</body>``/``</html>`` (repair.py drops those tags)
- ``unparseable``: lxml could not build a tree at all
- ``flattened``: the page nested deeper than libxml2 builds; parsed again with its
  container tags flattened (parse.py)
- ``too_deep``: nested too deeply even flattened; nothing extracted
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extract import body as body_module
from crawler.extract.authors import choose_author, editor_text
from crawler.extract.dates import DateRejected, ParsedDate, date_from_url, find_date, without_placeholder_clock
from crawler.spam import dom as domspam
from crawler.extract.encoding import decode_html
from crawler.extract.infoline import InfoFacts, breadcrumb_leaf, is_info_line, parse_info_text, trailing_source
from crawler.extract.meta import PageMeta, read_meta
from crawler.extract.outside import TITLE_TAIL, find_headline, headline_reference, scan_outside
from crawler.extract.parse import TooDeep, parse_document
from crawler.extract.repair import drop_early_document_end
from crawler.extract.titles import trim_title
from crawler.extract.text import is_site_name, normalize_line, strip_site_suffix
from crawler.seeds import host_in_domains

__all__ = ["EXTRACTOR_VERSION", "Extracted", "extract_article"]

logger = logging.getLogger(__name__)

EXTRACTOR_VERSION = "extract-2.0"  # 2.0: gov.cn titles, authors and times; CSS-hidden blocks; register classifier

LARGE_PAGE_BYTES = 2 * 1024 * 1024
# Memory stays bounded whatever a server sends (settings EXTRACT_MAXSIZE, EXTRACT_MAX_BODY_CHARS):
# only the first MAX_PARSE_BYTES of a page are parsed (its tree and text cost many times the HTML), and a
# record's body is cut at a paragraph break before MAX_BODY_CHARS. 0 turns a cap off.
MAX_PARSE_BYTES = 8 * 1024 * 1024
MAX_BODY_CHARS = 500_000
# Notes that describe bad input; each is logged with the URL.
BAD_INPUT_NOTES = frozenset(
    ("empty", "binary", "large_page", "parse_truncated", "body_truncated", "no_body_element", "early_document_end",
     "unparseable", "too_deep", "flattened", "no_title",
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
_BODY_TAG = re.compile(r"<body[\s>]", re.IGNORECASE)
_CJK_RUN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]+")
_LATIN_RUN = re.compile("[A-Za-z]+")

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
    link_canonical: str | None = None  # the page's <link rel="canonical"> href (dedup judges it)

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
    max_parse_bytes: int = MAX_PARSE_BYTES,
    max_body_chars: int = MAX_BODY_CHARS,
) -> Extracted:
    """Turn an article page into fields. Never raises; problems become ``notes``.

    ``stylesheets``: CSS of same-host stylesheets the page links to, for the DOM
    spam stage (crawler/spam/stylesheets.py)."""
    result = Extracted(language=language or "und")
    try:
        if max_parse_bytes and len(body) > max_parse_bytes:
            body = _cut_for_parsing(body.encode("utf-8") if isinstance(body, str) else body, max_parse_bytes)
            result.note("parse_truncated")
        _extract(result, body, url, declared_encoding, allowed_domains, language, stylesheets)
        if max_body_chars and len(result.body) > max_body_chars:
            result.body = _cut_body(result.body, max_body_chars)
            result.note("body_truncated")
    except Exception:
        result.note("error")
        logger.exception("extract: failed on %s", url)
    problems = [code for code in result.notes if code in BAD_INPUT_NOTES and code != "error"]
    if problems:
        logger.warning("extract: %s on %s", ", ".join(problems), url)
    return result


def _cut_for_parsing(body: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes of a page, ending after a ``>`` when there is one: never inside a
    tag, nor inside a multi-byte character (``>`` is never part of one in UTF-8, GBK or GB18030)."""
    end = body.rfind(b">", 0, limit)
    return bytes(body[: end + 1 if end > 0 else limit])


def _cut_body(body: str, limit: int) -> str:
    """At most ``limit`` characters of a body, ending at a paragraph break when there is one."""
    end = body.rfind("\n\n", 0, limit + 1)
    return body[:end] if end > 0 else body[:limit]


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
    text = _CONTROL_CHARS.sub("", decoded.text)
    if text.lstrip().startswith("<?xml"):
        text = _XML_DECLARATION.sub("", text, count=1)
    repaired = drop_early_document_end(text)
    if repaired is not text:
        result.note("early_document_end")
        text = repaired
    if not _BODY_TAG.search(text):
        result.note("no_body_element")
    try:
        root, flattened = parse_document(text)
    except TooDeep:
        result.note("too_deep")
        return
    except (etree.ParserError, ValueError):
        result.note("unparseable")
        return
    if flattened:
        result.note("flattened")
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
    result.link_canonical = meta.link_canonical
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

    outside = scan_outside(page, container)
    headline = find_headline(page, container, site_names, headline_reference(meta, site_names))

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
                verdict = not host_in_domains(host, domains)
                verdicts[host] = verdict
            offsite += verdict
        elif tag == "script":
            scripts += 1
        else:
            iframes += 1
    return {"link_count": links, "offsite_link_count": offsite, "script_count": scripts,
            "iframe_count": iframes}


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
                if 4 <= len(line) < len(text) and text.startswith(line) and TITLE_TAIL.match(text[len(line):]):
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
