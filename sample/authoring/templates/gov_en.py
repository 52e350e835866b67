"""english.www.gov.cn: the English site of the State Council."""

from __future__ import annotations

import datetime

from sample.authoring.templates import e, pager_html, paragraphs_html
from sample.authoring.texts import Article, ListPage, SiteText, link_of, related_of

FOOTER = """<div class="footer">
  <p><a href="/contactus/">Contact Us</a> | <a href="/sitemap/">Site Map</a></p>
  <p>Copyright &copy; www.gov.cn | All rights reserved. Website Identification Code bm01000001</p>
  <p>Registration Number: 05070218</p>
</div>"""


def english_date(date: str) -> str:
    moment = datetime.datetime.strptime(date, "%Y-%m-%d %H:%M")
    return moment.strftime("%b %d, %Y %H:%M")


def article_page(site: SiteText, a: Article) -> str:
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
{FOOTER}
</body>
</html>
"""


def list_page(site: SiteText, page: ListPage, total: int) -> str:
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
{FOOTER}
</body>
</html>
"""
