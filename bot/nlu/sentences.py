"""Sentences of a message and which of them ask: in a story, the question says what is wanted."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … ; followed by a space, at a line break, at the Chinese (full-width) and Arabic marks,
# which need no space after them, and at . ! ? before a Cyrillic, Arabic or Chinese letter ("3.5", "curie.fr" stay
# whole). Pieces without a word ("؟" after "؟") are dropped.
_SENTENCE_END = re.compile(
    r"(?<=[.!?…;。？！；؟])\s+|(?<=[。？！；؟])|(?<=[.!?…])(?=[\u0400-\u04ff\u0600-\u06ff\u3400-\u9fff])|\n+"
)
_WORD = re.compile(r"\w")
_ASKS = re.compile(r"[?？؟⁇][\s!！?？؟.…)»\"']*$|^\s*¿")


def sentences(text: str) -> list[str]:
    """The message cut into sentences, empty pieces left out."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and _WORD.search(piece)]


def asking_part(text: str) -> str | None:
    """The sentences that ask, joined, when a message has others around them; None when there is no such split."""
    pieces = sentences(text)
    if len(pieces) < 2:
        return None
    asking = [piece for piece in pieces if _ASKS.search(piece)]
    if not asking or len(asking) == len(pieces):
        return None
    return " ".join(asking)
