"""The register classifier: how likely a text is solicitation rather than official news.

A logistic regression over character n-gram TF-IDF (1-3 characters of the
normalised text) and the register features of crawler/spam/features.py, trained
with scikit-learn by crawler/spam/training.py (``make spam-model``) on the
labelled sentences in ``crawler/spam/data/training/``.  The model ships as JSON
(``crawler/spam/data/register_model.json``: idf and weight per n-gram, a weight
per feature, the intercept) and is scored here without scikit-learn, so a crawl
loads the model in a few tens of milliseconds.  Scores equal scikit-learn's
``predict_proba`` up to the rounding of the stored weights.

Two scorers give the same value: ``decision`` reads one text in plain Python (the
reference), ``decisions`` reads a batch at once with numpy: the n-grams of all the
texts as exact integer keys (21 bits per code point, so a 3-gram fits 63 bits)
looked up in the sorted keys of the vocabulary, the term frequencies counted per
text.  An article's units are scored in one batch (``prime``) and its unit-by-unit
logic reads the scores from the model's cache (``probability``).
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import add
from pathlib import Path

import numpy as np

from crawler.spam.features import FEATURE_NAMES, normalise, prepare, register_features
from crawler.spam.lexicon import DATA_DIR, Lexicon, default_lexicon

MODEL_FILE = DATA_DIR / "register_model.json"
SPAM_PROBABILITY = 0.5  # at or above: the unit reads as solicitation
_CACHED = 1024  # at most this many scores cached (an article's units, and the texts read since)
_BITS = 21  # every code point (at most 0x10FFFF) plus one fits 21 bits
BATCH_MIN = 3  # fewer texts than this: the plain scorer is faster than the batch's fixed numpy cost


@dataclass
class RegisterModel:
    """A trained model: per n-gram (idf, weight), per feature weight, intercept."""

    ngram_range: tuple[int, int]
    vocabulary: dict[str, tuple[float, float]]
    feature_weights: list[float]
    intercept: float
    lexicon: Lexicon
    _cache: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    # Per n-gram: (weight * idf, idf * idf, idf, weight), the products an n-gram seen once
    # adds to the dot product and the squared norm (most n-grams of a sentence occur once).
    _terms: dict[str, tuple[float, float, float, float]] = field(init=False, repr=False, compare=False)
    # For the batch scorer (built on first use): the vocabulary's packed keys sorted, idf and weight in that order.
    _keys: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _idf: np.ndarray = field(init=False, repr=False, compare=False)
    _weight: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._terms = {gram: (weight * idf, idf * idf, idf, weight) for gram, (idf, weight) in self.vocabulary.items()}

    def _build_index(self) -> np.ndarray:
        """Each vocabulary n-gram as one integer: its code points plus one, 21 bits each, first
        character highest.  Plus one keeps the lengths apart: a 1-gram key is below 2**21, a
        2-gram's at least 2**21, a 3-gram's at least 2**42, so one sorted array holds them all."""
        grams = list(self.vocabulary)
        keys = np.array([_pack(gram) for gram in grams], dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        self._idf = np.array([self.vocabulary[gram][0] for gram in grams], dtype=np.float64)[order]
        self._weight = np.array([self.vocabulary[gram][1] for gram in grams], dtype=np.float64)[order]
        self._keys = keys[order]
        return self._keys

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

    def decisions(self, texts: Sequence[str]) -> list[float]:
        """``decision`` of every text, read in one batch (equal to it up to the order of the sums)."""
        if not texts:
            return []
        keys = self._keys if self._keys is not None else self._build_index()
        prepared = [prepare(text, self.lexicon) for text in texts]
        normalised = [normalise(text, self.lexicon, ready) for text, ready in zip(texts, prepared)]
        codes = np.frombuffer("".join(normalised).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) + 1
        owner = np.repeat(np.arange(len(texts), dtype=np.int64), [len(text) for text in normalised])
        low, high = self.ngram_range
        found_keys: list[np.ndarray] = []
        found_owners: list[np.ndarray] = []
        grams = codes
        shift = np.uint64(_BITS)
        for n in range(1, high + 1):
            if n > 1:
                # The n-grams starting at each position: the (n-1)-gram shifted up, the next character below.
                grams = (grams[:-1] << shift) | codes[n - 1:]
            starts = owner[: len(grams)]
            if n >= low:
                within = starts == owner[n - 1:]  # n-grams that straddle two texts are no one's
                found_keys.append(grams[within])
                found_owners.append(starts[within])
        every = np.concatenate(found_keys)
        owners = np.concatenate(found_owners)
        position = np.minimum(np.searchsorted(keys, every), len(keys) - 1)
        known = keys[position] == every
        # Each (text, n-gram) pair once, with how often the n-gram occurs in the text.
        pairs, counts = np.unique(owners[known] * len(keys) + position[known], return_counts=True)
        text_of, gram_of = np.divmod(pairs, len(keys))
        value = (1.0 + np.log(counts)) * self._idf[gram_of]
        dots = np.bincount(text_of, weights=self._weight[gram_of] * value, minlength=len(texts))
        squares = np.bincount(text_of, weights=value * value, minlength=len(texts))
        results = []
        for text, ready, dot, square in zip(texts, prepared, dots.tolist(), squares.tolist()):
            value = dot / math.sqrt(square) if square else 0.0
            features = register_features(text, self.lexicon, ready)
            results.append(value + sum(w * f for w, f in zip(self.feature_weights, features)) + self.intercept)
        return results

    def probability(self, text: str) -> float:
        """Probability that ``text`` is solicitation/advertising (0 for text without letters)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        if not _readable(text):
            return 0.0
        probability = _logistic(self.decision(text))
        if len(self._cache) >= _CACHED:
            self._cache.clear()
        self._cache[text] = probability
        return probability

    def probabilities(self, texts: Iterable[str]) -> list[float]:
        """``probability`` of every text; those not cached yet are read in one batch and cached."""
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache and _readable(t)))
        # Below BATCH_MIN texts the batch's fixed numpy cost outweighs what it saves.
        decisions = self.decisions(todo) if len(todo) >= BATCH_MIN else [self.decision(text) for text in todo]
        scores = {text: _logistic(decision) for text, decision in zip(todo, decisions)}
        self._cache.update(scores)
        return [scores[text] if text in scores else self._cache.get(text, 0.0) for text in texts]

    def prime(self, texts: Iterable[str]) -> None:
        """Start an article: read its units in one batch (``probabilities``), so that the unit-by-unit
        logic finds every score cached.  Afterwards the cache holds these texts only (a score
        already cached is reused: consecutive pages of a site repeat their headline's site name)."""
        wanted = list(dict.fromkeys(texts))
        previous = self._cache
        self._cache = {text: previous[text] for text in wanted if text in previous}
        self.probabilities(wanted)

    def to_json(self) -> dict[str, object]:
        return {
            "ngram_range": list(self.ngram_range),
            "intercept": self.intercept,
            "features": dict(zip(FEATURE_NAMES, self.feature_weights)),
            "vocabulary": {gram: list(pair) for gram, pair in sorted(self.vocabulary.items())},
        }


def _pack(gram: str) -> int:
    key = 0
    for char in gram:
        key = (key << _BITS) | (ord(char) + 1)
    return key


def _readable(text: str) -> bool:
    """Does ``text`` hold a letter or digit (a text without one is not read: probability 0)?"""
    return any(c.isalnum() for c in text)


def _logistic(decision: float) -> float:
    return 1.0 / (1.0 + math.exp(-decision)) if decision > -30 else 0.0


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
