"""Fill an intent's answer for the entity at hand, in the reader's language, from the catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale

from bot.content.schema import Centre, Intent, KnowledgeBase
from bot.dialogue import strings as s
from bot.dialogue.actions import Button, Venue
from bot.geo import distance_km
from bot.i18n import Interface

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
NEAREST = 3


@dataclass(frozen=True)
class Rendered:
    """An answer's text and what goes with it: buttons for the entity (pages, choices) and map venues."""

    text: str
    buttons: tuple[Button, ...] = ()
    venues: tuple[Venue, ...] = ()
    language: str | None = None  # set when the answer itself is in another language (a language switch)


def fill(template: str, values: dict[str, str]) -> str:
    """Substitute placeholders; a line whose placeholders are all empty is dropped (an unrecorded address)."""
    lines = []
    for line in template.split("\n"):
        names = _PLACEHOLDER.findall(line)
        if names and not any(values.get(n) for n in names):
            continue
        lines.append(_PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), line))
    return "\n".join(lines).strip()


class Renderer:
    """Knows how each kind of answer is filled; the texts themselves come from the content."""

    def __init__(self, kb: KnowledgeBase, interface: Interface) -> None:
        self.kb = kb
        self.ui = interface

    def city_name(self, city_id: str, lang: str) -> str:
        city = self.kb.cities.get(city_id)
        return city.name.get(lang, city_id) if city else city_id

    def centre_line(self, centre: Centre, lang: str, distance: str | None = None) -> str:
        line = f"• {centre.name} — {self.city_name(centre.city, lang)}"
        return f"{line} ({distance})" if distance else line

    def centre_buttons(self, centre: Centre, lang: str) -> tuple[Button, ...]:
        buttons = []
        if centre.website:
            buttons.append(Button(f"url:{centre.id}:website", self.ui.gettext(lang, s.WEBSITE), centre.website))
        if centre.international_page:
            buttons.append(
                Button(
                    f"url:{centre.id}:international",
                    self.ui.gettext(lang, s.INTERNATIONAL_PAGE),
                    centre.international_page,
                )
            )
        return tuple(buttons)

    def venue(self, centre: Centre, lang: str) -> Venue | None:
        if centre.coordinates is None:
            return None
        address = centre.address or self.city_name(centre.city, lang)
        return Venue(
            centre.name,
            address,
            centre.coordinates.lat,
            centre.coordinates.lon,
            centre.coordinates.precision,
            centre.id,
        )

    def nearest(self, lat: float, lon: float, limit: int = NEAREST) -> list[tuple[Centre, float]]:
        """Centres by distance from a point, closest first."""
        located = [
            (c, distance_km(lat, lon, c.coordinates.lat, c.coordinates.lon))
            for c in self.kb.centres.values()
            if c.coordinates
        ]
        return sorted(located, key=lambda pair: pair[1])[:limit]

    def nearest_lines(self, lat: float, lon: float, lang: str) -> tuple[str, tuple[Venue, ...]]:
        lines, venues = [], []
        for centre, km in self.nearest(lat, lon):
            lines.append(self.centre_line(centre, lang, self.ui.format_distance(km, lang)))
            venue = self.venue(centre, lang)
            if venue:
                venues.append(venue)
        return "\n".join(lines), tuple(venues)

    def render(self, intent: Intent, lang: str, entity: str | None) -> Rendered:
        """The answer to an intent about `entity` (an id of the kind the intent needs), or its `ask` variant."""
        kind = intent.kind
        if kind is None:
            return Rendered(intent.answer[lang])
        if kind == "centre_list":
            return self._centre_list(intent, lang)
        if entity is None:
            return self._ask(intent, lang)
        if kind in ("centre_card", "centre_specialties"):
            return self._centre(intent, lang, self.kb.centres[entity])
        if kind == "centres_near":
            return self._near(intent, lang, entity)
        if kind == "organisation":
            org = self.kb.organisations[entity]
            return Rendered(
                fill(
                    intent.answer[lang],
                    {
                        "name": org.name,
                        "description": org.description[lang],
                        "website": org.website or "",
                    },
                )
            )
        if kind == "language_switch":
            name = Locale.parse(entity).get_display_name(entity) or entity
            return Rendered(fill(intent.answer[entity], {"language": name}), language=entity)
        raise ValueError(f"unknown kind {kind}")

    def _ask(self, intent: Intent, lang: str) -> Rendered:
        kind = intent.kind
        template = intent.variants["ask"][lang]
        if kind in ("centre_card", "centre_specialties"):
            buttons = tuple(Button(f"centre:{c.id}", c.name) for c in self.kb.centres.values())
            return Rendered(fill(template, {}), buttons)
        if kind == "centres_near":
            cities = sorted({c.city for c in self.kb.centres.values()}, key=lambda cid: self.city_name(cid, lang))
            return Rendered(
                fill(template, {}), tuple(Button(f"city:{cid}", self.city_name(cid, lang)) for cid in cities)
            )
        if kind == "organisation":
            orgs = self.kb.organisations.values()
            listing = "\n".join(f"• {o.name}" for o in orgs)
            return Rendered(
                fill(template, {"organisations": listing}), tuple(Button(f"org:{o.id}", o.name) for o in orgs)
            )
        buttons = tuple(Button(f"lang:{code}", self.ui.language_name(code)) for code in self.kb.config.languages)
        return Rendered(fill(template, {}), buttons)

    def _centre(self, intent: Intent, lang: str, centre: Centre) -> Rendered:
        city = self.kb.cities.get(centre.city)
        region = self.kb.regions.get(city.region) if city else None
        values = {
            "name": centre.name,
            "city": self.city_name(centre.city, lang),
            "region": region.name[lang] if region else "",
            "address": centre.address or "",
            "phone": centre.phone or "",
            "website": centre.website or "",
            "international_page": centre.international_page or "",
        }
        venue = self.venue(centre, lang)
        venues = (venue,) if venue and intent.kind == "centre_card" else ()
        if intent.kind == "centre_specialties":
            if not centre.specialties:
                return Rendered(fill(intent.variants["none"][lang], values), self.centre_buttons(centre, lang))
            values["specialties"] = "\n".join(f"• {self.kb.specialties[sp].name[lang]}" for sp in centre.specialties)
        return Rendered(fill(intent.answer[lang], values), self.centre_buttons(centre, lang), venues)

    def _near(self, intent: Intent, lang: str, place: str) -> Rendered:
        if place in self.kb.regions:
            region = self.kb.regions[place]
            here = [c for c in self.kb.centres.values() if self.region_of(c) == place]
            if here:
                lines = "\n".join(self.centre_line(c, lang) for c in here)
                return Rendered(
                    fill(intent.answer[lang], {"city": region.name[lang], "centres": lines}),
                    tuple(Button(f"centre:{c.id}", c.name) for c in here),
                )
            return self._ask(intent, lang)
        city = self.kb.cities[place]
        here = [c for c in self.kb.centres.values() if c.city == place or place in c.other_cities]
        if here:
            lines = "\n".join(self.centre_line(c, lang) for c in here)
            return Rendered(
                fill(intent.answer[lang], {"city": city.name[lang], "centres": lines}),
                tuple(Button(f"centre:{c.id}", c.name) for c in here),
            )
        if city.coordinates is None:
            return self._ask(intent, lang)
        lines, venues = self.nearest_lines(city.coordinates.lat, city.coordinates.lon, lang)
        nearest = [c for c, _ in self.nearest(city.coordinates.lat, city.coordinates.lon)]
        return Rendered(
            fill(intent.variants["nearest"][lang], {"city": city.name[lang], "centres": lines}),
            tuple(Button(f"centre:{c.id}", c.name) for c in nearest),
            venues,
        )

    def region_of(self, centre: Centre) -> str | None:
        city = self.kb.cities.get(centre.city)
        return city.region if city else None

    def _centre_list(self, intent: Intent, lang: str) -> Rendered:
        groups: dict[str, list[Centre]] = {}
        others = []
        for centre in self.kb.centres.values():
            if centre.network == "unicancer":
                groups.setdefault(self.region_of(centre) or "", []).append(centre)
            else:
                others.append(centre)
        blocks = []
        for region_id in sorted(groups, key=lambda r: self.kb.regions[r].name[lang] if r in self.kb.regions else r):
            region = self.kb.regions.get(region_id)
            title = region.name[lang] if region else ""
            blocks.append(title + "\n" + "\n".join(self.centre_line(c, lang) for c in groups[region_id]))
        values = {
            "centres": "\n\n".join(blocks),
            "others": "\n".join(self.centre_line(c, lang) for c in others),
        }
        return Rendered(fill(intent.answer[lang], values))
