"""Masks what could identify a person in a kept question, before it is written anywhere."""

from __future__ import annotations

import re

MASK = "[…]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: an optional +, then at least 6 digits broken by spaces, dots, dashes or brackets.
_PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s().-]{0,3}\d){5,}")
# A long run of digits (an account, a policy or a record number), with or without separators.
_DIGITS = re.compile(r"\d{5,}")
# A document-number-like token: letters and digits mixed, at least 6 long, with at least 2 digits (passport, id, IBAN).
_DOCUMENT = re.compile(r"\b(?=[A-Za-z0-9-]*\d[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{6,}\b")


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers, long digit runs and document numbers masked."""
    for pattern in (_EMAIL, _DOCUMENT, _PHONE, _DIGITS):
        text = pattern.sub(MASK, text)
    return text
