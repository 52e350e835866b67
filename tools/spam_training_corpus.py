"""Write the spam classifier's training corpus: ``python tools/spam_training_corpus.py``.

Writes ``crawler/spam/data/training/news.tsv`` and ``spam.tsv`` (``family<TAB>text``
per line) from the composers in spam_training_news.py and spam_training_adverts.py,
with a fixed seed, so the committed files are this script's output.  Rerun it after
editing the composers, then ``make spam-model``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from spam_training_adverts import advert_sentences  # noqa: E402
from spam_training_news import news_sentences  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "crawler" / "spam" / "data" / "training"


def write(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for family, text in rows:
            assert "\t" not in text and "\n" not in text, text
            out.write(f"{family}\t{text}\n")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    news, adverts = news_sentences(), advert_sentences()
    write(OUT / "news.tsv", news)
    write(OUT / "spam.tsv", adverts)
    print(f"news: {len(news)} sentences, spam: {len(adverts)} sentences -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
