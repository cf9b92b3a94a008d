"""Text features: the analyzers the matcher learns with, and a one-message TF-IDF transform fast enough per message."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.nlu.normalise import arabic_stem, tokens

Analyzer = Callable[[str], list[str]]


def char_ngrams(text: str, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries (as sklearn's char_wb), robust to typos and inflections."""
    out: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size < n:
                break
            out += [padded[i : i + n] for i in range(size - n + 1)]
    return out


def word_ngrams(text: str) -> list[str]:
    """Words and word pairs; Chinese characters count as words, so pairs of them act as Chinese words."""
    toks = tokens(text)
    stems = [stemmed for stemmed in map(arabic_stem, toks) if stemmed not in toks]
    return toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)] + stems


def short_char_ngrams(text: str) -> list[str]:
    """Character 1-3-grams: what tells languages of one script apart."""
    return char_ngrams(text, 1, 3)


@dataclass(frozen=True)
class Block:
    """One fitted TF-IDF vectorizer reduced to what a transform needs."""

    analyzer: Analyzer
    vocabulary: dict[str, int]
    idf: np.ndarray


class Features:
    """TF-IDF (sublinear tf, l2 per block) over several analyzers, fitted with scikit-learn, applied without it."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = tuple(blocks)
        self.offsets: tuple[int, ...] = tuple(itertools.accumulate([0, *(len(b.vocabulary) for b in self.blocks)]))
        self.size = self.offsets[-1]

    @classmethod
    def fit(cls, texts: Sequence[str], analyzers: Sequence[Analyzer], min_df: int = 1) -> tuple[Features, object]:
        """Fit one vectorizer per analyzer; returns the features and the training matrix (scipy sparse)."""
        from scipy.sparse import hstack  # training only: answering needs neither scipy nor scikit-learn
        from sklearn.feature_extraction.text import TfidfVectorizer

        blocks, matrices = [], []
        for analyzer in analyzers:
            vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=min_df, dtype=np.float32)
            matrices.append(vectorizer.fit_transform(texts))
            vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
            blocks.append(Block(analyzer, vocabulary, vectorizer.idf_.astype(np.float32)))
        return cls(blocks), hstack(matrices).tocsr()

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The sparse vector of one text, as (column indices, values)."""
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for block, offset in zip(self.blocks, self.offsets, strict=False):
            get = block.vocabulary.get
            found: list[int] = []
            repeats: list[int] = []
            for term, count in Counter(block.analyzer(text)).items():
                j = get(term)
                if j is not None:
                    found.append(j)
                    repeats.append(count)
            if not found:
                continue
            index = np.array(found, dtype=np.intp)
            weights = (1.0 + np.log(np.array(repeats, dtype=np.float32))) * block.idf[index]
            norm = float(np.sqrt(np.dot(weights, weights)))
            columns.append(index + offset)
            values.append(weights / norm if norm else weights)
        if not columns:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        return np.concatenate(columns), np.concatenate(values).astype(np.float32, copy=False)


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    out: np.ndarray = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return out


def without_denormals(weights: np.ndarray) -> np.ndarray:
    """Weights with the vanishingly small ones (under 1e-20) set to zero.

    Training leaves some weights denormal (below float32's smallest normal number); every product with one takes the
    processor's slow path: a 384 x 512 layer took 0.3 ms instead of 0.02 ms per message.
    """
    out = np.asarray(weights, dtype=np.float32).copy()
    out[np.abs(out) < 1e-20] = 0.0
    return out


SPARSE_BELOW = 0.3  # weight density under which a model keeps only its non-zero weights
SCORER_VERSION = 2  # bump when the stored shape changes, so cached models built by older code are rebuilt


class LinearScorer:
    """Scores of a fitted linear model for one sparse vector: a gather of weight rows, not a sparse-matrix product.

    Models whose weights are mostly zero (SGD leaves a class's weight at zero for every feature that never entered
    its loss) keep them feature by feature in CSR form: memory grows with what was learned, not features x classes.
    """

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: Sequence[str]) -> None:
        weights = without_denormals(coef).T  # (features, classes)
        intercept = np.asarray(intercept, dtype=np.float32).ravel()
        if weights.shape[1] == 1 and len(classes) == 2:  # binary models keep one row of weights
            weights = np.hstack([-weights, weights])
            intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32)
        self._keep(weights, intercept, classes)

    @classmethod
    def of_rows(cls, weights: np.ndarray, intercept: np.ndarray, classes: Sequence[str]) -> LinearScorer:
        """A model from weights already laid out (features, classes), float32 and without denormals: no copy."""
        scorer = cls.__new__(cls)
        scorer._keep(weights, np.asarray(intercept, dtype=np.float32).ravel(), classes)
        return scorer

    @classmethod
    def of_csr(
        cls, indptr: np.ndarray, targets: np.ndarray, values: np.ndarray, intercept: np.ndarray, classes: Sequence[str]
    ) -> LinearScorer:
        """A sparse model from its weights feature by feature (CSR: row pointers, classes, values)."""
        scorer = cls.__new__(cls)
        scorer.classes = tuple(str(c) for c in classes)
        scorer.intercept = np.asarray(intercept, dtype=np.float32).ravel()
        scorer.dense = None
        scorer.indptr = indptr.astype(np.int64)
        scorer.targets = targets.astype(np.int16 if len(scorer.classes) < 2**15 else np.int32)
        scorer.values = values.astype(np.float32)
        return scorer

    def _keep(self, weights: np.ndarray, intercept: np.ndarray, classes: Sequence[str]) -> None:
        self.classes = tuple(str(c) for c in classes)
        self.intercept = intercept
        self.dense: np.ndarray | None = None
        self.indptr = self.targets = self.values = np.zeros(0, dtype=np.float32)
        if weights.size and np.count_nonzero(weights) / weights.size < SPARSE_BELOW:
            rows, cols = np.nonzero(weights)  # row-major order: grouped by feature
            self.indptr = np.searchsorted(rows, np.arange(weights.shape[0] + 1)).astype(np.int64)
            self.targets = cols.astype(np.int16 if len(self.classes) < 2**15 else np.int32)
            self.values = weights[rows, cols]
        else:
            self.dense = np.ascontiguousarray(weights)

    def scores(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        if len(columns) == 0:
            return self.intercept.copy()
        if self.dense is not None:
            out: np.ndarray = values @ self.dense[columns] + self.intercept
            return out
        starts = self.indptr[columns]
        lengths = self.indptr[columns + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return self.intercept.copy()
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        summed = np.bincount(
            self.targets[at], weights=self.values[at] * np.repeat(values, lengths), minlength=len(self.classes)
        )
        result: np.ndarray = summed.astype(np.float32) + self.intercept
        return result

    def __getstate__(self) -> dict[str, object]:
        return self.__dict__ | {"version": SCORER_VERSION}

    def __setstate__(self, state: dict[str, object]) -> None:
        if state.pop("version", None) != SCORER_VERSION:
            raise TypeError("a linear model stored by another version of the code")  # the cache loader rebuilds
        self.__dict__.update(state)
