"""Languages: the words people use to name a language beside CLDR's names, and the answer that switches to one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel import Locale

from bot.content.kinds.base import Answer, Entity, Kind
from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile
from bot.dialogue import button_ids as bid
from bot.dialogue.actions import Button
from bot.dialogue.render import Rendered, fill

if TYPE_CHECKING:
    from bot.content.origins import Origins
    from bot.content.schema import Intent, KnowledgeBase
    from bot.dialogue.render import Renderer


@dataclass(frozen=True)
class LanguageAliases:
    """Extra words people use to name a language ("по-русски", "in english"), beside CLDR's names."""

    id: str
    aliases: tuple[str, ...]


def parse(
    doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]
) -> LanguageAliases | None:
    return LanguageAliases(id_, doc.texts(item, "aliases", path)) if id_ else None


def references(kb: KnowledgeBase, origins: Origins) -> None:
    for lang in kb.language_aliases.values():
        doc, path = origins.at("language", lang.id)
        if lang.id not in kb.config.languages:
            doc.error((*path, "id"), f"'{lang.id}' is not a declared language")


def names(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Each declared language by its CLDR name in every declared language, then by the content's own words."""
    for code in kb.config.languages:
        for ui in kb.config.languages:
            cldr_name = Locale.parse(ui).languages.get(code)
            if cldr_name:
                yield code, str(cldr_name)
        aliases = kb.language_aliases.get(code)
        for name in aliases.aliases if aliases else ():
            yield code, name


def render(r: Renderer, intent: Intent, lang: str, entity: str | None, cancer: str | None) -> Rendered:
    """The answer in the chosen language itself; without one named, the languages to choose from."""
    if entity is None:
        buttons = tuple(Button(bid.make(bid.LANG, code), r.ui.language_name(code)) for code in r.kb.config.languages)
        return Rendered(fill(intent.variants["ask"][lang], {}), buttons)
    name = Locale.parse(entity).get_display_name(entity) or entity
    return Rendered(fill(intent.answer[entity], {"language": name}), language=entity)


KINDS = (
    Kind(
        key="languages",
        record=LanguageAliases,
        fields=frozenset({"id", "aliases"}),
        parse=parse,
        order=90,
        label="language",
        entity=Entity("language", names, "_lang_", rank=60, reported=40, default_intent="change_language"),
        answers=(
            Answer("language_switch", {"answer": frozenset({"language"}), "ask": frozenset()}, render, "language"),
        ),
        references=references,
    ),
)
