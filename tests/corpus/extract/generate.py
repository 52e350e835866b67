"""Regenerate the labelled extraction corpus: ``python tests/corpus/extract/generate.py``.

Each page ``NNN.html`` (bytes in the template's real encoding) gets ``NNN.json`` beside
it with the URL, the charset the server declares, and the fields a careful reader
would write down. Eight templates are modelled on the structure of real ministry
article pages (element names, meta tags, info-line wording, footers); all article
text comes from texts_zh.txt / texts_en.txt, written for this project. A fixed seed
keeps the output stable, so a diff of the corpus shows a deliberate change.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20191219
PAGES_PER_TEMPLATE = 8

ZH_NAMES = ["张晶晶", "王磊", "李思远", "刘畅", "陈晓燕", "赵一鸣", "孙丽娟", "周楠", "吴昊", "郑雪", "黄蕾", "马骏"]
EN_NAMES = ["Zhang Jingjing", "Wang Lei", "Li Siyuan", "Liu Chang", "Chen Xiaoyan", "Zhao Yiming"]
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Article:
    title: str
    paragraphs: list[str]


@dataclass
class Page:
    number: int
    template: str
    article: Article
    day: date
    clock: time | None
    source: str
    author: str | None
    section: str
    rng: random.Random
    url: str = ""
    declared_encoding: str | None = None
    encoding: str = "utf-8"
    body_lines: list[str] = field(default_factory=list)
    content_html: str = ""
    expected_source: str | None = None
    expected_author: str | None = None
    expected_published_at: str | None = None


def load_articles(name: str) -> list[Article]:
    articles: list[Article] = []
    for block in (HERE / name).read_text(encoding="utf-8").split("\n# "):
        lines = [line.strip() for line in block.strip().lstrip("# ").splitlines() if line.strip()]
        if lines:
            articles.append(Article(lines[0], lines[1:]))
    return articles


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def ymd(day: date, sep: str = "-") -> str:
    return f"{day.year:04d}{sep}{day.month:02d}{sep}{day.day:02d}"


def hm(clock: time) -> str:
    return f"{clock.hour:02d}:{clock.minute:02d}"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def en_date(day: date, style: int) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    if style == 0:
        return f"{months[day.month - 1][:3]} {day.day}, {day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


def meta_tag(name: str, content: str, swap: bool) -> str:
    if swap:
        return f'<meta content="{esc(content)}" name="{name}">'
    return f'<meta name="{name}" content="{esc(content)}">'


# --- article content ------------------------------------------------------------------

PARAGRAPH_WRAPPERS = (
    ("<p{style}>", "</p>"),
    ("<p{style}>", "</p>"),
    ("<div{style}>", "</div>"),
    ('<p{style}><span style="font-family: 仿宋_GB2312; font-size: 16pt;">', "</span></p>"),
    ('<p{style}><font face="宋体" size="3">', "</font></p>"),
)
SUBHEADINGS_ZH = ["一、总体情况", "二、主要做法", "三、下一步工作"]
SUBHEADINGS_EN = ["Key measures", "Next steps"]


def build_content(page: Page, *, english: bool, paragraph_style: str, reporter_note: bool = True) -> None:
    """Fill page.content_html (inside the content container) and page.body_lines (expected)."""
    rng = page.rng
    paragraphs = list(page.article.paragraphs)
    lines: list[str] = []
    parts: list[str] = []

    if not reporter_note:
        pass
    elif page.author and rng.random() < 0.75 and not english:
        # Only Xinhua copy opens with a dateline; other outlets use the reporter note alone.
        form = rng.randrange(3) if page.source == "新华社" else rng.choice([0, 2])
        if form == 0:
            paragraphs[0] = f"本报讯（记者 {page.author}）{paragraphs[0]}"
        elif form == 1:
            paragraphs[0] = f"新华社北京{page.day.month}月{page.day.day}日电（记者 {page.author}）{paragraphs[0]}"
        else:
            helper = rng.choice([n for n in ZH_NAMES if n != page.author])
            paragraphs[0] = f"（记者 {page.author} 通讯员 {helper}）{paragraphs[0]}"
        page.expected_author = page.author
    elif page.author and english:
        paragraphs[0] = f"(Reporter {page.author}) {paragraphs[0]}"
        page.expected_author = page.author

    indent = {"ideographic": "\u3000\u3000", "nbsp": "&nbsp;&nbsp;&nbsp;&nbsp;", "plain": ""}[paragraph_style]
    use_br = not english and rng.random() < 0.2
    table_after = 1 if rng.random() < 0.3 else None
    caption = rng.random() < 0.3
    attachment = rng.random() < 0.25
    wrapper = rng.choice(PARAGRAPH_WRAPPERS)
    subheading = rng.random() < 0.2 and len(paragraphs) >= 3
    zero_width = rng.random() < 0.15

    if caption:
        text = "Photo shows the meeting venue." if english else rng.choice(["图为会议现场。", "图为工作人员走访慰问困难群众。"])
        image = f'<img src="./W020{page.number:04d}.jpg" alt="" border="0">'
        form = rng.randrange(3)
        if form == 0:
            parts.append(f'<p style="text-align: center;">{image}</p>')
            parts.append(f'<p style="text-align: center;">{esc(text)}</p>')
        elif form == 1:
            parts.append(f'<p align="center">{image}</p><p class="pictext">{esc(text)}</p>')
        else:
            parts.append(f"<figure>{image}<figcaption>{esc(text)}</figcaption></figure>")
        lines.append(text)

    if use_br:
        inner = "<br>\n".join(f"{indent}{esc(p)}" for p in paragraphs)
        parts.append(f"<p>{inner}</p>")
        lines.extend(paragraphs)
    else:
        for index, paragraph in enumerate(paragraphs):
            style = rng.choice(['', ' style="text-indent: 2em;"', ' align="justify"'])
            if subheading and index in (1, 2):
                heading = (SUBHEADINGS_EN if english else SUBHEADINGS_ZH)[index - 1]
                parts.append(f"<p{style}><strong>{esc(heading)}</strong></p>")
                lines.append(heading)
            shown = esc(paragraph)
            if zero_width and index == 0:
                # CMS editors paste text with zero-width spaces; readers never see them.
                shown = shown[:6] + "\u200b" + shown[6:]
            opening, closing = wrapper
            parts.append(f"{opening.format(style=style)}{indent}{shown}{closing}")
            if rng.random() < 0.1:
                parts.append("<p>&nbsp;</p>")
            lines.append(paragraph)
            if table_after == index:
                rows = table_rows(rng, english)
                body = "".join(
                    "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows
                )
                parts.append(f'<table border="1" cellspacing="0"><tbody>{body}</tbody></table>')
                lines.extend(" | ".join(row) for row in rows)

    if attachment:
        name = rng.choice(["统计表", "名单", "实施方案", "申报指南"]) if not english else "Annex"
        extension = rng.choice(["pdf", "docx", "xlsx", "doc"])
        prefix = "Attachment: " if english else "附件："
        href = f"./P0{page.day.year}{page.number:06d}.{extension}"
        parts.append(f'<p>{prefix}<a href="{href}">{esc(name)}.{extension}</a></p>')
        lines.append(f"{prefix}{name}.{extension}")
    if not english and rng.random() < 0.3:
        editor = rng.choice(ZH_NAMES)
        parts.append(rng.choice([f'<p style="text-align: right;">（责任编辑：{editor}）</p>', f"<p>【责任编辑：{editor}】</p>"]))
    page.content_html = "\n".join(parts)
    page.body_lines = lines


def table_rows(rng: random.Random, english: bool) -> list[list[str]]:
    if english:
        head = ["Region", "Number", "Change"]
        regions = ["Beijing", "Shanghai", "Zhejiang", "Sichuan"]
    else:
        head = ["地区", "数量（个）", "同比增长"]
        regions = ["北京", "上海", "浙江", "四川", "广东"]
    rows = [head]
    for region in rng.sample(regions, 3):
        rows.append([region, str(rng.randint(120, 9800)), f"{rng.randint(1, 30)}.{rng.randint(0, 9)}%"])
    return rows


def inside_furniture(page: Page, english: bool) -> str:
    """Share bars, print/close links and the like that some templates put inside the container."""
    rng = page.rng
    pieces = []
    if rng.random() < 0.3:
        pieces.append('<div class="bdsharebuttonbox"><span>分享到：</span><a class="bds_weixin">微信</a>'
                      '<a class="bds_tsina">微博</a></div>' if not english else
                      '<div class="share">Share: <a>WeChat</a> <a>Weibo</a></div>')
    if rng.random() < 0.3:
        pieces.append("<p>【打印本页】 【关闭窗口】</p>" if not english else "<p>[Print] [Close]</p>")
    if rng.random() < 0.2:
        related = ["民政部召开党组会议", "全国民政工作视频会议召开"] if not english else ["Premier stresses stable growth", "China issues guideline on elderly care"]
        items = "".join(f'<li><a href="../t2019{index}.html">{esc(t)}</a></li>' for index, t in enumerate(related))
        heading = "相关链接" if not english else "Related Stories"
        pieces.append(f"<p><strong>{heading}</strong></p><ul>{items}</ul>")
    return "\n".join(pieces)


# --- templates --------------------------------------------------------------------------

FOOT_ZH = (
    '<div class="footer"><p><a href="/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>'
    "<p>版权所有：{site} 主办单位：{site}</p><p>网站标识码{code} {icp} {police}</p></div>"
)


def head(title: str, encoding_meta: str, metas: list[str], extra: str = "") -> str:
    return (
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
        "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f"{encoding_meta}\n<title>{esc(title)}</title>\n" + "\n".join(metas) + "\n"
        '<link rel="stylesheet" href="/css/style.css">\n'
        '<script type="text/javascript" src="/js/jquery.min.js"></script>\n'
        f"{extra}</head>\n"
    )


def gov_metas(page: Page, site: str, site_code: str, *, pubdate: str | None, column: str | None,
              source: str | None, author: str | None, swap: bool, article_title: str | None) -> list[str]:
    metas = [meta_tag("SiteName", site, swap), meta_tag("SiteDomain", page.url.split("/")[2], swap),
             meta_tag("SiteIDCode", site_code, swap)]
    if column is not None:
        metas.append(meta_tag("ColumnName", column, swap))
        metas.append(meta_tag("ColumnType", column, swap))
    if article_title is not None:
        metas.append(meta_tag("ArticleTitle", article_title, swap))
    if pubdate is not None:
        metas.append(meta_tag("PubDate", pubdate, swap))
    if source is not None:
        metas.append(meta_tag("ContentSource", source, swap))
    metas.append(meta_tag("Keywords", page.article.title[:6], swap))
    if author is not None:
        metas.append(meta_tag("Author", author, swap))
    metas.append(meta_tag("Description", page.article.paragraphs[0][:40], swap))
    metas.append(meta_tag("Url", page.url, swap))
    return metas


def pubdate_text(page: Page) -> str:
    return ymd(page.day) + (f" {hm(page.clock)}" if page.clock else "")


def render_mca_new(page: Page) -> str:
    rng = page.rng
    site = "中华人民共和国民政部"
    page.url = f"https://www.mca.gov.cn/n152/n165/c{1662004999979990000 + page.number * 7919}/content.html"
    swap = rng.random() < 0.5
    metas = gov_metas(page, site, "bm13000001", pubdate=pubdate_text(page), column=page.section,
                      source=page.source, author=rng.choice(["民政部", ""]), swap=swap,
                      article_title=page.article.title)
    build_content(page, english=False, paragraph_style=rng.choice(["ideographic", "plain"]))
    page.expected_source = page.source
    info_time = pubdate_text(page)
    return (
        head(f"{page.article.title}_{site}", '<meta charset="utf-8">', metas)
        + '<body>\n<div class="header"><div class="logo"><h1>中华人民共和国民政部</h1></div>'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/n152/index.html">新闻</a></li>'
        '<li><a href="/n156/index.html">政务公开</a></li><li><a href="/n158/index.html">政务服务</a></li></ul></div>\n'
        f'<div class="location"><a href="/">首页</a> &gt; <a href="/n152/index.html">新闻</a> &gt; '
        f'<a href="/n152/n165/index.html">{esc(page.section)}</a></div>\n'
        f'<div class="main"><div class="mtitle"><h1>{esc(page.article.title)}</h1></div>\n'
        f'<div class="xq-info"><span>{rng.choice(["发布时间", "时间", "日期"])}：{info_time}</span>&nbsp;&nbsp;<span>来源：{esc(page.source)}</span>'
        '<span class="zh">字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></span></div>\n'
        f'<div class="content" id="zoom">\n{page.content_html}\n{inside_furniture(page, False)}\n</div>\n'
        '<div class="print"><a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></div>\n'
        '<div class="xglj"><h3>相关链接</h3><ul><li><a href="/n152/n165/c1/content.html">全国民政工作会议在京召开</a></li>'
        '<li><a href="/n152/n165/c2/content.html">民政部召开部党组会议</a></li></ul></div></div>\n'
        + FOOT_ZH.format(site=site, code="bm13000001", icp="京ICP备05069133号", police="京公网安备11010202000115号")
        + "\n<script>var _hmt = _hmt || [];</script>\n</body>\n</html>\n"
    )


def render_mca_old(page: Page) -> str:
    rng = page.rng
    site = "中华人民共和国民政部"
    month = f"{page.day.year}{page.day.month:02d}"
    page.url = f"http://www.mca.gov.cn/article/xw/mtbd/{month}/{month}000{22000 + page.number * 37:05d}.shtml"
    page.clock = None  # the old template shows no time of day
    build_content(page, english=False, paragraph_style=rng.choice(["ideographic", "nbsp"]))
    # The seed page: an empty info line, the date only in the trailing source line.
    empty_info = page.number % 2 == 0
    trailing_style = rng.randrange(3)
    trailing_date = {0: ymd(page.day, "."), 1: cn_date(page.day), 2: ymd(page.day, "-")}[trailing_style]
    trailing = f"<p>（来源：{esc(page.source)} {trailing_date}）</p>"
    if empty_info:
        info = "时间： 来源："
    else:
        info = f"时间：{ymd(page.day)} 来源：{esc(page.source)}"
    page.expected_source = page.source
    return (
        head(f"{page.article.title} - {site}", '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />', [])
        + '<body>\n<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
        '<td class="topnav"><a href="/">首页</a> | <a href="/article/xw/">新闻</a> | <a href="/article/zwgk/">政务公开</a></td></tr></table>\n'
        '<table width="1000" border="0" align="center"><tr><td class="dqwz">您现在的位置：<a href="/">首页</a> &gt; '
        f'<a href="/article/xw/">新闻</a> &gt; <a href="/article/xw/mtbd/">{esc(page.section)}</a></td></tr></table>\n'
        '<table width="1000" border="0" align="center" class="arti"><tr>'
        f'<td class="arti_title" align="center">{esc(page.article.title)}</td></tr>\n'
        f'<tr><td class="arti_date" align="center">{info}&nbsp;&nbsp;【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</td></tr>\n'
        f'<tr><td class="arti_content"><div id="zoom">\n{page.content_html}\n{trailing}\n</div></td></tr>\n'
        '<tr><td align="right"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></td></tr></table>\n'
        '<table width="1000" align="center"><tr><td class="bottom">版权所有：中华人民共和国民政部 &nbsp; 京ICP备05069133号</td></tr></table>\n'
        "</body>\n</html>\n"
    )


def render_govcn(page: Page) -> str:
    rng = page.rng
    site = "中国政府网"
    page.url = (f"https://www.gov.cn/xinwen/{page.day.year}-{page.day.month:02d}/{page.day.day:02d}/"
                f"content_{5460000 + page.number * 131}.htm")
    if page.clock is None:
        page.clock = time(rng.randint(8, 20), rng.choice([0, 5, 15, 30, 45]))
    seconds = rng.randint(0, 59)
    first = f"{ymd(page.day)}-{hm(page.clock)}:{seconds:02d}"
    metas = [
        '<meta name="keywords" content="' + esc(page.article.title[:8]) + '">',
        '<meta name="description" content="' + esc(page.article.paragraphs[0][:50]) + '">',
        f'<meta name="firstpublishedtime" content="{first}">',
        f'<meta name="lastmodifiedtime" content="{ymd(page.day)}-{hm(page.clock)}:{(seconds + 7) % 60:02d}">',
        f'<meta name="lanmu" content="{esc(page.section)}">',
        '<meta name="others" content="页面生成时间 2019-12-19 10:30:31">',
    ]
    build_content(page, english=False, paragraph_style="ideographic")
    page.expected_source = page.source
    page.expected_published_at = f"{ymd(page.day)}T{hm(page.clock)}:{seconds:02d}+08:00"
    editor = rng.choice(ZH_NAMES)
    return (
        head(f"{page.article.title}_滚动新闻_{site}", '<meta charset="utf-8">', metas)
        + '<body>\n<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="中国政府网"></a></div>'
        '<div class="nav"><a href="/">首页</a><a href="/zhengce/">政策</a><a href="/xinwen/">新闻</a><a href="/hudong/">互动</a></div></div>\n'
        '<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/xinwen/">新闻</a> &gt; '
        f'<a href="/xinwen/yaowen.htm">{esc(page.section)}</a></div>\n'
        f'<div class="article oneColumn pub_border"><h1>{esc(page.article.title)}</h1>\n'
        f'<div class="pages-date">{ymd(page.day)} {hm(page.clock)}&nbsp;&nbsp;<span class="font">来源： {esc(page.source)}</span>'
        '<span class="font index_switchsize">【字体：<span>大</span> <span>中</span> <span>小</span>】</span></div>\n'
        f'<div class="pages_content" id="UCAP-CONTENT">\n{page.content_html}\n</div>\n'
        f'<div class="editor"><span><a href="https://www.gov.cn/fuwu/jiucuo.htm">【我要纠错】</a></span>责任编辑：{editor}</div>\n'
        '<div id="div_div" class="mhide"><div id="qr_container" class="sweep">扫一扫在手机打开当前页</div></div>\n'
        '<div class="xg-list related"><div class="pannel-title">相关稿件</div><ul class="list01">'
        '<li><a href="/xinwen/a.htm">国务院常务会议召开</a></li></ul></div></div>\n'
        '<div class="footer"><p>主办单位：国务院办公厅 运行维护单位：中国政府网运行中心</p>'
        "<p>版权所有：中国政府网 中文域名：中国政府网.政务</p><p>网站标识码bm01000001 京ICP备05070218号 京公网安备11010202000001号</p></div>\n"
        "</body>\n</html>\n"
    )


def render_mohrss(page: Page) -> str:
    rng = page.rng
    site = "中华人民共和国人力资源和社会保障部"
    month = f"{page.day.year}{page.day.month:02d}"
    page.url = (f"http://www.mohrss.gov.cn/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/{month}/"
                f"t{ymd(page.day, '')}_{340000 + page.number * 17}.html")
    page.encoding = "gbk"
    page.declared_encoding = rng.choice(["utf-8", "gbk", None, "utf-8"])
    swap = rng.random() < 0.5
    metas = gov_metas(page, site, "bm12000001", pubdate=pubdate_text(page), column=page.section,
                      source=page.source, author=None, swap=swap, article_title=page.article.title)
    build_content(page, english=False, paragraph_style=rng.choice(["ideographic", "nbsp", "plain"]))
    page.expected_source = page.source
    style = '<style type="text/css">.TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:2;font-family:宋体;font-size:12pt;}</style>'
    return (
        head(f"{page.article.title}_{site}", '<meta http-equiv="Content-Type" content="text/html; charset=gbk" />', metas)
        + '<body>\n<div class="top"><div class="insTopBox"><img src="/images/banner.jpg" alt="人力资源和社会保障部"></div>'
        '<div class="insNav"><a href="/">首页</a><a href="/SYrlzyhshbzb/zwgk/">政务公开</a><a href="/SYrlzyhshbzb/dongtaixinwen/">动态新闻</a></div></div>\n'
        '<div class="insMain"><div class="insMainLocation"><span>当前位置：</span><a href="/">首页</a> &gt; '
        f'<a href="/SYrlzyhshbzb/dongtaixinwen/">动态新闻</a> &gt; <a href="../">{esc(page.section)}</a></div>\n'
        f'<div class="insMainConTitle"><div class="insMainConTitle_b">{esc(page.article.title)}</div>\n'
        '<table width="100%"><tr><td class="insMainConTitle_c">'
        f'发布日期：{pubdate_text(page)}&nbsp;&nbsp;&nbsp;来源：{esc(page.source)}</td>'
        '<td class="insMainConTitle_d">【<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</td></tr></table></div>\n'
        f'<div class="insMainConTxt" id="insMainConTxt"><div class="TRS_Editor">{style}\n{page.content_html}\n</div>\n'
        f"{inside_furniture(page, False)}</div>\n"
        '<div class="insMainConFoot"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div></div>\n'
        + FOOT_ZH.format(site=site, code="bm12000001", icp="京ICP备12000001号", police="京公网安备110401300001号")
        + "\n</body>\n</html>\n"
    )


def render_mee(page: Page) -> str:
    rng = page.rng
    site = "中华人民共和国生态环境部"
    month = f"{page.day.year}{page.day.month:02d}"
    page.url = f"https://www.mee.gov.cn/ywdt/hjywnews/{month}/t{ymd(page.day, '')}_{749000 + page.number * 29}.shtml"
    page.encoding = "gb2312"
    page.declared_encoding = rng.choice(["utf-8", "gb2312", None])
    swap = rng.random() < 0.5
    metas = gov_metas(page, site, "bm17000009", pubdate=pubdate_text(page), column=page.section,
                      source=page.source, author="", swap=swap, article_title="")
    build_content(page, english=False, paragraph_style=rng.choice(["ideographic", "nbsp"]))
    page.expected_source = page.source
    info_date = ymd(page.day) if page.clock is None else pubdate_text(page)
    return (
        head(f"{page.article.title}_{site}", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', metas)
        + '<body>\n<div class="topBox"><div class="logo"><a href="/">生态环境部</a></div>'
        '<ul class="mainNav"><li><a href="/">首页</a></li><li><a href="/ywdt/">要闻动态</a></li><li><a href="/zcwj/">政策文件</a></li></ul></div>\n'
        '<div class="mainBox"><div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/ywdt/">要闻动态</a> &gt; '
        f'<a href="/ywdt/hjywnews/">{esc(page.section)}</a></div>\n'
        f'<div class="content_top_box"><h2 class="neiright_Title">{esc(page.article.title)}</h2>\n'
        f'<div class="wzxq_neirong2"><span class="xqLysj">{info_date}</span>&nbsp;&nbsp;'
        f'<span class="xqLy">来源：{esc(page.source)}</span></div></div>\n'
        f'<div class="neiright_JPZ_GK_CP"><div class="TRS_Editor">\n{page.content_html}\n</div></div>\n'
        '<div class="fenxiang">分享到：<a class="wx">微信</a><a class="wb">微博</a></div>\n'
        '<div class="ewm">扫一扫在手机打开当前页</div></div>\n'
        + FOOT_ZH.format(site=site, code="bm17000009", icp="京ICP备05009132号", police="京公网安备11010202000120号")
        + "\n</body>\n</html>\n"
    )


def render_english(page: Page) -> str:
    rng = page.rng
    site = "english.gov.cn"
    page.url = (f"https://english.www.gov.cn/news/{page.day.year}{page.day.month:02d}/{page.day.day:02d}/"
                f"content_WS5df{page.number:04d}c6d0bcf8c4c18d3e.html")
    trailing = rng.random() < 0.35
    byline = page.author is not None and rng.random() < 0.5
    build_content(page, english=True, paragraph_style="plain", reporter_note=not byline)
    if byline:
        page.expected_author = page.author
    page.expected_source = page.source
    jsonld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": page.article.title,
        "datePublished": f"{ymd(page.day)}T{hm(page.clock)}:00+08:00" if page.clock else ymd(page.day),
        "publisher": {"@type": "Organization", "name": "english.gov.cn"},
    }
    metas = [
        f'<meta property="og:title" content="{esc(page.article.title)}">',
        '<meta property="og:site_name" content="english.gov.cn">',
        '<meta property="og:type" content="article">',
        f'<script type="application/ld+json">{json.dumps(jsonld)}</script>',
    ]
    when = en_date(page.day, rng.randrange(2)) + (f" {hm(page.clock)}" if page.clock else "")
    written = f' &nbsp; <span class="author">Written by: {esc(page.author)}</span>' if byline else ""
    info = f'<div class="info">Updated: {when} &nbsp; Source: {esc(page.source)}{written}</div>'
    trailer = ""
    if trailing:
        trailer = f"<p>(Source: {esc(page.source)} {ymd(page.day, '.')})</p>"
        info = f'<div class="info">Updated: {when}{written}</div>'
    return (
        head(f"{page.article.title} - {site}", '<meta charset="UTF-8">', metas)
        + '<body>\n<div class="header"><a href="/" class="logo">THE STATE COUNCIL THE PEOPLE\'S REPUBLIC OF CHINA</a>'
        '<ul class="nav"><li><a href="/news/">News</a></li><li><a href="/policies/">Policies</a></li><li><a href="/services/">Services</a></li></ul></div>\n'
        f'<div class="bread-crumb"><a href="/">Home</a> &gt; <a href="/news/">News</a> &gt; <a href="/news/topnews/">{esc(page.section)}</a></div>\n'
        f'<div class="article"><h1 class="article-title">{esc(page.article.title)}</h1>\n{info}\n'
        '<div class="font-size">Font size: <a>A+</a> <a>A-</a></div>\n'
        f'<div class="article-content" id="Zoom">\n{page.content_html}\n{trailer}\n{inside_furniture(page, True)}\n</div>\n'
        '<div class="qr">Scan to open the current page on the mobile phone</div></div>\n'
        '<div class="footer"><p><a href="/aboutus/">About us</a> | <a href="/contactus/">Contact us</a></p>'
        "<p>Copyright© www.gov.cn | Website Identification Code bm01000001</p><p>Registration Number: 05070218</p></div>\n"
        "</body>\n</html>\n"
    )


def render_moe(page: Page) -> str:
    rng = page.rng
    site = "中华人民共和国教育部政府门户网站"
    month = f"{page.day.year}{page.day.month:02d}"
    page.url = (f"http://www.moe.gov.cn/jyb_xwfb/gzdt_gzdt/s5987/{month}/"
                f"t{ymd(page.day, '')}_{412000 + page.number * 43}.html")
    swap = rng.random() < 0.5
    # The PubDate tag is present but empty on this template; the visible line carries the date.
    metas = gov_metas(page, site, "bm05000001", pubdate="", column=page.section, source=page.source,
                      author=None, swap=swap, article_title=page.article.title)
    byline = page.author is not None and rng.random() < 0.5
    build_content(page, english=False, paragraph_style="ideographic", reporter_note=not byline)
    page.expected_source = page.source
    writer = f"&nbsp;&nbsp;作者：{esc(page.author)}" if byline else ""
    if byline:
        page.expected_author = page.author
    shown = cn_date(page.day) + (f" {hm(page.clock)}" if page.clock else "")
    if rng.random() < 0.35:
        shown = shown.translate(FULLWIDTH_DIGITS)
    return (
        head(f"{page.article.title} - {site}", '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', metas)
        + '<body>\n<div id="wrapper"><div class="moe-header"><a href="/" class="moe-logo">中华人民共和国教育部</a></div>\n'
        f'<div class="moe-position">您的位置：<a href="/">首页</a> &gt; <a href="/jyb_xwfb/">新闻</a> &gt; <a href="../../">{esc(page.section)}</a></div>\n'
        '<div class="moe-detail-box">'
        f'<h1>{esc(page.article.title)}</h1>\n'
        f'<div class="moe-detail-shuxing">来源：{esc(page.source)}&nbsp;&nbsp;&nbsp;发布时间：{shown}{writer}</div>\n'
        f'<div id="downloadContent"><div class="TRS_Editor">\n{page.content_html}\n</div></div>\n'
        f"{inside_furniture(page, False)}"
        '<div class="moe-detail-foot"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a></div></div>\n'
        '<div id="foot">主办单位：中华人民共和国教育部 版权所有：中华人民共和国教育部 京ICP备10028400号 京公网安备11040202430174号 网站标识码bm05000001</div></div>\n'
        "</body>\n</html>\n"
    )


def render_ndrc(page: Page) -> str:
    rng = page.rng
    month = f"{page.day.year}{page.day.month:02d}"
    page.url = f"https://www.ndrc.gov.cn/xwdt/xwfb/{month}/t{ymd(page.day, '')}_{1213000 + page.number * 61}.html"
    build_content(page, english=False, paragraph_style=rng.choice(["ideographic", "plain"]))
    page.expected_source = page.source
    # No meta tags, no known container: the page has to be read by density.
    date_hidden = page.number % 4 == 1
    if date_hidden:
        page.clock = None
        info = f'<div class="time"><span>来源：{esc(page.source)}</span></div>'
    else:
        shown = ymd(page.day, "/") + (f" {hm(page.clock)}" if page.clock else "")
        info = f'<div class="time"><span>发布时间：{shown}</span>&nbsp;&nbsp;<span>来源：{esc(page.source)}</span></div>'
    links = "".join(f'<li><a href="/xwdt/xwfb/{month}/t{index}.html">{t}</a></li>' for index, t in enumerate(
        ["国家发展改革委召开专题会议", "国家发展改革委举行新闻发布会", "一图读懂政策要点", "关于做好有关工作的通知"]))
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{esc(page.article.title)}_国家发展和改革委员会</title>\n</head>\n"
        '<body>\n<div class="top"><a href="/" class="logo">国家发展和改革委员会</a></div>\n'
        '<div class="navs"><ul><li><a href="/">首页</a></li><li><a href="/xwdt/">新闻动态</a></li><li><a href="/xxgk/">政务公开</a></li><li><a href="/fggz/">发展改革工作</a></li></ul></div>\n'
        f'<div class="container"><div class="path">当前位置：<a href="/">首页</a> &gt; <a href="/xwdt/">新闻动态</a> &gt; <a href="../">{esc(page.section)}</a></div>\n'
        '<div class="main-left"><div class="list-box"><h3>新闻动态</h3><ul>' + links + "</ul></div></div>\n"
        + (
            # Half the pages keep headline and info line inside the text block itself.
            f'<div class="main-right"><div class="article_con"><h2 class="article_title">{esc(page.article.title)}</h2>\n'
            f'{info}\n{page.content_html}\n</div>\n'
            if page.number % 2 == 0 else
            f'<div class="main-right"><h2 class="article_title">{esc(page.article.title)}</h2>\n{info}\n'
            f'<div class="article_con">\n{page.content_html}\n</div>\n'
        )
        + '<div class="shareBox">分享到：<a>微信</a> <a>微博</a></div></div></div>\n'
        '<div class="footer">国家发展和改革委员会 版权所有 京ICP备05052393号 网站标识码bm04000007</div>\n'
        "</body>\n</html>\n"
    )


CHANNELS_ZH = ["机构概况", "政务公开", "新闻发布", "政策文件", "政策解读", "办事服务", "互动交流", "专题专栏",
               "数据发布", "人事信息", "规划计划", "财政资金", "建议提案", "通知公告", "地方动态", "图片新闻"]
CHANNELS_EN = ["News", "Policies", "Services", "Data", "Ministries", "Regions", "Premier", "State Council",
               "Press Releases", "Photos", "Videos", "Archive"]
FRIENDS_ZH = ["中国政府网", "全国人大", "全国政协", "国家发展改革委", "教育部", "科技部", "民政部", "财政部",
              "人力资源社会保障部", "生态环境部", "住房城乡建设部", "交通运输部", "水利部", "农业农村部", "商务部",
              "国家卫生健康委", "应急管理部", "审计署", "国家统计局", "国家医保局"]
INLINE_SCRIPT = (
    "<script type=\"text/javascript\">\n"
    "var _hmt = _hmt || [];\n(function () {\n  var hm = document.createElement('script');\n"
    "  hm.src = '//hm.baidu.com/hm.js?0000000000000000';\n  var s = document.getElementsByTagName('script')[0];\n"
    "  s.parentNode.insertBefore(hm, s);\n})();\n"
    "function doZoom(size) { document.getElementById('zoom').style.fontSize = size + 'px'; }\n"
    "function setTab(name, cursel, n) { for (var i = 1; i <= n; i++) { var menu = document.getElementById(name + i);"
    " if (menu) { menu.className = (i == cursel ? 'hover' : ''); } } }\n</script>\n"
)


def site_chrome(rng: random.Random, english: bool) -> tuple[str, str]:
    """The mega-menu and friend-link footer every ministry page carries (most of its bytes)."""
    channels = CHANNELS_EN if english else CHANNELS_ZH
    menus = []
    for index, channel in enumerate(channels):
        items = "".join(
            f'<li><a href="/col/col{index}{k}/index.html" target="_blank">{esc(channel)}{"" if english else "栏目"}{k + 1}</a></li>'
            for k in range(rng.randint(4, 9))
        )
        menus.append(f'<li class="menu-item" onmouseover="setTab(\'m\',{index},{len(channels)})">'
                     f'<a href="/col/col{index}/index.html">{esc(channel)}</a><ul class="sub">{items}</ul></li>')
    top = f'<div class="mega-menu" id="megaMenu"><ul>{"".join(menus)}</ul></div>\n'
    friends = "".join(f'<option value="http://www.example{k}.gov.cn/">{esc(name)}</option>'
                      for k, name in enumerate(FRIENDS_ZH))
    links = "".join(f'<a href="http://www.example{k}.gov.cn/" target="_blank">{esc(name)}</a> '
                    for k, name in enumerate(FRIENDS_ZH))
    bottom = (f'<div class="friend-links"><select onchange="window.open(this.value)"><option>部委网站</option>{friends}'
              f'</select><div class="links">{links}</div></div>\n{INLINE_SCRIPT}')
    return top, bottom


TEMPLATES = {
    "mca_new": (render_mca_new, "zh", ["民政要闻", "媒体报道", "地方动态"],
                ["民政部网站", "中国社会报", "民政部新闻办", "人民日报"]),
    "mca_old": (render_mca_old, "zh", ["媒体报道"],
                ["中国社会报", "人民日报", "光明日报", "经济日报", "新华社", "法治日报"]),
    "govcn": (render_govcn, "zh", ["要闻", "部门新闻", "滚动新闻"],
              ["新华社", "中国政府网", "人民日报", "国务院新闻办公室网站"]),
    "mohrss": (render_mohrss, "zh", ["部内要闻", "工作动态"],
               ["人力资源社会保障部新闻中心", "中国劳动保障报", "人民日报"]),
    "mee": (render_mee, "zh", ["环境要闻", "部内要闻"], ["生态环境部", "中国环境报", "新华社"]),
    "english": (render_english, "en", ["Top News", "Ministries"],
                ["Xinhua", "China Daily", "english.gov.cn", "China Social News"]),
    "moe": (render_moe, "zh", ["工作动态", "教育部简报"], ["教育部", "中国教育报", "教育部新闻办公室"]),
    "ndrc": (render_ndrc, "zh", ["新闻发布", "工作动态"], ["新闻发布中心", "国家发展改革委网站", "经济日报"]),
}
TOPICS = {
    "mca_new": [0, 1, 2, 3, 4, 22, 23, 19], "mca_old": [23, 22, 4, 3, 2, 1, 0, 21],
    "govcn": [19, 20, 21, 5, 9, 13, 16, 1], "mohrss": [5, 6, 7, 8, 21, 6, 5, 7],
    "mee": [9, 10, 11, 12, 19, 10, 11, 9], "moe": [13, 14, 15, 20, 13, 14, 15, 8],
    "ndrc": [16, 17, 18, 19, 20, 17, 16, 18], "english": [0, 1, 2, 3, 4, 5, 6, 7],
}


def main(out: Path = HERE) -> int:
    """Write the corpus into ``out``; returns the number of pages."""
    rng = random.Random(SEED)
    zh_articles = load_articles("texts_zh.txt")
    en_articles = load_articles("texts_en.txt")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("[0-9][0-9][0-9].*"):
        stale.unlink()
    number = 0
    for template, (render, language, sections, sources) in TEMPLATES.items():
        for slot in range(PAGES_PER_TEMPLATE):
            number += 1
            pool = en_articles if language == "en" else zh_articles
            article = pool[TOPICS[template][slot] % len(pool)]
            page_rng = random.Random(rng.randrange(1 << 30))
            day = date(page_rng.randint(2013, 2024), page_rng.randint(1, 12), page_rng.randint(1, 28))
            clock = time(page_rng.randint(7, 21), page_rng.choice([0, 10, 20, 30, 40, 50, 5, 45])) \
                if page_rng.random() < 0.6 else None
            names = EN_NAMES if language == "en" else ZH_NAMES
            author = page_rng.choice(names) if page_rng.random() < 0.5 else None
            page = Page(number, template, Article(article.title, list(article.paragraphs)), day, clock,
                        page_rng.choice(sources), author, page_rng.choice(sections), page_rng)
            document = render(page)
            top, bottom = site_chrome(page_rng, language == "en")
            document = document.replace("<body>\n", "<body>\n" + top, 1).replace("</body>", bottom + "</body>", 1)
            if page.expected_published_at is None and page.clock is not None:
                page.expected_published_at = f"{ymd(page.day)}T{hm(page.clock)}:00+08:00"
            data = document.encode(page.encoding, errors="xmlcharrefreplace")
            (out / f"{number:03d}.html").write_bytes(data)
            expected = {
                "url": page.url,
                "template": template,
                "declared_encoding": page.declared_encoding,
                "encoding": "gb18030" if page.encoding in ("gbk", "gb2312") else "utf-8",
                "language": language,
                "title": page.article.title,
                "published_date": ymd(page.day),
                "published_at": page.expected_published_at,
                "source": page.expected_source,
                "author": page.expected_author,
                "section": page.section,
                "body": "\n\n".join(page.body_lines),
            }
            (out / f"{number:03d}.json").write_text(
                json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
    return number


if __name__ == "__main__":
    count = main()
    print(f"wrote {count} pages to {HERE}")
