"""Training offers, quality entries and buyer solutions: three listings of one shape, named, described, sourced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.content.fields import named, sources, url
from bot.content.kinds.base import Kind, LangText, Parse
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile

if TYPE_CHECKING:
    from bot.content.origins import Origins
    from bot.content.schema import KnowledgeBase


@dataclass(frozen=True)
class CatalogueItem:
    """A training offer, quality entry or buyer solution: named, described, sourced."""

    id: str
    name: LangText
    description: LangText
    source: tuple[str, ...]
    website: str | None = None
    provider: str | None = None
    intent: str | None = None
    unverified: bool = False


def _parser(*, one_name: bool = False, needs_intent: bool = False) -> Parse:
    """The reader of one listing: `one_name` lets a single name stand for every language (a course's title)."""

    def parse(
        doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]
    ) -> CatalogueItem | None:
        names: dict[str, str]
        if one_name and isinstance(item.get("name"), str):
            names = {lang: str(item["name"]) for lang in langs}
        else:
            names = named(doc, item, path, langs)
        description = doc.per_language(item, "description", path, langs)
        record = CatalogueItem(
            id=id_ or "",
            name=names,
            description=description,
            source=sources(doc, item, path),
            website=url(doc, item, "website", path),
            provider=doc.text(item, "provider", path, required=False),
            intent=doc.text(item, "intent", path, required=needs_intent),
            unverified=doc.flag(item, "unverified", path),
        )
        return record if id_ and names and description else None

    return parse


def provider_references(kb: KnowledgeBase, origins: Origins) -> None:
    for item in kb.training.values():
        doc, path = origins.at("training", item.id)
        if item.provider and item.provider not in kb.centres and item.provider not in kb.organisations:
            doc.error((*path, "provider"), f"unknown centre or organisation '{item.provider}'")


def intent_references(kb: KnowledgeBase, origins: Origins) -> None:
    for item in kb.solutions.values():
        doc, path = origins.at("solution", item.id)
        if item.intent and item.intent not in kb.intents:
            doc.error((*path, "intent"), f"unknown intent '{item.intent}'")


_FIELDS = frozenset({"id", "name", "description", "source", "website", "unverified"})
KINDS = (
    Kind(
        key="training",
        record=CatalogueItem,
        fields=_FIELDS | {"provider"},
        parse=_parser(one_name=True),
        order=60,
        references=provider_references,
        described=True,
    ),
    Kind(key="quality", record=CatalogueItem, fields=_FIELDS, parse=_parser(), order=70, described=True),
    Kind(
        key="solutions",
        record=CatalogueItem,
        fields=_FIELDS | {"intent"},
        parse=_parser(needs_intent=True),
        order=80,
        label="solution",
        references=intent_references,
        described=True,
    ),
)
