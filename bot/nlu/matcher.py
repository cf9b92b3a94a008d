"""Intent matching: learned term weights (TF-IDF + linear SVM) over typo-corrected text, with calibrated confidence."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.nlu.entities import Entities, EntityIndex
from bot.nlu.features import Features, LinearScorer, char_ngrams, word_ngrams
from bot.nlu.normalise import is_han, normalise, tokens

CORRECTION_CUTOFF = 82.0  # rapidfuzz ratio for an unknown word to count as a typo of a known one
C = 0.5


@dataclass(frozen=True)
class Ranked:
    """An intent and how likely it is the one meant (0-1, calibrated)."""

    intent: str
    confidence: float


class Speller:
    """Maps an unknown word to the closest known one, comparing only words of a similar length."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.known = frozenset(vocabulary)
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(vocabulary):
            by_length[len(word)].append(word)
        self.by_length = dict(by_length)
        self.nearest = lru_cache(maxsize=20_000)(self._nearest)

    def _nearest(self, word: str) -> str | None:
        spread = 1 if len(word) <= 5 else 2
        candidates = [w for n in range(len(word) - spread, len(word) + spread + 1) for w in self.by_length.get(n, ())]
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF)
        return str(best[0]) if best else None

    def correct(self, normalised: str) -> str:
        """Add the known word closest to each unknown one, so typos still meet the learned weights."""
        extra = []
        for tok in tokens(normalised):
            if len(tok) < 3 or tok in self.known or is_han(tok) or tok.isdigit():
                continue
            best = self.nearest(tok)
            if best is not None:
                extra.append(best)
        return f"{normalised} {' '.join(extra)}" if extra else normalised

    def __getstate__(self) -> dict[str, object]:
        return {"known": self.known, "by_length": self.by_length}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.nearest = lru_cache(maxsize=20_000)(self._nearest)


class Matcher:
    """Ranks intents for a message; build once per knowledge base, then query per message."""

    def __init__(
        self,
        features: Features,
        scorer: LinearScorer,
        temperature: float,
        speller: Speller,
        entities: EntityIndex | None = None,
    ) -> None:
        self.entities = entities
        self.features = features
        self.scorer = scorer
        self.temperature = temperature
        self.speller = speller
        self.intents = scorer.classes

    @classmethod
    def build(
        cls, examples: Sequence[tuple[str, str]], *, entities: EntityIndex | None = None, calibrate: bool = True
    ) -> Matcher:
        """Learn term weights from (text, intent) pairs and fit the confidence scale on held-out folds.

        With an entity index, names are masked by their kind before learning, as they are before matching.
        """
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.svm import LinearSVC

        texts = [entities.find(t).masked() if entities else normalise(t) for t, _ in examples]
        labels = np.array([label for _, label in examples])
        features, matrix = Features.fit(texts, [char_ngrams, word_ngrams])
        classifier = LinearSVC(C=C)
        classifier.fit(matrix, labels)
        temperature = 0.1
        if calibrate:
            folds = min(3, int(np.min(np.unique(labels, return_counts=True)[1])))
            if folds >= 2:
                held_out = cross_val_predict(
                    LinearSVC(C=C),
                    matrix,
                    labels,
                    cv=StratifiedKFold(folds, shuffle=True, random_state=0),
                    method="decision_function",
                )
                temperature = fit_temperature(held_out, labels, classifier.classes_)
        scorer = LinearScorer(classifier.coef_, classifier.intercept_, classifier.classes_)
        speller = Speller({tok for t in texts for tok in tokens(t) if len(tok) >= 3 and not is_han(tok)})
        return cls(features, scorer, temperature, speller, entities)

    def prepare(self, text: str, found: Entities | None = None) -> str:
        """Normalised text with names masked and typos paired with the words they stand for."""
        if self.entities is None:
            return self.speller.correct(normalise(text))
        return self.speller.correct((found or self.entities.find(text)).masked())

    def scores(self, text: str, found: Entities | None = None) -> np.ndarray:
        """Raw margins per intent, in the order of `intents`."""
        columns, values = self.features.transform(self.prepare(text, found))
        return self.scorer.scores(columns, values)

    def rank(self, text: str, limit: int = 5, found: Entities | None = None) -> list[Ranked]:
        """The most likely intents first, with confidences that sum to 1 over all intents."""
        if not normalise(text):
            return []
        probs = softmax(self.scores(text, found) / self.temperature)
        order = np.argsort(-probs)[:limit]
        return [Ranked(self.intents[i], float(probs[i])) for i in order]


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    out: np.ndarray = e / e.sum()
    return out


def fit_temperature(scores: np.ndarray, labels: np.ndarray, classes: np.ndarray) -> float:
    """The softmax temperature that best predicts held-out labels (lowest negative log-likelihood)."""
    index = {c: i for i, c in enumerate(classes)}
    truth = np.array([index[label] for label in labels])
    best_t, best_nll = 0.1, math.inf
    for t in np.geomspace(0.02, 2.0, 40):
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -float(log_probs[np.arange(len(truth)), truth].mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t
