"""Places: the regions and cities people name, to find the centres in or near them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.content.fields import Coordinates, coordinates, named, sources
from bot.content.kinds.base import Answer, Entity, Kind, LangText
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile
from bot.dialogue import button_ids as bid

if TYPE_CHECKING:
    from bot.content.origins import Origins
    from bot.content.schema import Intent, KnowledgeBase
    from bot.dialogue.render import Rendered, Renderer


@dataclass(frozen=True)
class Region:
    """A French region, to group centres."""

    id: str
    name: LangText
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class City:
    """A city people name, to find the centres in or near it."""

    id: str
    name: LangText
    aliases: tuple[str, ...]
    region: str
    coordinates: Coordinates | None
    source: tuple[str, ...]
    unmatched_names: tuple[str, ...] = ()  # names shown in answers but ordinary words, never matched in messages


def parse_region(
    doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]
) -> Region | None:
    name = named(doc, item, path, langs)
    return Region(id_, name, doc.texts(item, "aliases", path)) if id_ and name else None


def parse_city(
    doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]
) -> City | None:
    """A city needs a name in every language and its region; names listed as unmatched must be among its names."""
    name = named(doc, item, path, langs)
    region = doc.text(item, "region", path)
    point = coordinates(doc, item, path)
    unmatched = doc.texts(item, "unmatched_names", path)
    for i, word in enumerate(unmatched):
        if word not in name.values():
            doc.error((*path, "unmatched_names", i), f"'{word}' is not one of the city's names")
    if id_ and name and region:
        return City(id_, name, doc.texts(item, "aliases", path), region, point, sources(doc, item, path), unmatched)
    return None


def city_references(kb: KnowledgeBase, origins: Origins) -> None:
    for city in kb.cities.values():
        doc, path = origins.at("cities", city.id)
        if city.region not in kb.regions:
            doc.error((*path, "region"), f"unknown region '{city.region}'")


def city_names(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for city in kb.cities.values():
        for name in (*city.name.values(), *city.aliases):
            if name not in city.unmatched_names:
                yield city.id, name


def region_names(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for region in kb.regions.values():
        for name in (*region.name.values(), *region.aliases):
            yield region.id, name


def render_near(r: Renderer, intent: Intent, lang: str, entity: str | None, cancer: str | None) -> Rendered:
    """The centres in or near a place; with a cancer type, those recorded for it."""
    if cancer and "by_type" in intent.variants:
        return r.by_type(intent, lang, entity, cancer)
    return r.near(intent, lang, entity) if entity else r.ask_city(intent, lang)


KINDS = (
    Kind(
        key="regions",
        record=Region,
        fields=frozenset({"id", "name", "aliases"}),
        parse=parse_region,
        order=20,
        file="places",
        label="region",
        required=True,  # centres are found by place
        entity=Entity(
            "region",
            region_names,
            "_city_",  # read as a city: "centres in Brittany" is phrased as "centres in Rennes"
            rank=40,
            button=bid.REGION,
            default_intent="find_cancer_centre",
        ),
    ),
    Kind(
        key="cities",
        record=City,
        fields=frozenset({"id", "name", "aliases", "region", "coordinates", "source", "unmatched_names"}),
        parse=parse_city,
        order=30,
        file="places",
        required=True,
        entity=Entity(
            "city",
            city_names,
            "_city_",
            rank=30,
            reported=20,
            distinct=True,
            carried=True,
            button=bid.CITY,
            default_intent="find_cancer_centre",
        ),
        answers=(
            Answer(
                "centres_near",
                {
                    "answer": frozenset({"city", "centres"}),
                    "nearest": frozenset({"city", "centres"}),
                    "by_type": frozenset({"cancer", "city", "centres", "sources", "local"}),
                    "by_type_none": frozenset({"cancer", "city", "local"}),
                    "by_type_local": frozenset({"cancer", "city", "centres"}),
                    "ask": frozenset(),
                },
                render_near,
                entity="city",
                optional=frozenset({"by_type", "by_type_none", "by_type_local"}),
            ),
        ),
        references=city_references,
    ),
)
