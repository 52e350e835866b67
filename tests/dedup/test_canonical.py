"""Canonical URLs (crawler/dedup/canonical.py): one spelling per page, one id per article."""

from __future__ import annotations

import pytest

from crawler.dedup.canonical import (
    Canonicalizer,
    CanonicalURLError,
    ParamMatcher,
    choose_canonical,
    load_tracking_params,
)
from crawler.seeds import host_in_domains


@pytest.fixture()
def canon() -> Canonicalizer:
    return Canonicalizer(url_aliases={"m.mca.gov.cn": "www.mca.gov.cn"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # scheme and host case, default port, fragment, query order
        ("HTTP://WWW.MCA.Gov.CN:80/article/xw/a.shtml?b=2&a=1#top", "http://www.mca.gov.cn/article/xw/a.shtml?a=1&b=2"),
        ("https://www.mca.gov.cn:443/x", "https://www.mca.gov.cn/x"),
        # a non-default port is part of the address
        ("http://www.mca.gov.cn:8080/x", "http://www.mca.gov.cn:8080/x"),
        # tracking and session parameters, any case, query or ;path form
        ("http://www.mca.gov.cn/a.html?utm_source=wx&utm_medium=social&id=7", "http://www.mca.gov.cn/a.html?id=7"),
        ("http://www.mca.gov.cn/a.html?from=timeline&isappinstalled=0&SPM=1.2", "http://www.mca.gov.cn/a.html"),
        ("http://www.mca.gov.cn/a.jsp;jsessionid=0A1B2C?page=2", "http://www.mca.gov.cn/a.jsp?page=2"),
        ("http://www.mca.gov.cn/a.jsp?JSESSIONID=0A1B&page=2", "http://www.mca.gov.cn/a.jsp?page=2"),
        # mobile twin mapped to the PC host, as the seed says
        ("http://m.mca.gov.cn/article/xw/a.shtml", "http://www.mca.gov.cn/article/xw/a.shtml"),
        # credentials and a trailing dot on the host never name another page
        ("http://user:secret@www.mca.gov.cn./a", "http://www.mca.gov.cn/a"),
        # percent-encoding case and raw non-ASCII paths agree
        ("http://www.mca.gov.cn/%e6%96%b0%e9%97%bb.html", "http://www.mca.gov.cn/%E6%96%B0%E9%97%BB.html"),
        ("http://www.mca.gov.cn/新闻.html", "http://www.mca.gov.cn/%E6%96%B0%E9%97%BB.html"),
        ("http://www.mca.gov.cn", "http://www.mca.gov.cn/"),
        ("http://www.mca.gov.cn/a/../b/./c.html", "http://www.mca.gov.cn/b/c.html"),
    ],
)
def test_canonical_forms(canon: Canonicalizer, given: str, expected: str) -> None:
    assert canon.canonicalize(given) == expected


def test_canonicalize_is_idempotent(canon: Canonicalizer) -> None:
    once = canon.canonicalize("HTTP://m.mca.gov.cn:80/a;jsessionid=1?z=1&a=2&utm_x=3#f")
    assert canon.canonicalize(once) == once


def test_parameters_that_name_content_are_kept(canon: Canonicalizer) -> None:
    # "id", "page", "sid" select content on ministry CMSs: never stripped.
    assert canon.canonicalize("http://www.mca.gov.cn/c.jsp?sid=3&page=2&id=9") == (
        "http://www.mca.gov.cn/c.jsp?id=9&page=2&sid=3"
    )


@pytest.mark.parametrize("bad", ["", "ftp://www.mca.gov.cn/a", "mailto:a@b.cn", "http:///nohost", "http://www.mca.gov.cn:99999/"])
def test_unusable_urls_raise(canon: Canonicalizer, bad: str) -> None:
    with pytest.raises(CanonicalURLError):
        canon.canonicalize(bad)


def test_spellings_of_one_page_share_one_canonical_url(canon: Canonicalizer) -> None:
    first = canon.canonicalize("http://m.mca.gov.cn/a.shtml?utm_source=x")
    second = canon.canonicalize("HTTP://www.mca.gov.cn:80/a.shtml#comments")
    assert first == second
    assert first == "http://www.mca.gov.cn/a.shtml"
    assert first != canon.canonicalize("http://www.mca.gov.cn/b.shtml")


def test_tracking_list_ships_as_data_and_extends() -> None:
    names = load_tracking_params()
    assert "utm_*" in names and "from" in names and "jsessionid" in names and "spm" in names
    extended = Canonicalizer([*names, "wxfrom", "ref_*"])
    assert extended.canonicalize("http://a.gov.cn/x?wxfrom=5&ref_src=1&q=2") == "http://a.gov.cn/x?q=2"
    assert Canonicalizer(names).canonicalize("http://a.gov.cn/x?wxfrom=5") == "http://a.gov.cn/x?wxfrom=5"


def test_tracking_list_from_file(tmp_path) -> None:
    path = tmp_path / "params.txt"
    path.write_text("# only ours\nsessionkey\nab_*  # experiments\n", encoding="utf-8")
    names = load_tracking_params(path)
    assert names == ["sessionkey", "ab_*"]
    matcher = ParamMatcher(names)
    assert matcher("SessionKey") and matcher("ab_test") and not matcher("utm_source")


def test_host_in_domains() -> None:
    assert host_in_domains("www.mca.gov.cn", ["mca.gov.cn"])
    assert host_in_domains("MCA.gov.cn.", ["mca.gov.cn"])
    assert not host_in_domains("evilmca.gov.cn", ["mca.gov.cn"])
    assert not host_in_domains("mca.gov.cn.example.com", ["mca.gov.cn"])
    assert host_in_domains("www.mca.gov.cn", [" MCA.gov.cn. "])  # domains as a seed or setting may spell them
    assert not host_in_domains("", ["mca.gov.cn"]) and not host_in_domains("mca.gov.cn", [""])


def test_rel_canonical_on_site_is_honoured(canon: Canonicalizer) -> None:
    choice = choose_canonical(
        canon, "http://www.mca.gov.cn/article/xw/a.shtml?from=groupmessage", "/article/xw/202301/a.shtml", ["mca.gov.cn"]
    )
    assert choice.from_link and choice.rejected_link is None
    assert choice.canonical_url == "http://www.mca.gov.cn/article/xw/202301/a.shtml"


def test_rel_canonical_off_site_is_ignored(canon: Canonicalizer) -> None:
    choice = choose_canonical(
        canon, "http://www.mca.gov.cn/article/xw/a.shtml?utm_source=x", "https://casino.example.com/a", ["mca.gov.cn"]
    )
    assert not choice.from_link and choice.rejected_link == "offsite"
    assert choice.canonical_url == "http://www.mca.gov.cn/article/xw/a.shtml"


def test_rel_canonical_without_allowed_domains_must_stay_on_host(canon: Canonicalizer) -> None:
    assert choose_canonical(canon, "http://www.mca.gov.cn/a", "http://other.gov.cn/a", []).rejected_link == "offsite"
    assert choose_canonical(canon, "http://www.mca.gov.cn/a", "/b", []).from_link


def test_rel_canonical_to_alias_host_counts_as_on_site(canon: Canonicalizer) -> None:
    choice = choose_canonical(canon, "http://www.mca.gov.cn/a", "http://m.mca.gov.cn/b", ["www.mca.gov.cn"])
    assert choice.from_link and choice.canonical_url == "http://www.mca.gov.cn/b"


def test_invalid_rel_canonical_is_ignored(canon: Canonicalizer) -> None:
    choice = choose_canonical(canon, "http://www.mca.gov.cn/a", "javascript:void(0)", ["mca.gov.cn"])
    assert choice.rejected_link == "invalid" and choice.canonical_url == "http://www.mca.gov.cn/a"
