"""www.mee.gov.cn: GB2312 with the charset only in a meta http-equiv."""

from __future__ import annotations

from sample.authoring.templates import e, pager_html, paragraphs_html
from sample.authoring.texts import Article, ListPage, SiteText, link_of, related_of

FOOTER = """<div class="footer">
  <p>版权所有：中华人民共和国生态环境部　|　网站标识码：bm17000009</p>
  <p>京ICP备05009132号　|　京公网安备 11040102700072号</p>
</div>"""


def article_page(site: SiteText, a: Article) -> str:
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
{FOOTER}
</body>
</html>
"""


def list_page(site: SiteText, page: ListPage, total: int) -> str:
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
{FOOTER}
</body>
</html>
"""
