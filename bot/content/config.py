"""content.yaml → the languages a content root serves, its menus and its context rules."""

from __future__ import annotations

import re
from pathlib import Path

from bot.content.context_rules import read_context_rules
from bot.content.origins import Origins
from bot.content.schema import MENU_IDS, ContentConfig
from bot.content.yamlfile import Sink, YamlFile

_LANG = re.compile(r"^[a-z]{2,3}$")


def read_config(root: Path, sink: Sink, origins: Origins) -> ContentConfig | None:
    """The root's settings, or None when no language can be served (its problems are in the sink)."""
    doc = YamlFile.read(root / "content.yaml", "content.yaml", sink, root)
    if doc is None:
        return None
    origins.config_file = doc
    doc.known_keys(doc.data, (), {"version", "languages", "default_language", "min_examples", "menus", "context"})
    languages = doc.texts(doc.data, "languages", (), required=True)
    for i, lang in enumerate(languages):
        if not _LANG.match(lang):
            doc.error(("languages", i), f"'{lang}' is not a language code")
    if len(set(languages)) != len(languages):
        doc.error(("languages",), "a language is listed twice")
    default = doc.text(doc.data, "default_language", ())
    if default and default not in languages:
        doc.error(("default_language",), f"'{default}' is not among the declared languages")
    minimum = doc.data.get("min_examples", 1)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        doc.error(("min_examples",), "expected a whole number ≥ 1")
        minimum = 1
    menus: dict[str, tuple[str, ...]] = {}
    raw_menus = doc.data.get("menus", {})
    if not isinstance(raw_menus, dict):
        doc.error(("menus",), "expected a mapping of menu ids to intent ids")
        raw_menus = {}
    for name in raw_menus:
        if name not in MENU_IDS:
            doc.error(("menus", name), f"unknown menu (expected one of: {', '.join(MENU_IDS)})")
        else:
            menus[name] = doc.texts(raw_menus, name, ("menus",), required=True)
    if not languages or default is None:
        return None
    return ContentConfig(languages, default, minimum, menus, read_context_rules(doc))
