"""Messages that say nothing the assistant could answer: laughter, keyboard mash, words it has never met.

Such a message is answered as out of scope, but it is not a question left unanswered: it must neither look like a
greeting or an emergency to the matcher nor count toward offering a coordinator.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A word made of one short unit said again and again: "hahaha", "jajaja", "kkkk", "ههههه", "哈哈哈哈", "ололо".
_REPEATED = re.compile(r"(\w{1,3}?)\1+\w{0,2}")
REPEATED_FROM = 4  # letters from which a repeated unit is laughter or mash, not a word ("mama", "papa" are known)
# Digits from which one unit said again is mash or slang ("666666" is Chinese praise, "88888" goodbye), not a number
# anyone would send to be answered: shorter runs stay numbers ("15", "112", "3114", the year "2020").
REPEATED_DIGITS_FROM = 5


def repeated(word: str) -> bool:
    """A word that is one unit of one to three letters repeated, laughter and mash rather than language."""
    return len(word) >= REPEATED_FROM and _REPEATED.fullmatch(word) is not None


def repeated_digits(word: str) -> bool:
    """A run of digits that only says one unit again ("666666", "121212"): mash, not an age, a date or a number."""
    return word.isdigit() and len(word) >= REPEATED_DIGITS_FROM and _REPEATED.fullmatch(word) is not None


def says_nothing(words: list[str], known: Callable[[str], bool]) -> bool:
    """No word of the message is one the assistant knows (or a slip of one); numbers count as known (an age, a date)."""
    if not words:
        return False
    for word in words:
        if repeated_digits(word):
            continue
        if word.startswith("_") or any(ch.isdigit() for ch in word):
            return False  # a name found in it, a number
        if known(word):
            return False
    return True
