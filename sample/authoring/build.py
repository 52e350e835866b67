"""Render the sample site's article and list pages from the texts in this folder.

The texts (``<seed>.toml``) are the authored material; the HTML under
``sample/site/`` is generated from them with one template per site,
because real ministries use different CMS templates and the extractor must
cope with each. Hand-made pages (the hacked seed page, doorways, robots.txt)
live directly under ``site/`` and are not touched here.

Run: ``python -m sample.authoring.build`` (rewrites the generated files).
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

AUTHORING_DIR = Path(__file__).parent
SITE_DIR = AUTHORING_DIR.parent / "site"
SEEDS = ("mca", "gov", "mohrss", "mee", "gov_en")


@dataclass
class Article:
    path: str
    title: str
    date: str
    source: str
    paragraphs: list[str]
    author: str = ""
    meta: bool = True
    list_page: int = 0
    link: str = ""
    hidden_links: list[list[str]] = field(default_factory=list)
    script_spam: str = ""
    attachments: list[list[str]] = field(default_factory=list)
    cloak_paragraph: str = ""
    cloak_title: str = ""
    editor_note: str = ""
    related: bool = True
    note: str = ""

    @property
    def day(self) -> str:
        return self.date[:10]


@dataclass
class ListPage:
    index: int
    path: str
    extra_links: list[list[str]] = field(default_factory=list)
    hidden_links: list[list[str]] = field(default_factory=list)
    empty_text: str = ""


@dataclass
class SiteText:
    seed: str
    host: str
    column: str
    articles: list[Article]
    lists: list[ListPage]


def e(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs_html(paragraphs: list[str], indent: str = "") -> str:
    return "\n".join(f'{indent}<p style="text-indent: 2em;">{e(p)}</p>' for p in paragraphs)


def attachments_html(a: Article, label: str = "附件：") -> str:
    if not a.attachments:
        return ""
    items = "\n".join(f'    <li>{label}<a href="{e(h)}">{e(t)}</a></li>' for h, t in a.attachments)
    return f'\n  <div class="fujian"><ul>\n{items}\n  </ul></div>'


def load(seed: str) -> SiteText:
    with (AUTHORING_DIR / f"{seed}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    articles = [Article(**{("list_page" if k == "list" else k): v for k, v in a.items()}) for a in data["article"]]
    lists = [ListPage(**page) for page in data["list"]]
    return SiteText(seed=seed, host=data["host"], column=data["column"], articles=articles, lists=lists)


def related_of(site: SiteText, article: Article) -> list[Article]:
    listed = [a for a in site.articles if a.list_page >= 0 and a.related and a.path != article.path]
    start = site.articles.index(article) % max(1, len(listed))
    return (listed[start:] + listed[:start])[:3]


def link_of(article: Article) -> str:
    return article.link or article.path


# ---------------------------------------------------------------------------
# www.mca.gov.cn — the 2023 "n152/n165" template
# ---------------------------------------------------------------------------

MCA_FOOTER = """<div class="footer">
  <div class="footer-links"><a href="/n2623/index.html">关于我们</a> | <a href="/n2625/index.html">网站地图</a> | <a href="/n2627/index.html">联系我们</a></div>
  <p>主办：中华人民共和国民政部　版权所有　中文域名：民政部.政务</p>
  <p>网站标识码bm12000003　<a href="https://beian.miit.gov.cn/">京ICP备13012430号</a>　京公网安备11040102700079号</p>
</div>"""


def mca_article(site: SiteText, a: Article, spam_variant: bool = False) -> str:
    title = a.cloak_title if spam_variant and a.cloak_title else a.title
    paragraphs = list(a.paragraphs)
    if spam_variant and a.cloak_paragraph:
        paragraphs.insert(1, a.cloak_paragraph)
    meta = ""
    if a.meta:
        meta = f"""<meta name="SiteName" content="中华人民共和国民政部">
<meta name="SiteDomain" content="www.mca.gov.cn">
<meta name="SiteIDCode" content="bm12000003">
<meta name="ColumnName" content="{e(site.column)}">
<meta name="ColumnType" content="{e(site.column)}">
<meta name="ArticleTitle" content="{e(a.title)}">
<meta name="PubDate" content="{e(a.date)}">
<meta name="ContentSource" content="{e(a.source)}">
<meta name="Keywords" content="">
<meta name="Author" content="{e(a.author)}">
"""
    hidden = ""
    if a.hidden_links:
        links = "".join(f'<a href="{e(h)}">{e(t)}</a> ' for h, t in a.hidden_links)
        hidden = f'\n<div style="display:none">{links}</div>'
    script = ""
    if a.script_spam:
        script = f"\n<script type=\"text/javascript\">document.write('{a.script_spam}');</script>"
    attachments = attachments_html(a)
    related = "\n".join(
        f'    <li><a href="{e(link_of(r))}" target="_blank">{e(r.title)}</a><span>{r.day}</span></li>'
        for r in related_of(site, a)
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
{meta}<title>{e(title)}_中华人民共和国民政部</title>
<link rel="stylesheet" type="text/css" href="/images/content.css">
</head>
<body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="中华人民共和国民政部"></a>
  <ul class="nav"><li><a href="/">首页</a></li><li><a href="/n152/index.html">新闻中心</a></li><li><a href="/n156/index.html">政务公开</a></li><li><a href="/n159/index.html">互动交流</a></li></ul>
</div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/n152/index.html">新闻中心</a> &gt; <a href="/n152/n165/index.html">{e(site.column)}</a></div>
<div class="article">
  <div class="artitle"><h1>{e(title)}</h1></div>
  <div class="arinfo"><span>发布时间：{e(a.date)}</span>　<span>来源：{e(a.source)}</span>　<span>【字体：<a href="javascript:void(0)">大</a> <a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】</span></div>
  <div id="zoom" class="content">
{paragraphs_html(paragraphs, "    ")}
  </div>{attachments}
  <div class="share">分享到：<a href="javascript:void(0)" class="wx">微信</a> <a href="javascript:void(0)" class="wb">微博</a>　【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
  <div class="qrcode"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>
</div>
<div class="related"><h3>相关文章</h3>
  <ul>
{related}
  </ul>
</div>{hidden}{script}
{MCA_FOOTER}
</body>
</html>
"""


def mca_list(site: SiteText, page: ListPage, total: int) -> str:
    items = [
        f'    <li><a href="{e(link_of(a))}" target="_blank" title="{e(a.title)}">{e(a.title)}</a><span class="date">{a.day}</span></li>'
        for a in site.articles
        if a.list_page == page.index
    ]
    items += [f'    <li><a href="{e(h)}" target="_blank">{e(t)}</a><span class="date">{d}</span></li>' for h, t, d in page.extra_links]
    pager = pager_html(page.index, total, lambda i: "index.html" if i == 0 else f"index_{i}.html")
    hidden = ""
    if page.hidden_links:
        links = "".join(f'<a href="{e(h)}">{e(t)}</a> ' for h, t in page.hidden_links)
        hidden = f'\n<div style="position:absolute;top:-999px;left:-999px;font-size:0">{links}</div>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="中华人民共和国民政部">
<meta name="ColumnName" content="{e(site.column)}">
<title>{e(site.column)}_中华人民共和国民政部</title>
</head>
<body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="中华人民共和国民政部"></a></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/n152/index.html">新闻中心</a> &gt; {e(site.column)}</div>
<div class="list-box">
  <h2>{e(site.column)}</h2>
  <ul class="newslist">
{chr(10).join(items)}
  </ul>
  {pager}
</div>
<div class="links"><h3>相关链接</h3><a href="http://www.mohrss.gov.cn/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/">人力资源和社会保障部</a> <a href="http://www.gov.cn/">中国政府网</a></div>{hidden}
{MCA_FOOTER}
</body>
</html>
"""


def pager_html(index: int, total: int, name: Callable[[int], str]) -> str:
    parts = [f'<a href="{name(0)}">首页</a>']
    if index > 0:
        parts.append(f'<a href="{name(index - 1)}">上一页</a>')
    for i in range(total):
        parts.append(f"<span>{i + 1}</span>" if i == index else f'<a href="{name(i)}">{i + 1}</a>')
    if index + 1 < total:
        parts.append(f'<a href="{name(index + 1)}">下一页</a>')
    parts.append(f'<a href="{name(total - 1)}">尾页</a>')
    return '<div class="page">' + " ".join(parts) + "</div>"


# ---------------------------------------------------------------------------
# www.gov.cn — the UCAP template, full meta set with firstpublishedtime
# ---------------------------------------------------------------------------

GOV_FOOTER = """<div class="footer">
  <p><a href="/hudong/">网站纠错</a> | <a href="/guanyu/">关于本网</a> | <a href="/guanyu/wzsm.htm">网站声明</a> | <a href="/guanyu/lxwm.htm">联系我们</a></p>
  <p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
  <p>版权所有：中国政府网　中文域名：中国政府网.政务</p>
  <p>网站标识码bm01000001　京ICP备05070218号　京公网安备11010202000001号</p>
</div>"""


def gov_article(site: SiteText, a: Article) -> str:
    first_published = a.date.replace(" ", "-") + ":00"
    content_id = a.path.rsplit("_", 1)[-1].split(".")[0]
    meta = ""
    if a.meta:
        meta = f"""<meta name="firstpublishedtime" content="{first_published}">
<meta name="lastmodifiedtime" content="{first_published}">
<meta name="ArticleTitle" content="{e(a.title)}">
<meta name="PubDate" content="{e(a.date)}">
<meta name="ContentSource" content="{e(a.source)}">
<meta name="Author" content="{e(a.author or a.source)}">
<meta name="ColumnName" content="{e(site.column)}">
<meta name="SiteName" content="中国政府网">
<meta name="SiteIDCode" content="bm01000001">
<meta name="catalog" content="{e(site.column)}">
<meta name="contentid" content="{content_id}">
<meta name="publishdate" content="{a.day}">
<meta name="source" content="{e(a.source)}">
"""
    note = f'\n  <p class="editor-note">（编者按：{e(a.editor_note)}）</p>' if a.editor_note else ""
    related = "\n".join(f'      <li><a href="{e(link_of(r))}">{e(r.title)}</a></li>' for r in related_of(site, a))
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{meta}<title>{e(a.title)}_{e(site.column)}_中国政府网</title>
<link rel="stylesheet" href="/images/2023/common.css">
</head>
<body>
<div class="header"><a href="/" class="logo">中国政府网</a>
  <ul class="menu"><li><a href="/">首页</a></li><li><a href="/yaowen/">要闻</a></li><li><a href="/zhengce/">政策</a></li><li><a href="/hudong/">互动</a></li><li><a href="/fuwu/">服务</a></li></ul>
</div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/yaowen/">要闻</a> &gt; <a href="/yaowen/liebiao/home.htm">{e(site.column)}</a></div>
<div class="article oneColumn pub_border">
  <h1 id="ti">{e(a.title)}</h1>
  <div class="pages-date">{e(a.date)}　<span class="font">来源： {e(a.source)}</span>
    <span class="font index_switchsize">字号：<a href="javascript:void(0)">默认</a> <a href="javascript:void(0)">大</a> <a href="javascript:void(0)">超大</a></span> | <span class="font printIco"><a href="javascript:window.print()">打印</a></span>
  </div>{note}
  <div class="pages_content" id="UCAP-CONTENT">
{paragraphs_html(a.paragraphs, "    ")}
  </div>{attachments_html(a)}
  <div class="editor">【我要纠错】 责任编辑：{e(a.author or '王静')}</div>
  <div class="related"><h3>相关稿件</h3>
    <ul>
{related}
    </ul>
  </div>
</div>
{GOV_FOOTER}
</body>
</html>
"""


def gov_list(site: SiteText, page: ListPage, total: int) -> str:
    items = [
        f'      <li><h4><a href="{e(link_of(a))}" target="_blank">{e(a.title)}</a><span class="date">{a.day}</span></h4></li>'
        for a in site.articles
        if a.list_page == page.index
    ]
    pager = pager_html(page.index, total, lambda i: "home.htm" if i == 0 else f"home_{i}.htm")
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{e(site.column)}_中国政府网</title>
</head>
<body>
<div class="header"><a href="/" class="logo">中国政府网</a></div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/yaowen/">要闻</a> &gt; {e(site.column)}</div>
<div class="list list_1 list_2">
  <ul>
{chr(10).join(items)}
  </ul>
  {pager}
</div>
{GOV_FOOTER}
</body>
</html>
"""


# ---------------------------------------------------------------------------
# www.mohrss.gov.cn — TRS template, no government meta tags, GBK by header only
# ---------------------------------------------------------------------------

MOHRSS_FOOTER = """<div class="footer">
  <p><a href="/SYrlzyhshbzb/wzdt/">网站地图</a> | <a href="/SYrlzyhshbzb/lxwm/">联系我们</a></p>
  <p>主办：中华人民共和国人力资源和社会保障部　版权所有</p>
  <p>网站标识码：bm15000001　京ICP备12039296号　京公网安备11010502030163号</p>
</div>"""


def mohrss_article(site: SiteText, a: Article) -> str:
    related = "\n".join(f'<li><a href="../{e(link_of(r).split("/buneiyaowen/", 1)[1])}">{e(r.title)}</a></li>' for r in related_of(site, a))
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{e(a.title)}_中华人民共和国人力资源和社会保障部</title>
<link href="/SYrlzyhshbzb/images/style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<div class="top"><img src="/SYrlzyhshbzb/images/logo.jpg" alt="人力资源和社会保障部" /></div>
<div class="insMainConTitle_b">当前位置：<a href="/">首页</a> &gt; <a href="../../">动态新闻</a> &gt; <a href="../">{e(site.column)}</a></div>
<div class="insMain">
  <div class="insMainConTitle_a">
    <h2>{e(a.title)}</h2>
  </div>
  <div class="insMainConTitle_c">时间：{a.day}　　来源：{e(a.source)}</div>
  <div class="insMainConTxt">
    <div class="TRS_Editor"><div class="TRS_Editor">
{paragraphs_html(a.paragraphs, "      ")}
    </div></div>
  </div>{attachments_html(a, "相关附件：")}
  <div class="xgxx"><span>【<a href="javascript:window.print();">打印本页</a>】【<a href="javascript:window.close();">关闭窗口</a>】</span></div>
  <div class="xgxw"><h4>相关新闻</h4><ul>
{related}
  </ul></div>
</div>
{MOHRSS_FOOTER}
</body>
</html>
"""


def mohrss_list(site: SiteText, page: ListPage, total: int) -> str:
    items = [
        f'  <li><span>{a.day}</span><a href="./{e(link_of(a).split("/buneiyaowen/", 1)[1])}" target="_blank">{e(a.title)}</a></li>'
        for a in site.articles
        if a.list_page == page.index
    ]
    body = "\n".join(items) if items else f'  <li class="empty">{e(page.empty_text or "暂无信息")}</li>'
    extra = "".join(f' <a href="{e(h)}">{e(t)}</a>' for h, t in page.extra_links)
    pager = pager_html(page.index, total, lambda i: "index.html" if i == 0 else f"index_{i}.html")
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{e(site.column)}_中华人民共和国人力资源和社会保障部</title>
</head>
<body>
<div class="top"><img src="/SYrlzyhshbzb/images/logo.jpg" alt="人力资源和社会保障部" /></div>
<div class="insMainConTitle_b">当前位置：<a href="/">首页</a> &gt; <a href="../">动态新闻</a> &gt; {e(site.column)}</div>
<div class="serviceMainListTabCon"><ul>
{body}
</ul></div>
{pager}{extra}
{MOHRSS_FOOTER}
</body>
</html>
"""


# ---------------------------------------------------------------------------
# www.mee.gov.cn — GB2312 with the charset only in a meta http-equiv
# ---------------------------------------------------------------------------

MEE_FOOTER = """<div class="footer">
  <p>版权所有：中华人民共和国生态环境部　|　网站标识码：bm17000009</p>
  <p>京ICP备05009132号　|　京公网安备 11040102700072号</p>
</div>"""


def mee_article(site: SiteText, a: Article) -> str:
    meta = ""
    if a.meta:
        meta = f"""<meta name="ArticleTitle" content="{e(a.title)}">
<meta name="PubDate" content="{e(a.date)}">
<meta name="ContentSource" content="{e(a.source)}">
<meta name="ColumnName" content="{e(site.column)}">
<meta name="SiteName" content="中华人民共和国生态环境部">
"""
    related = "\n".join(f'<li><a href="{e(link_of(r))}">{e(r.title)}</a></li>' for r in related_of(site, a))
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
{meta}<title>{e(a.title)}_生态环境部</title>
</head>
<body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="生态环境部"></a></div>
<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/ywdt/">要闻动态</a> &gt; <a href="/ywdt/xwfb/">{e(site.column)}</a></div>
<div class="neiright">
  <h2 class="neiyetit">{e(a.title)}</h2>
  <div class="wenzhang_laiyuan"><span class="xqLyPc time">{e(a.date)}</span>　<span class="xqLyPc">来源：{e(a.source)}</span></div>
  <div class="neiright_JPZ_GK_CP">
    <div class="TRS_Editor">
{paragraphs_html(a.paragraphs, "      ")}
    </div>
  </div>
  <div class="fenxiang">【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
  <div class="xgwz"><h4>相关文章</h4><ul>
{related}
  </ul></div>
</div>
{MEE_FOOTER}
</body>
</html>
"""


def mee_list(site: SiteText, page: ListPage, total: int) -> str:
    items = [
        f'<li><a href="{e(link_of(a))}" target="_blank">{e(a.title)}</a><span class="date">{a.day}</span></li>'
        for a in site.articles
        if a.list_page == page.index
    ]
    pager = pager_html(page.index, total, lambda i: "index.shtml" if i == 0 else f"index_{i}.shtml")
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{e(site.column)}_生态环境部</title>
</head>
<body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="生态环境部"></a></div>
<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/ywdt/">要闻动态</a> &gt; {e(site.column)}</div>
<div class="mainLeft"><ul id="div">
{chr(10).join(items)}
</ul></div>
{pager}
{MEE_FOOTER}
</body>
</html>
"""


# ---------------------------------------------------------------------------
# english.www.gov.cn
# ---------------------------------------------------------------------------

EN_FOOTER = """<div class="footer">
  <p><a href="/contactus/">Contact Us</a> | <a href="/sitemap/">Site Map</a></p>
  <p>Copyright &copy; www.gov.cn | All rights reserved. Website Identification Code bm01000001</p>
  <p>Registration Number: 05070218</p>
</div>"""


def english_date(date: str) -> str:
    import datetime as _dt

    moment = _dt.datetime.strptime(date, "%Y-%m-%d %H:%M")
    return moment.strftime("%b %d, %Y %H:%M")


def gov_en_article(site: SiteText, a: Article) -> str:
    meta = ""
    if a.meta:
        meta = f"""<meta name="ArticleTitle" content="{e(a.title)}">
<meta name="PubDate" content="{e(a.date)}">
<meta name="ContentSource" content="{e(a.source)}">
<meta name="Author" content="{e(a.author)}">
<meta name="ColumnName" content="{e(site.column)}">
"""
    related = "\n".join(f'<li><a href="{e(link_of(r))}">{e(r.title)}</a></li>' for r in related_of(site, a))
    by = f'<span class="author">Written by: {e(a.author)}</span>' if a.author else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{meta}<title>{e(a.title)}</title>
</head>
<body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="The State Council of the People's Republic of China"></a>
  <ul class="nav"><li><a href="/">Home</a></li><li><a href="/news/">News</a></li><li><a href="/policies/">Policies</a></li></ul>
</div>
<div class="crumbs"><a href="/">Home</a> &gt; <a href="/news/">{e(site.column)}</a></div>
<div class="content">
  <div class="title"><h1>{e(a.title)}</h1></div>
  <div class="info"><span>Updated: {english_date(a.date)}</span> <span>Source: {e(a.source)}</span> {by}</div>
  <div class="content-article" id="Content">
{paragraphs_html(a.paragraphs, "    ")}
  </div>
  <div class="share">Share: <a href="javascript:void(0)">Weibo</a> <a href="javascript:void(0)">WeChat</a> | <a href="javascript:window.print()">Print</a></div>
  <div class="related"><h3>Related Stories</h3><ul>
{related}
  </ul></div>
</div>
{EN_FOOTER}
</body>
</html>
"""


def gov_en_list(site: SiteText, page: ListPage, total: int) -> str:
    items = [
        f'<li><a href="{e(link_of(a))}">{e(a.title)}</a><span class="date">{a.day}</span></li>'
        for a in site.articles
        if a.list_page == page.index
    ]
    pager = pager_html(page.index, total, lambda i: "/news/" if i == 0 else f"/news/index_{i}.html")
    pager = pager.replace("首页", "First").replace("上一页", "Previous").replace("下一页", "Next").replace("尾页", "Last")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(site.column)} - english.gov.cn</title>
</head>
<body>
<div class="header"><a href="/"><img src="/images/logo.png" alt="english.gov.cn"></a></div>
<div class="crumbs"><a href="/">Home</a> &gt; {e(site.column)}</div>
<div class="list-container"><ul>
{chr(10).join(items)}
</ul></div>
{pager}
{EN_FOOTER}
</body>
</html>
"""


RENDERERS: dict[str, tuple[Callable[..., str], Callable[..., str]]] = {
    "mca": (mca_article, mca_list),
    "gov": (gov_article, gov_list),
    "mohrss": (mohrss_article, mohrss_list),
    "mee": (mee_article, mee_list),
    "gov_en": (gov_en_article, gov_en_list),
}


def output_path(host: str, path: str) -> Path:
    relative = path.split("?", 1)[0].lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return SITE_DIR / host / relative


def build(seed: str) -> list[Path]:
    site = load(seed)
    render_article, render_list = RENDERERS[seed]
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for article in site.articles:
        write(output_path(site.host, article.path), render_article(site, article))
        if article.cloak_paragraph or article.cloak_title:
            variant = SITE_DIR / "_variants" / site.host / article.path.lstrip("/")
            write(variant, render_article(site, article, spam_variant=True))
    for page in site.lists:
        write(output_path(site.host, page.path), render_list(site, page, len(site.lists)))
    return written


def main(argv: list[str] | None = None) -> None:
    import sys

    seeds = (argv if argv is not None else sys.argv[1:]) or list(SEEDS)
    for seed in seeds:
        if not (AUTHORING_DIR / f"{seed}.toml").exists():
            print(f"skip {seed}: no {seed}.toml")
            continue
        for path in build(seed):
            print(path.relative_to(SITE_DIR))


if __name__ == "__main__":
    main()
