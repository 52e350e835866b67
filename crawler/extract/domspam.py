"""DOM-level spam removal: what the injector hid in the markup.

Black-hat SEO on hacked government pages leaves traces that only the HTML
shows: blocks hidden from readers but not from search engines (``display:none``,
off-screen positioning, ``font-size:0``, 1-pixel marquees, text coloured like
the background, classes hidden by an inline ``<style>``), link farms pointing to
casino and porn domains, ``<script>`` that writes links or redirects visitors
arriving from a search engine, iframes to such domains, and keyword-stuffed
``keywords``/``description`` metas.  ``remove_dom_spam`` removes them from the
tree before metadata and body are read, and returns one audit entry per
removal: ``{"text", "where": hidden|link|script|meta, "rule"}``.

A hidden block or a link is removed only when it carries spam evidence (a spam
term in its text, a spam-shaped domain); a hidden share widget or a menu of
sister-ministry links is not spam and stays.  Text judgements use the lexicon
and context rules of ``pipelines.spam``.  The rules are listed in docs/spam.md.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from crawler.spam.lexicon import Lexicon, default_lexicon, has_spam_candidates
from crawler.spam.spans import score_spans
from crawler.spam.titles import lexicon_title_spans as title_spam_spans

logger = logging.getLogger(__name__)

_MAX_ENTRY_CHARS = 2000
_SPACE_RE = re.compile(r"\s+")
_SIGNIFICANT_RE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
_GOVERNMENT_HOST_RE = re.compile(r"(?:^|\.)(?:gov\.cn|edu\.cn|gov|mil\.cn)$")

# ---------------------------------------------------------------- styles

_DECLARATION_RE = re.compile(r"([a-zA-Z-]+)\s*:\s*([^;]+)")
_LENGTH_RE = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh|cm|mm|in)?$")
_CSS_RULE_RE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)
_NAMED_COLOURS = {
    "white": "#ffffff", "black": "#000000", "red": "#ff0000", "blue": "#0000ff",
    "green": "#008000", "yellow": "#ffff00", "gray": "#808080", "grey": "#808080",
    "silver": "#c0c0c0", "transparent": "transparent",
}


def parse_style(style: str | None) -> dict[str, str]:
    """Inline CSS declarations, lower-cased, ``!important`` dropped."""
    if not style:
        return {}
    declarations: dict[str, str] = {}
    for name, value in _DECLARATION_RE.findall(style):
        declarations[name.strip().lower()] = value.replace("!important", "").strip().lower()
    return declarations


def _length_px(value: str | None) -> float | None:
    if not value:
        return None
    match = _LENGTH_RE.match(value.strip().split()[0]) if value.strip() else None
    if not match:
        return None
    number = float(match.group(1))
    unit = match.group(2) or "px"
    if unit in {"em", "rem"}:
        return number * 16
    if unit == "pt":
        return number * 4 / 3
    if unit in {"%", "vw", "vh"}:
        return number * 10  # relative; only the sign and zero matter here
    if unit in {"cm", "mm", "in"}:
        return number * {"cm": 38.0, "mm": 3.8, "in": 96.0}[unit]
    return number


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().split()[0] if value.strip() else ""
    value = _NAMED_COLOURS.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    rgb = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", value)
    if rgb:
        value = "#" + "".join(f"{int(x):02x}" for x in rgb.groups())
    return value if value.startswith("#") else None


def hiding_reason(declarations: dict[str, str], *, page_background: str | None = None,
                  own_background: str | None = None) -> str | None:
    """Why a set of CSS declarations hides its element from readers, or None."""
    if declarations.get("display") == "none":
        return "display-none"
    if declarations.get("visibility") in {"hidden", "collapse"}:
        return "visibility-hidden"
    opacity = declarations.get("opacity")
    if opacity is not None:
        try:
            if float(opacity) == 0:
                return "opacity-zero"
        except ValueError:
            pass
    if declarations.get("position") in {"absolute", "fixed", "relative"}:
        for side in ("left", "top", "right", "margin-left", "margin-top"):
            offset = _length_px(declarations.get(side))
            if offset is not None and offset <= -500:
                return "offscreen"
    indent = _length_px(declarations.get("text-indent"))
    if indent is not None and indent <= -500:
        return "offscreen"
    font_size = _length_px(declarations.get("font-size"))
    if font_size is not None and font_size <= 1:
        return "font-size"
    height = _length_px(declarations.get("height"))
    width = _length_px(declarations.get("width"))
    if (height is not None and height <= 1) or (width is not None and width <= 1):
        if declarations.get("overflow", "") in {"hidden", "clip"} or height == 0 or width == 0:
            return "zero-size"
    clip = declarations.get("clip", "")
    if clip.startswith("rect(") and not re.search(r"[1-9]", clip):
        return "clipped"
    colour = _colour(declarations.get("color"))
    background = _colour(declarations.get("background-color") or declarations.get("background")) or own_background
    if colour and colour != "transparent" and colour == (background or page_background):
        return "colour"
    return None


def _hidden_selectors(root: Any) -> list[tuple[str, str]]:
    """(selector, reason) for rules in inline ``<style>`` elements that hide."""
    found: list[tuple[str, str]] = []
    for style in root.iter("style"):
        css = _CSS_COMMENT_RE.sub("", style.text or "")
        for selectors, body in _CSS_RULE_RE.findall(css):
            reason = hiding_reason(parse_style(body), page_background=None)
            if reason is None:
                continue
            for selector in selectors.split(","):
                selector = selector.strip()
                if not selector or ":" in selector or selector.lower() in {"body", "html", "head", "*"}:
                    continue
                found.append((selector, reason))
    return found


# ---------------------------------------------------------------- helpers


def _collapse(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _significant(text: str) -> int:
    return len(_SIGNIFICANT_RE.findall(text))


_ABSOLUTE_HOST_RE = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^/?#@]*@)?([^/?#:\s]+)")


def _host(href: str, base: str) -> str:
    """Host a link points to; "" for relative links (they stay on the page's host)."""
    match = _ABSOLUTE_HOST_RE.match(href)
    if match:
        return match.group(1).lower().rstrip(".")
    if href.strip().lower().startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
        return ""
    # Relative: the page's own host.  Parsed once per page by the caller.
    try:
        return (urlsplit(base).hostname or "").lower()
    except ValueError:
        return ""


class _Page:
    """What the rules need to know about the page being cleaned."""

    def __init__(self, root: Any, url: str, allowed_domains: Sequence[str], lexicon: Lexicon) -> None:
        self.root = root
        self.url = url
        try:
            own = (urlsplit(url).hostname or "").lower()
        except ValueError:  # a malformed URL: no own host, every absolute link is off-site
            own = ""
        self.domains = [d.lower().lstrip(".") for d in allowed_domains if d] or ([own] if own else [])
        self.lexicon = lexicon
        self._background: str | None = None
        self._domain_verdicts: dict[str, bool] = {}
        # Page-level screens, set by remove_dom_spam: when neither the text
        # nor any linked host looks like spam, no hidden block or link can be
        # spam and those stages are skipped (the usual, clean page).
        self.text_suspect = True
        self.domain_suspect = True
        # One pass over the tree collects what every stage needs.
        self.metas: list[Any] = []
        self.scripts: list[Any] = []
        self.frames: list[Any] = []
        self.styles: list[Any] = []
        self.code_hosts: set[str] = set()
        for element in root.iter("script", "meta", "iframe", "frame", "style"):
            tag = element.tag
            if tag == "script":
                self.scripts.append(element)
            elif tag == "meta":
                self.metas.append(element)
            elif tag == "style":
                self.styles.append(element)
            else:
                self.frames.append(element)
            source = element.get("src")
            if source:
                match = _ABSOLUTE_HOST_RE.match(source)
                if match:
                    self.code_hosts.add(match.group(1).lower())
        self._link_hosts: set[str] | None = None

    @property
    def link_hosts(self) -> set[str]:
        """Hosts of absolute ``<a href>`` links (read only when needed: a
        page has hundreds of links and reading them all is not free)."""
        if self._link_hosts is None:
            hosts = set()
            for link in self.root.iter("a"):
                href = link.get("href")
                if href:
                    match = _ABSOLUTE_HOST_RE.match(href)
                    if match:
                        hosts.add(match.group(1).lower())
            self._link_hosts = hosts
        return self._link_hosts

    @property
    def background(self) -> str:
        """Page background colour (for text coloured like its background)."""
        if self._background is None:
            body = self.root.find("body") if self.root.tag != "body" else self.root
            background = None
            if body is not None:
                style = parse_style(body.get("style"))
                background = _colour(body.get("bgcolor")) or _colour(style.get("background-color") or style.get("background"))
            for selector, declarations in _style_rules(self.root):
                if selector.strip().lower() == "body":
                    background = _colour(declarations.get("background-color") or declarations.get("background")) or background
            self._background = background or "#ffffff"
        return self._background

    def is_offsite(self, host: str) -> bool:
        return bool(host) and not any(host == d or host.endswith("." + d) for d in self.domains)

    def is_spam_domain(self, host: str) -> bool:
        if not host or _GOVERNMENT_HOST_RE.search(host):
            return False
        cached = self._domain_verdicts.get(host)
        if cached is None:
            folded = " " + host + " "
            cached = any(p.search(folded) for p in self.lexicon.domain_patterns)
            self._domain_verdicts[host] = cached
        return cached

    def text_is_spam(self, text: str) -> bool:
        """Short text (an anchor, a hidden block, a meta) judged like a headline."""
        if not text or not has_spam_candidates(text, self.lexicon):
            return False
        if len(text) <= 200:
            return bool(title_spam_spans(text, self.lexicon))
        return any(s.is_spam for s in score_spans(text, self.lexicon))


def _style_rules(root: Any) -> Iterable[tuple[str, dict[str, str]]]:
    for style in root.iter("style"):
        css = _CSS_COMMENT_RE.sub("", style.text or "")
        for selectors, body in _CSS_RULE_RE.findall(css):
            declarations = parse_style(body)
            for selector in selectors.split(","):
                yield selector, declarations


def _remove(element: Any) -> None:
    """Detach ``element`` but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _visible_text(element: Any) -> str:
    """Text of an element without script/style content."""
    pieces: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag
        if event == "start":
            if isinstance(tag, str) and tag in {"script", "style", "noscript", "template"}:
                continue
            if isinstance(tag, str) and node.text and not _inside_invisible_tag(node, element):
                pieces.append(node.text)
        elif node is not element and node.tail and not _inside_invisible_tag(node.getparent(), element):
            pieces.append(node.tail)
    return _collapse(" ".join(pieces))


def _inside_invisible_tag(node: Any, stop: Any) -> bool:
    while node is not None:
        if isinstance(node.tag, str) and node.tag in {"script", "style", "noscript", "template"}:
            return True
        if node is stop:
            return False
        node = node.getparent()
    return False


def _entry(text: str, where: str, rule: str) -> dict[str, str]:
    text = _collapse(text)
    if len(text) > _MAX_ENTRY_CHARS:
        text = text[:_MAX_ENTRY_CHARS] + "…"
    return {"text": text, "where": where, "rule": rule}


# ---------------------------------------------------------------- metas


def _clean_metas(page: _Page) -> list[dict[str, str]]:
    removals: list[dict[str, str]] = []
    for meta in page.metas:
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = meta.get("content") or ""
        if name in {"keywords", "description"} and content.strip():
            if not has_spam_candidates(content, page.lexicon):
                continue
            spans = [s for s in score_spans(content, page.lexicon) if s.is_spam or s.score >= 3]
            spans = [s for s in spans if s.is_spam or not any(r.startswith("context=") for r in s.reasons)]
            if not spans:
                continue
            kept = content
            for span in sorted(spans, key=lambda s: s.start, reverse=True):
                kept = kept[: span.start] + kept[span.end :]
            kept = re.sub(r"(?:\s*[,，、|;；]\s*){2,}", ",", kept).strip(" ,，、|;；")
            removed = " ".join(s.text for s in spans)
            if _significant(kept) >= 4:
                meta.set("content", kept)
            else:
                _remove(meta)
            removals.append(_entry(removed, "meta", f"meta:{name}"))
        elif (meta.get("http-equiv") or "").strip().lower() == "refresh":
            target = re.search(r"url\s*=\s*['\"]?([^'\";\s]+)", content, re.IGNORECASE)
            if not target:
                continue
            host = _host(target.group(1), page.url)
            if page.is_offsite(host) and not _GOVERNMENT_HOST_RE.search(host):
                _remove(meta)
                removals.append(_entry(target.group(1), "meta", "meta:refresh-offsite"))
    return removals


# ---------------------------------------------------------------- scripts

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


def judge_script(code: str, page: _Page) -> tuple[str, str] | None:
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
    if obfuscated and acts and any(page.is_offsite(h) for h in hosts) and ("<a" in text.lower() or redirects):
        return "script:obfuscated", evidence or _collapse(code)[:300]
    return None


_SCRIPT_MARKERS_RE = re.compile(
    r"userAgent|referrer|fromCharCode|eval\s*\(|atob|unescape|decodeURI|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|"
    r"\.write|innerHTML|insertAdjacentHTML|location|document\.title|\.open\s*\("
)


def _clean_scripts(page: _Page) -> list[dict[str, str]]:
    removals: list[dict[str, str]] = []
    for script in page.scripts:
        source = script.get("src")
        if source:
            host = _host(source, page.url)
            if page.is_offsite(host) and page.is_spam_domain(host):
                _remove(script)
                removals.append(_entry(source, "script", "script:spam-src"))
            continue
        code = script.text or ""
        if not code.strip():
            continue
        # Every verdict needs the script to write, redirect or retitle, or to
        # hide what it does (obfuscation); scripts with none of the markers
        # (configuration, widgets, analytics loaders) are not judged.
        if not _SCRIPT_MARKERS_RE.search(code):
            continue
        verdict = judge_script(code, page)
        if verdict:
            _remove(script)
            removals.append(_entry(verdict[1], "script", verdict[0]))
    return removals


# ---------------------------------------------------------------- iframes


def _clean_iframes(page: _Page) -> list[dict[str, str]]:
    removals: list[dict[str, str]] = []
    for frame in page.frames:
        source = frame.get("src") or ""
        host = _host(source, page.url) if source else ""
        if not page.is_offsite(host) or _GOVERNMENT_HOST_RE.search(host):
            continue
        declarations = parse_style(frame.get("style"))
        for attribute in ("width", "height"):
            if frame.get(attribute) and attribute not in declarations:
                declarations[attribute] = frame.get(attribute, "").strip()
        hidden = hiding_reason(declarations, page_background=None) is not None
        if page.is_spam_domain(host) or hidden:
            _remove(frame)
            removals.append(_entry(source, "hidden" if hidden else "link", "iframe:hidden" if hidden else "iframe:spam-domain"))
    return removals


# ---------------------------------------------------------------- hidden blocks


def _element_hidden(element: Any, page: _Page, class_hidden: dict[Any, str]) -> str | None:
    if not isinstance(element.tag, str):
        return None
    if element in class_hidden:
        return class_hidden[element]
    if element.get("hidden") is not None:
        return "hidden-attribute"
    declarations = parse_style(element.get("style"))
    if element.tag == "font" and element.get("color"):
        declarations.setdefault("color", element.get("color", ""))
    if element.tag == "marquee":
        for attribute in ("width", "height"):
            value = element.get(attribute)
            if value and attribute not in declarations:
                declarations[attribute] = value.strip()
        declarations.setdefault("overflow", "hidden")
        reason = hiding_reason(declarations)
        return f"marquee-{reason}" if reason else None
    if not declarations:
        return None
    own_background = _colour(declarations.get("background-color") or declarations.get("background"))
    reason = hiding_reason(declarations, own_background=own_background)
    if reason is None and "color" in declarations and own_background is None and not _ancestor_has_background(element):
        reason = hiding_reason({"color": declarations["color"]}, page_background=page.background)
    return reason


def _ancestor_has_background(element: Any) -> bool:
    node = element.getparent()
    while node is not None and node.tag not in {"body", "html"}:
        style = parse_style(node.get("style"))
        if node.get("bgcolor") or "background" in style or "background-color" in style or node.get("background"):
            return True
        node = node.getparent()
    return False


def _has_spam_evidence(element: Any, page: _Page, text: str) -> bool:
    if page.text_is_spam(text):
        return True
    for link in element.iter("a"):
        host = _host(link.get("href") or "", page.url)
        if page.is_offsite(host) and (page.is_spam_domain(host) or page.text_is_spam(_collapse(link.text_content()))):
            return True
        if not page.is_offsite(host) and page.text_is_spam(_collapse(link.text_content())):
            return True
    # A hidden block of many links to non-government sites is a link farm even
    # with innocent-looking anchors.
    offsite = [
        h for h in (_host(link.get("href") or "", page.url) for link in element.iter("a"))
        if page.is_offsite(h) and not _GOVERNMENT_HOST_RE.search(h)
    ]
    return len(offsite) >= 5 and len(set(offsite)) >= 3 and page.text_is_spam(text + " " + " ".join(offsite))


_HIDEABLE = etree.XPath(".//*[@style or @hidden or self::marquee or (self::font and @color)]")
_NEVER_HIDDEN_BLOCKS = frozenset(("script", "style", "input", "option", "select", "template", "noscript", "body", "html"))


def _document_position(root: Any) -> Any:
    order = {element: index for index, element in enumerate(root.iter())}
    return lambda element: order.get(element, -1)


def _clean_hidden(page: _Page) -> list[dict[str, str]]:
    class_hidden: dict[Any, str] = {}
    for selector, reason in _hidden_selectors(page.root):
        try:
            matched = page.root.cssselect(selector)
        except Exception:  # cssselect raises several types on selectors it cannot translate
            logger.debug("domspam: cannot apply CSS selector %r on %s", selector, page.url)
            continue
        for element in matched:
            class_hidden.setdefault(element, f"class:{reason}")
    removals: list[dict[str, str]] = []
    body = page.root.find("body") if page.root.tag != "body" else page.root
    if body is None:
        return removals
    doomed: list[tuple[Any, str, str]] = []
    # Only elements that can be hidden at all: styled, hidden-attributed,
    # marquees, coloured <font>, and those a hiding CSS rule selects.
    candidates = _HIDEABLE(body)  # document order
    extra = [e for e in class_hidden if e is not body and e not in set(candidates)]
    if extra:
        candidates = sorted({*candidates, *extra}, key=_document_position(body))
    hidden_seen: set[Any] = set()
    for element in candidates:
        if not isinstance(element.tag, str) or element.tag in _NEVER_HIDDEN_BLOCKS:
            continue
        if any(ancestor in hidden_seen for ancestor in element.iterancestors()):
            continue
        reason = _element_hidden(element, page, class_hidden)
        if reason is None:
            continue
        hidden_seen.add(element)
        text = _visible_text(element)
        if not text and element.find(".//a") is None:
            continue
        if _has_spam_evidence(element, page, text):
            doomed.append((element, reason, text))
    for element, reason, text in doomed:
        _remove(element)
        removals.append(_entry(text or " ".join(a.get("href", "") for a in element.iter("a")), "hidden", f"hidden:{reason}"))
    return removals


# ---------------------------------------------------------------- link farms


def _spam_links(body: Any, page: _Page) -> list[Any]:
    links = list(body.iter("a"))
    if not links:
        return []
    texts = [link.text_content() for link in links]
    # One screen over every anchor text at once: on a clean page (the usual
    # case) no anchor needs a closer look.
    text_suspect = has_spam_candidates("\n".join(texts), page.lexicon)
    found = []
    for link, text in zip(links, texts, strict=True):
        href = link.get("href") or ""
        match = _ABSOLUTE_HOST_RE.match(href)
        host = match.group(1).lower() if match else ""
        if host and page.is_offsite(host) and page.is_spam_domain(host):
            found.append(link)
        elif text_suspect and page.text_is_spam(_collapse(text) or _collapse(link.get("title") or "")):
            found.append(link)
    return found


def _clean_link_farms(page: _Page) -> list[dict[str, str]]:
    body = page.root.find("body") if page.root.tag != "body" else page.root
    if body is None:
        return []
    spam_links = _spam_links(body, page)
    if not spam_links:
        return []
    spam_set = set(spam_links)
    removals: list[dict[str, str]] = []
    done: set[Any] = set()
    for link in spam_links:
        if link in done or link.getparent() is None:
            continue
        target = link
        node = link.getparent()
        while node is not None and node is not body and node.tag not in {"html", "body"}:
            links = list(node.iter("a"))
            spam_count = sum(1 for a in links if a in spam_set)
            non_link_text = _significant(_visible_text(node)) - sum(_significant(_collapse(a.text_content())) for a in links)
            # Climb while the ancestor is nothing but spam links and separators
            # (a label like "友情链接：" may stay with them).
            if spam_count / max(len(links), 1) >= 0.6 and (
                non_link_text <= 2 or (spam_count >= 2 and non_link_text <= 6 + spam_count)
            ):
                target = node
                node = node.getparent()
                continue
            break
        members = [a for a in target.iter("a") if a in spam_set] if target is not link else [link]
        done.update(members)
        text = _visible_text(target)
        rule = "link:farm" if len(members) >= 2 else "link:spam-anchor"
        _remove(target)
        removals.append(_entry(text or (link.get("href") or ""), "link", rule))
    return removals


# ---------------------------------------------------------------- entry point


def _text_without_code(root: Any, code_elements: Sequence[Any]) -> str:
    """The document's text (title and hidden blocks included) without the code
    of scripts and styles, which scripts are judged on separately."""
    saved = [(element, element.text) for element in code_elements if element.text]
    for element, _ in saved:
        element.text = None
    try:
        return root.text_content()
    finally:
        for element, text in saved:
            element.text = text


def remove_dom_spam(
    tree: lxml.html.HtmlElement,
    url: str,
    allowed_domains: Sequence[str] = (),
    *,
    lexicon: Lexicon | None = None,
) -> list[dict[str, str]]:
    """Remove injected spam elements from ``tree`` in place; return the removals.

    Order matters: metas and scripts first (they are invisible), then hidden
    blocks (recorded as ``hidden`` even when they hold links), then visible
    link farms.  Entries are ``{"text", "where", "rule"}``.
    """
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    page = _Page(root, url, allowed_domains, lexicon or default_lexicon())
    page.text_suspect = has_spam_candidates(_text_without_code(root, page.scripts + page.styles), page.lexicon)
    # Link targets are read when the text already looks suspect; on a clean
    # page only script and frame sources are checked (docs/spam.md, limits).
    hosts = page.code_hosts | (page.link_hosts if page.text_suspect else set())
    page.domain_suspect = any(page.is_offsite(host) and page.is_spam_domain(host) for host in hosts)
    stages = [_clean_metas, _clean_scripts, _clean_iframes]
    if page.text_suspect or page.domain_suspect:
        stages += [_clean_hidden, _clean_link_farms]
    removals: list[dict[str, str]] = []
    for stage in stages:
        removals.extend(stage(page))
    if removals:
        logger.debug("domspam: %d removals on %s", len(removals), url)
    return removals


def page_spam_signals(tree: lxml.html.HtmlElement, url: str, allowed_domains: Sequence[str] = (),
                      *, lexicon: Lexicon | None = None) -> dict[str, Any]:
    """Page-level facts for doorway detection, read after ``remove_dom_spam``.

    ``visible_chars``: significant characters of the page's visible text;
    ``spam_chars``: those inside spans the text rules call spam;
    ``spam_links``: links whose anchor text or target is spam.
    """
    lexicon = lexicon or default_lexicon()
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    body = root.find("body") if root.tag != "body" else root
    if body is None:
        return {"visible_chars": 0, "spam_chars": 0, "spam_links": 0}
    text = _visible_text(body)
    spam_chars = 0
    if has_spam_candidates(text, lexicon):
        spam_chars = sum(_significant(s.text) for s in score_spans(text, lexicon) if s.is_spam)
    page = _Page(root, url, allowed_domains, lexicon)
    spam_links = len(_spam_links(body, page))
    return {"visible_chars": _significant(text), "spam_chars": spam_chars, "spam_links": spam_links}
