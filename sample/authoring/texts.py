"""The authored material: one ``<seed>.toml`` per site, read into articles and list pages."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

AUTHORING_DIR = Path(__file__).parent


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
