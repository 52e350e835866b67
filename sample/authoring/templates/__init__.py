"""One module per site's CMS template (real ministries differ, and the extractor must cope
with each); here, the pieces of HTML they share. Each module has ``article_page(site, article)``
and ``list_page(site, page, total)``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from sample.authoring.texts import Article


def e(text: str) -> str:
    return html.escape(text, quote=True)


def paragraphs_html(paragraphs: list[str], indent: str = "") -> str:
    return "\n".join(f'{indent}<p style="text-indent: 2em;">{e(p)}</p>' for p in paragraphs)


def attachments_html(a: Article, label: str = "附件：") -> str:
    if not a.attachments:
        return ""
    items = "\n".join(f'    <li>{label}<a href="{e(h)}">{e(t)}</a></li>' for h, t in a.attachments)
    return f'\n  <div class="fujian"><ul>\n{items}\n  </ul></div>'


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
