"""Cancer types: the kinds of cancer people name ("sarcome", "рак крови"), to find the centres recorded for them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.content.fields import named
from bot.content.kinds.base import Entity, Kind, LangText
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile

if TYPE_CHECKING:
    from bot.content.schema import KnowledgeBase


@dataclass(frozen=True)
class CancerType:
    """A kind of cancer people name ("blood cancer", "sarcome", "рак крови"), to find the centres recorded for it."""

    id: str
    name: LangText
    aliases: tuple[str, ...]


def parse(
    doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]
) -> CancerType | None:
    name = named(doc, item, path, langs)
    return CancerType(id_, name, doc.texts(item, "aliases", path)) if id_ and name else None


def names(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for cancer in kb.cancer_types.values():
        for name in (*cancer.name.values(), *cancer.aliases):
            yield cancer.id, name


KINDS = (
    Kind(
        key="cancer_types",
        record=CancerType,
        fields=frozenset({"id", "name", "aliases"}),
        parse=parse,
        order=100,
        label="cancer_type",
        # without cancer types the assistant answers by place only
        entity=Entity(
            "cancer_type", names, "_cancer_", rank=50, reported=50, default_intent="find_cancer_centre", carried=True
        ),
    ),
)
