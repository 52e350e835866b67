"""The one HTML parse of an extraction, and what it does with pages libxml2 refuses.

libxml2 stops building the tree at 256 levels of nesting (2,048 with
``huge_tree``) and silently drops everything after that point: a page of
10,000 nested ``<div>``s keeps its ``<head>`` and loses its text. When the
parser reports that, the page is parsed again with its container tags
flattened (block containers become line breaks, inline ones vanish), which
keeps the text and its paragraph breaks. If even that is too deep, the page
is reported as ``too_deep`` rather than passed on half-read.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import lxml.html
from lxml import etree

_local = threading.local()

# Tags dropped when a page nests too deeply: block containers become <br> (keeps line
# breaks between what they held), inline ones disappear with only their text left.
_BLOCK_CONTAINERS = ("div|section|article|aside|main|header|footer|nav|center|blockquote|form|fieldset"
                     "|table|thead|tbody|tfoot|tr|td|th|ul|ol|li|dl|dt|dd|figure|figcaption")
_INLINE_CONTAINERS = "span|font|b|i|u|em|strong|small|big|sub|sup|label|abbr|cite|code|s|strike|tt|var|q"
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_CONTAINERS})(?:\s[^>]*)?/?>", re.IGNORECASE)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_CONTAINERS})(?:\s[^>]*)?/?>", re.IGNORECASE)


class TooDeep(ValueError):
    """The page nests deeper than libxml2 builds, even with its containers flattened."""


def html_parser() -> Any:
    """This thread's lxml HTML parser (lxml parsers are not safe to share between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
        _local.parser = parser
    return parser


def _cut_short(parser: Any) -> bool:
    return any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log)


def flatten_containers(text: str) -> str:
    """``text`` with its container tags removed (block ones become ``<br>``)."""
    return _INLINE_TAG.sub("", _BLOCK_TAG.sub("<br>", text))


def parse_document(text: str) -> tuple[Any, bool]:
    """The document tree of ``text`` and whether its containers had to be flattened.

    Raises ``etree.ParserError`` / ``ValueError`` when lxml builds nothing, and
    :class:`TooDeep` when the page nests too deeply even flattened.
    """
    parser = html_parser()
    root = lxml.html.document_fromstring(text, parser=parser)
    if not _cut_short(parser):
        return root, False
    root = lxml.html.document_fromstring(flatten_containers(text), parser=parser)
    if _cut_short(parser):
        raise TooDeep("nesting deeper than the parser's limit, even with containers flattened")
    return root, True
