"""Render the sample site's article and list pages from the texts in this folder.

The texts (``<seed>.toml``) are the authored material; the HTML under
``sample/site/`` is generated from them with one template per site,
because real ministries use different CMS templates and the extractor must
cope with each. Hand-made pages (the hacked seed page, doorways, robots.txt)
live directly under ``site/`` and are not touched here.

Run: ``python -m sample.authoring.build`` (rewrites the generated files).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from sample.authoring.templates import gov, gov_en, mca, mee, mohrss
from sample.authoring.texts import AUTHORING_DIR, load

SITE_DIR = AUTHORING_DIR.parent / "site"
SEEDS = ("mca", "gov", "mohrss", "mee", "gov_en")
RENDERERS: dict[str, tuple[Callable[..., str], Callable[..., str]]] = {
    "mca": (mca.article_page, mca.list_page),
    "gov": (gov.article_page, gov.list_page),
    "mohrss": (mohrss.article_page, mohrss.list_page),
    "mee": (mee.article_page, mee.list_page),
    "gov_en": (gov_en.article_page, gov_en.list_page),
}


def output_path(host: str, path: str, site_dir: Path = SITE_DIR) -> Path:
    relative = path.split("?", 1)[0].lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return site_dir / host / relative


def build(seed: str, site_dir: Path = SITE_DIR) -> list[Path]:
    """Write the seed's generated pages under ``site_dir``; return their paths."""
    site = load(seed)
    render_article, render_list = RENDERERS[seed]
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for article in site.articles:
        write(output_path(site.host, article.path, site_dir), render_article(site, article))
        if article.cloak_paragraph or article.cloak_title:
            variant = site_dir / "_variants" / site.host / article.path.lstrip("/")
            write(variant, render_article(site, article, spam_variant=True))
    for page in site.lists:
        write(output_path(site.host, page.path, site_dir), render_list(site, page, len(site.lists)))
    return written


def main(argv: list[str] | None = None) -> None:
    seeds = (argv if argv is not None else sys.argv[1:]) or list(SEEDS)
    for seed in seeds:
        if not (AUTHORING_DIR / f"{seed}.toml").exists():
            print(f"skip {seed}: no {seed}.toml")
            continue
        for path in build(seed):
            print(path.relative_to(SITE_DIR))


if __name__ == "__main__":
    main()
