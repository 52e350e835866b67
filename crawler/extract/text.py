"""Text normalisation: plain, idempotent functions over strings.

The extractor cleans what it extracts with them, and the normalise pipeline
(pipelines/normalize.py) applies them to every item's text fields, so a record
read straight from ``extract_article`` and one that went through the pipeline agree.

* NFC, zero-width characters removed, ``&nbsp;`` / ideographic spaces / whitespace
  runs collapsed (paragraph breaks in bodies kept as exactly one blank line);
* full-width ASCII digits and letters made half-width only where they are data
  (dates, times, numbers, URLs), never in prose;
* site-name suffixes dropped from titles (``_中华人民共和国民政部``, ``- 中国政府网``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Zero-width characters, soft hyphens, and control codes that never belong in text.
_ZERO_WIDTH = re.compile(
    "[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u180e\x00-\x08\x0e-\x1f\x7f\x80-\x9f\ufffe\uffff]"
)
# Every horizontal space, including nbsp (\xa0), ideographic space (\u3000) and the
# Unicode space separators; vertical whitespace is handled separately.
_SPACES = re.compile("[ \t\f\v\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_RUNS = re.compile(r"\n\s*\n[\s\n]*")

_FULLWIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# A run of full-width digits (with the separators that belong to numbers and dates).
_FULLWIDTH_DATA = re.compile("[０-９][０-９．，：－／％]*[０-９％]|[０-９]")
_FULLWIDTH_URL = re.compile("[ｈＨ][ｔＴ][ｔＴ][ｐＰ][ｓＳ]?：／／[\uff01-\uff5e]+|[ｗＷ]{3}．[\uff01-\uff5e]+")

_TITLE_SEPARATORS = r"\s*(?:[_|｜\-–—]|--|——|::)\s*"
# Suffixes seen on ministry sites even when the SiteName meta tag is missing.
KNOWN_SITE_NAMES = (
    "中华人民共和国民政部",
    "民政部",
    "中国政府网",
    "中华人民共和国中央人民政府",
    "中央人民政府门户网站",
    "中华人民共和国人力资源和社会保障部",
    "人力资源和社会保障部",
    "中华人民共和国生态环境部",
    "生态环境部",
    "中华人民共和国教育部政府门户网站",
    "中华人民共和国教育部",
    "教育部",
    "中华人民共和国国家发展和改革委员会",
    "国家发展和改革委员会",
    "国家发展改革委",
    "Ministry of Civil Affairs of the People's Republic of China",
    "Ministry of Civil Affairs",
    "The State Council of the People's Republic of China",
    "english.gov.cn",
    "Ministry of Ecology and Environment",
    "Ministry of Human Resources and Social Security",
    "National Development and Reform Commission",
)


def remove_zero_width(text: str) -> str:
    return _ZERO_WIDTH.sub("", text)


def collapse_spaces(text: str) -> str:
    """One line: NFC, zero-width removed, every run of whitespace made one space."""
    text = unicodedata.normalize("NFC", remove_zero_width(text))
    return _SPACES.sub(" ", _LINE_BREAKS.sub(" ", text).replace("\n", " ")).strip()


def halfwidth_data(text: str) -> str:
    """Full-width digits and URLs to ASCII; full-width letters in prose stay as written."""
    def _to_ascii(match: re.Match[str]) -> str:
        return match.group(0).translate(_FULLWIDTH_ASCII)

    text = _FULLWIDTH_URL.sub(_to_ascii, text)
    return _FULLWIDTH_DATA.sub(_to_ascii, text)


def normalize_line(text: str | None) -> str | None:
    """A one-line field (title, source, author, section); empty becomes None."""
    if text is None:
        return None
    cleaned = halfwidth_data(collapse_spaces(text))
    return cleaned or None


def normalize_lines(lines: Iterable[str]) -> list[str]:
    """Each line through :func:`normalize_line`, the empty ones dropped."""
    return [line for line in map(normalize_line, lines) if line]


def normalize_body(text: str) -> str:
    """Body text: each paragraph collapsed to one line, paragraphs separated by one blank line."""
    if not text:
        return ""
    text = _LINE_BREAKS.sub("\n", text)
    return "\n\n".join(normalize_lines(block.replace("\n", " ") for block in _BLANK_RUNS.split(text)))


def strip_site_suffix(title: str, site_names: Iterable[str] = ()) -> str:
    """Drop a trailing (or leading) ``_SiteName`` / ``- SiteName`` from a title.

    Never returns an empty string: a title that is nothing but the site name is kept.
    """
    title = collapse_spaces(title)
    names = [n for n in (collapse_spaces(x) for x in site_names) if n]
    names.extend(KNOWN_SITE_NAMES)
    changed = True
    while changed:
        changed = False
        folded = title.casefold()
        present = [n for n in set(names) if n.casefold() in folded]
        for name in sorted(present, key=len, reverse=True):
            escaped = re.escape(name)
            for pattern in (
                re.compile(_TITLE_SEPARATORS + escaped + r"\s*$", re.IGNORECASE),
                re.compile(r"^\s*" + escaped + _TITLE_SEPARATORS, re.IGNORECASE),
            ):
                shortened = pattern.sub("", title).strip()
                if shortened and shortened != title:
                    title, changed = shortened, True
    return title


_KNOWN_FOLDED = frozenset(name.casefold() for name in KNOWN_SITE_NAMES)


def is_site_name(title: str, site_names: Iterable[str] = ()) -> bool:
    """True when ``title`` is only a site name (no headline)."""
    folded = collapse_spaces(title).casefold()
    if not folded:
        return False
    if folded in _KNOWN_FOLDED:
        return True
    return any(folded == collapse_spaces(n).casefold() for n in site_names if n)
