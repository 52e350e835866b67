"""The register classifier (crawler/spam/classifier.py, training.py) and the whole-unit decisions it drives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.spam.classifier import MODEL_FILE, RegisterModel, default_model, load_model
from crawler.spam.features import FEATURE_NAMES, register_features
from crawler.spam.lexicon import default_lexicon
from crawler.spam.titles import choose_title
from crawler.spam.training import Example, design_matrix, fit, read_examples, write_model
from crawler.spam.units import clean_body, clean_paragraph
from pipelines.spam import SpamPipeline

CASINO_ADVERT = ("Play at the best online casino in Asia! Join Macau Grand Lisboa Online today for a 100% welcome "
                 "bonus on baccarat, slots and live sports betting, with fast withdrawals 24/7.")


@pytest.fixture(scope="module")
def rebuilt() -> Iterator[tuple[RegisterModel, Any, Any, list[Example]]]:
    """The model fitted again from the committed training files, as ``make spam-model`` does."""
    examples = read_examples()
    model, vectorizer, regression = fit(examples)
    yield model, vectorizer, regression, examples


# -- the model --------------------------------------------------------------------


def test_training_corpus_is_large_and_covers_every_family() -> None:
    examples = read_examples()
    news = [e for e in examples if e.label == 0]
    spam = [e for e in examples if e.label == 1]
    assert len(news) >= 2000 and len(spam) >= 1000
    assert {"lottery", "chess", "macao", "anti-gambling", "esports", "english"} <= {e.family for e in news}
    assert {"gambling", "lottery", "betting", "escort", "fake-docs", "loans", "crypto", "pharma"} == {e.family for e in spam}
    disguised = [e.text for e in spam]
    assert any("\u200b" in t or "\u200c" in t or "\u200d" in t or "\u2060" in t for t in disguised)  # zero-width
    assert any("賭" in t or "場" in t or "網" in t for t in disguised)  # traditional characters
    assert any(c in "аеорсхі" for t in disguised for c in t)  # Cyrillic look-alikes


def test_rebuilding_from_the_training_files_gives_the_same_predictions(rebuilt: Any) -> None:
    model, _, _, examples = rebuilt
    shipped = default_model()
    texts = [e.text for e in examples[::7]] + [CASINO_ADVERT, "民政部召开全国养老服务工作会议", "连线棋牌游戏大厅"]
    for text in texts:
        assert model.probability(text) == pytest.approx(shipped.probability(text), abs=1e-4), text


def test_plain_python_scores_equal_scikit_learn(rebuilt: Any) -> None:
    model, vectorizer, regression, examples = rebuilt
    texts = [e.text for e in examples[::25]] + [CASINO_ADVERT]
    expected = regression.predict_proba(design_matrix(texts, vectorizer, default_lexicon()))[:, 1]
    for text, probability in zip(texts, expected):
        assert model.probability(text) == pytest.approx(probability, abs=1e-4), text


def test_model_file_is_small_and_round_trips(tmp_path: Any) -> None:
    assert MODEL_FILE.stat().st_size < 1_000_000
    copy = tmp_path / "model.json"
    write_model(default_model(), copy)
    assert copy.read_bytes() == MODEL_FILE.read_bytes()
    assert load_model(copy).probability(CASINO_ADVERT) == default_model().probability(CASINO_ADVERT)


def test_the_model_reads_register_in_vocabulary_it_was_not_given() -> None:
    model = default_model()
    adverts = [
        "专业代写毕业论文，三天交稿，导师一对一指导，不满意全额退款，联系扣扣 5566778！",
        "Earn 500 dollars a day from home, no experience needed, message us on Telegram @quickjobs now!",
    ]
    news = ["澳门特区政府积极推动经济适度多元发展，降低对博彩业的过度依赖。", "体育总局、公安部联合开展打击假球、赌球专项整治。"]
    for text in adverts:
        assert not default_lexicon().seed_re.search(default_lexicon().fold(text))
        assert model.probability(text) >= 0.5, text
    for text in news:
        assert model.probability(text) < 0.1, text


def test_lexicon_hits_are_one_feature_among_the_register_features() -> None:
    features = dict(zip(FEATURE_NAMES, register_features("百家乐注册送88元，客服微信：bjl888！", default_lexicon())))
    assert features["lexicon"] > 0 and features["call_to_action"] > 0 and features["bonus"] > 0
    assert features["contact"] == 1.0 and features["exclamation"] > 0
    assert dict(zip(FEATURE_NAMES, register_features("民政部召开会议。", default_lexicon())))["lexicon"] == 0


# -- whole units (issue 17) --------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "澳门特区政府积极推动经济适度多元发展，降低对博彩业的过度依赖。",
    "体育总局、公安部联合开展打击假球、赌球专项整治，维护公平竞赛环境。",
])
def test_official_phrases_with_gambling_words_survive(sentence: str) -> None:
    body = f"近日，有关部门召开会议，研究部署相关工作。\n\n{sentence}\n\n会议要求，各地要加强组织领导，确保工作取得实效。"
    result = clean_body(body, language="zh")
    assert result.removals == []
    assert result.text == body


def test_english_casino_advert_goes_whole() -> None:
    paragraph = "The Ministry of Civil Affairs held a meeting on elderly care in Beijing on Monday. " + CASINO_ADVERT
    result = clean_paragraph(paragraph, language="en")
    assert result.text == "The Ministry of Civil Affairs held a meeting on elderly care in Beijing on Monday."
    assert [r["rule"] for r in result.removals] == ["body:sentence:register", "body:sentence:register"]
    assert all(r["score"] >= 0.5 for r in result.removals)
    alone = clean_paragraph(CASINO_ADVERT, language="en")
    assert alone.text == "" and alone.removals[0]["text"] == CASINO_ADVERT
    assert alone.removals[0]["rule"] == "body:paragraph:register"


def test_unknown_advert_sentence_goes_whole_and_the_paragraph_stays() -> None:
    paragraph = ("会议要求，各地要加强养老服务体系建设。星河湾会所新品上线，本周会员首单立减一百，预约热线13912345678！"
                 "会议强调，要切实保障困难群众基本生活。")
    result = clean_paragraph(paragraph, language="zh")
    assert result.text == "会议要求，各地要加强养老服务体系建设。会议强调，要切实保障困难群众基本生活。"
    assert [r["text"] for r in result.removals] == ["星河湾会所新品上线，本周会员首单立减一百，预约热线13912345678！"]


def test_brand_dropped_into_a_sentence_is_cut_and_the_sentence_stays() -> None:
    text = "Another 连线棋牌游戏大厅 recently, the Ministry of Civil Affairs and other six departments jointly issued the Opinions."
    result = clean_paragraph(text, language="en")
    assert result.text == "Another recently, the Ministry of Civil Affairs and other six departments jointly issued the Opinions."
    assert result.removals[0]["text"] == "连线棋牌游戏大厅" and result.removals[0]["rule"] == "body:phrase-in-english:cards"


def _through_the_pipeline(title: str, candidates: list[list[str]]) -> ArticleItem:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    item = ArticleItem(url="http://www.mca.gov.cn/article/xw/1.shtml", site="www.mca.gov.cn", language="zh",
                       title=title, body="民政部召开专题会议，研究部署今冬明春困难群众基本生活保障工作。会议要求各地压实责任。",
                       extra={"title_candidates": candidates})
    return SpamPipeline.from_crawler(crawler).process_item(item)


def test_spam_in_title_and_h1_does_not_leave_separators_and_the_site_name() -> None:
    title = "太阳城娱乐官网_真人百家乐_中华人民共和国民政部"
    item = _through_the_pipeline(title, [["content:h1", "太阳城娱乐官网 真人百家乐"], ["title", title]])
    assert item.title == ""
    assert {r["where"] for r in item.spam_removed} == {"title"}


def test_clean_segment_is_the_headline_without_the_site_suffix() -> None:
    title = "太阳城娱乐官网_民政部部署困难群众基本生活保障工作_中华人民共和国民政部"
    item = _through_the_pipeline(title, [["content:h1", "太阳城娱乐官网 真人百家乐"], ["title", title]])
    assert item.title == "民政部部署困难群众基本生活保障工作"


def test_uncorroborated_headline_segment_goes_at_a_lower_score() -> None:
    candidates_in_range = [text for text in ("蜜桃夜语本市约见", "琥珀湾牌桌社区首充双倍", "星链矿池每日收益百分之三",
                                             "紫微神算连红二十八期", "鸿鹄学历服务中心急件当天取", "金钥匙快借凭身份证借二十万")
                           if 0.25 <= default_model().probability(text) < 0.5]  # not enough on their own
    assert candidates_in_range
    spam = candidates_in_range[0]
    body = "湖南省体育彩票管理中心召开开奖公证监督工作座谈会。公证、审计和纪检部门代表参加会议。"
    candidates = [["content:h1", "湖南省体育彩票开奖公证监督工作座谈会召开"], ["title", spam]]
    title, removals = choose_title(spam, candidates, body=body)
    assert title == "湖南省体育彩票开奖公证监督工作座谈会召开"
    assert removals and removals[0]["rule"].endswith("register-uncorroborated")
    # The page repeating it (its body speaks of it) is what keeps such a segment.
    assert choose_title(spam, [["title", spam]], body=f"{spam}。{body}")[0] == spam
