"""Chat-app text: HTML escaping, splitting long answers at paragraphs, laying out buttons. No network here."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from bot.dialogue.actions import Button

LIMIT = 4096  # Telegram's maximum message length
CALLBACK_LIMIT = 64  # bytes of callback data
_URL = re.compile(r"(https?://[^\s<>\"]+)")


def to_html(text: str) -> str:
    """Escape everything (content and user text alike), then make bare web addresses clickable."""
    escaped = html.escape(text, quote=False)
    return _URL.sub(lambda m: f'<a href="{html.escape(m.group(1), quote=True)}">{m.group(1)}</a>', escaped)


def split_message(text: str, limit: int = LIMIT) -> list[str]:
    """Cut a long answer at paragraph, then line, then word boundaries, each part within the limit."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for block in _pieces(text, limit):
        candidate = f"{current}{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current.rstrip())
            current = block
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs (with their breaks); a paragraph over the limit is cut at lines, then words, then characters."""
    out: list[str] = []
    for paragraph in re.split(r"(?<=\n\n)", text):
        if len(paragraph) <= limit:
            out.append(paragraph)
            continue
        for line in re.split(r"(?<=\n)", paragraph):
            if len(line) <= limit:
                out.append(line)
                continue
            for word in re.split(r"(?<= )", line):
                out.extend(word[i : i + limit] for i in range(0, len(word), limit))
    return out


def rows(buttons: Sequence[Button], wide: int = 22) -> list[list[Button]]:
    """Page links one per row; short choices two per row; long labels alone."""
    out: list[list[Button]] = []
    pending: list[Button] = []
    for button in buttons:
        if button.url or len(button.label) > wide:
            if pending:
                out.append(pending)
                pending = []
            out.append([button])
            continue
        pending.append(button)
        if len(pending) == 2:
            out.append(pending)
            pending = []
    if pending:
        out.append(pending)
    return out


def fits_callback(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_LIMIT
