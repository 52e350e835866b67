"""www.mohrss.gov.cn: TRS template, no government meta tags, GBK by header only."""

from __future__ import annotations

from sample.authoring.templates import attachments_html, e, pager_html, paragraphs_html
from sample.authoring.texts import Article, ListPage, SiteText, link_of, related_of

FOOTER = """<div class="footer">
  <p><a href="/SYrlzyhshbzb/wzdt/">网站地图</a> | <a href="/SYrlzyhshbzb/lxwm/">联系我们</a></p>
  <p>主办：中华人民共和国人力资源和社会保障部　版权所有</p>
  <p>网站标识码：bm15000001　京ICP备12039296号　京公网安备11010502030163号</p>
</div>"""


def article_page(site: SiteText, a: Article) -> str:
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
{FOOTER}
</body>
</html>
"""


def list_page(site: SiteText, page: ListPage, total: int) -> str:
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
{FOOTER}
</body>
</html>
"""
