"""A consonant skeleton of any script, so Arabic typed in Latin letters (Arabizi) and Russian typed in Latin letters
meet the examples written in Arabic and Cyrillic.

Arabic is written without short vowels and Arabizi with them; Russian typists spell one letter as "ts", "c" or "tz".
Both sides are brought to the same bare form: anyascii romanises Arabic and Cyrillic, Arabizi's digits become the
letters they stand for, vowels and the letters that double as vowels (w, y) go, and the spellings of one sound fold
into one letter ("kh", "5" and "x" into "h"). "كم تكلفة العلاج" and "kam taklefet el 3ilaj" both give "km tklf lj".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from anyascii import anyascii

from bot.nlu.features import Features, LinearScorer, char_ngrams, softmax

LATIN = "latin"
TRANSLITERABLE = frozenset({"ar", "ru"})  # the languages people also type in Latin letters
TRANSLITERATED = 0.7  # how sure the skeleton must be for a Latin-script message to count as Arabic or Russian
# (measured: 25 of 30 transliterated development messages, 1 of 381 others, "jajajaja xd")

_NON_LATIN = re.compile(r"[\u0400-\u04ff\u0600-\u06ff]")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[a-z]")
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_ARTICLE = re.compile(r"(?<![\w\u0600-\u06ff])(?:[وفبكل]?ال|لل)(?=[\u0600-\u06ff]{2})")
# Arabizi digits: 2 hamza, 3 ain, 5 kha, 6 ta (emphatic), 7 ha, 8 ghain, 9 qaf (Gulf) or sad (Maghreb).
_DIGITS_IN_WORDS = re.compile(r"(?<=[a-z])[2356789]|[2356789](?=[a-z])")
_ARABIZI_WORD = re.compile(
    r"\b[a-z0-9]*[a-z][3579][a-z][a-z0-9]*\b|\b[3579](?!(?:eme|th|rd|er|nd|st|ieme|ten|te)\b)[a-z]{2,}[a-z0-9]*\b"
)  # not ordinals: "7eme", "3rd", "5ten"
ARABIZI_WORDS = 2  # words written with Arabizi's digits from which a message is Arabic in Latin letters
LATIN_WORDS = 0.75  # share of a message's words that are words of the Latin-script examples, from which it is not
# transliterated (measured on the evaluation sets: true transliterations at most 0.67, English, French, Spanish,
# Portuguese and German read as Arabic or Russian 0.9 and above: "is there a leukemia centre near marseille")
_WORD = re.compile(r"[a-z]{2,}")
_DIGIT_LETTERS = {"2": "", "3": "", "5": "h", "6": "t", "7": "h", "8": "g", "9": "k"}
_FOLDS = (
    ("kh", "h"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "s"),
    ("zh", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("tz", "c"),
    ("ts", "c"),
    ("x", "h"),
    ("q", "k"),
    ("p", "b"),
    ("v", "f"),
)
_DROPPED = str.maketrans("", "", "aeiouyw`'")
_DOUBLES = re.compile(r"([a-z])\1+")
_ARTICLES = frozenset({"el", "al", "l", "il"})


@lru_cache(maxsize=1 << 15)  # above the examples of a large content: a build asks for each skeleton twice
def skeleton(normalised: str) -> str:
    """The consonant skeleton of a normalised text; masks of names ("_centre_") are kept as they are."""
    if _NON_LATIN.search(normalised):
        normalised = anyascii(_ARABIC_ARTICLE.sub("", normalised)).lower()
    out = []
    for word in normalised.split():
        if word.startswith("_"):
            out.append(word)
            continue
        if word in _ARTICLES or not word.isascii():  # Chinese has its own channel
            continue
        word = _DIGITS_IN_WORDS.sub(lambda m: _DIGIT_LETTERS[m.group(0)], word).translate(_DROPPED)
        for spelling, letter in _FOLDS:
            word = word.replace(spelling, letter)
        word = _DOUBLES.sub(r"\1", word)
        if len(word) > 2 and word.endswith("h"):
            word = word[:-1]  # the feminine ending (ة, read "a" or "et"), romanised as "h"
        if word:
            out.append(word)
    return " ".join(out)


def skeleton_ngrams(text: str) -> list[str]:
    """Character 2-4-grams of the skeleton: where a transliterated message meets examples in their own script."""
    return char_ngrams(skeleton(text), 2, 4)


def script(text: str) -> str:
    """Which script a text is written in, as the language it stands for here: Arabic, Russian, or Latin."""
    arabic = len(_ARABIC_LETTER.findall(text))
    cyrillic = len(_CYRILLIC_LETTER.findall(text))
    if max(arabic, cyrillic) * 2 < len(_LETTER.findall(text)):
        return LATIN
    return "ar" if arabic >= cyrillic else "ru"


def _labelled(text: str, declared: str) -> str:
    """What an example teaches the detector: its script, or its declared language when typed in Latin letters."""
    written = script(text)
    return declared if written == LATIN and declared in TRANSLITERABLE else written


def skeleton_letters(text: str) -> list[str]:
    """Character 1-3-grams of the skeleton: what tells a transliterated language from the Latin-script ones."""
    return char_ngrams(skeleton(text), 1, 3)


class Transliteration:
    """Tells a message in Latin letters whose skeleton reads as Arabic or Russian, learned from the examples' scripts.

    Examples in Arabic and Cyrillic letters teach what their skeletons look like, examples in Latin letters what the
    Latin-script languages' look like; only a clear reading (TRANSLITERATED or more) counts.
    """

    def __init__(
        self,
        features: Features,
        scorer: LinearScorer,
        latin_words: frozenset[str] = frozenset(),
        transliterated_words: frozenset[str] = frozenset(),
    ) -> None:
        self.features = features
        self.scorer = scorer
        self.latin_words = latin_words  # words of the Latin-script languages' examples, rare in transliterated ones
        self.transliterated_words = transliterated_words  # the other words of transliterated examples
        self.origin = lru_cache(maxsize=4096)(self._origin)  # asked by the language guesser, then by the matcher

    def __getstate__(self) -> dict[str, object]:
        return {key: value for key, value in self.__dict__.items() if key != "origin"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.origin = lru_cache(maxsize=4096)(self._origin)

    @classmethod
    def fit(cls, normalised: Sequence[str], languages: Sequence[str] | None = None) -> Transliteration | None:
        """Learn from normalised examples; None when they hold no Arabic or Cyrillic to learn from.

        With the examples' declared languages, one in Latin letters declared Arabic or Russian ("shukran") teaches
        what that language looks like in Latin letters, instead of counting as a Latin-script language.
        """
        declared = list(languages) if languages is not None else [LATIN] * len(normalised)
        pairs = [(text, lang) for text, lang in zip(normalised, declared, strict=True) if skeleton(text)]
        texts = [text for text, _ in pairs]  # Chinese has no skeleton
        labels = [_labelled(text, lang) for text, lang in pairs]
        if len(set(labels)) < 2 or LATIN not in labels:
            return None
        from sklearn.linear_model import SGDClassifier

        latin, others = _latin_words(pairs) if languages is not None else (frozenset(), frozenset())
        features, matrix = Features.fit(texts, [skeleton_letters])
        # Logistic loss by SGD: as sure as LogisticRegression on the evaluation sets, ten times faster to learn.
        model = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=20, tol=None, random_state=0).fit(matrix, labels)
        return cls(features, LinearScorer(model.coef_, model.intercept_, model.classes_), latin, others)

    def _origin(self, normalised: str) -> str | None:
        """ "ar" or "ru" for a Latin-script message that reads clearly as one of them, else None."""
        if not normalised or script(normalised) != LATIN or not _LATIN_LETTER.search(normalised):
            return None
        # Maghrebi words the examples never hold ("ch7al", "wa7ed", "m3a"): two words with Arabizi's letter-digits
        # say Arabic whatever the skeleton (3 5 7 9 inside a word or before its letters; not "mp3", "ps5", "b2b").
        arabizi = len({m.group(0) for m in _ARABIZI_WORD.finditer(normalised)})
        if "ar" in self.scorer.classes and arabizi >= ARABIZI_WORDS:
            return "ar"
        # Words the examples tell apart (not names, masked in them, nor words never seen) decide before the skeleton.
        words = _WORD.findall(normalised)
        latin = sum(w in self.latin_words for w in words)
        told = latin + sum(w in self.transliterated_words for w in words)
        if latin and latin >= LATIN_WORDS * told:
            return None  # written in the words of a Latin-script language: a skeleton may still look Arabic
        probs = softmax(self.scorer.scores(*self.features.transform(normalised)))
        best = int(np.argmax(probs))
        language = self.scorer.classes[best]
        return language if language != LATIN and probs[best] >= TRANSLITERATED else None


def _latin_words(pairs: Sequence[tuple[str, str]]) -> tuple[frozenset[str], frozenset[str]]:
    """Words of Latin-script examples (in two, three times as often as in transliterated ones), and the other words."""
    latin: Counter[str] = Counter()
    transliterated: Counter[str] = Counter()
    for text, declared in pairs:
        if script(text) == LATIN:
            (transliterated if declared in TRANSLITERABLE else latin).update(set(_WORD.findall(text)))
    words = frozenset(w for w, n in latin.items() if n >= 2 and n >= 3 * transliterated[w])
    return words, frozenset(w for w in transliterated if w not in words)
