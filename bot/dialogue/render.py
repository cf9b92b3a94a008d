"""Fill an intent's answer for the entity at hand, in the reader's language, from the catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.fields import Coordinates
from bot.content.kinds import registered
from bot.content.kinds.base import Registry
from bot.content.kinds.centres import Centre
from bot.content.schema import Intent, KnowledgeBase
from bot.dialogue import button_ids as bid
from bot.dialogue import strings as s
from bot.dialogue.actions import Button, Venue
from bot.geo import distance_km
from bot.i18n import Interface, bracketed, colon, comma, semicolon

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
NEAREST = 3
NEARBY_KM = 20.0  # sites this close to a named city are listed with it (Villejuif, Neuilly for Paris)
MAX_SOURCES = 4  # the addresses shown under an answer composed from several catalogue entries
LOCAL_KM = 50.0  # a centre this close to the named place is shown beside those recorded for a cancer type
MAX_LOCAL = 5


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

    def __init__(self, kb: KnowledgeBase, interface: Interface, kinds: Registry | None = None) -> None:
        self.kb = kb
        self.ui = interface
        self.kinds = kinds or registered()

    def city_name(self, city_id: str, lang: str) -> str:
        city = self.kb.cities.get(city_id)
        return city.name.get(lang, city_id) if city else city_id

    def centre_line(self, centre: Centre, lang: str, distance: str | None = None, city: str | None = None) -> str:
        """A centre and its site's town; a town written in the reader's script is followed by its official spelling,
        as the centre's name is, so that it can be found on a map or a ticket."""
        place = city or centre.city
        town = self.city_name(place, lang)
        record = self.kb.cities.get(place)
        official = record.name.get("fr", "") if record is not None and centre.local_name.get(lang) else ""
        notes = [n for n in (official if official != town else "", distance or "") if n]
        line = f"• {centre.display_name(lang)} — {town}"
        return f"{line}{bracketed(lang, comma(lang).join(notes))}" if notes else line

    def sites(self, centre: Centre) -> list[tuple[str, Coordinates]]:
        """Each site's city and point: the centre's own point for its main city, the city's point for the others."""
        out = []
        for city_id in centre.cities:
            city = self.kb.cities.get(city_id)
            point = centre.coordinates if city_id == centre.city and centre.coordinates else None
            point = point or (city.coordinates if city else None)
            if point is not None:
                out.append((city_id, point))
        return out

    def closest_site(self, centre: Centre, lat: float, lon: float) -> tuple[str, float] | None:
        """The centre's site nearest to a point, and how far it is."""
        located = [(cid, distance_km(lat, lon, p.lat, p.lon)) for cid, p in self.sites(centre)]
        return min(located, key=lambda pair: pair[1]) if located else None

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

    def venue(self, centre: Centre, lang: str, city: str | None = None) -> Venue | None:
        site = city or centre.city
        point = dict(self.sites(centre)).get(site)
        if point is None:
            return None
        address = centre.address if site == centre.city and centre.address else self.city_name(site, lang)
        return Venue(centre.name, address, point.lat, point.lon, point.precision, centre.id)

    def nearest(
        self, lat: float, lon: float, limit: int = NEAREST, among: list[Centre] | None = None
    ) -> list[tuple[Centre, float, str]]:
        """Centres by the distance of their closest site from a point, closest first, with that site's city."""
        located = []
        for centre in self.kb.centres.values() if among is None else among:
            site = self.closest_site(centre, lat, lon)
            if site is not None:
                located.append((centre, site[1], site[0]))
        return sorted(located, key=lambda row: row[1])[:limit]

    def nearest_lines(self, lat: float, lon: float, lang: str) -> tuple[str, tuple[Venue, ...]]:
        lines, venues = [], []
        for centre, km, city in self.nearest(lat, lon):
            lines.append(self.centre_line(centre, lang, self.ui.format_distance(km, lang), city))
            venue = self.venue(centre, lang, city)
            if venue:
                venues.append(venue)
        return "\n".join(lines), tuple(venues)

    def render(self, intent: Intent, lang: str, entity: str | None, cancer_type: str | None = None) -> Rendered:
        """The answer to an intent about `entity` (an id of the kind the intent needs), or its `ask` variant.

        `cancer_type`, when the message names one, narrows a place's centres or asks whether a centre treats it.
        """
        if intent.kind is None:
            return Rendered(intent.answer[lang])
        if cancer_type not in self.kb.cancer_types:
            cancer_type = None
        return self.kinds.answers[intent.kind].render(self, intent, lang, entity, cancer_type)

    def ask_centre(self, intent: Intent, lang: str) -> Rendered:
        """Which centre? Every centre as a button."""
        buttons = tuple(Button(bid.make(bid.CENTRE, c.id), c.display_name(lang)) for c in self.kb.centres.values())
        return Rendered(fill(intent.variants["ask"][lang], {}), buttons)

    def ask_city(self, intent: Intent, lang: str) -> Rendered:
        """Which city? Every city with a centre, as a button."""
        cities = sorted({c.city for c in self.kb.centres.values()}, key=lambda cid: self.city_name(cid, lang))
        return Rendered(
            fill(intent.variants["ask"][lang], {}),
            tuple(Button(bid.make(bid.CITY, cid), self.city_name(cid, lang)) for cid in cities),
        )

    def centre(self, intent: Intent, lang: str, centre: Centre) -> Rendered:
        city = self.kb.cities.get(centre.city)
        region = self.kb.regions.get(city.region) if city else None
        values = {
            "name": centre.display_name(lang),
            "city": self.city_name(centre.city, lang),
            "region": region.name[lang] if region else "",
            "address": centre.address or "",
            "phone": centre.phone or "",
            "website": centre.website or "",
            "international_page": centre.international_page or "",
        }
        venues: tuple[Venue, ...] = ()
        if intent.kind == "centre_card":
            venues = tuple(v for city in centre.cities if (v := self.venue(centre, lang, city)) is not None)
        if intent.kind == "centre_specialties":
            if not centre.areas:
                return Rendered(fill(intent.variants["none"][lang], values), self.centre_buttons(centre, lang))
            values["specialties"] = self.area_lines(centre, lang, centre.areas)
        return Rendered(fill(intent.answer[lang], values), self.centre_buttons(centre, lang), venues)

    def area_lines(self, centre: Centre, lang: str, areas: tuple[str, ...]) -> str:
        """One bullet per area, each followed by the page that states it, so nothing reads as unsourced."""
        sources = {e.specialty: e.source for e in centre.expertise}
        lines = []
        for area in areas:
            lines.append(f"• {self.kb.specialties[area].name[lang]}")
            lines.extend(f"  {url}" for url in sources.get(area, ())[:1])
        return "\n".join(lines)

    def areas_for(self, cancer_type: str) -> set[str]:
        """The specialty ids recorded as being about a cancer type."""
        return {sp.id for sp in self.kb.specialties.values() if cancer_type in sp.cancer_types}

    def treats(self, intent: Intent, lang: str, centre: Centre, cancer_type: str) -> Rendered:
        """Does centre X treat Y: yes with the recorded area and its page, or "not recorded" and whom to ask."""
        wanted = self.areas_for(cancer_type)
        matching = tuple(a for a in centre.areas if a in wanted)
        values = {
            "name": centre.display_name(lang),
            "cancer": self.kb.cancer_types[cancer_type].name[lang],
            "website": centre.website or "",
            "international_page": centre.international_page or "",
        }
        if matching:
            values["specialties"] = self.area_lines(centre, lang, matching)
            return Rendered(fill(intent.variants["treats"][lang], values), self.centre_buttons(centre, lang))
        return Rendered(fill(intent.variants["not_recorded"][lang], values), self.centre_buttons(centre, lang))

    def local_centres(self, place: str | None, leave_out: list[Centre]) -> list[tuple[Centre, float | None, str]]:
        """The centres with a site in or close to a place (any site in a region), but for those already listed."""
        if not place:
            return []
        others = [c for c in self.kb.centres.values() if c not in leave_out]
        if place in self.kb.regions:
            in_region: list[tuple[Centre, float | None, str]] = []
            for centre in others:
                site = next((cid for cid in centre.cities if self.city_region(cid) == place), None)
                if site is not None:
                    in_region.append((centre, None, site))
            return in_region[:MAX_LOCAL]
        point = self.place_point(place)
        if point is None:
            return []
        rows = self.nearest(point.lat, point.lon, MAX_LOCAL, others)
        return [(c, km, city) for c, km, city in rows if km <= LOCAL_KM or city == place]

    def local_block(
        self,
        intent: Intent,
        lang: str,
        place: str | None,
        cancer_type: str,
        rows: list[tuple[Centre, float | None, str]],
    ) -> str:
        """The centres near the place with nothing recorded for the cancer: named, with the page to ask them on."""
        template = intent.variants.get("by_type_local", {}).get(lang)
        if not rows or not template:
            return ""
        lines = []
        for centre, km, city in rows:
            distance = self.ui.format_distance(km, lang) if km is not None and city != place else None
            page = centre.international_page or centre.website or ""
            line = self.centre_line(centre, lang, distance, city)
            lines.append(f"{line}{colon(lang)}{page}" if page else line)
        values = {
            "cancer": self.kb.cancer_types[cancer_type].name[lang],
            "city": self.place_name(place, lang),
            "centres": "\n".join(lines),
        }
        return fill(template, values)

    def by_type(self, intent: Intent, lang: str, place: str | None, cancer_type: str) -> Rendered:
        """Which centres for a cancer type: those with a recorded area for it, nearest first when a place is named.

        The centres of the named place with nothing recorded for that cancer follow, with the page to ask them on:
        the local centre is never left out, and nothing is guessed about what it treats.
        """
        wanted = self.areas_for(cancer_type)
        matching = [c for c in self.kb.centres.values() if wanted & set(c.areas)]
        point = self.place_point(place)
        values = {"cancer": self.kb.cancer_types[cancer_type].name[lang], "city": self.place_name(place, lang)}
        if not matching:
            nearby = self.local_centres(place, [])
            values["local"] = self.local_block(intent, lang, place, cancer_type, nearby)
            local = [c for c, _, _ in nearby]
            offices = local + [c for c in self.kb.centres.values() if c.international_page and c not in local]
            buttons = tuple(Button(bid.make(bid.CENTRE, c.id), c.display_name(lang)) for c in offices)
            return Rendered(fill(intent.variants["by_type_none"][lang], values), buttons)
        rows: list[tuple[Centre, float | None, str]] = [(c, None, c.city) for c in matching]
        if place in self.kb.regions:  # the region's own centres first; no distance from a region
            rows.sort(key=lambda row: all(self.city_region(cid) != place for cid in row[0].cities))
        if point is None:
            values["city"] = ""  # "sorted by distance from …" only when there is a point to measure from
        else:
            rows = [(c, km, city) for c, km, city in self.nearest(point.lat, point.lon, NEAREST + 2, matching)]
        lines: list[str] = []
        sources: list[str] = []
        for centre, km, city in rows:
            # A site in the named city itself needs no distance ("Paris (0 km)").
            distance = self.ui.format_distance(km, lang) if km is not None and city != place else None
            areas = [a for a in centre.areas if a in wanted]
            names = semicolon(lang).join(self.kb.specialties[a].name[lang] for a in areas)
            lines.append(f"{self.centre_line(centre, lang, distance, city)}{colon(lang)}{names}")
            sources.extend(url for e in centre.expertise if e.specialty in wanted for url in e.source[:1])
        values["centres"] = "\n".join(lines)
        values["sources"] = "\n".join(list(dict.fromkeys(sources))[:MAX_SOURCES])
        nearby = self.local_centres(place, [c for c, _, _ in rows])
        values["local"] = self.local_block(intent, lang, place, cancer_type, nearby)
        shown = [c for c, _, _ in nearby] + [c for c, _, _ in rows]
        return Rendered(
            fill(intent.variants["by_type"][lang], values),
            tuple(Button(bid.make(bid.CENTRE, c.id), c.display_name(lang)) for c in shown),
        )

    def place_point(self, place: str | None) -> Coordinates | None:
        city = self.kb.cities.get(place or "")
        return city.coordinates if city else None

    def place_name(self, place: str | None, lang: str) -> str:
        if place in self.kb.regions:
            return self.kb.regions[place].name[lang]
        return self.city_name(place, lang) if place else ""

    def near(self, intent: Intent, lang: str, place: str) -> Rendered:
        """Centres with a site in the region or city (every site counts), with the sites close to that city."""
        if place in self.kb.regions:
            region = self.kb.regions[place]
            rows = [(c, cid) for c in self.kb.centres.values() for cid in c.cities if self.city_region(cid) == place]
            if rows:
                lines = "\n".join(self.centre_line(c, lang, city=cid) for c, cid in rows)
                return Rendered(
                    fill(intent.answer[lang], {"city": region.name[lang], "centres": lines}),
                    tuple(
                        Button(bid.make(bid.CENTRE, c.id), c.display_name(lang))
                        for c in dict.fromkeys(c for c, _ in rows)
                    ),
                )
            return self.ask_city(intent, lang)
        city = self.kb.cities[place]
        here = [c for c in self.kb.centres.values() if place in c.cities]
        found_lines = [self.centre_line(c, lang, city=place) for c in here]
        close: list[tuple[Centre, float, str]] = []
        if here and city.coordinates is not None:  # a city without a site of its own gets the nearest, below
            others = [c for c in self.kb.centres.values() if c not in here]
            found = self.nearest(city.coordinates.lat, city.coordinates.lon, len(others), others)
            close = [row for row in found if row[1] <= NEARBY_KM]
        found_lines += [self.centre_line(c, lang, self.ui.format_distance(km, lang), cid) for c, km, cid in close]
        if found_lines:
            shown = [*here, *(c for c, _, _ in close)]
            return Rendered(
                fill(intent.answer[lang], {"city": city.name[lang], "centres": "\n".join(found_lines)}),
                tuple(Button(bid.make(bid.CENTRE, c.id), c.display_name(lang)) for c in shown),
            )
        if city.coordinates is None:
            return self.ask_city(intent, lang)
        lines_text, venues = self.nearest_lines(city.coordinates.lat, city.coordinates.lon, lang)
        nearest = [c for c, _, _ in self.nearest(city.coordinates.lat, city.coordinates.lon)]
        return Rendered(
            fill(intent.variants["nearest"][lang], {"city": city.name[lang], "centres": lines_text}),
            tuple(Button(bid.make(bid.CENTRE, c.id), c.display_name(lang)) for c in nearest),
            venues,
        )

    def region_of(self, centre: Centre) -> str | None:
        return self.city_region(centre.city)

    def city_region(self, city_id: str) -> str | None:
        city = self.kb.cities.get(city_id)
        return city.region if city else None

    def centre_list(self, intent: Intent, lang: str) -> Rendered:
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
