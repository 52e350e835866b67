"""Bad input never raises out of extract_article; each case is noted and logged with the URL."""

from __future__ import annotations

import logging

import pytest

from crawler.extract import extract_article

URL = "http://www.mca.gov.cn/article/xw/bad.shtml"


def _run(body: bytes, caplog, url: str = URL, **kwargs):
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="crawler.extract"):
        result = extract_article(body, url, **kwargs)
    return result


def _logged_with_url(caplog, code: str, url: str = URL) -> bool:
    return any(code in record.getMessage() and url in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("body", [b"", b"   \r\n\t  "])
def test_empty_body(body, caplog):
    result = _run(body, caplog)
    assert result.notes == ["empty"]
    assert result.body == "" and result.title == "" and result.published_date is None
    assert _logged_with_url(caplog, "empty")


@pytest.mark.parametrize(
    "body",
    [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>\x00\x00",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)),
        bytes(range(256)) * 40,
    ],
)
def test_binary_served_as_html(body, caplog):
    result = _run(body, caplog, declared_encoding="utf-8")
    assert "binary" in result.notes
    assert result.body == ""
    assert _logged_with_url(caplog, "binary")


def test_page_without_body_element(caplog):
    html = (
        "<html><head><title>民政部召开全国民政工作会议_中华人民共和国民政部</title></head>"
        "<div>发布时间：2019-12-19</div><p>会议指出，要坚持以人民为中心的发展思想，兜住兜准兜牢民生底线，"
        "切实保障困难群众基本生活。</p></html>"
    ).encode("utf-8")
    result = _run(html, caplog)
    assert "no_body_element" in result.notes
    assert result.title == "民政部召开全国民政工作会议"
    assert result.published_date == "2019-12-19"
    assert "兜住兜准兜牢民生底线" in result.body
    assert _logged_with_url(caplog, "no_body_element")


@pytest.mark.timeout(60)  # a hang guard, not a speed test: the parse must not run away on 470,000 levels
def test_five_megabytes_of_deeply_nested_tags(caplog):
    head = "<html><head><title>会议召开</title></head><body><div id='zoom'><p>会议指出，要兜住民生底线。</p>".encode()
    body = head + b"<div><span>" * (5 * 1024 * 1024 // 11) + b"x"
    assert len(body) > 5 * 1024 * 1024
    result = _run(body, caplog)
    assert "large_page" in result.notes
    assert "error" not in result.notes
    assert "兜住民生底线" in result.body
    assert _logged_with_url(caplog, "large_page")


def test_article_with_no_date_anywhere(caplog):
    html = (
        "<html><head><title>民政部召开全国民政工作会议</title></head><body><div id='zoom'>"
        "<p>会议指出，要坚持以人民为中心的发展思想，兜住民生底线。</p></div></body></html>"
    ).encode("utf-8")
    result = _run(html, caplog, url="http://www.mca.gov.cn/article/xw/mtbd/201912/20191200022493.shtml")
    assert result.published_date is None and result.published_at is None
    assert "no_date" in result.notes
    assert _logged_with_url(caplog, "no_date", "http://www.mca.gov.cn/article/xw/mtbd/201912/20191200022493.shtml")


@pytest.mark.parametrize(
    "title_markup",
    [
        "<title>中华人民共和国民政部</title>",
        "<title>中国政府网</title><meta name='SiteName' content='中国政府网'>",
        "<title>XX市人民政府</title><meta name='SiteName' content='XX市人民政府'>",
    ],
)
def test_title_that_is_only_the_site_name(title_markup, caplog):
    html = (
        f"<html><head>{title_markup}</head><body><div id='zoom'>"
        "<p>会议指出，要坚持以人民为中心的发展思想，兜住民生底线。</p></div></body></html>"
    ).encode("utf-8")
    result = _run(html, caplog)
    assert "title_is_site_name" in result.notes
    assert _logged_with_url(caplog, "title_is_site_name")


def test_no_body_text(caplog):
    html = b"<html><head><title>x</title></head><body><div id='zoom'></div><a href='/'>home</a></body></html>"
    result = _run(html, caplog)
    assert "no_body" in result.notes
    assert _logged_with_url(caplog, "no_body")


@pytest.mark.parametrize(
    "body",
    [
        b"<",
        b"<html",
        b"<?xml version='1.0' encoding='utf-8'?><html><body><p>\xe4\xbd\xa0\xe5\xa5\xbd</p></body></html>",
        b"\xef\xbb\xbf<html><body><div id='zoom'><p>BOM page</p></div></body></html>",
        b"<html><head><meta charset='no-such-charset'></head><body><p>x</p></body></html>",
        b"<html><body>" + b"<table>" * 3000 + b"</body></html>",
        b"<html><body><p>\xff\xfe\xfd broken bytes \x80\x81</p></body></html>",
        b"<!-- only a comment -->",
        b"\x00" * 10,
        "<p>一个 str 而不是 bytes</p>",
    ],
)
def test_odd_inputs_never_raise(body, caplog):
    result = _run(body, caplog, declared_encoding="no-such-charset")
    assert isinstance(result.notes, list)
    assert "error" not in result.notes


def test_unexpected_internal_failure_is_contained(monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr("crawler.extract.body.find_known_container", explode)
    html = b"<html><body><div id='zoom'><p>text</p></div></body></html>"
    with caplog.at_level(logging.ERROR, logger="crawler.extract"):
        result = extract_article(html, URL)
    assert "error" in result.notes
    assert any(URL in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("stray", ["\x00", "\x01", "\x08", "\x1f", "\x7f", "\ufffe"])
def test_a_stray_control_character_does_not_cost_the_page(stray, caplog):
    text = f"会议指出{stray}，要坚持以人民为中心的发展思想，兜住民生底线。"
    html = f"<html><head><title>会议召开</title></head><body><div id='zoom'><p>{text}</p></div></body></html>"
    result = _run(html.encode("utf-8"), caplog)
    assert "binary" not in result.notes and "unparseable" not in result.notes
    assert result.body == "会议指出，要坚持以人民为中心的发展思想，兜住民生底线。"


def test_bytearray_and_memoryview_bodies(caplog):
    html = b"<html><body><div id='zoom'><p>The ministry held a meeting in Beijing on Wednesday.</p></div></body></html>"
    for body in (bytearray(html), memoryview(html)):
        assert _run(body, caplog).body == "The ministry held a meeting in Beijing on Wednesday."


def test_mutated_corpus_pages_never_raise():
    """Truncations, byte flips, cut-outs and inserted garbage on real-shaped pages."""
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus" / "extract"))
    from extract_scoring import load_corpus

    pages = load_corpus()
    rng = random.Random(4)
    logging.disable(logging.WARNING)
    try:
        for _ in range(120):
            page = rng.choice(pages)
            data = bytearray(page.body)
            operation = rng.randrange(4)
            if operation == 0:
                data = data[: rng.randrange(len(data))]
            elif operation == 1:
                for _ in range(rng.randrange(1, 50)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            elif operation == 2:
                start = rng.randrange(len(data))
                data = data[:start] + data[start + rng.randrange(1, 2000):]
            else:
                start = rng.randrange(len(data))
                data = data[:start] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) + data[start:]
            declared = rng.choice([None, "utf-8", "gbk", "latin-1", "nonsense"])
            result = extract_article(bytes(data), page.expected["url"], declared)
            assert "error" not in result.notes, (page.name, operation)
    finally:
        logging.disable(logging.NOTSET)


def _nested(depth: int, tag: str = "div") -> bytes:
    return ("<html><head><meta charset='utf-8'><title>深层嵌套页面</title></head><body>"
            + f"<{tag} class='box'>" * depth + "<p>正文第一段：各地要做好冬春期间困难群众救助工作。</p><p>正文第二段：确保温暖过冬。</p>"
            + f"</{tag}>" * depth + "</body></html>").encode("utf-8")


@pytest.mark.parametrize("tag", ["div", "span", "section"])
def test_a_page_nested_deeper_than_libxml2_builds_keeps_its_text(tag, caplog):
    result = extract_article(_nested(10_000, tag), URL)
    assert "正文第一段" in result.body and "确保温暖过冬" in result.body
    assert result.title == "深层嵌套页面" and "flattened" in result.notes
    assert _logged_with_url(caplog, "flattened")


def test_a_page_too_deep_even_flattened_is_reported(caplog):
    result = extract_article(_nested(5_000, "custom-box"), URL)
    assert result.body == "" and "too_deep" in result.notes
    assert _logged_with_url(caplog, "too_deep")


def test_a_shallow_page_is_not_flattened():
    result = extract_article(_nested(200), URL)
    assert "正文第一段" in result.body and "flattened" not in result.notes


def test_only_the_first_max_parse_bytes_are_parsed_and_the_body_is_capped(caplog):
    paragraph = "<p>" + "民政部门要做好困难群众救助工作。" * 10 + "</p>\n"
    page = ("<html><head><meta charset='utf-8'><title>很长的页面</title></head><body><div id='zoom'>"
            + paragraph * 3000 + "<p>页面末尾的段落</p></div></body></html>").encode("utf-8")
    result = extract_article(page, URL, max_parse_bytes=200_000, max_body_chars=10_000)
    assert {"parse_truncated", "body_truncated"} <= set(result.notes)
    assert "页面末尾的段落" not in result.body and "\ufffd" not in result.body
    assert 0 < len(result.body) <= 10_000 and result.body.endswith("工作。")
    assert _logged_with_url(caplog, "parse_truncated")
    whole = extract_article(page, URL, max_parse_bytes=0, max_body_chars=0)
    assert whole.body.endswith("页面末尾的段落") and "parse_truncated" not in whole.notes
