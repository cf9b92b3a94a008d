"""Organisations: the French public and professional bodies people ask about, described in every language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.content.fields import sources, url
from bot.content.kinds.base import Answer, Entity, Kind, LangText
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile
from bot.dialogue import button_ids as bid
from bot.dialogue.actions import Button
from bot.dialogue.render import Rendered, fill

if TYPE_CHECKING:
    from bot.content.schema import Intent, KnowledgeBase
    from bot.dialogue.render import Renderer


@dataclass(frozen=True)
class Organisation:
    """A French public or professional body people ask about."""

    id: str
    name: str
    aliases: tuple[str, ...]
    description: LangText
    website: str | None
    source: tuple[str, ...]


def parse(
    doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]
) -> Organisation | None:
    name = doc.text(item, "name", path)
    description = doc.per_language(item, "description", path, langs)
    org = Organisation(
        id_ or "",
        name or "",
        doc.texts(item, "aliases", path),
        description,
        url(doc, item, "website", path),
        sources(doc, item, path),
    )
    return org if id_ and name and description else None


def names(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for org in kb.organisations.values():
        for name in (org.name, *org.aliases):
            yield org.id, name


def render(r: Renderer, intent: Intent, lang: str, entity: str | None, cancer: str | None) -> Rendered:
    """What the organisation is; without one named, the list of them to choose from."""
    if entity is None:
        orgs = r.kb.organisations.values()
        listing = "\n".join(f"• {o.name}" for o in orgs)
        return Rendered(
            fill(intent.variants["ask"][lang], {"organisations": listing}),
            tuple(Button(bid.make(bid.ORG, o.id), o.name) for o in orgs),
        )
    org = r.kb.organisations[entity]
    values = {"name": org.name, "description": org.description[lang], "website": org.website or ""}
    return Rendered(fill(intent.answer[lang], values))


KINDS = (
    Kind(
        key="organisations",
        record=Organisation,
        fields=frozenset({"id", "name", "aliases", "description", "website", "source"}),
        parse=parse,
        order=40,
        label="organisation",
        entity=Entity(
            "organisation",
            names,
            "_org_",
            rank=20,
            reported=30,
            distinct=True,
            carried=True,
            button=bid.ORG,
            default_intent="about_organisations",
        ),
        answers=(
            Answer(
                "organisation",
                {"answer": frozenset({"name", "description", "website"}), "ask": frozenset({"organisations"})},
                render,
                entity="organisation",
            ),
        ),
        described=True,
    ),
)
