"""HTML in texts shown as written: answers and interface strings are plain text, so users would see the tags."""

from __future__ import annotations

import re

# An opening, closing or self-closing tag, or a comment; "a < b" and "<3" are not tags.
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|!--.*?--)>", re.DOTALL)


def html_tag(text: str) -> str | None:
    """The first HTML tag in a text, if any."""
    found = _TAG.search(text)
    return found.group() if found else None
