"""Meta keywords and description judged with the lexicon and the register classifier (crawler/spam/metas.py)."""

from __future__ import annotations

import lxml.html

from crawler.spam.classifier import default_model
from crawler.spam.dom import remove_dom_spam
from crawler.spam.lexicon import default_lexicon
from crawler.spam.metas import PageText, judge_description, judge_keywords, judge_metas

URL = "http://www.mca.gov.cn/article/xw/202503/20250300001234.shtml"
PAGE_TEXT = ("民政部通报打击非法彩票工作情况。各地民政部门会同公安机关查处网络私彩案件，"
             "依法取缔非法销售点。澳门博彩业监管部门介绍了合作打击跨境赌博的做法。")
# Made-up brands the lexicon does not hold.
ADVERT = "青禾汇通急用钱找我们，不查流水凭身份证当天放款，最高可借三十万！"
BRAND_KEYWORD = "青禾汇通服务中心"


def test_advert_sentence_in_description_goes_news_summary_stays() -> None:
    summary = "民政部通报各地查处网络私彩案件情况。"  # a paraphrase, not in the page's text
    verdict = judge_description(summary + ADVERT, PageText(PAGE_TEXT), default_lexicon(), default_model())
    assert verdict.kept == summary
    assert [rule for _, rule in verdict.removed] == ["register"]


def test_keywords_trap_words_stay_brands_go() -> None:
    # 博彩业 is in the text; 赌球 alone is a topic word; casino is one English word.
    content = "非法彩票,博彩业,赌球,casino,青禾汇通极速借款不查流水当天放款"
    verdict = judge_keywords(content, PageText(PAGE_TEXT), default_lexicon(), default_model())
    assert verdict.kept == "非法彩票,博彩业,赌球,casino"
    assert [text for text, _ in verdict.removed] == ["青禾汇通极速借款不查流水当天放款"]


def test_keyword_run_of_lexicon_brands_is_stuffing() -> None:
    verdict = judge_keywords("养老服务,澳门新葡京,太阳城", PageText(PAGE_TEXT), default_lexicon(), default_model())
    assert verdict.kept == "养老服务" and len(verdict.removed) == 2


def test_keyword_with_the_brand_of_a_removed_description_advert_goes() -> None:
    metas = [("keywords", f"非法彩票,{BRAND_KEYWORD}"), ("description", ADVERT), ("author", "民政部")]
    keywords, description, other = judge_metas(metas, PageText(PAGE_TEXT), default_lexicon(), default_model)
    assert other is None and description is not None and keywords is not None
    assert description.removed and keywords.kept == "非法彩票"
    assert keywords.removed == [(BRAND_KEYWORD, "brand")]
    # Without the advert in the description, the brand keyword alone reads as an organisation's name.
    alone = judge_keywords(f"非法彩票,{BRAND_KEYWORD}", PageText(PAGE_TEXT), default_lexicon(), default_model())
    assert alone.removed == []


def test_dom_stage_records_and_rewrites_the_metas() -> None:
    tree = lxml.html.document_fromstring(
        f'<html><head><title>民政部通报打击非法彩票工作情况</title>'
        f'<meta name="keywords" content="非法彩票,博彩业,{BRAND_KEYWORD}">'
        f'<meta name="description" content="民政部通报打击非法彩票工作情况。{ADVERT}"></head>'
        f"<body><p>{PAGE_TEXT}</p></body></html>")
    removals = remove_dom_spam(tree, URL, ["mca.gov.cn"])
    assert [(r["where"], r["rule"]) for r in removals] == [
        ("meta", "meta:keywords:brand"), ("meta", "meta:description:register")]
    assert tree.xpath("//meta[@name='keywords']/@content") == ["非法彩票,博彩业"]
    assert tree.xpath("//meta[@name='description']/@content") == ["民政部通报打击非法彩票工作情况。"]


def test_clean_page_metas_untouched() -> None:
    tree = lxml.html.document_fromstring(
        '<html><head><title>福利彩票公益金支持养老服务</title><meta name="keywords" content="福利彩票,公益金,博彩业">'
        '<meta name="description" content="福利彩票公益金支持养老服务，民政部下达资金。"></head>'
        "<body><p>民政部下达福利彩票公益金支持养老服务。</p></body></html>")
    assert remove_dom_spam(tree, URL, ["mca.gov.cn"]) == []
