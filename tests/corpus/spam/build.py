"""Build the labelled spam corpus: ``python tests/corpus/spam/build.py``.

Writes ``pages/<name>.html`` and, beside each, ``pages/<name>.json``:

``kind``          "legit", "spam" or "doorway"
``forms``         the injection forms on the page (docs/spam.md lists them)
``url``, ``allowed_domains``, ``language``
``injected``      strings the injector added that must not reach title or body
``legitimate``    strings that must survive verbatim in title or body
``expect_title``  the headline the record must carry (null for doorways)
``expect_where``  ``where`` values that must appear in ``spam_removed``

The article texts are in articles.py; every injection below is written for
this corpus.  The built files are committed so tests do not depend on this
script; rerun it after changing either file.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from articles import GENERAL, LEGIT, Article  # noqa: E402

OUT = Path(__file__).parent / "pages"
Spec = dict[str, Any]


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def base_spec(article: Article, number: int) -> Spec:
    host, domains, site_name = article["site"]
    year, month, _ = article["date"].split("-")
    return {
        "article": article,
        "url": f"http://{host}/article/xw/{year}{month}/{year}{month}{number:08d}.shtml",
        "allowed_domains": domains,
        "site_name": site_name,
        "title_tag": f"{article['title']}_{site_name}",
        "meta_article_title": article["title"],
        "og_title": None,
        "h1": article["title"],
        "head_extra": "",
        "paragraphs": [f"<p>{esc(p)}</p>" for p in article["paragraphs"]],
        "after_container": "",
        "footer_extra": "",
        "top_extra": "",
        "body_attrs": "",
        "injected": [],
        "legitimate": list(article["paragraphs"]),
        "expect_title": article["title"],
        "expect_where": [],
        "forms": [],
        "kind": "spam",
    }


def render(spec: Spec) -> str:
    article = spec["article"]
    lang = article["lang"]
    labels = ("发布时间", "来源", "首页", "新闻中心", "当前位置") if lang == "zh" else (
        "Date", "Source", "Home", "News", "Position")
    metas = [
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        f'<meta name="SiteName" content="{html.escape(spec["site_name"])}">',
        f'<meta name="PubDate" content="{article["date"]} 09:30">',
    ]
    if spec["meta_article_title"]:
        metas.append(f'<meta name="ArticleTitle" content="{html.escape(spec["meta_article_title"])}">')
    if spec["og_title"]:
        metas.append(f'<meta property="og:title" content="{html.escape(spec["og_title"])}">')
    paragraphs = "\n".join(spec["paragraphs"])
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
{chr(10).join(metas)}
<title>{esc(spec["title_tag"])}</title>
<link rel="stylesheet" href="/css/article.css">
{spec["head_extra"]}
</head>
<body {spec["body_attrs"]}>
{spec["top_extra"]}
<div class="header"><a href="/">{esc(spec["site_name"])}</a>
<ul class="nav"><li><a href="/">{labels[2]}</a></li><li><a href="/article/xw/">{labels[3]}</a></li></ul></div>
<div class="position">{labels[4]}：<a href="/">{labels[2]}</a> &gt; <a href="/article/xw/">{labels[3]}</a></div>
<div class="article">
<h1>{esc(spec["h1"])}</h1>
<div class="info">{labels[0]}：{article["date"]} {labels[1]}：{esc(spec["site_name"])}</div>
<div id="zoom">
{paragraphs}
</div>
{spec["after_container"]}
</div>
<div class="footer">
<p>版权所有：{esc(spec["site_name"])} 网站标识码：bm00000001</p>
<p><a href="http://beian.miit.gov.cn/">京ICP备05000000号</a> 京公网安备11010202000001号</p>
{spec["footer_extra"]}
</div>
</body>
</html>
"""


# ---------------------------------------------------------------- injection forms
# Each form edits a spec in place.  Helpers insert a phrase into paragraph
# ``index`` after the first occurrence of ``anchor``.


def insert_phrase(spec: Spec, index: int, anchor: str, phrase: str, *, markup: str | None = None) -> None:
    original = spec["article"]["paragraphs"][index]
    assert anchor in original, (anchor, original)
    position = original.index(anchor) + len(anchor)
    spec["paragraphs"][index] = f"<p>{esc(original[:position])}{markup or esc(phrase)}{esc(original[position:])}</p>"


def add_hidden(spec: Spec, markup: str, *strings: str, inside: bool = True) -> None:
    if inside:
        spec["paragraphs"].insert(1, markup)
    else:
        spec["after_container"] += markup
    spec["injected"].extend(strings)
    spec["expect_where"].append("hidden")


FARM_LINKS = [
    ("http://www.amjs1888.com/", "澳门金沙娱乐城"),
    ("http://www.vns5588.cc/", "威尼斯人娱乐"),
    ("http://www.bbin365.net/", "真人视讯"),
    ("http://www.6hc888.com/", "六合彩资料"),
    ("http://www.hg0088.vip/", "皇冠体育"),
    ("http://www.xpj8888.cc/", "新葡京娱乐场"),
    ("http://www.qipai777.top/", "开元棋牌"),
    ("http://www.ssc1688.com/", "重庆时时彩"),
]


def farm(count: int, start: int = 0, separator: str = " | ") -> tuple[str, list[str]]:
    chosen = [FARM_LINKS[(start + i) % len(FARM_LINKS)] for i in range(count)]
    markup = separator.join(f'<a href="{href}" target="_blank">{esc(text)}</a>' for href, text in chosen)
    return markup, [text for _, text in chosen]


def f_title_with_meta(spec: Spec) -> None:
    spec["title_tag"] = "连线棋牌游戏大厅"
    spec["injected"].append("连线棋牌游戏大厅")
    spec["expect_where"].append("title")


def f_title_no_meta(spec: Spec) -> None:
    spec["meta_article_title"] = None
    spec["title_tag"] = "澳门新葡京娱乐场官网"
    spec["injected"].append("澳门新葡京娱乐场官网")
    spec["expect_where"].append("title")


def f_title_prefix(spec: Spec) -> None:
    spec["meta_article_title"] = None
    spec["title_tag"] = f"百家乐真人娱乐平台_{spec['article']['title']}"
    spec["injected"].append("百家乐真人娱乐平台")
    spec["expect_where"].append("title")


def f_h1_and_title(spec: Spec) -> None:
    spec["title_tag"] = "太阳城娱乐官网_真人百家乐"
    spec["h1"] = "太阳城娱乐官网 真人百家乐"
    spec["injected"].extend(["太阳城娱乐官网", "真人百家乐"])
    spec["expect_where"].append("title")


def f_og_title(spec: Spec) -> None:
    spec["meta_article_title"] = None
    spec["og_title"] = "皇冠体育投注网址"
    spec["title_tag"] = "皇冠体育投注网址"
    spec["injected"].append("皇冠体育投注网址")
    spec["expect_where"].append("title")


def f_mid_sentence_spaced(spec: Spec) -> None:
    anchor = {"zh": "，", "en": " "}[spec["article"]["lang"]]
    insert_phrase(spec, 1, anchor, " 连线棋牌游戏大厅 " if spec["article"]["lang"] == "zh" else "连线棋牌游戏大厅 ")
    spec["injected"].append("连线棋牌游戏大厅")
    spec["expect_where"].append("body")


def f_mid_sentence_glued(spec: Spec) -> None:
    insert_phrase(spec, 2, "，", "百家乐真人娱乐平台")
    spec["injected"].append("百家乐真人娱乐平台")
    spec["expect_where"].append("body")


def f_mid_sentence_english(spec: Spec) -> None:
    first = spec["article"]["paragraphs"][0]
    anchor = first.split(" ")[3] + " "
    insert_phrase(spec, 0, anchor, "澳门威尼斯人真人娱乐 ")
    spec["injected"].append("澳门威尼斯人真人娱乐")
    spec["expect_where"].append("body")


def f_two_insertions(spec: Spec) -> None:
    insert_phrase(spec, 0, "，", " 澳门金沙娱乐城 ")
    insert_phrase(spec, 2, "，", "重庆时时彩计划网址")
    spec["injected"].extend(["澳门金沙娱乐城", "重庆时时彩计划网址"])
    spec["expect_where"].append("body")


def f_injected_paragraph(spec: Spec) -> None:
    ad = "澳门新葡京娱乐场是亚洲最具信誉的线上博彩平台，百家乐、龙虎斗、体育投注应有尽有，新会员注册即送88元彩金，24小时在线客服QQ：88886666。"
    spec["paragraphs"].insert(2, f"<p>{esc(ad)}</p>")
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def f_injected_sentence(spec: Spec) -> None:
    original = spec["article"]["paragraphs"][-1]
    ad = "欢迎光临太阳城娱乐，首存即送100%彩金，官网www.tyc7788.cc！"
    spec["paragraphs"][-1] = f"<p>{esc(original)}{esc(ad)}</p>"
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def f_injected_english_paragraph(spec: Spec) -> None:
    ad = "Best online casino in Asia: live baccarat, sports betting and free spins, sign up at www.bet365asia.com today."
    spec["paragraphs"].insert(1, f"<p>{esc(ad)}</p>")
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def f_lottery_run_paragraph(spec: Spec) -> None:
    ad = "重庆时时彩 北京赛车 幸运飞艇 一码中特 三中三 稳赚计划群 加微信：cp88688"
    spec["paragraphs"].append(f"<p>{esc(ad)}</p>")
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def f_porn_paragraph(spec: Spec) -> None:
    ad = "同城约炮 一夜情 裸聊 成人视频免费看 激情视频在线观看 www.xxav99.top"
    spec["paragraphs"].insert(1, f"<p>{esc(ad)}</p>")
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def f_fake_certificates(spec: Spec) -> None:
    ad = "专业办证刻章，代开发票，毕业证办理，电话13812345678。"
    spec["paragraphs"].append(f"<p>{esc(ad)}</p>")
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def f_obfuscated_spaces(spec: Spec) -> None:
    insert_phrase(spec, 1, "，", " 澳 门 赌 场 ")
    spec["injected"].append("澳 门 赌 场")
    spec["expect_where"].append("body")


def f_obfuscated_symbols(spec: Spec) -> None:
    insert_phrase(spec, 0, "，", "百*家*乐☆真★人☆娱★乐")
    spec["injected"].append("百*家*乐☆真★人☆娱★乐")
    spec["expect_where"].append("body")


def f_traditional(spec: Spec) -> None:
    ad = "澳門賭場 百家樂 真人娛樂 線上博彩 註冊送彩金"
    spec["paragraphs"].insert(1, f"<p>{esc(ad)}</p>")
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def f_fullwidth(spec: Spec) -> None:
    insert_phrase(spec, 1, "，", "ｂｅｔ３６５体育投注")
    spec["injected"].append("ｂｅｔ３６５体育投注")
    spec["expect_where"].append("body")


def f_domain_in_text(spec: Spec) -> None:
    insert_phrase(spec, 0, "，", " 网址www.amjs1888.com ")
    spec["injected"].append("www.amjs1888.com")
    spec["expect_where"].append("body")


def f_hidden_display_none(spec: Spec) -> None:
    links, texts = farm(4)
    add_hidden(spec, f'<div style="display:none">{links}</div>', *texts)


def f_hidden_visibility(spec: Spec) -> None:
    links, texts = farm(3, 2)
    add_hidden(spec, f'<p style="visibility:hidden">{links}</p>', *texts)


def f_hidden_offscreen(spec: Spec) -> None:
    links, texts = farm(5, 1)
    add_hidden(spec, f'<div style="position:absolute;left:-9999px;top:-9999px;">{links}</div>', *texts, inside=False)


def f_hidden_font_zero(spec: Spec) -> None:
    add_hidden(spec, '<p style="font-size:0px;line-height:0">百家乐真人娱乐 太阳城娱乐官网 皇冠体育投注</p>',
               "百家乐真人娱乐", "太阳城娱乐官网", "皇冠体育投注")


def f_hidden_marquee(spec: Spec) -> None:
    links, texts = farm(4, 4)
    add_hidden(spec, f'<marquee width="1" height="1" scrollamount="3000">{links}</marquee>', *texts, inside=False)


def f_hidden_colour(spec: Spec) -> None:
    spec["body_attrs"] = 'bgcolor="#FFFFFF"'
    add_hidden(spec, '<p><font color="#ffffff">澳门新葡京 银河娱乐 金沙娱乐 六合彩特码</font></p>',
               "澳门新葡京 银河娱乐 金沙娱乐 六合彩特码")


def f_hidden_class(spec: Spec) -> None:
    spec["head_extra"] += "<style type=\"text/css\">.yxyl{position:absolute;top:-3000px;overflow:hidden;}</style>"
    links, texts = farm(4, 3)
    add_hidden(spec, f'<div class="yxyl">{links}</div>', *texts)


def f_hidden_tiny_div(spec: Spec) -> None:
    links, texts = farm(3, 5)
    add_hidden(spec, f'<div style="height:1px;width:1px;overflow:hidden">{links}</div>', *texts, inside=False)


def f_farm_after_article(spec: Spec) -> None:
    links, texts = farm(6, 0, separator="&nbsp;")
    spec["paragraphs"].append(f"<p>{links}</p>")
    spec["injected"].extend(texts)
    spec["expect_where"].append("link")


def f_farm_footer(spec: Spec) -> None:
    links, texts = farm(8, 2)
    spec["footer_extra"] += f'<div class="yqlj">友情链接：{links}</div>'
    spec["injected"].extend(texts)
    spec["expect_where"].append("link")


def f_single_link(spec: Spec) -> None:
    insert_phrase(spec, 1, "，", "澳门金沙娱乐城",
                  markup='<a href="http://www.amjs1888.com/" target="_blank">澳门金沙娱乐城</a>')
    spec["injected"].append("澳门金沙娱乐城")
    spec["expect_where"].append("link")


def f_script_write(spec: Spec) -> None:
    spec["paragraphs"].append(
        "<script>document.write('<div style=\"display:none\"><a href=\"http://www.vns5588.cc/\">澳门威尼斯人</a>"
        "<a href=\"http://www.hg0088.vip/\">皇冠体育</a></div>');</script>")
    spec["injected"].extend(["澳门威尼斯人", "皇冠体育"])
    spec["expect_where"].append("script")


def f_script_fromcharcode(spec: Spec) -> None:
    payload = '<a href="http://www.xpj8888.cc/">新葡京娱乐场</a>'
    codes = ",".join(str(ord(c)) for c in payload)
    spec["head_extra"] += f"<script>document.write(String.fromCharCode({codes}));</script>"
    spec["injected"].append("新葡京娱乐场")
    spec["expect_where"].append("script")


def f_script_referrer(spec: Spec) -> None:
    spec["head_extra"] += ("<script>var r=document.referrer.toLowerCase();"
                           "if(r.indexOf('baidu.com')>-1||r.indexOf('sogou.com')>-1||r.indexOf('so.com')>-1)"
                           "{window.location.href='http://www.amjs1888.com/?from=gov';}</script>")
    spec["injected"].append("www.amjs1888.com")
    spec["expect_where"].append("script")


def f_script_spider_title(spec: Spec) -> None:
    spec["head_extra"] += ("<script>var ua=navigator.userAgent.toLowerCase();"
                           "if(ua.indexOf('baiduspider')>-1||ua.indexOf('sogou')>-1)"
                           "{document.title='澳门赌场_百家乐_真人娱乐';}</script>")
    spec["injected"].append("澳门赌场_百家乐_真人娱乐")
    spec["expect_where"].append("script")


def f_iframe(spec: Spec) -> None:
    spec["after_container"] += '<iframe src="http://www.xpj8888.cc/tj.html" width="0" height="0" frameborder="0"></iframe>'
    spec["injected"].append("http://www.xpj8888.cc/tj.html")
    spec["expect_where"].append("hidden")


def f_metas(spec: Spec) -> None:
    spec["head_extra"] += ('<meta name="keywords" content="澳门新葡京,百家乐,真人娱乐,皇冠体育,太阳城">'
                           '<meta name="description" content="澳门新葡京娱乐场官网，注册送88元彩金，百家乐真人娱乐平台">')
    spec["injected"].extend(["澳门新葡京", "百家乐真人娱乐平台"])
    spec["expect_where"].append("meta")


def f_seed_combo(spec: Spec) -> None:
    f_title_with_meta(spec)
    f_mid_sentence_spaced(spec)
    f_hidden_display_none(spec)
    f_farm_footer(spec)


FORMS: dict[str, Callable[[Spec], None]] = {
    "title-with-meta": f_title_with_meta,
    "title-no-meta": f_title_no_meta,
    "title-prefix": f_title_prefix,
    "h1-and-title": f_h1_and_title,
    "og-title": f_og_title,
    "mid-sentence-spaced": f_mid_sentence_spaced,
    "mid-sentence-glued": f_mid_sentence_glued,
    "two-insertions": f_two_insertions,
    "injected-paragraph": f_injected_paragraph,
    "injected-sentence": f_injected_sentence,
    "lottery-run-paragraph": f_lottery_run_paragraph,
    "porn-paragraph": f_porn_paragraph,
    "fake-certificates": f_fake_certificates,
    "obfuscated-spaces": f_obfuscated_spaces,
    "obfuscated-symbols": f_obfuscated_symbols,
    "traditional": f_traditional,
    "fullwidth": f_fullwidth,
    "domain-in-text": f_domain_in_text,
    "hidden-display-none": f_hidden_display_none,
    "hidden-visibility": f_hidden_visibility,
    "hidden-offscreen": f_hidden_offscreen,
    "hidden-font-zero": f_hidden_font_zero,
    "hidden-marquee": f_hidden_marquee,
    "hidden-colour": f_hidden_colour,
    "hidden-class": f_hidden_class,
    "hidden-tiny-div": f_hidden_tiny_div,
    "farm-after-article": f_farm_after_article,
    "farm-footer": f_farm_footer,
    "single-link": f_single_link,
    "script-write": f_script_write,
    "script-fromcharcode": f_script_fromcharcode,
    "script-referrer": f_script_referrer,
    "script-spider-title": f_script_spider_title,
    "iframe": f_iframe,
    "metas": f_metas,
    "seed-combo": f_seed_combo,
}
ENGLISH_FORMS = {
    "mid-sentence-english": f_mid_sentence_english,
    "injected-english-paragraph": f_injected_english_paragraph,
    "hidden-display-none": f_hidden_display_none,
    "title-with-meta": f_title_with_meta,
}
# Injections into pages whose own subject is the lottery, card sports or
# gambling: the legitimate words must survive next to the removed spam.
ON_LEGIT_TOPIC = [
    ("welfare_lottery_sales_q3", "mid-sentence-spaced"),
    ("welfare_lottery_sales_q3", "hidden-display-none"),
    ("sports_lottery_daletou_jackpot", "lottery-run-paragraph"),
    ("chess_national_championship", "mid-sentence-glued"),
    ("chess_national_championship", "title-with-meta"),
    ("cross_border_gambling_campaign", "mid-sentence-spaced"),
    ("cross_border_gambling_campaign", "farm-footer"),
    ("illegal_lottery_warning", "injected-paragraph"),
    ("en_welfare_lottery_funds", "mid-sentence-english"),
    ("en_cross_border_gambling", "injected-english-paragraph"),
]


# ---------------------------------------------------------------- doorways


def doorway_specs() -> list[Spec]:
    pages = []
    zh_host = GENERAL[0]
    bodies = [
        ("澳门新葡京娱乐场官网", [
            "澳门新葡京娱乐场官网是亚洲最大的线上博彩平台，提供百家乐、龙虎斗、轮盘、老虎机等真人娱乐游戏。",
            "新会员注册即送88元彩金，首存再送100%，每日返水1.5%，提款秒到账。",
            "皇冠体育 太阳城娱乐 金沙娱乐 威尼斯人 银河娱乐 永利娱乐",
        ]),
        ("重庆时时彩计划_北京赛车pk10_幸运飞艇", [
            "重庆时时彩计划群，北京赛车pk10稳赚计划，幸运飞艇在线计划，一码中特。",
            "彩票平台注册送彩金，加微信：cp88688，QQ：12345678。",
        ]),
        ("棋牌游戏大厅_开元棋牌官网_炸金花_抢庄牛牛", [
            "开元棋牌游戏大厅，炸金花、抢庄牛牛、百人牛牛、二八杠、捕鱼达人，手机版下载即玩。",
            "真人棋牌平台，注册送38元体验金，客服微信：qp666888。",
            "天天棋牌 乐游棋牌 吉祥棋牌 电玩城",
        ]),
        ("澳門賭場_百家樂_真人娛樂", [
            "澳門賭場線上娛樂城，百家樂、龍虎鬥、真人視訊，註冊送彩金。",
            "威尼斯人 新葡京 金沙娛樂 銀河娛樂",
        ]),
        ("Online Casino - Live Baccarat - Sports Betting", [
            "Best online casino with live baccarat, roulette and sports betting. Free spins and casino bonus for new players.",
            "Visit www.bet365asia.com and www.casino88vip.com to sign up now.",
        ]),
    ]
    for number, (title, paragraphs) in enumerate(bodies):
        lang = "en" if title.startswith("Online") else "zh"
        article = dict(zh_host, slug=f"doorway_{number}", lang=lang, title=title, paragraphs=paragraphs)
        spec = base_spec(article, 900 + number)
        spec["url"] = f"http://{zh_host['site'][0]}/html/{number}/bc{number}88.html"
        spec["meta_article_title"] = None
        spec["title_tag"] = title
        links, texts = farm(6, number)
        spec["after_container"] = f'<div class="links">{links}</div>'
        spec["kind"] = "doorway"
        spec["forms"] = ["doorway"]
        spec["injected"] = [title, *paragraphs, *texts]
        spec["legitimate"] = []
        spec["expect_title"] = None
        pages.append(spec)
    return pages


# ---------------------------------------------------------------- legit extras


def legit_specs() -> list[Spec]:
    specs = []
    for number, article in enumerate(LEGIT):
        spec = base_spec(article, 100 + number)
        spec["kind"] = "legit"
        specs.append(spec)
    # Template furniture that looks like spam machinery but is not.
    extra = base_spec(LEGIT[0], 200)
    extra["slug_suffix"] = "with_furniture"
    extra["kind"] = "legit"
    extra["head_extra"] = ("<script>var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
                           "hm.src='https://hm.baidu.com/hm.js?0a1b2c3d';var s=document.getElementsByTagName('script')[0];"
                           "s.parentNode.insertBefore(hm,s);})();</script>"
                           "<script>if(/(iPhone|iPod|Android)/i.test(navigator.userAgent)){window.location.href='/m/';}</script>"
                           '<meta name="keywords" content="福利彩票,彩票公益金,民政部">')
    extra["after_container"] = ('<div class="xglj">相关链接：<a href="http://www.cwl.gov.cn/">中国福利彩票</a> '
                                '<a href="http://www.lottery.gov.cn/">中国体育彩票</a></div>'
                                '<div class="share" style="display:none">分享到：微信 微博</div>')
    specs.append(extra)
    extra = base_spec(LEGIT[11], 201)
    extra["slug_suffix"] = "related_links"
    extra["kind"] = "legit"
    extra["after_container"] = ('<div class="related"><h3>相关新闻</h3><ul>'
                                '<li><a href="/n1/c1.html">警方破获一起特大网络赌博案</a></li>'
                                '<li><a href="/n1/c2.html">警方提醒：网络私彩是陷阱</a></li>'
                                '<li><a href="http://www.gov.cn/zhengce/c3.htm">国务院办公厅关于加强彩票市场管理的通知</a></li></ul></div>')
    specs.append(extra)
    return specs


def spam_specs() -> list[Spec]:
    specs = []
    zh_general = [a for a in GENERAL if a["lang"] == "zh"]
    en_general = [a for a in GENERAL if a["lang"] == "en"]
    number = 300
    for index, (name, form) in enumerate(FORMS.items()):
        article = zh_general[index % len(zh_general)]
        spec = base_spec(article, number)
        number += 1
        form(spec)
        spec["forms"].append(name)
        specs.append(spec)
    for index, (name, form) in enumerate(ENGLISH_FORMS.items()):
        spec = base_spec(en_general[index % len(en_general)], number)
        number += 1
        form(spec)
        spec["forms"].append(name)
        specs.append(spec)
    by_slug = {a["slug"]: a for a in LEGIT}
    for slug, name in ON_LEGIT_TOPIC:
        spec = base_spec(by_slug[slug], number)
        number += 1
        form = FORMS.get(name) or ENGLISH_FORMS[name]
        form(spec)
        spec["forms"].append(name)
        specs.append(spec)
    return specs


def finish(spec: Spec) -> dict[str, Any]:
    # A paragraph an injection was glued into must come back exactly as written.
    return {
        "kind": spec["kind"],
        "forms": spec["forms"],
        "url": spec["url"],
        "allowed_domains": spec["allowed_domains"],
        "language": spec["article"]["lang"],
        "injected": spec["injected"],
        "legitimate": spec["legitimate"],
        "expect_title": spec["expect_title"],
        "expect_where": sorted(set(spec["expect_where"])),
    }


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    counts: dict[str, int] = {}
    for spec in [*legit_specs(), *spam_specs(), *doorway_specs()]:
        kind = spec["kind"]
        counts[kind] = counts.get(kind, 0) + 1
        label = "-".join(spec["forms"]) or spec.get("slug_suffix", "")
        name = f"{kind}_{counts[kind]:03d}_{spec['article']['slug']}{('_' + label) if label else ''}"
        (OUT / f"{name}.html").write_text(render(spec), encoding="utf-8")
        (OUT / f"{name}.json").write_text(json.dumps(finish(spec), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(counts)
    from build_dom import write as write_dom_pages  # DOM forms in new vocabulary: build_dom.py

    print("dom pages:", write_dom_pages(OUT))


if __name__ == "__main__":
    main()
