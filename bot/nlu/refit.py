"""Warm-started updates of the learned term weights after a small content change, without scikit-learn.

A clean build runs SGD over every example for many passes (seconds, and a second more to import scikit-learn); an
editor's change is usually one example. Here the TF-IDF features take the new examples' terms (document
frequencies recovered from the stored idf, new terms appended) and the weights continue the clean build's SGD where it
stopped (same loss, regularisation and learning-rate schedule) over the new examples and their nearest neighbours,
so the neighbours keep the answers they had while the new example is learned. The result answers as a clean build
within the noise between two clean builds (benchmarks/engine.py --agreement measures it); the caller builds cleanly
again in the background. Removing terms is supported by refit_features, though the matcher builds again on removals.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.nlu.features import Block, Features, LinearScorer, without_denormals

MAX_DLOSS = 1e12  # as scikit-learn's SGD: a gradient is clipped to this


@dataclass(frozen=True)
class Schedule:
    """Where the clean build's SGD stopped: its regularisation and how many steps it took per class."""

    alpha: float
    steps: int


def optimal_init(alpha: float) -> float:
    """scikit-learn's offset of the "optimal" learning rate 1 / (alpha (t0 + t)) for the modified Huber loss."""
    typw = math.sqrt(1.0 / math.sqrt(alpha))
    initial_eta0 = typw / max(1.0, _dloss_magnitude(-typw))
    return 1.0 / (initial_eta0 * alpha)


def _dloss_magnitude(z: float) -> float:
    return 0.0 if z >= 1.0 else 2.0 * (1.0 - z) if z >= -1.0 else 4.0


def refit_features(
    features: Features, n_before: int, added: Sequence[str], removed: Sequence[str]
) -> tuple[Features, np.ndarray]:
    """The features with the changed texts counted, and where each old column went (-1: no example holds it now).

    idf is sklearn's smooth one, ln((1 + n) / (1 + df)) + 1, so each term's document frequency is read back from it.
    """
    n_after = n_before + len(added) - len(removed)
    blocks: list[Block] = []
    moved: list[np.ndarray] = []
    offset = 0
    for block in features.blocks:
        df = np.rint((1.0 + n_before) / np.exp(block.idf.astype(np.float64) - 1.0) - 1.0).astype(np.int64)
        change: Counter[str] = Counter()
        for text in added:
            change.update(set(block.analyzer(text)))
        for text in removed:
            change.subtract(set(block.analyzer(text)))
        fresh = sorted(t for t, c in change.items() if c > 0 and t not in block.vocabulary)
        for term, count in change.items():
            column = block.vocabulary.get(term)
            if column is not None:
                df[column] += count
        keep = df > 0
        if keep.all():  # nothing dropped (an example added): the columns stay, new terms come after them
            where = np.arange(len(df), dtype=np.int64)
            vocabulary = dict(block.vocabulary)
        else:
            where = np.full(len(df), -1, dtype=np.int64)
            where[keep] = np.arange(int(keep.sum()))
            vocabulary = {term: int(where[column]) for term, column in block.vocabulary.items() if keep[column]}
        first_new = len(vocabulary)
        vocabulary.update((term, first_new + i) for i, term in enumerate(fresh))
        counts = np.concatenate([df[keep], np.array([change[t] for t in fresh], dtype=np.int64)])
        idf = (np.log((1.0 + n_after) / (1.0 + counts)) + 1.0).astype(np.float32)
        blocks.append(Block(block.analyzer, vocabulary, idf))
        moved.append(np.where(where >= 0, where + offset, -1))
        offset += len(vocabulary)
    return Features(blocks), np.concatenate(moved) if moved else np.zeros(0, dtype=np.int64)


def old_rows(scorer: LinearScorer, rows: np.ndarray) -> np.ndarray:
    """The weights of the given features (-1: a new one, all zero) as a float64 (rows, classes) array."""
    out = np.zeros((len(rows), len(scorer.classes)), dtype=np.float64)
    known = rows >= 0
    if scorer.dense is not None:
        out[known] = scorer.dense[rows[known]]
        return out
    indptr = np.asarray(scorer.indptr, dtype=np.int64)
    starts, lengths = indptr[rows[known]], np.diff(indptr)[rows[known]]
    at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    owner = np.repeat(np.flatnonzero(known), lengths)
    out[owner, scorer.targets[at].astype(np.int64)] = scorer.values[at]
    return out


def rebuilt(
    scorer: LinearScorer, moved: np.ndarray, size: int, touched: np.ndarray, weights: np.ndarray, scale: float
) -> np.ndarray | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The new model's weights: old ones at their new columns, shrunk by `scale`; the `touched` rows replaced.

    A dense (features, classes) array for a dense model, else CSR (row pointers, classes, values).
    """
    fresh = without_denormals(weights)
    if scorer.dense is not None:
        out = np.zeros((size, len(scorer.classes)), dtype=np.float32)
        kept = moved >= 0
        out[moved[kept]] = scorer.dense[kept] * np.float32(scale)
        out[touched] = fresh
        return out
    indptr = np.asarray(scorer.indptr, dtype=np.int64)
    owner = moved[np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))]
    replaced = np.zeros(size, dtype=bool)
    replaced[touched] = True
    keep = owner >= 0
    keep[keep] = ~replaced[owner[keep]]
    rows_at, classes_at = np.nonzero(fresh)
    rows = np.concatenate([owner[keep], touched[rows_at]])
    targets = np.concatenate([scorer.targets[keep].astype(np.int64), classes_at])
    values = np.concatenate([scorer.values[keep] * np.float32(scale), fresh[rows_at, classes_at]])
    order = np.argsort(rows, kind="stable")  # two sorted runs: merged
    rows, targets, values = rows[order], targets[order], values[order]
    return np.searchsorted(rows, np.arange(size + 1)), targets, values


def continue_sgd(
    weights: np.ndarray,
    rows: Sequence[tuple[np.ndarray, np.ndarray]],
    targets: np.ndarray,
    schedule: Schedule,
    visits: np.ndarray,
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    """One-vs-rest SGD (modified Huber, L2) from the given weights, as scikit-learn's, over the given rows.

    Every class sees the rows in the same order, so one scale factor holds the L2 shrinking of all of them
    (applied lazily, as scikit-learn does). `targets` holds each row's class index, `visits` how many times each row
    is gone over, in one shuffled order. Returns the weights and by how
    much the L2 shrinking scaled every weight, so that weights no row touched can be scaled alike.
    """
    w = weights.copy()
    scale = total = 1.0
    t0 = optimal_init(schedule.alpha)
    t = schedule.steps
    rng = np.random.default_rng(seed)
    classes = w.shape[1]
    for i in rng.permutation(np.repeat(np.arange(len(rows)), visits)).tolist():
        columns, values = rows[i]
        t += 1
        eta = 1.0 / (schedule.alpha * (t0 + t - 1))
        y = np.full(classes, -1.0)
        y[targets[i]] = 1.0
        z = (values @ w[columns]) * scale * y
        dloss = np.where(z >= 1.0, 0.0, np.where(z >= -1.0, -2.0 * (1.0 - z), -4.0)) * y
        update = -eta * np.clip(dloss, -MAX_DLOSS, MAX_DLOSS)
        shrink = max(0.0, 1.0 - eta * schedule.alpha)
        scale *= shrink
        total *= shrink
        if scale < 1e-9:  # fold the scale in before it underflows
            w *= scale
            scale = 1.0
        w[columns] += np.outer(values, update / scale)
    return w * scale, total


def neighbours(changed: Sequence[str], texts: Sequence[str], per_text: int) -> list[int]:
    """The examples sharing the most words with each changed text: those a warm start must keep answering."""
    from bot.nlu.normalise import tokens

    if not changed or not texts:
        return []
    words: list[set[str]] = [set()]
    for word in tokens(" \0 ".join(texts)):  # one pass over all the texts: ten times faster than one per text
        if word == "\0":
            words.append(set())
        else:
            words[-1].add(word)
    chosen: set[int] = set()
    for text in changed:
        own = set(tokens(text))
        shared = np.fromiter((len(own & w) for w in words), np.int64, len(words))
        best = np.argsort(-shared, kind="stable")[:per_text]
        chosen.update(int(i) for i in best if shared[i] > 0)
    return sorted(chosen)


def refit_linear(
    features: Features,
    scorer: LinearScorer,
    n_before: int,
    added: Sequence[tuple[str, str]],
    replay: Sequence[tuple[str, str]],
    schedule: Schedule,
    *,
    bias: float,
    passes: tuple[int, int],
) -> tuple[Features, LinearScorer]:
    """A linear model over TF-IDF features, warm-started for examples added (texts already prepared).

    `replay` holds the examples, with their labels, that SGD goes over again besides the added ones; `passes` says how
    many times over the added examples and over the replayed ones.
    """
    new_features, moved = refit_features(features, n_before, [text for text, _ in added], [])
    classes = list(scorer.classes)
    index = {label: i for i, label in enumerate(classes)}
    vectors = [new_features.transform(text) for text, _ in (*added, *replay)]
    touched = np.unique(np.concatenate([columns for columns, _ in vectors])) if vectors else np.zeros(0, np.int64)
    origin = np.full(new_features.size, -1, dtype=np.int64)
    origin[moved[moved >= 0]] = np.flatnonzero(moved >= 0)
    weights = np.vstack([old_rows(scorer, origin[touched]), np.asarray(scorer.intercept, np.float64)[None, :] / bias])
    rows = [
        (np.append(np.searchsorted(touched, columns), len(touched)), np.append(values, bias).astype(np.float64))
        for columns, values in vectors
    ]
    targets = np.array([index[label] for _, label in (*added, *replay)], dtype=np.int64)
    visits = np.array([passes[0]] * len(added) + [passes[1]] * len(replay), dtype=np.int64)
    weights, scale = continue_sgd(weights, rows, targets, schedule, visits)
    intercept = weights[-1] * bias
    laid = rebuilt(scorer, moved, new_features.size, touched, weights[:-1], scale)
    if isinstance(laid, tuple):
        return new_features, LinearScorer.of_csr(*laid, intercept, classes)
    return new_features, LinearScorer.of_rows(laid, intercept, classes)
