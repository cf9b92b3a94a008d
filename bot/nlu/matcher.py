"""Intent matching: learned term weights (TF-IDF + linear SVM) over typo-corrected text, with calibrated confidence."""

from __future__ import annotations

import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from bot.nlu.normalise import is_han, normalise, tokens

MODEL_VERSION = 1
CORRECTION_CUTOFF = 82.0  # rapidfuzz ratio for an unknown word to count as a typo of a known one


@dataclass(frozen=True)
class Ranked:
    """An intent and how likely it is the one meant (0-1, calibrated)."""

    intent: str
    confidence: float


def word_features(text: str) -> list[str]:
    """Words and word pairs; Chinese characters count as words, so pairs of them act as Chinese words."""
    toks = tokens(text)
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


class Matcher:
    """Ranks intents for a message; build once per knowledge base, then query per message."""

    def __init__(self, features: FeatureUnion, classifier: LinearSVC, temperature: float, vocabulary: list[str]):
        self._features = features
        self._classifier = classifier
        self._temperature = temperature
        self._vocabulary = vocabulary
        self._known = set(vocabulary)
        self.intents: tuple[str, ...] = tuple(str(c) for c in classifier.classes_)

    @classmethod
    def build(cls, examples: Sequence[tuple[str, str]], *, calibrate: bool = True) -> Matcher:
        """Learn term weights from (text, intent) pairs and fit the confidence scale on held-out folds."""
        texts = [normalise(t) for t, _ in examples]
        labels = np.array([label for _, label in examples])
        features = FeatureUnion(
            [
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
                ("words", TfidfVectorizer(analyzer=word_features, sublinear_tf=True)),
            ]
        )
        matrix = features.fit_transform(texts)
        classifier = LinearSVC(C=0.5)
        classifier.fit(matrix, labels)
        temperature = 0.1
        if calibrate:
            folds = min(3, int(np.min(np.unique(labels, return_counts=True)[1])))
            if folds >= 2:
                held_out = cross_val_predict(
                    LinearSVC(C=0.5), matrix, labels,
                    cv=StratifiedKFold(folds, shuffle=True, random_state=0), method="decision_function",
                )
                temperature = _fit_temperature(held_out, labels, classifier.classes_)
        vocabulary = sorted({tok for t in texts for tok in tokens(t) if len(tok) >= 3 and not is_han(tok)})
        return cls(features, classifier, temperature, vocabulary)

    def correct(self, normalised: str) -> str:
        """Add the known word closest to each unknown one, so typos still meet the learned weights."""
        extra = []
        for tok in tokens(normalised):
            if len(tok) < 3 or tok in self._known or is_han(tok) or tok.isdigit():
                continue
            best = process.extractOne(tok, self._vocabulary, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF)
            if best is not None:
                extra.append(best[0])
        return f"{normalised} {' '.join(extra)}" if extra else normalised

    def rank(self, text: str, limit: int = 5) -> list[Ranked]:
        """The most likely intents first, with confidences that sum to at most 1."""
        normalised = normalise(text)
        if not normalised:
            return []
        scores = self._classifier.decision_function(self._features.transform([self.correct(normalised)]))[0]
        probs = _softmax(np.asarray(scores) / self._temperature)
        order = np.argsort(-probs)[:limit]
        return [Ranked(self.intents[i], float(probs[i])) for i in order]

    def save(self, path: Path, fingerprint: str) -> None:
        """Keep a built model beside the content's fingerprint, so the next start skips training."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump((MODEL_VERSION, fingerprint, self), fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @staticmethod
    def load(path: Path, fingerprint: str) -> Matcher | None:
        """A cached model for exactly this content, or None."""
        try:
            with path.open("rb") as fh:
                version, stored, matcher = pickle.load(fh)  # noqa: S301 - our own cache file
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError, TypeError):
            return None
        if version != MODEL_VERSION or stored != fingerprint or not isinstance(matcher, Matcher):
            return None
        return matcher


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    out: np.ndarray = e / e.sum()
    return out


def _fit_temperature(scores: np.ndarray, labels: np.ndarray, classes: np.ndarray) -> float:
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
