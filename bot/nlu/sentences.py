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
# A sentence that asks without a question mark, as dictated messages and formal letters do: it opens with a request
# ("could you tell us", "je souhaiterais savoir", "请问") in one of the eight languages, or a Chinese one ends in 吗.
_REQUEST = re.compile(
    r"^\W*(?:"
    r"could you|can you|would you|please (?:tell|let|send|advise)|i would like to know|i'd like to know|"
    r"we would like to know|i want to know|kindly|"
    r"pourriez[- ]vous|pouvez[- ]vous|je souhaiterais (?:savoir|conna[iî]tre)|je voudrais (?:savoir|conna[iî]tre)|"
    r"merci de (?:me|nous) (?:dire|indiquer)|"
    r"podr[ií]an|pueden|quisiera saber|quisiera conocer|me gustar[ií]a saber|"
    r"poderiam|podem|gostaria de saber|queria saber|"
    r"k[öo]nnten sie|k[öo]nnen sie|ich m[öo]chte wissen|ich w[üu]rde gern(?:e)? wissen|bitte teilen sie|"
    r"подскажите|скажите|расскажите|хотим узнать|хочу узнать|хотелось бы узнать|"
    r"هل يمكن|ممكن تقول|ممكن تقولي|اريد ان اعرف|أريد أن أعرف|ابغى اعرف|بدي اعرف|عايز اعرف|"
    r"请问|请告诉|想了解|想请问|能否|可否"
    r")",
    re.IGNORECASE,
)
_CHINESE_ASKS = re.compile(r"[吗嘛呢][。.!！]*$")


def sentences(text: str) -> list[str]:
    """The message cut into sentences, empty pieces left out."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and _WORD.search(piece)]


def asks(sentence: str) -> bool:
    """A sentence that asks: with a question mark, or opening with a request, or (Chinese) ending in a question word."""
    return bool(_ASKS.search(sentence) or _REQUEST.search(sentence) or _CHINESE_ASKS.search(sentence))


def asking_part(text: str) -> str | None:
    """The sentences that ask, joined, when a message has others around them; None when there is no such split."""
    pieces = sentences(text)
    if len(pieces) < 2:
        return None
    asking = [piece for piece in pieces if asks(piece)]
    if not asking or len(asking) == len(pieces):
        return None
    return " ".join(asking)
