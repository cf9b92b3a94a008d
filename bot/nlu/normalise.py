"""Per-script normalisation, so that people typing without accents, diacritics or the right letter forms still match."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ک": "ك",
        "گ": "ك",
        "پ": "ب",
        "ڤ": "ف",
        "چ": "ج",
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ё": "е",
        "’": "'",
    }
)
# A letter typed three times or more stretches a word ("شكراااا", "كتييير"); laughter ("ههههه") stays as typed.
_ARABIC_STRETCHED = re.compile(r"([\u0621-\u0646\u0648-\u064a])\1{2,}")
# The hamza written on its own is often left out ("شيء" / "شي", "جاءت" / "جات", "دعاء" / "دعا").
_LONE_HAMZA = "ء"
# Arabic-Indic and Eastern Arabic-Indic digits are not folded by NFKC.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_ARABIC_WORD = re.compile(r"^[\u0620-\u064a]+$")
ARABIC_STEM_FROM = 5  # letters a word must have for an attached letter to be cut from it ("بلد", "كلي" stay whole)
_JOINED_ARTICLE = ("ال", "بال", "لل", "كال")  # after و or ف: "and the", "and in the" ("والمستشفي", "فالسبيطار")
_ROOT_WAW = "والد"  # "والدي", "والدتي": the و is the word's own (father, mother), not "and"
_HAN_RUN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


def strip_controls(text: str) -> str:
    """Drop control and format characters that users paste by accident, keeping line breaks and tabs as spaces."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t\r":
            out.append(" ")
        elif cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch not in "\u200c\u200d"):
            continue
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Fold case, accents, letter variants, width and punctuation so that spellings people type compare equal."""
    text = unicodedata.normalize("NFKC", strip_controls(text)).casefold()
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS).translate(_DIGITS)
    if _LONE_HAMZA in text:
        text = text.replace(_LONE_HAMZA, "")
    text = _ARABIC_STRETCHED.sub(r"\1", text)
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    text = unicodedata.normalize("NFC", text)
    return " ".join(_NOT_WORD.sub(" ", text.replace("_", " ")).split())


def tokens(normalised: str) -> list[str]:
    """Split into words; Chinese has no spaces, so each Han character is a token of its own."""
    return _HAN.sub(r" \1 ", normalised).split()


def is_han(token: str) -> bool:
    """Tell whether a token is written in Chinese characters only."""
    return bool(_HAN_RUN.match(token))


def arabic_stem(token: str) -> str:
    """An Arabic word without what attaches before it (و ف, ب ل ك, the article ال and لل), as dictionaries list it.

    "وبالمستشفى", "فالمستشفى" and "المستشفى" are one word to a reader; as tokens they would share no weight. Words
    of other scripts are returned as they are.
    """
    if not _ARABIC_WORD.match(token):
        return token
    if (
        token[0] in "وف"
        and not token.startswith(_ROOT_WAW)
        and (token.startswith(_JOINED_ARTICLE, 1) or len(token) > ARABIC_STEM_FROM)
    ):
        token = token[1:]
    if len(token) >= ARABIC_STEM_FROM and token[0] in "بلك" and token[1:3] == "ال":
        token = token[1:]
    if len(token) >= ARABIC_STEM_FROM and token.startswith("لل"):
        token = token[2:]
    if len(token) >= ARABIC_STEM_FROM and token.startswith("ال"):
        token = token[2:]
    return token
