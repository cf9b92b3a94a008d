"""Intent matching: learned term weights (TF-IDF + linear model) over typo-corrected text, with calibrated confidence.

Measured with benchmarks/clinc150.py, benchmarks/multilingual.py and the project's evaluation: one-vs-rest linear
models trained by SGD (modified Huber loss, regularised as LinearSVC with C=0.5, bias included) answer as LinearSVC
did, within CLINC150's noise and identically on the shipped evaluation, build in about half the time on two cores,
and leave most weights at exactly zero on large knowledge bases (kept sparse by LinearScorer: at 100,000 examples
over 1,000 intents the served model takes under 100 MB). Character n-gram ranges, word trigrams and skip pairs,
sublinear tf, LSA, nearest-example similarity, logistic regression, Crammer-Singer and ensembles moved CLINC150
accuracy by less than its noise, so none of them is here. What did move it is meaning for words never seen in
training: an optional embedder (bot.nlu.semantic) took CLINC150's validation accuracy from 92.9 % to 95.3 % with
distilled word vectors and to 96.1 % with a two-layer sentence encoder.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from bot.nlu.entities import Entities, EntityIndex, in_cyrillic
from bot.nlu.features import Features, LinearScorer, char_ngrams, log_softmax, softmax, word_ngrams
from bot.nlu.junk import repeated, says_nothing
from bot.nlu.normalise import is_han, normalise, tokens
from bot.nlu.refit import Schedule, neighbours, refit_linear
from bot.nlu.romanise import Transliteration, script, skeleton, skeleton_ngrams
from bot.nlu.semantic import DENSE_WEIGHT, Embedder, SemanticHead, network
from bot.nlu.sentences import asking_part, without_courtesy

if TYPE_CHECKING:
    from sklearn.linear_model import SGDClassifier

CORRECTION_CUTOFF = 82.0  # rapidfuzz ratio for an unknown word to count as a typo of a known one
C = 0.5  # inverse L2 strength, as LinearSVC's C; SGD's per-example alpha is 1 / (C x examples)
UPDATES = 150_000  # SGD steps per class to aim for: small knowledge bases get more passes, large ones fewer
EPOCHS = (5, 60)  # bounds on the passes over the examples
RARE_FROM = 20_000  # from this many examples on, n-grams seen only once (mostly typos) are left out of the features
CALIBRATION_HOLDOUT = 3_000  # most examples held out to fit the temperature
ONE_SPLIT_FROM = 3_000  # from this many examples on, one held-out third (at most) fits it, not 3 folds
DEFAULT_TEMPERATURE = 0.1  # when there is too little to calibrate on
BIAS = 1.0  # the constant feature whose weight is an intent's bias (liblinear's intercept_scaling)
OUT_OF_SCOPE = "out_of_scope"  # what a message that says nothing is ranked as, when the content has it
SKELETON_WORD_FROM = 4  # consonants from which a word's skeleton is distinctive enough to be known ("mdr" is not)
QUESTION_WEIGHT = 0.5  # share of the margins the asking sentences decide alone (a story asking a price)
# A crisis told in a story is never weakened by the generic question after it ("he wants to die. What do we do?"):
# when one of these intents is the whole message's top reading, it keeps the whole message's margin.
UNDILUTED = ("emergency", "self_harm")
# A crisis reading weaker than this needs a word of the crisis examples: below it, a message that matches nothing
# ("what's the weather tomorrow", spam, a recipe) is not a cry for help because the crisis intents are the largest.
# At 0.5 it dropped "有时候觉得我死了大家都轻松" (self-harm 0.496): everyday controls ("笑死", "饿死了") had made 死 an
# ordinary character. At 0.4 the evaluation's false crises and crisis_probe's are the same.
ALARM_SURE = 0.4
ALARM_SHARE = 0.6  # a word is a crisis word when this share of the examples holding it are crisis examples...
ALARM_SEEN = 3  # ...and at least this many are
CYRILLIC_WEIGHT = 0.5  # share of the margins the Cyrillic reading of Russian in Latin letters decides (28 of 28
# Russian cases in Latin letters of the evaluation sets at 0.5, 25 without it)
# A slip of a crisis word counts as one only in a word this long: shorter words are slips of too many others, often
# across languages ("sopa", soup, is one letter from German "opa", grandpa; "aval", a loan's guarantor, from "avale").
ALARM_SLIP_FROM = 5
SKELETON_WEIGHT = 0.7  # share of the margins the skeleton model decides for Arabic or Russian in Latin letters
# (of 30 such development messages, 11 answered right without it; with it 20 at 0.5, 23 at 0.7 to 1.0)
SKELETON_LANGUAGES = ("ar", "ru")  # the languages typed in Latin letters that the skeleton model reads
REFIT_MOST = 20  # examples added beyond which a change is trained from scratch rather than warm-started
REFIT_NEIGHBOURS = 50  # examples sharing the most words with each added one, gone over again by a warm start
REFIT_PASSES = (10, 1)  # passes of a warm start over the added examples, and over their neighbours
# (measured on the shipped content, answers of the evaluation sets that differ from a clean build's: one example
# added, 14 of 1,241 through the engine, where two clean builds with other seeds differ by 13; three added, 11 of
# 1,334 top intents, where two clean builds differ by 15; every added example answered as the clean build answers it.
# More neighbours or passes over them moved answers away from the clean build's, none at all did too for three.)
MATCHER_VERSION = 11  # bump when the stored shape changes, so cached matchers built by older code are rebuilt


@dataclass(frozen=True)
class Ranked:
    """An intent and how likely it is the one meant (0-1, calibrated)."""

    intent: str
    confidence: float


class Speller:
    """Maps an unknown word to the closest known one, comparing only words of a similar length and letters.

    A word can only reach CORRECTION_CUTOFF if its letters differ little from the typo's, so a bit mask of the letters
    each known word holds rules out most candidates before rapidfuzz compares any: the letters (hashed into 64 bits) in
    one word and not the other never outnumber the insertions and deletions between them, which the cutoff bounds.
    The answer is the one a scan of every candidate gives (tested); among CLINC150's 5,000 words an unknown word costs
    about 20 µs instead of 170 µs.
    """

    def __init__(self, vocabulary: set[str]) -> None:
        self.known = frozenset(vocabulary)
        self.words = sorted(vocabulary, key=lambda w: (len(w), w))
        self.lengths = np.array([len(w) for w in self.words], dtype=np.int32)
        self.masks = np.array([letter_mask(w) for w in self.words], dtype=np.uint64)
        self.nearest = lru_cache(maxsize=20_000)(self._nearest)

    def _nearest(self, word: str) -> str | None:
        spread = 1 if len(word) <= 5 else 2
        lo, hi = np.searchsorted(self.lengths, [len(word) - spread, len(word) + spread + 1])
        differing = np.bitwise_count(self.masks[lo:hi] ^ np.uint64(letter_mask(word)))
        most = (100.0 - CORRECTION_CUTOFF) / 100.0 * (self.lengths[lo:hi] + len(word)) + 0.5  # 0.5: float margin
        candidates = [self.words[lo + i] for i in np.flatnonzero(differing <= most)]
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF)
        return str(best[0]) if best else None

    def correct(self, normalised: str, guarded: frozenset[str] = frozenset(), guarded_from: int = 0) -> str:
        """Add the known word closest to each unknown one, so typos still meet the learned weights.

        A guarded word is added only for an unknown word of `guarded_from` letters or more.
        """
        extra = []
        for tok in tokens(normalised):
            if len(tok) < 3 or tok in self.known or is_han(tok) or tok.isdigit():
                continue
            best = self.nearest(tok)
            if best is not None and (len(tok) >= guarded_from or best not in guarded):
                extra.append(best)
        return f"{normalised} {' '.join(extra)}" if extra else normalised

    def __getstate__(self) -> dict[str, object]:
        return {key: value for key, value in self.__dict__.items() if key != "nearest"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.nearest = lru_cache(maxsize=20_000)(self._nearest)


def prepare_examples(examples: Sequence[tuple[str, str]], entities: EntityIndex | None) -> list[str]:
    """The examples' texts as the matcher learns them: normalised, with names masked by their kind."""
    return [entities.find(t).masked() if entities else normalise(t) for t, _ in examples]


def _words(texts: Sequence[str], labels: np.ndarray) -> tuple[Speller, frozenset[str]]:
    """The speller over the examples' words, and the words of the questions the assistant answers.

    "lol" in an out-of-scope example does not make it a question.
    """
    speller = Speller({tok for t in texts for tok in tokens(t) if len(tok) >= 3 and not is_han(tok)})
    topical = frozenset(
        tok for t, label in zip(texts, labels, strict=True) if label != OUT_OF_SCOPE for tok in tokens(t)
    )
    return speller, topical


def letter_mask(word: str) -> int:
    """Which letters a word holds, as 64 bits (code point mod 64: letters may share a bit, so it rules out less)."""
    mask = 0
    for letter in word:
        mask |= 1 << (ord(letter) % 64)
    return mask


class Matcher:
    """Ranks intents for a message; build once per knowledge base, then query per message."""

    def __init__(
        self,
        features: Features,
        scorer: LinearScorer,
        temperature: float,
        speller: Speller,
        entities: EntityIndex | None = None,
        semantic: SemanticHead | None = None,
        transliterated: Transliterated | None = None,
        topical: frozenset[str] | None = None,
        alarm_words: frozenset[str] = frozenset(),
    ) -> None:
        self.transliterated = transliterated
        self.topical = speller.known if topical is None else topical
        self.alarm_words = alarm_words  # the words that mostly come in crisis examples (see ALARM_SURE)
        self.entities = entities
        self.semantic = semantic
        self.features = features
        self.scorer = scorer
        self.temperature = temperature
        self.speller = speller
        self.intents = scorer.classes
        self.crises = [i for i, intent in enumerate(self.intents) if intent in UNDILUTED]  # their rows in `intents`

    @classmethod
    def build(
        cls,
        examples: Sequence[tuple[str, str]],
        *,
        entities: EntityIndex | None = None,
        embedder: Embedder | None = None,
        calibrate: bool = True,
        languages: Sequence[str] | None = None,
        prepared: Sequence[str] | None = None,
    ) -> Matcher:
        """Learn term weights from (text, intent) pairs and fit the confidence scale on held-out examples.

        With an entity index, names are masked by their kind before learning, as they are before matching.
        With an embedder (distilled word vectors, a sentence encoder), the message's vector joins the features.
        With the examples' languages, Arabic and Russian examples typed in Latin letters teach the transliteration
        detector.
        `prepared` holds the examples' texts already masked (see `prepare_examples`), when the caller has them.
        """
        texts = list(prepared) if prepared is not None else prepare_examples(examples, entities)
        labels = np.array([label for _, label in examples])
        features, sparse = Features.fit(texts, [char_ngrams, word_ngrams], min_df=2 if len(texts) >= RARE_FROM else 1)
        dense = embedder.embed_many(texts) if embedder is not None else None
        matrix = with_bias(sparse, dense)
        classifier = learner(len(texts)).fit(matrix, labels)
        classes = np.asarray(classifier.classes_)
        temperature = held_out_temperature(matrix, labels, classes, dense) if calibrate else DEFAULT_TEMPERATURE
        coef = np.asarray(classifier.coef_)
        scorer = LinearScorer(coef[:, : features.size], coef[:, -1] * BIAS, classes.tolist())
        semantic = None
        if embedder is not None and dense is not None:
            linear = (coef[:, features.size : -1] * DENSE_WEIGHT).T
            semantic = SemanticHead(embedder, linear, network(dense, labels))
        speller, topical = _words(texts, labels)
        transliterated = Transliterated.build(texts, labels, languages)
        alarms = alarm_words(texts, labels)
        return cls(features, scorer, temperature, speller, entities, semantic, transliterated, topical, alarms)

    def refit(
        self, before: Sequence[tuple[str, str]], prepared_before: Sequence[str], examples: Sequence[tuple[str, str]]
    ) -> tuple[Matcher, list[str]] | None:
        """This matcher warm-started for a few examples added, with the examples' prepared texts.

        `before` and `prepared_before` are the examples this matcher was built from and their masked texts. None when
        the change is not a few examples added (intents added or removed, many examples, an embedder) and when any
        example was removed: the terms a removed example shares with others keep the weights it taught them (in a
        test, a removed example's text kept its intent where a clean build gave another), so those are built again.
        The confidence scale is kept: one parameter fitted on thousands of held-out examples.
        """
        labels = [label for _, label in examples]
        if self.semantic is not None or set(labels) != set(self.intents) or len(self.intents) < 3:
            return None
        if len(examples) >= RARE_FROM:  # rare n-grams are left out there: build
            return None
        old, new = Counter(before), Counter(examples)
        added_pairs = list((new - old).elements())
        if len(added_pairs) > REFIT_MOST or old - new:
            return None
        masked = dict(zip(before, prepared_before, strict=True))
        texts = [masked[pair] if pair in masked else prepare_examples([pair], self.entities)[0] for pair in examples]
        if not added_pairs:
            return self, texts
        prepared = dict(zip(examples, texts, strict=True))
        added = [(prepared[pair], pair[1]) for pair in added_pairs]
        fresh = set(added)
        chosen = neighbours([t for t, _ in added], texts, REFIT_NEIGHBOURS)
        replay = [pair for pair in ((texts[i], labels[i]) for i in chosen) if pair not in fresh]
        schedule = Schedule(1.0 / (C * len(examples)), epochs(len(examples)) * len(examples))
        features, scorer = refit_linear(
            self.features, self.scorer, len(before), added, replay, schedule, bias=BIAS, passes=REFIT_PASSES
        )
        # Words only come: the speller and the topical words grow by the added examples' words.
        known, new_topical = _words([t for t, _ in added], np.array([label for _, label in added]))
        speller = self.speller if known.known <= self.speller.known else Speller(set(self.speller.known | known.known))
        topical = self.topical | new_topical
        transliterated = self.transliterated.refit(added, replay, schedule) if self.transliterated is not None else None
        matcher = Matcher(
            features, scorer, self.temperature, speller, self.entities, None, transliterated, topical, self.alarm_words
        )
        return matcher, texts

    def __getstate__(self) -> dict[str, object]:
        return self.__dict__ | {"version": MATCHER_VERSION}

    def __setstate__(self, state: dict[str, object]) -> None:
        if state.pop("version", None) != MATCHER_VERSION:
            raise TypeError("a matcher stored by another version of the code")  # the cache loader then rebuilds
        self.__dict__.update(state)

    def _masked(self, text: str, found: Entities | None = None) -> str:
        """Normalised text with the names found in it replaced by their kind."""
        return normalise(text) if self.entities is None else (found or self.entities.find(text)).masked()

    def _prepared(self, masked: str) -> str:
        """Masked text with typos paired with the words they stand for; a short word is no slip of a crisis word
        (Spanish "aval", a loan's guarantor, is not French "avale", swallowed)."""
        return self.speller.correct(masked, self.alarm_words, ALARM_SLIP_FROM)

    def scores(self, text: str, found: Entities | None = None) -> np.ndarray:
        """Raw margins per intent, in the order of `intents`; in a story, its asking sentences weigh more.

        The whole message keeps what the story says (an emergency told before "what do I do?"); the question alone
        keeps a place where someone stays or e-mails already sent from outweighing what they ask for.
        """
        transliterated = self.transliteration(text)
        margins = self._read(text, found, transliterated)
        question = asking_part(text)
        if question is not None:
            blended = (1.0 - QUESTION_WEIGHT) * margins + QUESTION_WEIGHT * self._read(question, None, transliterated)
            top = int(np.argmax(margins))
            if self.intents[top] in UNDILUTED:
                blended[top] = max(blended[top], margins[top])
            margins = blended
        return margins

    def _read(self, text: str, found: Entities | None, transliterated: str | None) -> np.ndarray:
        """Margins of a text, read as said and without the polite openings of its sentences, half each."""
        margins = self._margins(text, found, transliterated)
        plain = without_courtesy(text)
        if plain == text:
            return margins
        return 0.5 * margins + 0.5 * self._margins(plain, None, transliterated)

    def _margins(self, text: str, found: Entities | None, transliterated: str | None) -> np.ndarray:
        """Margins of the phrasing; Arabic and Russian typed in Latin letters also read by their skeletons.

        Russian in Latin letters is read in Cyrillic too (cyrtranslit): the Cyrillic examples then count in full, where
        the skeleton keeps only consonants ("skolko stoit lechenie vo francii" is a price, not the steps).
        """
        masked = self._masked(text, found)
        margins = self._phrasing(masked)
        if transliterated and self.transliterated is not None:
            margins = (1.0 - SKELETON_WEIGHT) * margins + SKELETON_WEIGHT * self.transliterated.scores(masked)
            if transliterated == "ru":
                read = self._masked(in_cyrillic(text))
                margins = (1.0 - CYRILLIC_WEIGHT) * margins + CYRILLIC_WEIGHT * self._phrasing(read)
        return margins

    def _phrasing(self, masked: str) -> np.ndarray:
        prepared = self._prepared(masked)
        margins = self.scorer.scores(*self.features.transform(prepared))
        return margins + self.semantic.scores(prepared) if self.semantic is not None else margins

    def alarm_heard(self, text: str, found: Entities | None = None) -> bool:
        """The message holds a crisis word as written, or a slip of one in a word long enough to tell whose it is."""
        return bool(alarm_tokens(self._prepared(self._masked(text, found))) & self.alarm_words)

    def is_junk(self, text: str, found: Entities | None = None) -> bool:
        """Laughter, keyboard mash or words never met in any example (nor slips, nor transliterations of them).

        Such a message is out of scope but no unanswered question: the engine should not count it as a miss.
        """
        return says_nothing(self._masked(text, found).split(), self._knows)

    def _knows(self, word: str) -> bool:
        """A word of the answered questions' examples, a slip of one, or one with such a word's consonant skeleton."""
        if word in self.topical:
            return True
        if repeated(word):
            return False
        if any(tok in self.topical for tok in tokens(word) if is_han(tok)):
            return True
        if len(word) >= 3 and not is_han(word) and self.speller.nearest(word) in self.topical:
            return True
        bare = skeleton(word)
        return self.transliterated is not None and len(bare) >= SKELETON_WORD_FROM and bare in self.transliterated.words

    def transliteration(self, text: str) -> str | None:
        """ "ar" or "ru" when the message is Arabic or Russian typed in Latin letters, else None."""
        return self.transliterated.detector.origin(normalise(text)) if self.transliterated is not None else None

    def rank(self, text: str, limit: int = 5, found: Entities | None = None) -> list[Ranked]:
        """The most likely intents first, with confidences that sum to 1 over all intents; junk is out of scope."""
        if not normalise(text):
            return []
        if OUT_OF_SCOPE in self.intents and self.is_junk(text, found):
            return [Ranked(OUT_OF_SCOPE, 1.0)]
        probs = self._founded(softmax(self.scores(text, found) / self.temperature), text, found)
        order = np.argsort(-probs)[:limit]
        return [Ranked(self.intents[i], float(probs[i])) for i in order]

    def _founded(self, probs: np.ndarray, text: str, found: Entities | None) -> np.ndarray:
        """Weak crisis readings of a message holding no crisis word are dropped; the other readings share them."""
        crises = self.crises
        if not self.alarm_words or not crises or probs[crises].max() >= ALARM_SURE:
            return probs
        if self.alarm_heard(text, found):
            return probs
        kept = probs.copy()
        kept[crises] = 0.0
        return kept / kept.sum() if kept.sum() > 0 else probs


def alarm_tokens(prepared: str) -> set[str]:
    """A prepared text's words, and for Chinese its characters and pairs of characters."""
    out: set[str] = set()
    for tok in tokens(prepared):
        if is_han(tok):
            out |= set(tok) | {tok[i : i + 2] for i in range(len(tok) - 1)}
        else:
            out.add(tok)
    return out


def alarm_words(texts: Sequence[str], labels: np.ndarray) -> frozenset[str]:
    """The words that mostly come in crisis examples: what a weak crisis reading must hold to be heard."""
    crisis: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for text, label in zip(texts, labels, strict=True):
        (crisis if label in UNDILUTED else other).update(alarm_tokens(text))
    return frozenset(w for w, n in crisis.items() if n >= ALARM_SEEN and n >= ALARM_SHARE * (n + other[w]))


class Transliterated:
    """What reads Arabic and Russian typed in Latin letters: a detector and intent weights over consonant skeletons."""

    def __init__(
        self,
        detector: Transliteration,
        features: Features,
        scorer: LinearScorer,
        words: set[str],
        examples: int,
        own_only: bool = False,
    ) -> None:
        self.detector = detector
        self.features = features
        self.scorer = scorer
        self.words = words  # the skeletons of the examples' words
        self.examples = examples  # how many examples the intent weights learned from (a warm start reads idf by it)
        self.own_only = own_only  # whether they learned from the Arabic and Russian examples alone

    @classmethod
    def build(
        cls, texts: Sequence[str], labels: np.ndarray, languages: Sequence[str] | None = None
    ) -> Transliterated | None:
        """Learn from the prepared examples; None when none of them is in Arabic or Cyrillic letters.

        With the examples' languages, the intent weights learn from the Arabic and Russian examples alone (when they
        cover every intent): a Spanish "algo" or a French "fe" has the skeleton of an Arabic word ("3elag", "fi")
        and, learned as out of scope, took Egyptian cost questions in Latin letters out of scope.
        """
        detector = Transliteration.fit(texts, languages)
        if detector is None:
            return None
        learned, taught = list(texts), labels
        own = [i for i, lang in enumerate(languages or ()) if lang in SKELETON_LANGUAGES]
        own_only = bool(own) and set(labels[own]) == set(labels)
        if own_only:  # only what a transliterated message can be written from
            learned, taught = [texts[i] for i in own], labels[own]
        features, sparse = Features.fit(learned, [skeleton_ngrams])
        classifier = learner(len(learned)).fit(with_bias(sparse), taught)
        coef = np.asarray(classifier.coef_)
        scorer = LinearScorer(coef[:, :-1], coef[:, -1] * BIAS, classifier.classes_.tolist())
        words = {  # the skeletons of the answered questions' words: what makes a message in Latin letters a question
            bare
            for text, label in zip(texts, labels, strict=True)
            if label != OUT_OF_SCOPE
            for bare in skeleton(text).split()
            if len(bare) >= SKELETON_WORD_FROM
        }
        return cls(detector, features, scorer, words, len(learned), own_only)

    def refit(
        self, added: Sequence[tuple[str, str]], replay: Sequence[tuple[str, str]], schedule: Schedule
    ) -> Transliterated:
        """Warm-started as the matcher's model is; the detector is kept (a few examples hardly move three scripts).

        The examples' languages are not known here: an example counts as Arabic or Russian by its script, or by the
        detector when it is typed in Latin letters, as a clean build would have learned it from its declared language.
        """
        own_added = [pair for pair in added if self.reads(pair[0])]
        own_replay = [pair for pair in replay if self.reads(pair[0])]
        features, scorer, examples = self.features, self.scorer, self.examples
        if own_added:
            features, scorer = refit_linear(
                features, scorer, examples, own_added, own_replay, schedule, bias=BIAS, passes=REFIT_PASSES
            )
            examples += len(own_added)
        words = self.words | {
            bare
            for text, label in added
            if label != OUT_OF_SCOPE
            for bare in skeleton(text).split()
            if len(bare) >= SKELETON_WORD_FROM
        }
        return Transliterated(self.detector, features, scorer, words, examples, self.own_only)

    def reads(self, prepared: str) -> bool:
        """An example the intent weights learn from: in Arabic or Cyrillic letters, or one of them in Latin letters."""
        if not self.own_only:
            return True
        return script(prepared) in SKELETON_LANGUAGES or self.detector.origin(prepared) is not None

    def scores(self, prepared: str) -> np.ndarray:
        return self.scorer.scores(*self.features.transform(prepared))


def learner(n_examples: int) -> SGDClassifier:
    """One-vs-rest linear models by SGD, regularised as LinearSVC(C), with a number of steps that suits any size."""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(
        loss="modified_huber",
        alpha=1.0 / (C * max(n_examples, 1)),
        max_iter=epochs(n_examples),
        tol=None,  # a fixed number of passes: builds are reproducible and their time predictable
        fit_intercept=False,  # the bias is the weight of a constant feature: see with_bias
        random_state=0,
        n_jobs=min(os.cpu_count() or 1, 4),
    )


def epochs(n_examples: int) -> int:
    """Passes over the examples: small knowledge bases get more, large ones fewer."""
    return min(max(math.ceil(UPDATES / max(n_examples, 1)), EPOCHS[0]), EPOCHS[1])


def with_bias(matrix: object, dense: np.ndarray | None = None) -> object:
    """The training matrix (and message vectors, if any) with a constant last column: each intent's bias.

    Learned as a weight, the bias is regularised like the others (as liblinear does); left free, SGD gave intents with
    many varied examples (emergencies) a bias that let them win messages that match little, like "and its website?".
    """
    from scipy.sparse import csr_matrix, hstack

    rows = matrix.shape[0]  # type: ignore[attr-defined]
    parts = [matrix] if dense is None else [matrix, csr_matrix(DENSE_WEIGHT * dense)]
    return hstack([*parts, csr_matrix(np.full((rows, 1), BIAS, dtype=np.float32))]).tocsr()


def held_out_temperature(
    matrix: object, labels: np.ndarray, classes: np.ndarray, dense: np.ndarray | None = None
) -> float:
    """The softmax temperature fitted on margins of examples the model did not learn from.

    Three folds while the knowledge base is small; from ONE_SPLIT_FROM examples on, when every intent has three or
    more, one split holding out a third (at most CALIBRATION_HOLDOUT, at least one per intent): a thousand held-out
    examples are plenty for one parameter, and one training instead of three took the shipped content's first start
    from 8.7 to 5.2 s with the same temperature. An intent with a single example cannot be in both halves of a split:
    its example is left out of the fit rather than the whole calibration.
    """
    from sklearn.model_selection import KFold, StratifiedKFold, StratifiedShuffleSplit

    if len(classes) < 2 or len(labels) < 6:
        return DEFAULT_TEMPERATURE
    stratify = int(np.min(np.unique(labels, return_counts=True)[1])) >= 3
    if len(labels) >= ONE_SPLIT_FROM and stratify:
        held = max(min(len(labels) // 3, CALIBRATION_HOLDOUT), len(classes))
        splits = StratifiedShuffleSplit(1, test_size=held, random_state=0).split(labels, labels)
    elif stratify:
        splits = StratifiedKFold(3, shuffle=True, random_state=0).split(labels, labels)
    else:
        splits = KFold(3, shuffle=True, random_state=0).split(labels)
    scores, truth = [], []
    for train, test in splits:
        if len(np.unique(labels[train])) < 2:
            continue
        model = learner(len(train)).fit(matrix[train], labels[train])  # type: ignore[index]
        known = np.isin(labels[test], model.classes_)
        test = test[known]
        margins = np.asarray(model.decision_function(matrix[test]))  # type: ignore[index]
        if margins.ndim == 1:  # two classes: one margin, for the second
            margins = np.column_stack([-margins, margins])
        if dense is not None:
            margins = margins + SemanticHead.held_out(network(dense[train], labels[train]), dense[test])
        fold_scores = np.full((len(test), len(classes)), -1e3)  # an intent this model never saw never wins
        fold_scores[:, np.searchsorted(classes, model.classes_)] = margins
        scores.append(fold_scores)
        truth.append(labels[test])
    if not scores or sum(len(t) for t in truth) == 0:
        return DEFAULT_TEMPERATURE
    return fit_temperature(np.vstack(scores), np.concatenate(truth), classes)


def fit_temperature(scores: np.ndarray, labels: np.ndarray, classes: np.ndarray) -> float:
    """The softmax temperature that best predicts held-out labels (lowest negative log-likelihood)."""
    index = {c: i for i, c in enumerate(classes)}
    truth = np.array([index[label] for label in labels])
    best_t, best_nll = 0.1, math.inf
    for t in np.geomspace(0.02, 2.0, 40):
        log_probs = log_softmax(scores / t)
        nll = -float(log_probs[np.arange(len(truth)), truth].mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t
