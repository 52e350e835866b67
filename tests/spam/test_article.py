"""The doorway verdict of a tampered headline: whether a clean headline is left is asked only then."""

from __future__ import annotations

import pytest

from crawler.spam import article
from crawler.spam.article import assess_doorway, check_article

SPAM_TITLE = "澳门新葡京娱乐场官网注册送彩金"
NEWS = "民政部召开全国养老服务工作会议，部署今冬明春困难群众基本生活保障工作，要求各地民政部门切实做好相关工作。"
ADVERT = "加微信领取彩金，注册就送888元！"


def test_only_a_tampered_headline_consults_the_clean_title() -> None:
    removals = [{"text": ADVERT, "where": "body", "rule": "body:paragraph"}]
    untampered = assess_doorway(NEWS, removals, False, True)
    assert untampered == assess_doorway(NEWS, removals, False, False)
    assert not untampered.is_doorway and untampered.clean_chars == 49
    assert not assess_doorway(NEWS, removals, True, True).is_doorway
    assert assess_doorway(NEWS, removals, True, False).is_doorway


def test_spam_headline_with_no_clean_source_makes_a_doorway() -> None:
    verdict = check_article(SPAM_TITLE, f"{NEWS}\n\n{ADVERT}", [["title", SPAM_TITLE]], [])
    assert verdict.title == ""
    assert verdict.doorway.is_doorway and verdict.doorway.reason.startswith("spam headline with no clean source")


@pytest.mark.parametrize("candidates", [
    [["title", SPAM_TITLE], ["h1", "民政部召开全国养老服务工作会议"]],  # a clean source
    [["title", f"澳门新葡京官网_{'民政部召开全国养老服务工作会议'}"]],  # a clean remainder
])
def test_a_clean_headline_left_is_no_doorway(candidates: list[list[str]]) -> None:
    title = candidates[0][1]
    verdict = check_article(title, f"{NEWS}\n\n{ADVERT}", candidates, [])
    assert verdict.title == "民政部召开全国养老服务工作会议"
    assert not verdict.doorway.is_doorway


def test_a_clean_page_reads_its_headline_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """An untouched headline is not read again after choose_title (only a tampered one is)."""
    calls: list[str] = []
    real = article.title_spam_spans
    monkeypatch.setattr(article, "title_spam_spans", lambda text, *a, **k: calls.append(text) or real(text, *a, **k))
    headline = "民政部召开全国养老服务工作会议"
    verdict = check_article(headline, NEWS, [["title", headline]], [])
    assert verdict.title == headline and not verdict.removals and calls == []
    check_article(SPAM_TITLE, f"{NEWS}\n\n{ADVERT}", [["title", SPAM_TITLE]], [])
    assert calls == []  # nothing left to read: the headline is empty
    check_article(f"澳门新葡京官网_{headline}", NEWS, [["title", f"澳门新葡京官网_{headline}"]], [])
    assert calls == [headline]
