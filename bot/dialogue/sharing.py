"""Answers meant for more than one person: centre cards a user shares from any chat, and what a group may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.dialogue import button_ids as bid
from bot.dialogue.actions import Button, Reply, Turn, Venue

if TYPE_CHECKING:
    from bot.dialogue.engine import Engine

CARDS = 10  # centres offered for one search
CARD_INTENT = "centre_location_contact"  # the answer a shared card shows


@dataclass(frozen=True)
class CentreCard:
    """A centre's answer, ready to be shared as it is: the same text the assistant gives about it, with its links."""

    centre_id: str
    title: str
    city: str
    text: str
    links: tuple[Button, ...]


def centre_cards(engine: Engine, query: str, lang: str) -> list[CentreCard]:
    """Centres matching a typed name (by entity, then by a fuzzy name match), or every centre for an empty query."""
    kb = engine.kb
    ids: list[str] = []
    text = query.strip()
    if text:
        found = engine.entities.find(text)
        ids = [f.id for f in found.found if f.kind == "centre"]
        names = {f"{c.id}\x00{n}": n for c in kb.centres.values() for n in (c.name, *c.aliases)}
        for _, _, key in process.extract(text, names, scorer=fuzz.WRatio, limit=20, score_cutoff=70):
            matched = key.split("\x00", 1)[0]
            if matched not in ids:
                ids.append(matched)
    else:
        ids = list(kb.centres)
    intent = kb.intents.get(CARD_INTENT)
    cards = []
    for centre_id in list(dict.fromkeys(ids))[:CARDS]:  # each centre once
        centre = kb.centres[centre_id]
        body = engine.render.render(intent, lang, centre_id).text if intent else centre.name
        cards.append(
            CentreCard(
                centre_id,
                centre.name,
                engine.render.city_name(centre.city, lang),
                body,
                engine.render.centre_buttons(centre, lang),
            )
        )
    return cards


def for_group(turn: Turn) -> Turn:
    """A group gets answers and maps only: a hand-off is a private matter, so its buttons are left out."""
    kept: list[Reply | Venue] = []
    for action in turn.actions:
        if isinstance(action, Reply):
            buttons = tuple(b for b in action.buttons if bid.parse(b.id).kind != bid.HANDOFF)
            kept.append(Reply(action.text, action.language, buttons))
        elif isinstance(action, Venue):
            kept.append(action)
    return Turn(tuple(kept), turn.understanding)
