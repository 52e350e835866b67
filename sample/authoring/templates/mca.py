"""www.mca.gov.cn: the 2023 "n152/n165" template."""

from __future__ import annotations

from sample.authoring.templates import attachments_html, e, pager_html, paragraphs_html
from sample.authoring.texts import Article, ListPage, SiteText, link_of, related_of

FOOTER = """<div class="footer">
  <div class="footer-links"><a href="/n2623/index.html">关于我们</a> | <a href="/n2625/index.html">网站地图</a> | <a href="/n2627/index.html">联系我们</a></div>
  <p>主办：中华人民共和国民政部　版权所有　中文域名：民政部.政务</p>
  <p>网站标识码bm12000003　<a href="https://beian.miit.gov.cn/">京ICP备13012430号</a>　京公网安备11040102700079号</p>
</div>"""


def article_page(site: SiteText, a: Article, spam_variant: bool = False) -> str:
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
{FOOTER}
</body>
</html>
"""


def list_page(site: SiteText, page: ListPage, total: int) -> str:
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
{FOOTER}
</body>
</html>
"""
