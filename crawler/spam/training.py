"""Train the register classifier: ``python -m crawler.spam.training [--out PATH]`` (``make spam-model``).

Reads the labelled sentences in ``crawler/spam/data/training/`` (``news.tsv``,
``spam.tsv``: ``family<TAB>text``), fits scikit-learn's character n-gram TF-IDF
and a logistic regression over it and the register features, and writes the
weights as JSON for crawler/spam/classifier.py.  Fitting is deterministic (fixed
solver, no shuffling), so the same files give the same model.  Needs the
``model`` extra (scikit-learn); the crawl itself never imports it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.spam.classifier import MODEL_FILE, RegisterModel, model_from_json
from crawler.spam.features import FEATURE_NAMES, normalise, register_features
from crawler.spam.lexicon import DATA_DIR, Lexicon, default_lexicon

TRAINING_DIR = DATA_DIR / "training"
NGRAM_RANGE = (1, 3)
MIN_DF = 2
REGULARISATION = 4.0  # logistic regression C
# Which lexicon categories hold a spam family's terms (leave-one-family-out check).
FAMILY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "gambling": ("gambling", "cards"), "betting": ("gambling",), "lottery": ("lottery",), "escort": ("porn",),
    "fake-docs": ("fake",), "loans": (), "crypto": (), "pharma": (),
}


@dataclass(frozen=True)
class Example:
    label: int  # 1 spam, 0 news
    family: str
    text: str


def read_examples(directory: Path = TRAINING_DIR) -> list[Example]:
    """The labelled sentences, news first, in file order."""
    examples = []
    for name, label in (("news.tsv", 0), ("spam.tsv", 1)):
        for line in (directory / name).read_text(encoding="utf-8").splitlines():
            family, _, text = line.partition("\t")
            if text.strip():
                examples.append(Example(label, family, text))
    return examples


def train(examples: Sequence[Example], lexicon: Lexicon | None = None) -> RegisterModel:
    """Fit the model on ``examples``; scored with ``lexicon`` (default: the shipped one)."""
    return fit(examples, lexicon)[0]


def design_matrix(texts: Sequence[str], vectorizer: Any, lexicon: Lexicon) -> Any:
    """The matrix scikit-learn scores: TF-IDF of the normalised texts, then the register features."""
    import numpy as np
    from scipy import sparse

    grams = vectorizer.transform([normalise(text, lexicon) for text in texts])
    features = sparse.csr_matrix(np.array([register_features(text, lexicon) for text in texts], dtype=np.float64))
    return sparse.hstack([grams, features], format="csr")


def fit(examples: Sequence[Example], lexicon: Lexicon | None = None) -> tuple[RegisterModel, Any, Any]:
    """The model, and the fitted scikit-learn vectorizer and regression it was exported from."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    lexicon = lexicon or default_lexicon()
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, min_df=MIN_DF, sublinear_tf=True,
                                 lowercase=False, norm="l2", dtype=np.float64)
    texts = [normalise(example.text, lexicon) for example in examples]
    grams = vectorizer.fit_transform(texts)
    features = sparse.csr_matrix(np.array([register_features(e.text, lexicon) for e in examples], dtype=np.float64))
    matrix = sparse.hstack([grams, features], format="csr")
    labels = np.array([example.label for example in examples])
    regression = LogisticRegression(C=REGULARISATION, class_weight="balanced", solver="lbfgs", max_iter=5000)
    # One thread: the fit is small, and BLAS threads fighting over a shared machine's
    # cores made it a hundred times slower.
    with threadpool_limits(limits=1):
        regression.fit(matrix, labels)
    weights = regression.coef_[0]
    names = vectorizer.get_feature_names_out()
    idf = vectorizer.idf_
    vocabulary = {str(gram): (round(float(idf[i]), 6), round(float(weights[i]), 6)) for i, gram in enumerate(names)}
    data: dict[str, Any] = {
        "ngram_range": list(NGRAM_RANGE),
        "intercept": round(float(regression.intercept_[0]), 6),
        "features": {name: round(float(w), 6) for name, w in zip(FEATURE_NAMES, weights[len(names):])},
        "vocabulary": {gram: list(pair) for gram, pair in vocabulary.items()},
    }
    return model_from_json(data, lexicon), vectorizer, regression


def train_without(families: Collection[str], examples: Sequence[Example] | None = None) -> RegisterModel:
    """A model that has never seen ``families``: their sentences left out of the
    training data and their terms out of the lexicon (leave-one-family-out)."""
    examples = read_examples() if examples is None else examples
    categories = {category for family in families for category in FAMILY_CATEGORIES.get(family, ())}
    lexicon = default_lexicon().without(categories)
    kept = [e for e in examples if not (e.label == 1 and e.family in families)]
    return train(kept, lexicon)


def write_model(model: RegisterModel, path: Path) -> None:
    path.write_text(json.dumps(model.to_json(), ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    examples = read_examples()
    model = train(examples)
    write_model(model, args.out)
    print(f"{len(examples)} sentences, {len(model.vocabulary)} n-grams -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
