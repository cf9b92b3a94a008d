"""Specialties: labels for what a centre is recorded as offering, and the cancer types each is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.content.fields import named
from bot.content.kinds.base import Kind, LangText
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile

if TYPE_CHECKING:
    from bot.content.origins import Origins
    from bot.content.schema import KnowledgeBase


@dataclass(frozen=True)
class Specialty:
    """A label for something a centre is recorded as offering."""

    id: str
    name: LangText
    cancer_types: tuple[str, ...] = ()  # the cancer types this area is about, to answer "which centre for ..."


def parse(
    doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]
) -> Specialty | None:
    name = named(doc, item, path, langs)
    types = doc.texts(item, "cancer_types", path)
    return Specialty(id_, name, types) if id_ and name else None


def cancer_type_checks(kb: KnowledgeBase, origins: Origins) -> None:
    """The cancer types an area is about exist (when the content root has cancer types at all)."""
    if not kb.cancer_types:
        return
    for specialty in kb.specialties.values():
        doc, path = origins.at("specialties", specialty.id)
        for i, cancer in enumerate(specialty.cancer_types):
            if cancer not in kb.cancer_types:
                doc.error((*path, "cancer_types", i), f"unknown cancer type '{cancer}'")


KINDS = (
    Kind(
        key="specialties",
        record=Specialty,
        fields=frozenset({"id", "name", "cancer_types"}),
        parse=parse,
        order=50,
        source_checks=cancer_type_checks,
    ),
)
