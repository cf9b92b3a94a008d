"""What a message's meaning vector adds to the matcher: its columns in the linear model, and a small network over it.

The vector comes from an Embedder: distilled word vectors (bot.nlu.vectors) or a small sentence encoder
(bot.nlu.encoder). On CLINC150's validation split (never its test), the distilled vectors as extra linear features
took in-scope accuracy from 92.9 % to 94.5 %; a one-hidden-layer network over the same vectors, its log-probabilities
added to the linear margins, about half a point more: it sees combinations of meanings that one weight per dimension
cannot. With a three-layer encoder's vectors: 95.4 % linear, 96.7 % with the network (two layers: 95.0, 96.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from bot.nlu.features import log_softmax, without_denormals

if TYPE_CHECKING:
    from sklearn.neural_network import MLPClassifier

DENSE_WEIGHT = 1.0  # scale of the vector beside the unit-length TF-IDF blocks in the linear model
HIDDEN = 512  # units of the network's hidden layer
NETWORK_EPOCHS = (5, 50)  # bounds on the network's passes (Adam); CLINC150's validation was flat from about 40
NETWORK_UPDATES = 750_000  # examples seen in all: large knowledge bases get fewer passes, as for the linear model
NETWORK_MIX = 0.1  # weight of the network's log-probabilities, in margin units (0.025-0.2 tried on validation)
NETWORK_L2 = 1e-4


class Embedder(Protocol):
    """Text to a fixed-size vector of its meaning."""

    dimensions: int

    def embed(self, text: str) -> np.ndarray: ...

    def embed_many(self, texts: Sequence[str]) -> np.ndarray: ...


def network(vectors: np.ndarray, labels: np.ndarray) -> MLPClassifier:
    """Train the one-hidden-layer network on message vectors (scikit-learn; training only)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    epochs = min(max(NETWORK_UPDATES // max(len(labels), 1), NETWORK_EPOCHS[0]), NETWORK_EPOCHS[1])
    model = MLPClassifier((HIDDEN,), alpha=NETWORK_L2, max_iter=epochs, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of passes, as for the linear model
        return model.fit(vectors, labels)


class SemanticHead:
    """Scores per intent from a message's vector: linear weights plus the network's scaled log-probabilities."""

    def __init__(self, embedder: Embedder, linear: np.ndarray, model: MLPClassifier) -> None:
        self.embedder = embedder
        self.linear = without_denormals(linear)  # (dimensions, intents)
        self.hidden_w = without_denormals(model.coefs_[0])
        self.hidden_b = without_denormals(model.intercepts_[0])
        self.out_w = without_denormals(model.coefs_[1])
        self.out_b = without_denormals(model.intercepts_[1])

    @staticmethod
    def network_scores(model_output: np.ndarray) -> np.ndarray:
        """Scaled log-probabilities; a two-intent network has one logistic output, turned into two columns."""
        if model_output.shape[-1] == 1:
            model_output = np.concatenate([np.zeros_like(model_output), model_output], axis=-1)
        out: np.ndarray = NETWORK_MIX * log_softmax(model_output)
        return out

    @staticmethod
    def held_out(model: MLPClassifier, vectors: np.ndarray) -> np.ndarray:
        """What the network adds to the margins of messages it did not learn from (for calibration)."""
        clipped: np.ndarray = NETWORK_MIX * np.log(np.clip(model.predict_proba(vectors), 1e-12, 1.0))
        return clipped

    def scores(self, text: str) -> np.ndarray:
        x = self.embedder.embed(text)
        hidden = np.maximum(x @ self.hidden_w + self.hidden_b, 0.0)
        out: np.ndarray = x @ self.linear + self.network_scores(hidden @ self.out_w + self.out_b)
        return out
