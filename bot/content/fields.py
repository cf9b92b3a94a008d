"""Readers of the fields several kinds share (ids, web addresses, sources, points, names), each reporting file:line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.content.markup import html_tag
from bot.content.origins import Origins
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile

ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Coordinates:
    """A point, with how precise it is (a building, or only the city)."""

    lat: float
    lon: float
    precision: str


def read_id(
    doc: YamlFile, item: dict[str, Any], path: Path_, label: str, seen: dict[str, Any], origins: Origins
) -> str | None:
    """A record's id, refused when malformed or already taken by a record of the same kind."""
    value = doc.text(item, "id", path)
    if value is None:
        return None
    if not ID.match(value):
        doc.error((*path, "id"), f"'{value}' is not a valid id (lower case letters, digits, - and _)")
        return None
    if value in seen:
        first, first_path = origins.at(label, value)
        doc.error((*path, "id"), f"duplicate {label} id '{value}' (first at {first.rel}:{first.line(first_path)})")
        return None
    origins.where[(label, value)] = (doc, path)
    return value


def coordinates(doc: YamlFile, item: dict[str, Any], path: Path_) -> Coordinates | None:
    """A point on the map, refused out of range; `precision` says whether it is the building or only the city."""
    value = item.get("coordinates")
    if value is None:
        return None
    here = (*path, "coordinates")
    if not isinstance(value, dict):
        doc.error(here, "expected {lat, lon, precision}")
        return None
    doc.known_keys(value, here, {"lat", "lon", "precision"})
    lat, lon = doc.number(value, "lat", here), doc.number(value, "lon", here)
    precision = doc.text(value, "precision", here)
    if precision not in (None, "site", "city"):
        doc.error((*here, "precision"), "expected 'site' or 'city'")
        return None
    if lat is None or lon is None or precision is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        doc.error(here, "latitude or longitude out of range")
        return None
    return Coordinates(lat, lon, precision)


def sources(doc: YamlFile, item: dict[str, Any], path: Path_) -> tuple[str, ...]:
    """The pages a record's facts come from: one address or a list of them."""
    found = doc.texts(item, "source", path)
    for i, src in enumerate(found):
        if not src.startswith(("https://", "http://")):
            doc.error(
                (*path, "source", i) if isinstance(item.get("source"), list) else (*path, "source"),
                f"'{src}' is not a web address",
            )
    return found


def url(doc: YamlFile, item: dict[str, Any], key: str, path: Path_) -> str | None:
    """An optional web address; anything else is refused rather than shown as a link."""
    value = doc.text(item, key, path, required=False)
    if value is not None and not value.startswith(("https://", "http://")):
        doc.error((*path, key), f"'{value}' is not a web address")
        return None
    return value


def named(doc: YamlFile, item: dict[str, Any], path: Path_, langs: tuple[str, ...]) -> dict[str, str]:
    """A name in every declared language."""
    return doc.per_language(item, "name", path, langs)


def no_markup(doc: YamlFile, value: Any, path: Path_ = ()) -> None:
    """Texts are shown as written: an HTML tag in one would reach users as literal tags."""
    if isinstance(value, str):
        tag = html_tag(value)
        if tag is not None:
            doc.error(path, f"HTML tag {tag} in a text shown as written (answers are plain text)")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "examples":  # what people type, not what they are shown
                no_markup(doc, item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            no_markup(doc, item, (*path, i))
