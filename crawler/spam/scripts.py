"""Injected scripts: what a ``<script>`` would write, where it would send readers.

Injectors write link blocks with ``document.write``/``innerHTML``, redirect
visitors arriving from a search engine, retitle the page for crawlers, and hide
all of it behind ``String.fromCharCode``/``unescape``/``atob``/``eval``.
``decode_script`` decodes those strings next to the code; ``judge_script``
decides, with the page's rules (crawler/spam/dom.py), whether a script is spam.
Legitimate scripts (analytics loaders, mobile redirects, widgets) stay.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import unquote

import lxml.html
from lxml import etree

from crawler.spam.units import hidden_unit_is_spam, link_facts

_SPACE_RE = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


_FROM_CHAR_CODE_RE = re.compile(r"fromCharCode\s*\(([\d\s,xXa-fA-F]+)\)")
_UNESCAPE_RE = re.compile(r"(?:unescape|decodeURIComponent|decodeURI)\s*\(\s*(['\"])(.*?)\1", re.DOTALL)
_ATOB_RE = re.compile(r"atob\s*\(\s*(['\"])([A-Za-z0-9+/=]{8,})\1")
_ESCAPE_RE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")
_WRITE_RE = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(|\.innerHTML\s*=|insertAdjacentHTML", re.IGNORECASE)
_REDIRECT_RE = re.compile(
    r"(?:window|document|top|self|parent)?\s*\.?\s*location(?:\s*\.\s*href)?\s*=(?!=)|location\s*\.\s*(?:replace|assign)\s*\(|"
    r"window\s*\.\s*open\s*\(|http-equiv\s*=\s*['\"]?refresh",
    re.IGNORECASE,
)
_TITLE_WRITE_RE = re.compile(r"document\s*\.\s*title\s*=(?!=)")
_USER_AGENT_RE = re.compile(r"navigator\s*\.\s*userAgent", re.IGNORECASE)
_SPIDER_RE = re.compile(r"spider|bot\b|googlebot|baidu|sogou|yisou|360spider|haosou|bingbot|bytespider|toutiao|slurp", re.IGNORECASE)
_REFERRER_RE = re.compile(r"document\s*\.\s*referrer", re.IGNORECASE)
_SEARCH_ENGINE_RE = re.compile(r"baidu|google|sogou|so\.com|sm\.cn|bing|yahoo|soso|youdao|360\.cn|haosou|toutiao", re.IGNORECASE)
_PACKER_RE = re.compile(r"eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e", re.IGNORECASE)
_EVAL_RE = re.compile(r"\beval\s*\(")
_URL_RE = re.compile(r"(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")
_STRING_RE = re.compile(r"(['\"])((?:(?!\1).){2,}?)\1")


def decode_script(code: str) -> str:
    """The script with its obfuscated strings decoded next to it (fromCharCode,
    unescape/%uXXXX, atob, \\x and \\u escapes), so rules can read what it writes."""
    decoded: list[str] = [code]
    for match in _FROM_CHAR_CODE_RE.finditer(code):
        chars = []
        for number in match.group(1).split(","):
            number = number.strip()
            try:
                value = int(number, 16) if number.lower().startswith("0x") else int(number)
                chars.append(chr(value))
            except (ValueError, OverflowError):
                continue
        decoded.append("".join(chars))
    for match in _UNESCAPE_RE.finditer(code):
        raw = re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), match.group(2))
        decoded.append(unquote(raw))
    for match in _ATOB_RE.finditer(code):
        try:
            decoded.append(base64.b64decode(match.group(2)).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            continue
    if _ESCAPE_RE.search(code):
        decoded.append(_ESCAPE_RE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), code))
    return "\n".join(decoded)


_OBFUSCATION_HINT_RE = re.compile(r"fromCharCode|unescape|decodeURI|atob|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}")


def judge_script(code: str, page: Any) -> tuple[str, str] | None:
    """(rule, evidence text) when an inline script is injected spam, else None."""
    text = decode_script(code) if _OBFUSCATION_HINT_RE.search(code) else code
    writes = bool(_WRITE_RE.search(text))
    redirects = bool(_REDIRECT_RE.search(text))
    retitles = bool(_TITLE_WRITE_RE.search(text))
    if not (writes or redirects or retitles):
        # Every verdict below needs the script to act on the page.
        return None
    spider_test = bool(_USER_AGENT_RE.search(text)) and bool(_SPIDER_RE.search(_USER_AGENT_RE.sub("", text)))
    referrer_test = bool(_REFERRER_RE.search(text)) and bool(_SEARCH_ENGINE_RE.search(text))
    obfuscated = (
        len(text) > len(code) + 20 and bool(_FROM_CHAR_CODE_RE.search(code) or _ATOB_RE.search(code) or _ESCAPE_RE.search(code))
    ) or bool(_PACKER_RE.search(code)) or (bool(_EVAL_RE.search(code)) and len(text) > len(code) + 20)
    hosts = {h.lower() for h in _URL_RE.findall(text)}
    offsite_spam_hosts = sorted(h for h in hosts if page.is_offsite(h) and page.is_spam_domain(h))
    written = _collapse(_TAG_RE.sub(" ", "\n".join(re.findall(r"<a\b[^>]*>(.*?)</a>", text, re.IGNORECASE | re.DOTALL))))
    # What the script would put on the page: its string literals and whatever
    # it decodes at run time.
    string_text = " ".join(match[1] for match in _STRING_RE.findall(text)) + " " + text[len(code):]
    spam_text = page.text_is_spam(_TAG_RE.sub(" ", string_text)) if string_text else False
    evidence = written or " ".join(offsite_spam_hosts) or _collapse(_TAG_RE.sub(" ", string_text))[:300]
    acts = writes or redirects or retitles
    if (spider_test or referrer_test) and acts:
        return ("script:search-engine-cloak" if referrer_test else "script:spider-cloak"), evidence or _collapse(code)[:300]
    if spam_text and acts:
        return "script:writes-spam", evidence
    if offsite_spam_hosts and acts:
        return "script:spam-domain", evidence
    if writes and "<a" in text.lower():
        # Links to foreign hosts written into the page, judged like a hidden block
        # (brand-shaped hosts, a link-dense block of foreign links, advertising).
        written_html = " ".join(match[1] for match in _STRING_RE.findall(text)) + " " + text[len(code):]
        written_html = written_html.replace('\\"', '"').replace("\\'", "'")
        try:
            fragment = lxml.html.fragment_fromstring(written_html, create_parent="div")
        except (etree.ParserError, ValueError):
            fragment = None
        if fragment is not None:
            facts = link_facts(fragment.iter("a"), page.own_host, page.is_offsite)
            written_text = _collapse(fragment.text_content())
            if facts.foreign_hosts and hidden_unit_is_spam(written_text, facts, is_foreign=page.is_foreign):
                return "script:writes-foreign-links", written_text or " ".join(facts.foreign_hosts)
    if obfuscated and acts and any(page.is_offsite(h) for h in hosts) and ("<a" in text.lower() or redirects):
        return "script:obfuscated", evidence or _collapse(code)[:300]
    return None


SCRIPT_MARKERS_RE = re.compile(
    r"userAgent|referrer|fromCharCode|eval\s*\(|atob|unescape|decodeURI|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|"
    r"\.write|innerHTML|insertAdjacentHTML|location|document\.title|\.open\s*\("
)


