"""Build the unseen-vocabulary spam corpus: ``python tests/corpus/spam/build_unseen.py``.

Writes ``unseen/<name>.html`` and ``.json`` (the label format of build.py, plus
``family``): the legitimate articles of unseen_texts.py as they are, and each
spam family's injections in six forms, each on one of those articles, so every
injection stands beside lottery, chess, Macao, anti-gambling or e-sports news.
A paragraph injection is labelled sentence by sentence: every one must go.  Every
page carries its article's meta keywords and description (trap words, a paraphrase);
the meta form adds brand items and an advert sentence to them (``meta_injected``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from build import Spec, base_spec, esc, render  # noqa: E402
from unseen_texts import ARTICLES, INJECTIONS, METAS  # noqa: E402

OUT = Path(__file__).parent / "unseen"
_SENTENCE_RE = re.compile(r"[^。！？!?]+[。！？!?]?")
_ENGLISH_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    if text.isascii():
        return [s.strip() for s in _ENGLISH_SENTENCE_END_RE.split(text) if s.strip()]
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]


def advert_sentence(spec: Spec, texts: dict[str, Any]) -> None:
    """An advert sentence inserted between two sentences of the second paragraph."""
    english = spec["article"]["lang"] == "en"
    ad = texts["en_sentence" if english else "sentence"]
    original = spec["article"]["paragraphs"][1]
    first = sentences(original)[0]
    joined = f"{first} {ad} {original[len(first):].strip()}" if english else f"{first}{ad}{original[len(first):]}"
    spec["paragraphs"][1] = f"<p>{esc(joined)}</p>"
    spec["injected"].append(ad)
    spec["expect_where"].append("body")


def injected_paragraph(spec: Spec, texts: dict[str, Any]) -> None:
    ad = texts["en_paragraph" if spec["article"]["lang"] == "en" else "paragraph"]
    spec["paragraphs"].insert(2, f"<p>{esc(ad)}</p>")
    spec["injected"].extend(sentences(ad))
    spec["expect_where"].append("body")


def add_metas(spec: Spec, extra_keywords: list[str] = (), extra_description: str = "") -> None:
    """The article's own keywords and description (trap words, a paraphrase), maybe with injected parts."""
    keywords, description = METAS[spec["article"]["slug"]]
    joiner = " " if spec["article"]["lang"] == "en" else ""
    words = [*keywords[:2], *extra_keywords, *keywords[2:]]
    text = joiner.join(part for part in (description, extra_description) if part)
    spec["head_extra"] += (f'<meta name="keywords" content="{html.escape(",".join(words))}">'
                           f'<meta name="description" content="{html.escape(text)}">')
    spec["meta_legitimate"] = [*keywords, description]


def meta_injected(spec: Spec, texts: dict[str, Any]) -> None:
    """Brand items among the page's keywords, an advert sentence after its description."""
    english = spec["article"]["lang"] == "en"
    ad = texts["en_sentence" if english else "sentence"]
    add_metas(spec, [texts["titles"][0], texts["titles"][2]], ad)
    spec["meta_injected"] = [texts["titles"][0], texts["titles"][2], ad]
    spec["expect_where"].append("meta")


def headline_replaced(spec: Spec, texts: dict[str, Any]) -> None:
    spec["meta_article_title"] = None
    spec["title_tag"] = texts["titles"][0]
    spec["injected"].append(texts["titles"][0])
    spec["expect_where"].append("title")


def headline_prefixed(spec: Spec, texts: dict[str, Any]) -> None:
    spec["meta_article_title"] = None
    spec["title_tag"] = f"{texts['titles'][1]}_{spec['article']['title']}"
    spec["injected"].append(texts["titles"][1])
    spec["expect_where"].append("title")


def headline_suffixed(spec: Spec, texts: dict[str, Any]) -> None:
    spec["meta_article_title"] = None
    spec["title_tag"] = f"{spec['article']['title']}_{texts['titles'][2]}_{spec['site_name']}"
    spec["injected"].append(texts["titles"][2])
    spec["expect_where"].append("title")


FORMS: dict[str, Callable[[Spec, dict[str, Any]], None]] = {
    "advert-sentence": advert_sentence,
    "injected-paragraph": injected_paragraph,
    "headline-replaced": headline_replaced,
    "headline-prefixed": headline_prefixed,
    "headline-suffixed": headline_suffixed,
    "meta-injected": meta_injected,
}


def specs() -> list[Spec]:
    out = []
    for number, article in enumerate(ARTICLES):
        spec = base_spec(article, 500 + number)
        spec["kind"] = "legit"
        spec["family"] = None
        add_metas(spec)
        out.append(spec)
    number = 600
    for family_index, (family, texts) in enumerate(INJECTIONS.items()):
        for form_index, (name, form) in enumerate(FORMS.items()):
            spec = base_spec(ARTICLES[(family_index + form_index) % len(ARTICLES)], number)
            number += 1
            if form is not meta_injected:
                add_metas(spec)
            form(spec, texts)
            spec["forms"].append(name)
            spec["family"] = family
            out.append(spec)
    return out


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for index, spec in enumerate(specs()):
        label = spec["forms"][0] if spec["forms"] else "clean"
        name = f"{index:03d}_{spec['kind']}_{spec['family'] or 'news'}_{label}_{spec['article']['slug']}"
        (OUT / f"{name}.html").write_text(render(spec), encoding="utf-8")
        record = {
            "kind": spec["kind"], "family": spec["family"], "forms": spec["forms"], "url": spec["url"],
            "allowed_domains": spec["allowed_domains"], "language": spec["article"]["lang"],
            "injected": spec["injected"], "legitimate": spec["legitimate"], "expect_title": spec["expect_title"],
            "expect_where": sorted(set(spec["expect_where"])),
            "meta_injected": spec.get("meta_injected", []), "meta_legitimate": spec.get("meta_legitimate", []),
        }
        (OUT / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(specs())} pages -> {OUT}")


if __name__ == "__main__":
    main()
