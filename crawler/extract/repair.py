"""Markup repairs made to a decoded page before lxml parses it.

Site-wide headers on some government CMSs are cut from whole documents: the
included header ends with ``</body></html>`` and the article page goes on after it.
libxml2 (2.14) stops reading at ``</html>`` and puts anything after ``</body>``
outside the body, so the article would be lost. When visible content follows the
first closing ``</body>`` or ``</html>``, every such closing tag is dropped and the
parser closes the document at its real end. Scripts and styles after the end (an
analytics snippet appended to every page) are no reason to repair.
"""

from __future__ import annotations

import re

_DOCUMENT_END = re.compile(r"</(?:[bB][oO][dD][yY]|[hH][tT][mM][lL])\s*>")
# An element (not just whitespace or a comment) after the closing tag.
_ELEMENT_START = re.compile(r"<[A-Za-z]")
_INVISIBLE = re.compile(
    r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->|<[^<>]*>", re.IGNORECASE | re.DOTALL
)


def drop_early_document_end(text: str) -> str:
    """``text`` without its ``</body>``/``</html>`` tags when visible content follows the first of them.

    Returns ``text`` itself (the same object) when there is nothing to repair.
    """
    match = _DOCUMENT_END.search(text)
    if match is None or not _ELEMENT_START.search(text, match.end()):
        return text
    if not _INVISIBLE.sub("", text[match.end():]).strip():
        return text
    return _DOCUMENT_END.sub("", text)
