"""www.gov.cn: the UCAP template, full meta set with firstpublishedtime."""

from __future__ import annotations

from sample.authoring.templates import attachments_html, e, pager_html, paragraphs_html
from sample.authoring.texts import Article, ListPage, SiteText, link_of, related_of

FOOTER = """<div class="footer">
  <p><a href="/hudong/">网站纠错</a> | <a href="/guanyu/">关于本网</a> | <a href="/guanyu/wzsm.htm">网站声明</a> | <a href="/guanyu/lxwm.htm">联系我们</a></p>
  <p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
  <p>版权所有：中国政府网　中文域名：中国政府网.政务</p>
  <p>网站标识码bm01000001　京ICP备05070218号　京公网安备11010202000001号</p>
</div>"""


def article_page(site: SiteText, a: Article) -> str:
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
{FOOTER}
</body>
</html>
"""


def list_page(site: SiteText, page: ListPage, total: int) -> str:
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
{FOOTER}
</body>
</html>
"""
