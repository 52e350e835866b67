"""The register classifier: how likely a text is solicitation rather than official news.

A logistic regression over character n-gram TF-IDF (1-3 characters of the
normalised text) and the register features of crawler/spam/features.py, trained
with scikit-learn by crawler/spam/training.py (``make spam-model``) on the
labelled sentences in ``crawler/spam/data/training/``.  The model ships as JSON
(``crawler/spam/data/register_model.json``: idf and weight per n-gram, a weight
per feature, the intercept) and is scored here in plain Python, so a crawl does
not import scikit-learn and loads the model in a few tens of milliseconds.
Scores equal scikit-learn's ``predict_proba`` up to the rounding of the stored
weights (tests/test_spam_classifier.py).
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import add
from pathlib import Path

from crawler.spam.features import FEATURE_NAMES, normalise, prepare, register_features
from crawler.spam.lexicon import DATA_DIR, Lexicon, default_lexicon

MODEL_FILE = DATA_DIR / "register_model.json"
SPAM_PROBABILITY = 0.5  # at or above: the unit reads as solicitation
_RECENT = 64  # scores kept for texts seen again soon


@dataclass
class RegisterModel:
    """A trained model: per n-gram (idf, weight), per feature weight, intercept."""

    ngram_range: tuple[int, int]
    vocabulary: dict[str, tuple[float, float]]
    feature_weights: list[float]
    intercept: float
    lexicon: Lexicon
    _recent: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    # Per n-gram: (weight * idf, idf * idf, idf, weight), the products an n-gram seen once
    # adds to the dot product and the squared norm (most n-grams of a sentence occur once).
    _terms: dict[str, tuple[float, float, float, float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._terms = {gram: (weight * idf, idf * idf, idf, weight) for gram, (idf, weight) in self.vocabulary.items()}

    def ngram_counts(self, text: str) -> Counter[str]:
        """Every n-gram of ``text`` (in the vocabulary or not) and how often it occurs,
        shortest first, each length in text order."""
        low, high = self.ngram_range
        counts: Counter[str] = Counter()
        grams = list(text)
        for n in range(1, high + 1):
            if n >= low:
                counts.update(grams)
            if n < high:
                # The (n+1)-grams: each n-gram and the character after it, joined in C by map().
                grams = list(map(add, grams, text[n:]))
        return counts

    def decision(self, text: str) -> float:
        """The logistic regression's decision value (log-odds of spam)."""
        prepared = prepare(text, self.lexicon)
        total = 0.0
        square = 0.0
        get = self._terms.get
        log = math.log
        for gram, count in self.ngram_counts(normalise(text, self.lexicon, prepared)).items():
            entry = get(gram)
            if entry is None:
                continue
            if count == 1:
                total += entry[0]
                square += entry[1]
                continue
            value = (1.0 + log(count)) * entry[2]
            square += value * value
            total += entry[3] * value
        value = total / math.sqrt(square) if square else 0.0
        features = register_features(text, self.lexicon, prepared)
        return value + sum(w * f for w, f in zip(self.feature_weights, features)) + self.intercept

    def probability(self, text: str) -> float:
        """Probability that ``text`` is solicitation/advertising (0 for text without letters)."""
        cached = self._recent.get(text)
        if cached is not None:
            return cached
        if not any(c.isalnum() for c in text):
            return 0.0
        decision = self.decision(text)
        probability = 1.0 / (1.0 + math.exp(-decision)) if decision > -30 else 0.0
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        # An article's title candidates repeat the same headline (meta, og:title, h1, <title>).
        self._recent[text] = probability
        return probability

    def probabilities(self, texts: Iterable[str]) -> list[float]:
        return [self.probability(text) for text in texts]

    def to_json(self) -> dict[str, object]:
        return {
            "ngram_range": list(self.ngram_range),
            "intercept": self.intercept,
            "features": dict(zip(FEATURE_NAMES, self.feature_weights)),
            "vocabulary": {gram: list(pair) for gram, pair in sorted(self.vocabulary.items())},
        }


def model_from_json(data: dict[str, object], lexicon: Lexicon | None = None) -> RegisterModel:
    features = data["features"]
    assert isinstance(features, dict) and list(features) == list(FEATURE_NAMES), "model features differ from FEATURE_NAMES"
    vocabulary = data["vocabulary"]
    assert isinstance(vocabulary, dict)
    low, high = data["ngram_range"]  # type: ignore[misc]
    return RegisterModel(
        (int(low), int(high)),
        {gram: (float(pair[0]), float(pair[1])) for gram, pair in vocabulary.items()},
        [float(features[name]) for name in FEATURE_NAMES],
        float(data["intercept"]),  # type: ignore[arg-type]
        lexicon or default_lexicon(),
    )


def load_model(path: str | Path = MODEL_FILE, lexicon: Lexicon | None = None) -> RegisterModel:
    """Read a model file written by crawler/spam/training.py."""
    return model_from_json(json.loads(Path(path).read_text(encoding="utf-8")), lexicon)


@functools.lru_cache(maxsize=1)
def default_model() -> RegisterModel:
    """The shipped model, loaded once per process (read-only afterwards)."""
    return load_model()
