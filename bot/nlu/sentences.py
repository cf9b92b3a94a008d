"""Sentences of a message and which of them ask: in a story, the question says what is wanted."""

from __future__ import annotations

import re

# A sentence ends at . ! ? … ; followed by a space, at a line break, at the Chinese (full-width) and Arabic marks
# (question mark, semicolon, full stop), which need no space after them, and at . ! ? before a Cyrillic, Arabic or
# Chinese letter ("3.5", "curie.fr" stay whole). Pieces without a word ("؟" after "؟") are dropped.
_SENTENCE_END = re.compile(
    r"(?<=[.!?…;。？！；؟؛۔])\s+|(?<=[。？！；؟؛۔])|(?<=[.!?…])(?=[\u0400-\u04ff\u0600-\u06ff\u3400-\u9fff])|\n+"
)
# The words an Arabic question opens with, in the dialects and formal Arabic ("وش", "شو", "شنو", "ايش", "كيفاش",
# "شلون", "ازاي", "فين", "شحال", "شكد", "قديش", "بكام", "امتى", "وقتاش"...), alone or after "و" (and).
_ARABIC_ASKING = (
    r"و?(?:وش|ايش|إيش|شو|شنو|شنهو|اشنو|آش|اش|شني|كيف|كيفاش|كيفش|شلون|ازاي|إزاي|ازاى|وين|فين|منين|أين|اين|"
    r"كم|قديش|قداش|بقديش|بكام|بكم|شحال|بشحال|شكد|بيش|متى|امتى|إمتى|وقتاش|فوقاش|هل|ليش|ليه|علاش|لماذا|مين|منو|"
    r"اشكون|شكون|ماذا|ما هو|ما هي|ما هى|ماهو|ماهي)"
)
_ARABIC_QUESTION_WORD = re.compile(rf"(?<!\S){_ARABIC_ASKING}(?!\S)")
_ARABIC_TEXT = re.compile(r"[\u0600-\u06ff]")
DICTATED_FROM = 10  # words from which an Arabic message without any mark is cut before its first question word
DICTATED_STORY = 4  # words the story must have before the question word for the cut to be made...
DICTATED_QUESTION = 4  # ...and the question from it ("شو ممكن تكون", "what could it be", says nothing alone)
_WORD = re.compile(r"\w")
_HAN = re.compile(r"[\u3400-\u9fff]")
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
    r"هل يمكن|ممكن|اريد ان اعرف|أريد أن أعرف|(?:ابغى|ابغي|ابي|ودي|بدي|عايز|عاوز|حاب|حابب|اريد|أريد) (?:اعرف|أعرف)|"
    r"(?:بغيت|بغينا|نبغي|نبي|بدنا|عايزين|عاوزين|نريد|نود|نحب) (?:نعرف|اعرف|نفهم)|"
    r"(?:ارجو|أرجو|نرجو|يرجى|يُرجى|الرجاء|رجاء|لو سمحت|لو سمحتوا|من فضلك|من فضلكم)|"
    rf"{_ARABIC_ASKING}(?!\S)|"
    r"请问|请告诉|想了解|想请问|能否|可否"
    r")",
    re.IGNORECASE,
)
_CHINESE_ASKS = re.compile(r"[吗嘛呢][。.!！]*$")
# A sentence that says what the family wants ("we would like a French specialist to review his file. Is it possible?"):
# it is part of the request, and the question after it often only says "is it possible?" or "how do we proceed?".
# The first person singular counts as the plural does ("I want", "хочу", "أرغب"), and so does a letter's "we are
# planning X and would like to ..." or "we are interested in ...": a doctor or a buyer writes what they are after,
# then only "how do I apply?" or "how do we proceed?". Arabic verbs may carry "and" or "so" (و, ف) before them.
_WANTS = re.compile(
    r"\b(?:"
    r"we(?: would|'d) like|i(?: would|'d) like|we want|we wish|we hope|the family wants|i want|i wish|"
    r"and would like|and wish|(?:i am|i'm|we are|we're) (?:interested in|looking for|seeking)|"
    r"nous souhait\w*|je souhait\w*|on souhait\w*|souhaiterai(?:t|ent)|on voudrait|nous voudrions|je voudrais|"
    r"on aimerait|nous aimerions|je veux|nous voulons|on veut|(?:je|nous) cherch\w*|"
    r"quisi[ée]ramos|queremos|quisiera|nos gustar[ií]a|me gustar[ií]a|deseamos|quiero|deseo|busco|buscamos|"
    r"gostar[ií]amos|gostaria|desejamos|quero|queremos|procuro|procuramos|"
    r"wir m[öo]chten|ich m[öo]chte|wir w[üu]rden gern|wir wollen|wir h[äa]tten gern|ich will|wir suchen|ich suche|"
    r"(?:ich|wir) interessiere?n? (?:mich|uns)|"
    r"мы бы хотели|хотели бы|хотим|хотела бы|хотел бы|хотелось бы|хочу|ищу|ищем"
    r")\b|(?<!\w)[وف]?(?:"
    r"نرغب|أرغب|ارغب|نريد|أريد|اريد|نود|أود|اود|بدنا|بدي|عايزين|عاوزين|بغينا|بغيت|نبغى|نبغي|نبي|ودنا|حابين|نتمنى|"
    r"أتمنى|اتمنى|محتاجين|نحتاج|نبحث|أبحث|ابحث"
    r")(?!\w)|我们希望|我们想|家里想|希望法国|想请|我想|我希望",
    re.IGNORECASE,
)
# The polite opening of a request ("could you please let us know", "poderiam informar-nos", "请问"): it says nothing of
# what is asked, and on its own it reads as a question about the assistant, a price or a supplier.
_COURTESY = re.compile(
    r"^\W*(?:"
    r"(?:could|can|would) you (?:please |kindly )?"
    r"(?:let (?:us|me) know|tell (?:us|me)|inform (?:us|me)|advise (?:us|me)|explain(?: to (?:us|me))?)"
    r"(?: of| about| on)?|"
    r"please (?:let (?:us|me) know|tell (?:us|me)|advise(?: us| me)?)|"
    r"kindly (?:let (?:us|me) know|tell (?:us|me)|advise(?: us| me)?)|"
    r"(?:i|we)(?: would|'d) like to know|i want to know|"
    r"(?:pourriez|pouvez)[- ]vous (?:s'il vous pla[iî]t )?(?:me|nous) (?:dire|indiquer|expliquer|pr[ée]ciser)|"
    r"merci de (?:me|nous) (?:dire|indiquer|pr[ée]ciser)|(?:je|nous) (?:souhaiterions|souhaiterais|voudrais|voudrions) "
    r"(?:savoir|conna[iî]tre)|"
    r"(?:podr[ií]an|pueden|podr[ií]a|puede)(?: ustedes| usted)? (?:decirnos|indicarnos|informarnos|explicarnos|decirme|"
    r"indicarme|informarme|explicarme)(?: de| sobre)?|(?:quisiera|quisi[ée]ramos|me gustar[ií]a|nos gustar[ií]a) saber|"
    r"(?:poderiam|podem|poderia|pode)(?: me| nos)? (?:informar|dizer|indicar|explicar)(?:-nos|-me)?(?: sobre)?|"
    r"(?:gostar[ií]amos|gostaria|queria|quer[ií]amos) de saber|queria saber|"
    r"(?:k[öo]nnten|k[öo]nnen) sie (?:uns|mir) (?:bitte )?(?:sagen|mitteilen|erkl[äa]ren)|"
    r"(?:ich|wir) (?:m[öo]chten?|w[üu]rden?) (?:gern(?:e)? )?wissen|"
    r"(?:подскажите|скажите|расскажите|объясните|сообщите)(?:,? пожалуйста)?|(?:хотим|хочу|хотелось бы) узнать|"
    r"(?:هل يمكنكم|هل يمكنك|ممكن) (?:إفادتنا|افادتنا|تخبرونا|تخبرنا|اخبارنا|إخبارنا|تقولولنا|تقولي)|"
    r"(?:اريد|أريد|نريد|بدي|عايز|ابغى) (?:ان |أن )?(?:اعرف|أعرف|نعرف)|"
    r"请问|想请问|请告诉我们|请告诉我|麻烦问一下|想了解一下"
    r")[\s,，:：]*",
    re.IGNORECASE,
)
_COURTESY_LEFT = 2  # words (or Chinese characters) the rest must keep for the opening to be left out


def sentences(text: str) -> list[str]:
    """The message cut into sentences, empty pieces left out; Arabic dictated without marks is cut at its question."""
    pieces = [piece.strip() for piece in _SENTENCE_END.split(text) if piece and _WORD.search(piece)]
    return [part for piece in pieces for part in _dictated(piece)]


def _dictated(piece: str) -> list[str]:
    """A long Arabic sentence without a mark, as voice dictation writes a story and its question, cut before the
    question's first word: the story first, then what is asked ("... ونحن مرافقين وش نوع الفيزا ...")."""
    if not _ARABIC_TEXT.search(piece):
        return [piece]
    words = piece.split()
    if len(words) < DICTATED_FROM or _ASKS.search(piece):
        return [piece]
    for i in range(DICTATED_STORY, len(words) - DICTATED_QUESTION + 1):
        if _ARABIC_QUESTION_WORD.fullmatch(words[i]):
            return [" ".join(words[:i]), " ".join(words[i:])]
    return [piece]


def asks(sentence: str) -> bool:
    """A sentence that asks: with a question mark, or opening with a request, or (Chinese) ending in a question word."""
    return bool(_ASKS.search(sentence) or _REQUEST.search(sentence) or _CHINESE_ASKS.search(sentence))


def without_courtesy(text: str) -> str:
    """The message with the polite openings of its sentences left out, when what follows them still says something."""
    pieces = sentences(text)
    kept = []
    for piece in pieces:
        rest = _COURTESY.sub("", piece, count=1)
        kept.append(rest if rest != piece and _said(rest) else piece)
    return text if kept == pieces else " ".join(kept)


def _said(rest: str) -> bool:
    words = rest.split()
    return len(words) >= _COURTESY_LEFT or len(_HAN.findall(rest)) >= 2 * _COURTESY_LEFT


def wants(sentence: str) -> bool:
    """A sentence saying what the family wants: part of the request even without a question mark."""
    return bool(_WANTS.search(sentence))


def asking_part(text: str) -> str | None:
    """The sentences that ask or say what is wanted, joined, when a message has others around them; else None."""
    pieces = sentences(text)
    if len(pieces) < 2:
        return None
    asking = [piece for piece in pieces if asks(piece) or wants(piece)]
    if not asking or len(asking) == len(pieces):
        return None
    return " ".join(asking)
