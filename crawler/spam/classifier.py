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
texts as exact integer keys (``_GramIndex``: no hashing, so the model file stays as
it is), counted per text by one sort and looked up in the vocabulary's sorted keys.
An article's units are scored in one batch (``prime``) and its unit-by-unit logic
reads the scores from the model's cache (``probability``).
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
_RECENT = 64  # scores kept of texts read one at a time and of earlier articles' units
_ARTICLE_MAX = 4096  # scores kept of batches read without prime()
BATCH_MIN = 3  # fewer texts than this: the plain scorer is faster than the batch's fixed numpy cost


class _GramIndex:
    """The vocabulary for the batch scorer: every n-gram as one exact integer key.

    A character of the vocabulary gets an id from 1 up (0: any other character), and an
    n-gram's key is its ids, ``bits`` each, first character highest: a 1-gram's key is below
    2**bits, a 2-gram's at least that, so one sorted array holds every length.  A text's
    n-grams carry the text's number above the key, so that sorting them orders them by text,
    then by key, and counts each n-gram of each text in one pass."""

    def __init__(self, vocabulary: dict[str, tuple[float, float]]) -> None:
        chars = sorted({char for gram in vocabulary for char in gram})
        self.bits = max(1, len(chars).bit_length())
        self.longest = max(map(len, vocabulary), default=1)
        self.text_shift = self.bits * self.longest
        assert self.text_shift <= 48, "too many characters in the vocabulary for 64-bit keys"
        self.ids = np.zeros(0x110000, dtype=np.min_scalar_type(len(chars)))
        self.ids[[ord(char) for char in chars]] = np.arange(1, len(chars) + 1)
        keys = np.array([self.key(gram) for gram in vocabulary], dtype=np.uint64)
        order = np.argsort(keys)
        self.keys = keys[order]
        self.idf = np.array([idf for idf, _ in vocabulary.values()], dtype=np.float64)[order]
        self.weight = np.array([weight for _, weight in vocabulary.values()], dtype=np.float64)[order]

    def key(self, gram: str) -> int:
        key = 0
        for char in gram:
            key = (key << self.bits) | int(self.ids[ord(char)])
        return key

    def sums(self, texts: Sequence[str]) -> tuple[list[float], list[float]]:
        """Per text, the TF-IDF dot product with the weights and the squared norm (``decision``'s
        ``total`` and ``square``), for n-grams of every length up to the longest in the vocabulary."""
        # The texts joined by a NUL that is read as id 0, so that no n-gram spans two texts.
        codes = np.frombuffer("\0".join(texts).encode("utf-32-le"), dtype=np.uint32)
        ids = self.ids[codes].astype(np.uint64)
        spans = [len(text) + 1 for text in texts]  # each text and the separator after it
        ids[np.cumsum(spans)[:-1] - 1] = 0
        text_of = np.repeat(np.arange(len(texts), dtype=np.uint64) << np.uint64(self.text_shift), spans)
        grams, known = ids, ids != 0
        parts = []
        for n in range(1, self.longest + 1):
            if n > 1:  # the n-grams starting at each position: the (n-1)-gram shifted up, the next character below
                grams = (grams[:-1] << np.uint64(self.bits)) | ids[n - 1:]
                known = known[:-1] & (ids[n - 1:] != 0)
            parts.append((grams | text_of[: len(grams)])[known])  # an n-gram with an unknown character is unknown
        # Each (text, n-gram) once, with how often the n-gram occurs in the text.
        pairs, counts = np.unique(np.concatenate(parts), return_counts=True)
        keys = pairs & np.uint64((1 << self.text_shift) - 1)
        position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[position] == keys
        position, counts = position[found], counts[found]
        owner = (pairs[found] >> np.uint64(self.text_shift)).astype(np.int64)
        value = (1.0 + np.log(counts)) * self.idf[position]
        dots = np.bincount(owner, weights=self.weight[position] * value, minlength=len(texts))
        squares = np.bincount(owner, weights=value * value, minlength=len(texts))
        return dots.tolist(), squares.tolist()


@dataclass
class RegisterModel:
    """A trained model: per n-gram (idf, weight), per feature weight, intercept."""

    ngram_range: tuple[int, int]
    vocabulary: dict[str, tuple[float, float]]
    feature_weights: list[float]
    intercept: float
    lexicon: Lexicon
    _cache: dict[str, float] = field(default_factory=dict, repr=False, compare=False)  # the article's units
    _recent: dict[str, float] = field(default_factory=dict, repr=False, compare=False)  # other texts read
    # Per n-gram: (weight * idf, idf * idf, idf, weight), the products an n-gram seen once
    # adds to the dot product and the squared norm (most n-grams of a sentence occur once).
    _terms: dict[str, tuple[float, float, float, float]] = field(init=False, repr=False, compare=False)
    _index: _GramIndex | None = field(default=None, init=False, repr=False, compare=False)  # for decisions()

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
        return self._combine(text, prepared, total, square)

    def _combine(self, text: str, prepared: tuple[str, str, str], dot: float, square: float) -> float:
        """The decision value from the n-gram sums (l2-normalised) and the register features."""
        value = dot / math.sqrt(square) if square else 0.0
        features = register_features(text, self.lexicon, prepared)
        return value + sum(w * f for w, f in zip(self.feature_weights, features)) + self.intercept

    def _build_index(self) -> _GramIndex:
        self._index = _GramIndex(self.vocabulary)
        return self._index

    def decisions(self, texts: Sequence[str]) -> list[float]:
        """``decision`` of every text, read in one batch (equal to it up to the order of the sums)."""
        if not texts:
            return []
        index = self._index or self._build_index()
        prepared = [prepare(text, self.lexicon) for text in texts]
        normalised = [normalise(text, self.lexicon, ready) for text, ready in zip(texts, prepared)]
        dots, squares = index.sums(normalised)
        return [self._combine(*four) for four in zip(texts, prepared, dots, squares)]

    def probability(self, text: str) -> float:
        """Probability that ``text`` is solicitation/advertising (0 for text without letters)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._recent.get(text)
        if cached is not None:
            return cached
        if not _readable(text):
            return 0.0
        probability = _logistic(self.decision(text))
        self._keep(text, probability)
        return probability

    def _keep(self, text: str, probability: float) -> None:
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        self._recent[text] = probability

    def probabilities(self, texts: Iterable[str]) -> list[float]:
        """``probability`` of every text; those not cached yet are read in one batch and cached
        with the current article's units."""
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache and t not in self._recent and _readable(t)))
        # Below BATCH_MIN texts the batch's fixed numpy cost outweighs what it saves.
        decisions = self.decisions(todo) if len(todo) >= BATCH_MIN else [self.decision(text) for text in todo]
        if len(self._cache) + len(todo) > _ARTICLE_MAX:  # called again and again without prime()
            self._cache.clear()
        self._cache.update((text, _logistic(decision)) for text, decision in zip(todo, decisions))
        return [self.probability(text) for text in texts]

    def prime(self, texts: Iterable[str]) -> None:
        """Start an article: read its units in one batch (``probabilities``), so that its
        unit-by-unit logic finds every score cached.  The previous article's units join the
        texts read one at a time (the next pages of a site may repeat them)."""
        wanted = list(dict.fromkeys(texts))
        previous = self._cache
        self._cache = {text: previous.pop(text) for text in wanted if text in previous}
        for text, probability in previous.items():
            self._keep(text, probability)
        self.probabilities(wanted)

    def to_json(self) -> dict[str, object]:
        return {
            "ngram_range": list(self.ngram_range),
            "intercept": self.intercept,
            "features": dict(zip(FEATURE_NAMES, self.feature_weights)),
            "vocabulary": {gram: list(pair) for gram, pair in sorted(self.vocabulary.items())},
        }


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
