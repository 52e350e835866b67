"""Choosing the charset of a page: HTTP header, ``<meta>`` and the bytes themselves.

Ministry servers often send ``Content-Type: text/html; charset=utf-8`` for pages
written in GB2312, so the header alone cannot be trusted. Every plausible charset
is tried; each decoding gets a mojibake score (replacement characters, Latin-1
debris, characters that only appear when UTF-8 is read as GBK or the reverse), and
the cleanest wins, trust order breaking ties. GB2312 and GBK are decoded as
GB18030, their superset, so a rare character never turns into U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

# Labels that mean "some member of the GB family": all decode as GB18030.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "ms936", "x-euc-cn"}

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""")

# Characters that show up when bytes are read with the wrong table.
# UTF-8 read as Latin-1/cp1252: "Ã", "Â", "å", "æ", "ç", "è", "é", "ï", "¼", "½" ...
_LATIN_DEBRIS = re.compile("[\u00c0-\u00ff\u0080-\u009f\u20ac]")
# UTF-8 Chinese read as GB18030 produces many rare CJK characters and private-use or
# four-byte GB18030 code points; ordinary news text almost never contains them.
_GB_DEBRIS = re.compile("[\ue000-\uf8ff\u3400-\u4dbf\U00020000-\U0002ffff]")
# The commonest characters in Chinese government news, present in any real decoding.
_COMMON_HAN = frozenset("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质")
_CJK = re.compile("[\u4e00-\u9fff]")


@dataclass
class Decoded:
    """The text of a page and how it was obtained."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def canonical_charset(label: str | None) -> str | None:
    """Python codec name for a charset label, GB2312/GBK mapped to GB18030; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in {"gbk", "gb2312", "gb18030"}:
        return "gb18030"
    if name in {"utf-8", "utf_8"}:
        return "utf-8"
    if name == "latin-1" or name == "iso8859-1":
        # WHATWG: a page labelled ISO-8859-1 is decoded as windows-1252.
        return "cp1252"
    return name


_HEADER_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def declared_charset(content_type: bytes) -> str | None:
    """The charset named in a Content-Type header value, if any."""
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1).decode("ascii", "replace") if match else None


def sniff_meta_charset(body: bytes) -> str | None:
    """Charset named in ``<meta charset>``, ``http-equiv`` or an XML declaration."""
    head = body[:4096]
    match = _META_CHARSET.search(head) or _XML_DECLARATION.search(head)
    if not match:
        return None
    return match.group(1).decode("ascii", "replace")


def mojibake_score(text: str) -> float:
    """How wrong a decoding looks: 0 for clean text, higher for more debris (per 1000 chars)."""
    if not text:
        return 0.0
    sample = text if len(text) <= 20000 else text[:20000]
    bad = sample.count("\ufffd") * 4
    bad += len(_LATIN_DEBRIS.findall(sample))
    bad += len(_GB_DEBRIS.findall(sample))
    han = _CJK.findall(sample)
    if len(han) >= 20:
        common = sum(1 for ch in han if ch in _COMMON_HAN)
        # Real Chinese prose: roughly 40-60% of characters are in the list above.
        # Mojibake Chinese lands near 5%.
        if common / len(han) < 0.15:
            bad += len(han) // 2
    return bad * 1000.0 / len(sample)


def _bom(body: bytes) -> str | None:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def decode_html(body: bytes, declared_encoding: str | None = None) -> Decoded:
    """Decode page bytes, choosing among header, ``<meta>`` and byte evidence.

    Notes it may raise: ``encoding_mismatch`` (header and the chosen charset differ),
    ``encoding_unknown`` (a label Python does not know), ``decode_replaced`` (no
    candidate decoded cleanly, replacement characters remain).
    """
    notes: list[str] = []
    bom = _bom(body)
    if bom:
        text = body.decode(bom, errors="replace")
        return Decoded(text, "utf-8" if bom == "utf-8-sig" else bom, notes)

    header = canonical_charset(declared_encoding)
    if declared_encoding and header is None:
        notes.append("encoding_unknown")
    meta_label = sniff_meta_charset(body)
    meta = canonical_charset(meta_label)
    if meta_label and meta is None and "encoding_unknown" not in notes:
        notes.append("encoding_unknown")

    candidates: list[str] = []
    for name in (header, meta, "utf-8", "gb18030"):
        if name and name not in candidates:
            candidates.append(name)

    # Pure ASCII decodes the same under every candidate: take the most trusted one.
    if body.isascii():
        return Decoded(body.decode("ascii"), candidates[0], notes)

    # Non-ASCII bytes that are valid UTF-8 are UTF-8: GBK text essentially never is.
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if header and header != "utf-8":
            notes.append("encoding_mismatch")
        return Decoded(text, "utf-8", notes)

    best: tuple[float, int, str, str] | None = None
    strict_decodings: list[tuple[int, str, str]] = []
    for rank, name in enumerate(candidates):
        if name == "utf-8":
            continue
        try:
            strict_decodings.append((rank, name, body.decode(name)))
        except (UnicodeDecodeError, LookupError):
            continue
    # UTF-8 with a few broken bytes (a truncated paste) still reads as UTF-8; GB text read as
    # UTF-8 turns into a flood of replacement characters.
    utf8_text = body.decode("utf-8", errors="replace")
    if utf8_text.count("\ufffd") <= max(3, len(utf8_text) // 2000):
        strict_decodings.append((len(candidates), "utf-8", utf8_text))
    if len(strict_decodings) == 1:
        _, name, text = strict_decodings[0]
        best = (0.0, 0, name, text)
    elif strict_decodings:
        # Several tables accept the bytes (GB18030 and cp1252 accept almost anything):
        # the decoding that looks least like mojibake wins; trust order breaks ties.
        for rank, name, text in strict_decodings:
            score = mojibake_score(text)
            if best is None or score < best[0] - 1e-9:
                best = (score, rank, name, text)
    else:
        for rank, name in enumerate(candidates):
            try:
                text = body.decode(name, errors="replace")
            except LookupError:
                continue
            score = mojibake_score(text)
            if best is None or score < best[0] - 1e-9:
                best = (score, rank, name, text)
        if best is not None:
            notes.append("decode_replaced")
    assert best is not None
    _, _, name, text = best
    if "\ufffd" in text and "decode_replaced" not in notes and name == "utf-8":
        notes.append("decode_replaced")
    if header and name != header:
        notes.append("encoding_mismatch")
    return Decoded(text, name, notes)
