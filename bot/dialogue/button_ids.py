"""The grammar of button ids (`kind:value…`), in one place: the engine builds and reads them, channels route them."""

from __future__ import annotations

from dataclasses import dataclass

# kinds: the part of an id before its first colon
INTENT = "intent"
MENU = "menu"
LANG = "lang"
CENTRE = "centre"
CITY = "city"
REGION = "region"
ORG = "org"
HANDOFF = "handoff"
INTAKE = "intake"
RATE = "rate"
KEEP = "keep"
VOTE = "fb"
PAGE = "pg"  # the channel's own: turns a page of a long button list
# ids that are a whole word
START = "start"
FORGET = "forget"

KINDS = frozenset(
    {INTENT, MENU, LANG, CENTRE, CITY, REGION, ORG, HANDOFF, INTAKE, RATE, KEEP, VOTE, PAGE, START, FORGET}
)
EDITED_IN_PLACE = (MENU, REGION, PAGE)  # pressing one of these replaces the message it was on
PRIVATE = (HANDOFF, INTAKE, RATE, FORGET)  # a user's own matters: never acted on in a group


def make(kind: str, *parts: object) -> str:
    """Join a kind and its parts as the channel carries them back (`rate:12:5`)."""
    return ":".join((kind, *(str(p) for p in parts)))


@dataclass(frozen=True)
class ButtonId:
    """A pressed button's id, split at its first colon."""

    kind: str
    value: str


def parse(payload: str) -> ButtonId:
    """Read an id; a whole word (`start`) has an empty value."""
    kind, _, value = payload.partition(":")
    return ButtonId(kind, value)
