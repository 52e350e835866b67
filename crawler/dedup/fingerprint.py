"""Body fingerprints: the normalised text two copies of one article share, and its digest (``body_sha1``).

Two sites republishing one article differ in layout whitespace, full-width
digits and paragraph breaks, never in the words: normalisation drops all of
that (NFKC, case folding, no whitespace, no zero-width marks).
"""

from __future__ import annotations

import hashlib
import unicodedata

# Marks that render as nothing: injected between characters they make two copies look different.
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


def normalise_for_digest(body: str) -> str:
    """The body as compared for duplicates: NFKC, case-folded, no whitespace or zero-width marks."""
    text = body or ""
    if not unicodedata.is_normalized("NFKC", text):  # a quick check; most English text is already
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    for mark in _INVISIBLE:  # str.replace scans in C; str.translate goes character by character
        if mark in text:
            text = text.replace(mark, "")
    return "".join(text.split())


def body_digest(body: str) -> str:
    """``body_sha1``: hex SHA-1 of the UTF-8 of :func:`normalise_for_digest` (docs/schema.md)."""
    return hashlib.sha1(normalise_for_digest(body).encode("utf-8")).hexdigest()
