"""Centres, cities, organisations and languages named in a message, in any script, with typos and inflections."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import cyrtranslit  # type: ignore[import-untyped]
from anyascii import anyascii
from rapidfuzz import fuzz, process

from bot.nlu.normalise import is_han, normalise, tokens

_ARABIC = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_ENDINGS_2 = ("ом", "ем", "ой", "ей", "ам", "ям", "ах", "ях", "ую", "юю", "ого", "его")
_CYRILLIC_VOWELS = "аеиоуыэюяйь"
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*)\)")  # "Haute Autorité de santé (HAS)"
ROMANISED_FROM = 8  # letters from which a Cyrillic name is also known in Latin letters ("institut kyuri", not "lion")


def _words(spaced: str) -> frozenset[str]:
    """Word lists written as one spaced string, so each language keeps one line."""
    return frozenset(spaced.split())


# A one-word language name is also an adjective ("French doctors", "hopital francais", "طبيب فرنسي"): it names the
# language only after a word that asks for one ("in French", "speak English", "en arabe", "на русском") or in a message
# of a few words ("French please"). Phrases such as "en francais" or "по-русски" are names of their own.
LANGUAGE_CUES = _words(
    "in into to speak speaks speaking spoken talk understand translate translated en parle parlent parler parlez "
    "parles comprend traduire traduit habla hablan hablar hablas hablen entiende traducir em fala falam falar falem "
    "entende traduzir auf spricht sprechen sprichst spreche versteht ubersetzen на по язык языке говорит говорят "
    "говорите понимает переводчик لغة اللغة يتكلم يتكلمون تتكلم يحكي بيحكي يحكوا بيحكو يتحدث يتحدثون مترجم"
)
# ...or before a word that asks for it ("können wir Deutsch reden?", "English please").
LANGUAGE_CUES_AFTER = _words("reden sprechen schreiben please pls plz svp stp bitte пожалуйста porfavor favor")
FEW_WORDS = 2  # a message this short that holds a language name asks for it
# A one-word city name after one of these words is an ordinary word ("have a nice day", "so nice", "looks nice"),
# unless it is written with a capital inside the message or after "à" ("on habite à Nice").
ORDINARY_BEFORE = _words(
    "an the very so too such really quite pretty how what is was are were looks look sounds sound seems"
)
# Words that put aside the language named after them ("French instead of English", "au lieu de l'anglais").
INSTEAD_OF = _words("instead lieu statt anstatt вместо vez بدل بدلا 而不是 不要")
# City names that are everyday words in one of the eight languages: "nice doctors", "se me caen las lagrimas" (fall),
# "o site deu pau" (crashed), "guided tours", "с ним" (with him). They name the city only after a word that places
# something ("in Nice", "près de Caen", "в Ниме"), written with a capital inside the message, or alone ("and Nice?").
CITY_WORDS = _words("nice caen pau tours ним")
PLACE_CUES = _words(
    "in at near to from around about of à a au aux en de pres près vers depuis em no na para perto desde nach bei um "
    "aus von nahe в во из под около возле рядом до у и في فى الى إلى من قرب جنب و centre center centro zentrum "
    "hospital hopital klinik clinique clinic ville city cidade stadt город"
)
# "a" is also French "à" typed without its accent ("j'habite a Nantes"): an article only after these English words.
ENGLISH_BEFORE_A = _words("have has had what such is was s it be been got with for wish made")
_ARABIC_IN = "بال"  # "in (the) ..." written onto the word: "بالفرنسية", in French
_AT_PLACE = "à"
# France's own name is never a typo of a language's ("en France" is not "en français", "in france" not "francés").
NOT_A_TYPO = _words("france francia franca frankreich франция франции францию францией")
WORD_LIKENESS = 78.0  # each word of a name read through a typo stays like its word ("القريبة", near, is not "الرئة")
# Names whose words the matcher keeps: a child's cancer is a topic of its own (the paediatric answer), not any cancer.
UNMASKED = frozenset({("cancer_type", "childhood")})
# Chinese has no spaces, so a two-character place name is also found inside ordinary words that straddle it: "这里昂贵"
# (here, expensive) holds 里昂 (Lyon), "指南特别复杂" (the guide is very complicated) holds 南特 (Nantes). Common words
# that share a character with such a name, before or after it; a longer name is distinctive enough on its own.
HAN_STRADDLING = _words(
    "这里 那里 哪里 心里 夜里 城里 家里 手里 眼里 指南 西南 东南 以南 华南 河南 云南 湖南 海南 特别 特殊 特点 特色 "
    "特意 特地 昂贵 昂扬 斯文 斯坦 尔后 偶尔 莫尔 赛事 比赛 竞赛 赛克 恩情 感恩 恩人 伦理 锡纸 兰花"
)
HAN_SHORT = 2  # characters of a Chinese name that is checked against the words around it


def stem(token: str) -> str:
    """Cut what inflects or attaches: Arabic clitics and article, Russian case endings; other tokens stay whole."""
    if _ARABIC.match(token):
        if len(token) > 4 and token[0] == "و":
            token = token[1:]
        if len(token) > 4 and token[0] in "بلكف" and token[1:3] == "ال":
            token = token[1:]
        if len(token) > 4 and token.startswith("لل"):
            token = "ال" + token[2:]
        if len(token) > 4 and token[0] in "بلكف" and token[1] != "ا":
            token = token[1:]
        if len(token) > 4 and token.startswith("ال"):
            token = token[2:]
        return token
    if _CYRILLIC.match(token):
        for ending in _CYRILLIC_ENDINGS_2:
            if token.endswith(ending) and len(token) - len(ending) >= 3:
                return token[: -len(ending)]
        cut = 0
        while cut < 2 and len(token) - cut > 3 and token[len(token) - cut - 1] in _CYRILLIC_VOWELS:
            cut += 1
        return token[: len(token) - cut] if cut else token
    return token


def with_romanised(names: Iterable[tuple[str, str, str]]) -> Iterable[tuple[str, str, str]]:
    """Every name, and long Cyrillic ones also in Latin letters, as Russians type them ("institut kyuri")."""
    for kind, id_, name in names:
        yield kind, id_, name
        if _CYRILLIC.search(name) and sum(ch.isalpha() for ch in name) >= ROMANISED_FROM:
            yield kind, id_, anyascii(name).replace("'", "")


@dataclass(frozen=True)
class Found:
    """One entity found in a message, and which of its words it covers."""

    kind: str
    id: str
    start: int
    end: int
    exact: bool


@dataclass(frozen=True)
class Entities:
    """The entities of a message: the first of each kind, all found, and how much of the message they cover."""

    found: tuple[Found, ...]
    words: int
    tokens: tuple[str, ...] = ()
    # Each kind's mask, and the kinds a turn reports, in order: as the catalogue's kinds declare them.
    masks: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    reported: tuple[str, ...] = ()

    def first(self, kind: str) -> str | None:
        """The first name of a kind; for languages, the one asked for (see `wanted_language`)."""
        if kind == "language":
            return self.wanted_language()
        return next((f.id for f in self.found if f.kind == kind), None)

    def wanted_language(self) -> str | None:
        """Of several languages named, the last, unless "instead of" comes before it: "it answered in German, can we
        go back to English", "Französisch statt Englisch"."""
        named = [f for f in self.found if f.kind == "language"]
        if len(named) < 2:
            return named[0].id if named else None
        last = named[-1]
        before = self.tokens[max(last.start - 3, 0) : last.start]
        return named[-2].id if any(t in INSTEAD_OF for t in before) else last.id

    def as_dict(self) -> dict[str, str]:
        return {kind: value for kind in self.reported if (value := self.first(kind)) is not None}

    def masked(self) -> str:
        """The message with each name replaced by its kind ("where is _centre_"), so phrasing, not names, decides."""
        out: list[str] = []
        starts = {f.start: f for f in self.found}
        i = 0
        while i < len(self.tokens):
            found = starts.get(i)
            if found is not None and (found.kind, found.id) not in UNMASKED:
                out.append(self.masks.get(found.kind, f"_{found.kind}_"))
                i = found.end
                continue
            token = self.tokens[i]
            if out and is_han(token) and is_han(out[-1][-1]):
                out[-1] += token  # Chinese has no spaces: keep characters together for the n-grams
            else:
                out.append(token)
            i += 1
        return " ".join(out)

    def with_names_of(self, other: Entities) -> Entities:
        """These entities and those found in another spelling of the same words (Russian in Latin, in Cyrillic)."""
        if len(other.tokens) != len(self.tokens):
            return self  # the spellings do not line up word for word: their spans would not mean the same words
        taken = {i for f in self.found for i in range(f.start, f.end)}
        extra = tuple(f for f in other.found if not taken & set(range(f.start, f.end)))
        if not extra:
            return self
        found = tuple(sorted(self.found + extra, key=lambda f: f.start))
        return Entities(found, self.words, self.tokens, self.masks, self.reported)

    def unnamed(self) -> str:
        """The message's words without the names found in it: "centre eugène marquis" says nothing of its language."""
        spans = {i for f in self.found for i in range(f.start, f.end)}
        return " ".join(token for i, token in enumerate(self.tokens) if i not in spans)

    def covered(self) -> float:
        """The share of the message's words that name something; 1.0 when the message is only a name."""
        if not self.words:
            return 0.0
        spans = {i for f in self.found for i in range(f.start, f.end)}
        return len(spans) / self.words


def _like_word_by_word(window: tuple[str, ...], name: str) -> bool:
    """A typo changes a name's words a little, never one whole word for another, nor turns France into French."""
    if NOT_A_TYPO.intersection(window):
        return False
    return all(fuzz.ratio(said, meant) >= WORD_LIKENESS for said, meant in zip(window, name.split(), strict=True))


def _capitalised_inside(token: str, text: str) -> bool:
    """The word written with a capital inside a sentence, not as its first word: the writer means a name."""
    word = re.escape(token)
    return re.search(rf"(?<!^)(?<![.!?]\s)\b{word[0].upper()}{word[1:]}\b", text.strip()) is not None


def in_cyrillic(text: str) -> str:
    """Russian typed in Latin letters, in Cyrillic ("v lione" → "в лионе"): the catalogue's Russian names then match."""
    return str(cyrtranslit.to_cyrillic(text.replace("'", ""), "ru"))


class EntityIndex:
    """A gazetteer of every name and alias, exact on stems and fuzzy on longer names."""

    def __init__(
        self,
        names: Iterable[tuple[str, str, str]],
        masks: Mapping[str, str] | None = None,
        reported: tuple[str, ...] = (),
    ) -> None:
        self.masks, self.reported = dict(masks or {}), reported
        self._exact: dict[tuple[str, ...], tuple[str, str]] = {}
        self._han: list[tuple[str, str, str]] = []
        # Fuzzy names by word count and first two letters (typos rarely hit those): few candidates per window.
        self._fuzzy: dict[tuple[int, str], list[str]] = defaultdict(list)
        self._fuzzy_owner: dict[tuple[int, str], tuple[str, str]] = {}
        names_list = list(with_romanised(names))
        for kind, id_, name in names_list:
            norm = normalise(name)
            if not norm:
                continue
            compact = norm.replace(" ", "")
            if is_han(compact):
                self._han.append((compact, kind, id_))
                continue
            key = tuple(stem(t) for t in tokens(norm))
            self._exact.setdefault(key, (kind, id_))
            joined = " ".join(key)
            if len(joined) >= 6:
                n = len(key)
                if (n, joined) not in self._fuzzy_owner:
                    self._fuzzy[(n, joined[:2])].append(joined)
                    self._fuzzy_owner[(n, joined)] = (kind, id_)
        # An acronym given only in brackets ("(HAS)") is often an ordinary word ("has"): found only as written.
        self._acronyms = {
            acronym: (kind, id_)
            for kind, id_, name in names_list
            for acronym in _ACRONYM.findall(name)
            if " " not in normalise(acronym) and (normalise(acronym),) not in self._exact
        }
        self._han.sort(key=lambda row: -len(row[0]))
        # What a name can start with, and how long names are: most windows of a message are skipped at once.
        self._exact_starts = {key[0] for key in self._exact}
        self._lengths = sorted({len(key) for key in self._exact} | {n for n, _ in self._fuzzy}, reverse=True)

    def find(self, text: str) -> Entities:
        """Every entity named in the text, longest and exact names first, without overlaps."""
        norm = normalise(text)
        toks = tokens(norm)
        stems = [stem(t) for t in toks]
        han = [is_han(t) for t in toks]
        candidates: list[tuple[int, int, int, Found]] = []
        for n in self._lengths:
            if n > len(stems):
                continue
            for i in range(len(stems) - n + 1):
                exact_start = stems[i] in self._exact_starts
                names = self._fuzzy.get((n, stems[i][:2]))
                if not (exact_start or names):
                    continue
                window = tuple(stems[i : i + n])
                hit = self._exact.get(window) if exact_start else None
                if hit:
                    candidates.append((1, n, -i, Found(hit[0], hit[1], i, i + n, True)))
                elif names and not any(han[i : i + n]):
                    joined = " ".join(window)
                    if len(joined) < 6:
                        continue
                    cutoff = 86.0 if len(joined) >= 10 else 90.0
                    best = process.extractOne(joined, names, scorer=fuzz.ratio, score_cutoff=cutoff)
                    if best is not None and _like_word_by_word(window, best[0]):
                        kind, id_ = self._fuzzy_owner[(n, best[0])]
                        candidates.append((0, n, -i, Found(kind, id_, i, i + n, False)))
        if any(han):
            candidates.extend(self._han_candidates(toks))
        candidates.extend(self._acronym_candidates(text, toks))
        candidates = [c for c in candidates if self._supported(c[3], text, toks)]
        candidates.sort(key=lambda c: (c[0], c[1], c[2]), reverse=True)
        taken: set[int] = set()
        chosen: list[Found] = []
        for _, _, _, found in candidates:
            span = set(range(found.start, found.end))
            if span & taken:
                continue
            taken |= span
            chosen.append(found)
        chosen.sort(key=lambda f: f.start)
        return Entities(tuple(chosen), len(toks), tuple(toks), self.masks, self.reported)

    @staticmethod
    def _supported(found: Found, text: str, toks: list[str]) -> bool:
        """A one-word language or city name that may be an ordinary word counts only with context that names it."""
        if found.end - found.start != 1 or is_han(toks[found.start]):
            return True
        before = toks[found.start - 1] if found.start else ""
        after = toks[found.end] if found.end < len(toks) else ""
        article = before == "a" and found.start >= 2 and toks[found.start - 2] in ENGLISH_BEFORE_A  # "a nice day"
        if found.kind == "language":
            asked = before in LANGUAGE_CUES or after in LANGUAGE_CUES_AFTER
            return len(toks) <= FEW_WORDS or asked or toks[found.start].startswith(_ARABIC_IN)
        if found.kind in ("city", "region") and toks[found.start] in CITY_WORDS:
            placed = before in PLACE_CUES and not article
            return len(toks) <= FEW_WORDS or placed or _capitalised_inside(toks[found.start], text)
        if found.kind not in ("city", "region") or not toks[found.start].isascii():
            return True
        if before not in ORDINARY_BEFORE and not article:
            return True
        if _capitalised_inside(toks[found.start], text):
            return True  # capitalised inside a sentence: the writer means the name
        word = re.escape(toks[found.start])
        return re.search(rf"{_AT_PLACE}\s+{word}\b", text, re.IGNORECASE) is not None

    def _acronym_candidates(self, text: str, toks: list[str]) -> list[tuple[int, int, int, Found]]:
        """Acronyms written as the catalogue writes them ("HAS"), never the ordinary word ("has")."""
        out = []
        for acronym, (kind, id_) in self._acronyms.items():
            if re.search(rf"(?<!\w){re.escape(acronym)}(?!\w)", text):
                word = normalise(acronym)
                out += [(1, 1, -i, Found(kind, id_, i, i + 1, True)) for i, tok in enumerate(toks) if tok == word][:1]
        return out

    def _han_candidates(self, toks: list[str]) -> list[tuple[int, int, int, Found]]:
        """Chinese names are found as substrings: the message has no spaces to mark words."""
        if not self._han:
            return []
        out = []
        starts = []  # character offset of each token in the joined text
        joined = ""
        for t in toks:
            starts.append(len(joined))
            joined += t
        for name, kind, id_ in self._han:
            pos = joined.find(name)
            while pos >= 0:
                if len(name) == HAN_SHORT and _straddled(joined, pos):
                    pos = joined.find(name, pos + 1)
                    continue
                first = max(i for i, s in enumerate(starts) if s <= pos)
                last = max(i for i, s in enumerate(starts) if s < pos + len(name))
                out.append((1, last - first + 1, -first, Found(kind, id_, first, last + 1, True)))
                pos = joined.find(name, pos + len(name))
        return out


def _straddled(joined: str, pos: int) -> bool:
    """A two-character name at `pos` whose first or last character belongs to a common word with its neighbour."""
    return joined[max(pos - 1, 0) : pos + 1] in HAN_STRADDLING or joined[pos + 1 : pos + 3] in HAN_STRADDLING
