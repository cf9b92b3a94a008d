"""Centres: the cancer centres and hospitals people ask about, their cards, specialties and the list of all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.content.fields import Coordinates, coordinates, sources, url
from bot.content.kinds.base import Answer, Entity, Kind, LangText
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile
from bot.dialogue import button_ids as bid

if TYPE_CHECKING:
    from bot.content.origins import Origins
    from bot.content.schema import Intent, KnowledgeBase
    from bot.dialogue.render import Rendered, Renderer


@dataclass(frozen=True)
class Expertise:
    """One recognised area of a centre (a labelled network, a reference centre), with the page that says so."""

    specialty: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class Centre:
    """A cancer centre or hospital people ask about."""

    id: str
    name: str
    network: str
    aliases: tuple[str, ...]
    city: str
    other_cities: tuple[str, ...]
    address: str | None
    phone: str | None
    website: str | None
    international_page: str | None
    coordinates: Coordinates | None
    specialties: tuple[str, ...]
    source: tuple[str, ...]
    expertise: tuple[Expertise, ...] = ()
    # The name in a language's own script (ar, zh); not part of the record's identity.
    local_name: LangText = field(default_factory=dict, hash=False, compare=False)

    def display_name(self, lang: str) -> str:
        """The name a reader of `lang` recognises: the local form with the official one in brackets, where recorded."""
        local = self.local_name.get(lang)
        if not local:
            return self.name
        return f"{local}（{self.name}）" if lang == "zh" else f"{local} ({self.name})"

    @property
    def cities(self) -> tuple[str, ...]:
        """Every site's city, the main one first: answers about a place look at all of them."""
        return (self.city, *(c for c in self.other_cities if c != self.city))

    @property
    def areas(self) -> tuple[str, ...]:
        """The specialty ids recorded for the centre, sourced expertise first, without repeats."""
        return tuple(dict.fromkeys((*(e.specialty for e in self.expertise), *self.specialties)))


def _expertise(doc: YamlFile, item: dict[str, Any], path: Path_) -> tuple[Expertise, ...]:
    """A centre's recognised areas, each with the page that states it: an area without a source is refused."""
    value = item.get("expertise")
    if value is None:
        return ()
    if not isinstance(value, list):
        doc.error((*path, "expertise"), "expected a list of {specialty, source}")
        return ()
    out = []
    for i, entry in enumerate(value):
        here = (*path, "expertise", i)
        if not isinstance(entry, dict):
            doc.error(here, "expected {specialty, source}")
            continue
        doc.known_keys(entry, here, {"specialty", "source"})
        specialty = doc.text(entry, "specialty", here)
        pages = sources(doc, entry, here)
        if not pages:
            doc.error((*here, "source"), "an area of expertise needs the address of a page that states it")
        if specialty:
            out.append(Expertise(specialty, pages))
    return tuple(out)


def _local_name(doc: YamlFile, item: dict[str, Any], path: Path_, langs: tuple[str, ...]) -> dict[str, str]:
    """A centre's name in some languages' own scripts (Arabic, Chinese); any declared language may be left out."""
    value = item.get("local_name")
    if value is None:
        return {}
    if not isinstance(value, dict):
        doc.error((*path, "local_name"), "expected a mapping of language to name")
        return {}
    out = {}
    for lang, name in value.items():
        if lang not in langs:
            doc.error((*path, "local_name", lang), f"'{lang}' is not a declared language")
        elif not isinstance(name, str) or not name.strip():
            doc.error((*path, "local_name", lang), "expected a name")
        else:
            out[str(lang)] = name.strip()
    return out


def parse(doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]) -> Centre | None:
    """A centre needs an id, a name and a city; the rest may be unrecorded."""
    name = doc.text(item, "name", path)
    network = doc.text(item, "network", path)
    if network not in (None, "unicancer", "other"):
        doc.error((*path, "network"), "expected 'unicancer' or 'other'")
    city = doc.text(item, "city", path)
    centre = Centre(
        id=id_ or "",
        name=name or "",
        network=network or "other",
        aliases=doc.texts(item, "aliases", path),
        city=city or "",
        other_cities=doc.texts(item, "other_cities", path),
        address=doc.text(item, "address", path, required=False),
        phone=doc.text(item, "phone", path, required=False),
        website=url(doc, item, "website", path),
        international_page=url(doc, item, "international_page", path),
        coordinates=coordinates(doc, item, path),
        specialties=doc.texts(item, "specialties", path),
        source=sources(doc, item, path),
        expertise=_expertise(doc, item, path),
        local_name=_local_name(doc, item, path, langs),
    )
    return centre if id_ and name and city else None


def references(kb: KnowledgeBase, origins: Origins) -> None:
    """Its cities and specialties exist; a phone or an address has a source."""
    for centre in kb.centres.values():
        doc, path = origins.at("centre", centre.id)
        if centre.city not in kb.cities:
            doc.error((*path, "city"), f"unknown city '{centre.city}'")
        for i, other in enumerate(centre.other_cities):
            if other not in kb.cities:
                doc.error((*path, "other_cities", i), f"unknown city '{other}'")
        for i, spec in enumerate(centre.specialties):
            if spec not in kb.specialties:
                doc.error((*path, "specialties", i), f"unknown specialty '{spec}'")
        for key in ("phone", "address"):
            if getattr(centre, key) and not centre.source:
                doc.warn((*path, key), f"a {key} needs a 'source'")


def expertise_checks(kb: KnowledgeBase, origins: Origins) -> None:
    """Each area of expertise names a known specialty."""
    for centre in kb.centres.values():
        doc, path = origins.at("centre", centre.id)
        for i, area in enumerate(centre.expertise):
            if area.specialty not in kb.specialties:
                doc.error((*path, "expertise", i, "specialty"), f"unknown specialty '{area.specialty}'")


def names(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for c in kb.centres.values():
        for name in (c.name, *c.aliases):
            yield c.id, name


def render_card(r: Renderer, intent: Intent, lang: str, entity: str | None, cancer: str | None) -> Rendered:
    return r.centre(intent, lang, r.kb.centres[entity]) if entity else r.ask_centre(intent, lang)


def render_specialties(r: Renderer, intent: Intent, lang: str, entity: str | None, cancer: str | None) -> Rendered:
    """What a centre offers; with a cancer type, whether it treats it, or which centres do when none is named."""
    by_type = next((i for i in r.kb.intents.values() if "by_type" in i.variants), None)
    if entity is None and cancer and by_type is not None:
        return r.by_type(by_type, lang, None, cancer)  # "who treats sarcoma?": no centre named
    if entity is None:
        return r.ask_centre(intent, lang)
    if cancer and "treats" in intent.variants:
        return r.treats(intent, lang, r.kb.centres[entity], cancer)
    return r.centre(intent, lang, r.kb.centres[entity])


def render_list(r: Renderer, intent: Intent, lang: str, entity: str | None, cancer: str | None) -> Rendered:
    return r.centre_list(intent, lang)


_PAGES = frozenset({"website", "international_page"})
KINDS = (
    Kind(
        key="centres",
        record=Centre,
        fields=frozenset(
            {"id", "name", "network", "aliases", "city", "other_cities", "address", "phone", "coordinates"}
            | {"specialties", "expertise", "local_name", "source"}
            | _PAGES
        ),
        parse=parse,
        order=10,
        label="centre",
        required=True,  # without centres the assistant has nothing to point people to
        entity=Entity(
            "centre",
            names,
            "_centre_",
            rank=10,
            reported=10,
            distinct=True,
            carried=True,
            button=bid.CENTRE,
            default_intent="centre_location_contact",
        ),
        answers=(
            Answer(
                "centre_card",
                {"answer": frozenset({"name", "city", "region", "address", "phone"} | _PAGES), "ask": frozenset()},
                render_card,
                entity="centre",
            ),
            Answer(
                "centre_specialties",
                {
                    "answer": frozenset({"name", "city", "specialties"} | _PAGES),
                    "none": frozenset({"name", "city"} | _PAGES),
                    "treats": frozenset({"name", "cancer", "specialties"} | _PAGES),
                    "not_recorded": frozenset({"name", "cancer"} | _PAGES),
                    "ask": frozenset(),
                },
                render_specialties,
                entity="centre",
                optional=frozenset({"treats", "not_recorded"}),
            ),
            Answer("centre_list", {"answer": frozenset({"centres", "others"})}, render_list),
        ),
        references=references,
        source_checks=expertise_checks,
    ),
)
