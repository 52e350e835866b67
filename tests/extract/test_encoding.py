"""Charset choice: GB2312/GBK as GB18030, lying headers, and mojibake avoided."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.encoding import canonical_charset, declared_charset, decode_html, mojibake_score, sniff_meta_charset

TEXT = (
    "民政部召开全国民政工作会议，部署明年重点工作。会议指出，要坚持以人民为中心的发展思想，"
    "兜住兜准兜牢民生底线，加快健全分层分类的社会救助体系，“十四五”时期养老服务高质量发展。"
)
RARE = "堃喆镕"  # in GBK/GB18030, not in GB2312


def html(charset: str | None, text: str = TEXT) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>{text[:12]}</title></head><body><div id='zoom'><p>{text}</p></div></body></html>"


@pytest.mark.parametrize(
    ("label", "name"),
    [("GB2312", "gb18030"), ("gbk", "gb18030"), ("GB18030", "gb18030"), ("x-gbk", "gb18030"), ("cp936", "gb18030"),
     ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("iso-8859-1", "cp1252"), ("bogus", None), (None, None)],
)
def test_canonical_charset(label, name):
    assert canonical_charset(label) == name


def test_sniff_meta_charset_forms():
    assert sniff_meta_charset(b'<meta charset="gb2312">') == "gb2312"
    assert sniff_meta_charset(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=GBK'>") == "GBK"
    assert sniff_meta_charset(b'<?xml version="1.0" encoding="gb2312"?><html>') == "gb2312"
    assert sniff_meta_charset(b"<html><body>no charset</body></html>") is None


@pytest.mark.parametrize("declared", ["utf-8", None, "gbk", "gb2312", "iso-8859-1"])
@pytest.mark.parametrize("meta", ["gb2312", "gbk", None])
def test_gb_pages_decode_whatever_the_header_says(declared, meta):
    body = html(meta).encode("gb18030")
    result = extract_article(body, "http://www.mee.gov.cn/a.shtml", declared)
    assert result.encoding == "gb18030"
    assert result.body == TEXT
    if declared in ("utf-8", "iso-8859-1"):
        assert "encoding_mismatch" in result.notes


def test_gbk_characters_outside_gb2312_survive_a_gb2312_label():
    body = html("gb2312", TEXT + RARE).encode("gbk")
    result = extract_article(body, "http://www.mohrss.gov.cn/a.html", "gb2312")
    assert result.body.endswith(RARE)
    assert "\ufffd" not in result.body


def test_utf8_page_with_a_gb2312_label_is_read_as_utf8():
    body = html("gb2312").encode("utf-8")
    result = extract_article(body, "http://www.mca.gov.cn/a.html", "gb2312")
    assert result.encoding == "utf-8"
    assert result.body == TEXT


def test_mojibake_is_detected_and_avoided():
    gb_bytes = html("gb2312").encode("gb18030")
    utf_bytes = html("utf-8").encode("utf-8")
    # The wrong decodings score far worse than the right ones ...
    assert mojibake_score(gb_bytes.decode("utf-8", errors="replace")) > 100
    assert mojibake_score(utf_bytes.decode("gb18030", errors="replace")) > 100
    assert mojibake_score(utf_bytes.decode("cp1252", errors="replace")) > 100
    assert mojibake_score(gb_bytes.decode("gb18030")) < 5
    assert mojibake_score(utf_bytes.decode("utf-8")) < 5
    # ... so the decoder picks the clean one even when header and meta both lie.
    decoded = decode_html(html("gb2312").encode("utf-8"), "gbk")
    assert decoded.encoding == "utf-8" and TEXT in decoded.text
    assert "encoding_mismatch" in decoded.notes


def test_mojibake_in_a_utf8_page_read_as_latin1_is_avoided():
    body = html(None).encode("utf-8")
    result = extract_article(body, "http://www.mca.gov.cn/a.html", "iso-8859-1")
    assert result.encoding == "utf-8"
    assert result.body == TEXT


def test_ascii_english_page_keeps_declared_charset():
    body = b"<html><body><div id='zoom'><p>The ministry held a meeting on Wednesday in Beijing.</p></div></body></html>"
    result = extract_article(body, "https://english.www.gov.cn/a.html", "iso-8859-1")
    assert result.encoding == "cp1252"
    assert result.language == "en"


def test_undecodable_bytes_are_replaced_and_noted():
    # A few stray bytes, as left by a truncated copy-paste in the CMS.
    text = html("utf-8").encode("utf-8")
    cut = text.index("会议指出".encode())
    body = text[:cut] + b"\xff\xfe\x80\x81" + text[cut:]
    result = extract_article(body, "http://www.mca.gov.cn/a.html", "utf-8")
    assert "error" not in result.notes
    assert result.encoding == "utf-8"
    assert TEXT[:20] in result.body and "\ufffd" in result.body
    assert "decode_replaced" in result.notes


def test_utf8_bom_wins():
    body = b"\xef\xbb\xbf" + html("gb2312").encode("utf-8")
    result = extract_article(body, "http://www.mca.gov.cn/a.html", "gbk")
    assert result.encoding == "utf-8" and result.body == TEXT


def test_utf8_page_with_a_stray_byte_and_a_gb2312_label_stays_utf8():
    text = html("gb2312").encode("utf-8")
    cut = text.index("会议指出".encode())
    body = text[:cut] + b"\xff" + text[cut:]
    for declared in ("gb2312", None, "utf-8"):
        decoded = decode_html(body, declared)
        assert decoded.encoding == "utf-8", declared
        assert TEXT[:20] in decoded.text
        assert "decode_replaced" in decoded.notes


def test_english_page_with_a_few_gbk_characters_is_not_mistaken_for_broken_utf8():
    english = "The ministry held a press conference on Wednesday in Beijing. " * 40
    body = f"<html><head><meta charset='gbk'></head><body><div id='zoom'><p>{english}民政部</p></div></body></html>".encode("gbk")
    result = extract_article(body, "http://www.mca.gov.cn/a.html", None)
    assert result.encoding == "gb18030"
    assert result.body.endswith("民政部")


def test_declared_charset_reads_the_content_type_value():
    assert declared_charset(b"text/html; charset=GB2312") == "GB2312"
    assert declared_charset(b'text/html; charset="utf-8"') == "utf-8"
    assert declared_charset(b"text/html") is None
