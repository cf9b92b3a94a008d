"""Which language a message is in: by script first, then by character n-grams learned from the examples."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.nlu.entities import Entities
from bot.nlu.features import Features, LinearScorer, short_char_ngrams, softmax
from bot.nlu.normalise import normalise
from bot.nlu.romanise import Transliteration

_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")),
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
CLEAR = 0.75  # probability above which a Latin-script message of three words or more counts as clear
CLEAR_SHORT = 0.9  # the same for one or two words ("bonjour", "danke schön")


@dataclass(frozen=True)
class Guess:
    """A language guess and whether it is clear enough to act on."""

    language: str | None
    clear: bool


class LanguageGuesser:
    """Tells languages apart; scripts settle Arabic, Russian and Chinese, a small model the Latin-script ones.

    Arabic and Russian typed in Latin letters are told by their consonant skeletons (bot.nlu.romanise).
    """

    def __init__(
        self,
        examples: Sequence[tuple[str, str]],
        languages: Sequence[str],
        transliteration: Transliteration | None = None,
    ) -> None:
        """Learn from (text, language) examples; the matcher's transliteration detector is shared when given."""
        self._languages = tuple(languages)
        self._script_langs = {lang for lang, _ in _SCRIPTS if lang in self._languages}
        latin = [(normalise(t), lang) for t, lang in examples if lang not in self._script_langs]
        self._model: tuple[Features, LinearScorer] | None = None
        self._transliteration = transliteration
        if transliteration is None and self._script_langs & {"ar", "ru"}:
            self._transliteration = Transliteration.fit(
                [normalise(t) for t, _ in examples], [lang for _, lang in examples]
            )
        if len({lang for _, lang in latin}) >= 2:
            from sklearn.linear_model import LogisticRegression

            features, matrix = Features.fit([t for t, _ in latin], [short_char_ngrams])
            model = LogisticRegression(C=10, max_iter=500)
            model.fit(matrix, [lang for _, lang in latin])
            self._model = (features, LinearScorer(model.coef_, model.intercept_, model.classes_))

    def guess(self, text: str, found: Entities | None = None) -> Guess:
        """The message's language, clear only when its script or enough words say so; names found are left out."""
        letters = _LETTER.findall(text)
        if not letters:
            return Guess(None, False)
        counts = {lang: len(pattern.findall(text)) for lang, pattern in _SCRIPTS if lang in self._script_langs}
        script, n = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
        if script and n >= max(1, len(letters) // 2):
            return Guess(script, n >= 2)
        norm = normalise(text)
        if found is not None and found.found and _LETTER.search(rest := found.unnamed()):
            norm = rest
        origin = self._transliteration.origin(norm) if self._transliteration is not None else None
        if origin in self._script_langs:  # Arabic or Russian in Latin letters
            return Guess(origin, True)
        if self._model is None:
            return Guess(None, False)
        features, scorer = self._model
        probs = softmax(scorer.scores(*features.transform(norm)))
        best = int(np.argmax(probs))
        needed = CLEAR if len(norm.split()) >= 3 else CLEAR_SHORT
        return Guess(scorer.classes[best], bool(probs[best] >= needed))
