"""DOM-level pages of the labelled spam corpus, in vocabulary the lexicon lacks.

Written by ``build.py`` (its ``main`` calls ``write``) as ``pages/dom_*.html``
and ``.json``, labelled like the other pages.  Every brand, host and advert
below was written for this corpus and holds no term of the shipped lexicon
after folding (tests/spam/test_dom_corpus.py checks it), so only the way the
injection is hidden or linked, and what kind of text it is, can catch it.
(The lexicon rules still cut 博彩 and 赌球 from 降低对博彩业的过度依赖 and
打击假球、赌球专项整治, in body text and in link anchors alike, issue 17; those
two phrases are left out until the text stage is fixed.)  Trap text sits beside every injection: the injections go into lottery,
chess, Macao and anti-gambling news, and the legitimate pages hide menus,
skip links, print footers, share widgets and related-news tabs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from articles import GENERAL, LEGIT, MCA, MPS, SPORT, Article
from build import Spec, base_spec, esc, finish, render

MACAO: list[Article] = [
    {
        "slug": "macao_economic_diversification", "site": MCA, "lang": "zh", "date": "2024-12-10",
        "title": "澳门特别行政区推进经济适度多元发展座谈会在京召开",
        "paragraphs": [
            "12月9日，澳门特别行政区推进经济适度多元发展座谈会在京召开。与会代表围绕培育中医药大健康、现代金融、高新技术和会展商贸等新产业，推动澳门经济适度多元发展交换意见。",
            "座谈会指出，澳门要用好横琴粤澳深度合作区平台，推动旅游休闲多元发展，增强经济抗风险能力。",
            "民政部有关负责人介绍了内地与澳门在养老服务、社会工作人才培养方面的交流合作情况。",
        ],
    },
    {
        "slug": "esports_match_fixing_campaign", "site": MPS, "lang": "zh", "date": "2024-09-03",
        "title": "公安部部署开展打击操纵比赛和网络赌博专项整治行动",
        "paragraphs": [
            "近日，公安部会同国家体育总局部署开展专项整治行动，依法打击操纵比赛、组织赌球和利用电竞赛事组织网络赌博等违法犯罪。",
            "公安部有关负责人表示，各地公安机关要坚持打早打小，依法严厉打击为赌博网站推广引流、提供资金结算的违法犯罪团伙。",
            "体育部门将加强赛事监管和运动员教育管理，营造风清气正的竞赛环境。",
        ],
    },
    {
        "slug": "chess_youth_league", "site": SPORT, "lang": "zh", "date": "2024-07-22",
        "title": "全国青少年国际象棋联赛总决赛落幕",
        "paragraphs": [
            "7月21日，全国青少年国际象棋联赛总决赛在成都落幕，来自28个省区市的600余名小棋手参赛。",
            "国家体育总局棋牌运动管理中心有关负责人表示，将继续推动国际象棋、围棋、中国象棋进校园，扩大青少年棋类运动人口。",
            "本次比赛首次设立女子组团体赛，并开展裁判员和教练员培训。",
        ],
    },
]

# Hosts and brands invented for this corpus: digit runs and cheap domains, and plain ones.
BRANDS = [
    ("http://www.jinlongge8899.com/", "金龙阁线上厅"),
    ("http://www.hongyunfang66.net/", "鸿运坊"),
    ("http://www.jubaozhuang.top/", "聚宝庄会所"),
    ("http://www.fuman888.com/", "福满楼俱乐部"),
    ("http://yulongwan-2266.net/", "御龙湾贵宾厅"),
    ("http://www.tianxihui.xyz/", "天禧汇"),
    ("http://www.jinliyu58.cc/", "锦鲤岛"),
    ("http://www.xinghewan99.com/", "星河湾会所"),
]
ADVERTS = [
    "鸿运坊线上厅开户即送58元，客服微信hy2288kf，秒提现！",
    "认准天禧汇官方入口，首充加赠30%，24小时在线客服扣扣：88123456",
    "锦鲤岛新会员领取188元体验礼包，提现5分钟到账，网址www.jinliyu58.cc",
    "御龙湾贵宾厅招代理，日赚500不是梦，联系电话13912345678",
]


def links(start: int, count: int, separator: str = " ") -> tuple[str, list[str]]:
    chosen = [BRANDS[(start + i) % len(BRANDS)] for i in range(count)]
    return separator.join(f'<a href="{href}" target="_blank">{esc(name)}</a>' for href, name in chosen), [n for _, n in chosen]


def hidden(spec: Spec, markup: str, strings: list[str], css: str = "", *, inside: bool = True) -> None:
    if css:
        spec["head_extra"] += f'<style type="text/css">{css}</style>'
    if inside:
        spec["paragraphs"].insert(1, markup)
    else:
        spec["after_container"] += markup
    spec["injected"].extend(strings)
    spec["expect_where"].append("hidden")


# ---------------------------------------------------------------- spam forms


def f_class_display_links(spec: Spec) -> None:
    markup, names = links(0, 4)
    hidden(spec, f'<div class="ab3 tk">{markup}</div>', names, ".tk{display:none}")


def f_class_display_advert(spec: Spec) -> None:
    hidden(spec, f'<p class="nt-x">{esc(ADVERTS[0])}</p>', [ADVERTS[0]], "p.nt-x{visibility:hidden;height:0;margin:0}")


def f_id_offscreen_links(spec: Spec) -> None:
    markup, names = links(2, 5, " | ")
    hidden(spec, f'<div id="yqx9">{markup}</div>', names, "#yqx9{position:absolute;left:-8000px;top:0}", inside=False)


def f_id_offscreen_advert(spec: Spec) -> None:
    hidden(spec, f'<div id="gg1"><span>{esc(ADVERTS[1])}</span></div>', [ADVERTS[1]],
           "div#gg1 { position: fixed !important; top: -120em; }")


def f_colour_background_class(spec: Spec) -> None:
    markup, names = links(4, 4)
    hidden(spec, f'<p class="bz">{markup}</p>', names, "body{background:#fdfdf5} .bz{color:#fdfdf6;font-size:12px}")


def f_colour_background_ancestor(spec: Spec) -> None:
    # The container sets a dark background, the injected line the same colour.
    spec["after_container"] += '<div class="box" style="background-color:#1a3c6e;padding:8px">'
    hidden(spec, f'<p style="color:rgb(26,60,110)">{esc(ADVERTS[2])}</p></div>', [ADVERTS[2]], inside=False)


def f_tiny_font_links(spec: Spec) -> None:
    markup, names = links(1, 4)
    hidden(spec, f'<div class="xs">{markup}</div>', names, ".xs{font-size:0.5px;line-height:0}")


def f_tiny_font_advert(spec: Spec) -> None:
    hidden(spec, f'<span style="font-size:0">{esc(ADVERTS[3])}</span>', [ADVERTS[3]])


def f_text_indent(spec: Spec) -> None:
    markup, names = links(3, 3)
    hidden(spec, f'<h6 class="ti">{markup}</h6>', names, ".ti{text-indent:-9999px;overflow:hidden}", inside=False)


def f_zero_height_links(spec: Spec) -> None:
    markup, names = links(5, 4)
    hidden(spec, f'<div class="zh">{markup}</div>', names, ".zh{height:0px;overflow:hidden}")


def f_zero_height_advert(spec: Spec) -> None:
    hidden(spec, f'<div style="max-height:0;overflow:hidden">{esc(ADVERTS[1])}</div>', [ADVERTS[1]], inside=False)


def f_marquee_tiny(spec: Spec) -> None:
    markup, names = links(6, 4)
    hidden(spec, f'<marquee height="1" width="2" scrollamount="9">{markup}</marquee>', names, inside=False)


def f_marquee_fast(spec: Spec) -> None:
    markup, names = links(0, 3)
    hidden(spec, f'<marquee scrollamount="8000" behavior="scroll">{markup}</marquee>', names, inside=False)


def f_footer_farm(spec: Spec) -> None:
    markup, names = links(0, 6, " | ")
    spec["footer_extra"] += f'<div class="hzlj">合作伙伴：{markup}</div>'
    spec["injected"].extend(names)
    spec["expect_where"].append("link")


def f_footer_farm_list(spec: Spec) -> None:
    chosen = [BRANDS[i] for i in (0, 1, 3, 6, 7)]
    items = "".join(f'<li><a href="{href}">{esc(name)}</a></li>' for href, name in chosen)
    spec["footer_extra"] += f'<ul class="flinks">{items}</ul>'
    spec["injected"].extend(name for _, name in chosen)
    spec["expect_where"].append("link")


def f_script_document_write(spec: Spec) -> None:
    markup, names = links(2, 3)
    spec["paragraphs"].append(
        "<script type=\"text/javascript\">document.write('<div style=\"position:absolute;top:-999px\">"
        + markup.replace('"', '\\"').replace("'", "\\'") + "</div>');</script>")
    spec["injected"].extend(names)
    spec["expect_where"].append("script")


def f_script_inner_html(spec: Spec) -> None:
    markup, names = links(4, 3)
    spec["after_container"] += (
        '<div id="ad_c"></div><script>var c=document.getElementById("ad_c");c.innerHTML=\''
        + markup.replace("'", "\\'") + "';</script>")
    spec["injected"].extend(names)
    spec["expect_where"].append("script")


FORMS: dict[str, tuple[Callable[[Spec], None], str]] = {
    # form name -> (builder, article slug it goes into)
    "dom-class-display-links": (f_class_display_links, "welfare_lottery_sales_q3"),
    "dom-class-display-advert": (f_class_display_advert, "chess_national_championship"),
    "dom-id-offscreen-links": (f_id_offscreen_links, "macao_economic_diversification"),
    "dom-id-offscreen-advert": (f_id_offscreen_advert, "cross_border_gambling_campaign"),
    "dom-colour-class": (f_colour_background_class, "sports_lottery_daletou_jackpot"),
    "dom-colour-ancestor": (f_colour_background_ancestor, "esports_match_fixing_campaign"),
    "dom-tiny-font-links": (f_tiny_font_links, "go_weiqi_team"),
    "dom-tiny-font-advert": (f_tiny_font_advert, "illegal_lottery_warning"),
    "dom-text-indent": (f_text_indent, "chess_youth_league"),
    "dom-zero-height-links": (f_zero_height_links, "mind_sports_games_bridge_mahjong"),
    "dom-zero-height-advert": (f_zero_height_advert, "social_assistance_winter"),
    "dom-marquee-tiny": (f_marquee_tiny, "online_gambling_case_cracked"),
    "dom-marquee-fast": (f_marquee_fast, "elderly_care_conference"),
    "dom-footer-farm": (f_footer_farm, "lottery_public_welfare_fund_report"),
    "dom-footer-farm-list": (f_footer_farm_list, "left_behind_children_meeting"),
    "dom-script-write": (f_script_document_write, "welfare_lottery_instant_tickets"),
    "dom-script-innerhtml": (f_script_inner_html, "macao_economic_diversification"),
}
HIDDEN_FORMS = sorted(name for name in FORMS if not name.startswith(("dom-footer", "dom-script")))

# ---------------------------------------------------------------- legitimate hiding

LEGIT_FURNITURE: dict[str, tuple[str, str, str]] = {
    # name -> (css, markup after the article, article slug)
    "menu-skip-sr-only": (
        ".sub{display:none} .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)}",
        '<a class="sr-only" href="#zoom">跳转到主要内容</a><ul class="menu"><li><a href="/zwgk/">政务公开</a>'
        '<ul class="sub"><li><a href="/zwgk/tzgg/">通知公告</a></li><li><a href="/zwgk/fgwj/">法规文件</a></li></ul></li></ul>'
        '<span class="sr-only">打开无障碍浏览</span>',
        "welfare_lottery_sales_q3",
    ),
    "print-share": (
        ".print-only{display:none} .share{display:none} @media print{.print-only{display:block}}",
        '<div class="print-only">本页网址：http://www.mca.gov.cn/ 联系电话：010-58123114</div>'
        '<div class="share">分享到：<a href="http://service.weibo.com/share/share.php?url=http://www.mca.gov.cn/a.shtml">微博</a> '
        '<a href="http://connect.qq.com/widget/shareqq/index.html?url=http://www.mca.gov.cn/a.shtml">QQ好友</a></div>',
        "macao_economic_diversification",
    ),
    "related-tab-traps": (
        "#tab2,#tab3{display:none}",
        '<div id="tab2"><a href="/a/1.shtml">2024年10月份全国彩票销售情况</a> <a href="/a/2.shtml">打击跨境赌博“断链”行动取得阶段性成效</a></div>'
        '<div id="tab3"><a href="/a/3.shtml">澳门特区政府发布经济适度多元发展规划</a> <a href="/a/4.shtml">全国象棋甲级联赛开幕</a></div>',
        "esports_match_fixing_campaign",
    ),
    "dialog-qr-logo": (
        ".dlg{display:none} .logo{text-indent:-9999px;background:url(/img/logo.png) no-repeat}",
        '<div class="dlg">您访问的链接即将离开“国家体育总局”门户网站，是否继续？</div>'
        '<div class="dlg">扫一扫在手机打开当前页</div><h2 class="logo">国家体育总局</h2>',
        "chess_youth_league",
    ),
    "hidden-media-links": (
        ".dropdown{display:none}",
        '<div class="dropdown"><a href="http://www.people.com.cn/">人民网</a> <a href="http://www.xinhuanet.com/">新华网</a> '
        '<a href="http://www.cctv.com/">央视网</a> <a href="http://www.mof.gov.cn/">财政部</a> <a href="http://www.macau.gov.mo/">澳门特区政府入口网</a></div>',
        "lottery_public_welfare_fund_report",
    ),
    "related-institutions": (
        ".xglj ul{display:none} .xglj:hover ul{display:block}",
        '<div class="xglj">相关网站<ul><li><a href="http://www.swchina.org/">中国社会工作联合会</a></li>'
        '<li><a href="http://www.chinacharityfederation.org/">中华慈善总会</a></li>'
        '<li><a href="http://www.cncaprc.com.cn/">中国老龄协会</a></li>'
        '<li><a href="http://www.cwl.gov.cn/">中国福利彩票发行管理中心</a></li></ul></div>',
        "welfare_lottery_instant_tickets",
    ),
    "banner-notice-marquee": (
        ".banner{background:#8b0000} .banner p{color:#fff} .nav{font-size:0} .nav li{font-size:14px;display:inline-block}",
        '<div class="banner"><p>国家体育总局棋牌运动管理中心提示：棋牌运动是智力运动，远离赌博</p></div>'
        '<ul class="nav"><li><a href="/n1/">棋牌新闻</a></li><li><a href="/n2/">赛事公告</a></li></ul>'
        '<marquee scrollamount="3" width="600" height="24">通知：2025年全国象棋锦标赛报名工作即日启动</marquee>',
        "go_weiqi_team",
    ),
}


def dom_specs() -> list[Spec]:
    by_slug = {a["slug"]: a for a in [*LEGIT, *GENERAL, *MACAO]}
    specs: list[Spec] = []
    number = 700
    for name, (form, slug) in FORMS.items():
        spec = base_spec(by_slug[slug], number)
        number += 1
        form(spec)
        spec["forms"].append(name)
        specs.append(spec)
    for article in MACAO:
        spec = base_spec(article, number)
        number += 1
        spec["kind"] = "legit"
        specs.append(spec)
    for name, (css, markup, slug) in LEGIT_FURNITURE.items():
        spec = base_spec(by_slug[slug], number)
        number += 1
        spec["kind"] = "legit"
        spec["slug_suffix"] = name
        spec["head_extra"] = f'<style type="text/css">{css}</style>'
        spec["after_container"] = markup
        specs.append(spec)
    return specs


def write(out: Path) -> dict[str, int]:
    """Write the DOM pages into ``out`` as ``dom_<kind>_<nnn>_<slug>_<label>``."""
    for old in out.glob("dom_*"):
        old.unlink()
    counts: dict[str, int] = {}
    for spec in dom_specs():
        kind = spec["kind"]
        counts[kind] = counts.get(kind, 0) + 1
        label = "-".join(spec["forms"]) or spec.get("slug_suffix", "")
        name = f"dom_{kind}_{counts[kind]:03d}_{spec['article']['slug']}{('_' + label) if label else ''}"
        (out / f"{name}.html").write_text(render(spec), encoding="utf-8")
        (out / f"{name}.json").write_text(json.dumps(finish(spec), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return counts
