"""A catalogue kind is declared in one place: a new one needs its file, schema, module and intent, no more."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from bot.assistant import train
from bot.content.kinds import registered
from bot.content.kinds.base import Answer, Entity, Kind, Registry
from bot.content.loader import load
from bot.content.problems import Path_
from bot.content.schema import KnowledgeBase
from bot.content.yamlfile import YamlFile
from bot.dialogue import strings
from bot.dialogue.engine import Engine
from bot.dialogue.render import Rendered, Renderer, fill
from bot.i18n import Interface
from bot.store.sqlite import SqliteStore
from conftest import Chat, make_content_root


# ---- a toy kind, declared as a kind module would declare it ---------------------------------------------------
@dataclass(frozen=True)
class Association:
    """A patients' association (a toy: only this test knows it)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    description: dict[str, str]
    source: tuple[str, ...]


def _parse(doc: YamlFile, item: dict[str, Any], path: Path_, id_: str | None, langs: tuple[str, ...]) -> Any:
    name = doc.text(item, "name", path)
    description = doc.per_language(item, "description", path, langs)
    aliases, source = doc.texts(item, "aliases", path), doc.texts(item, "source", path)
    return Association(id_, name, aliases, description, source) if id_ and name else None


def _names(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for item in kb.table("associations").values():
        for name in (item.name, *item.aliases):
            yield item.id, name


def _render(r: Renderer, intent: Any, lang: str, entity: str | None, cancer: str | None) -> Rendered:
    if entity is None:
        return Rendered(fill(intent.variants["ask"][lang], {}))
    item = r.kb.table("associations")[entity]
    return Rendered(fill(intent.answer[lang], {"name": item.name, "description": item.description[lang]}))


TOY = Kind(
    key="associations",
    record=Association,
    fields=frozenset({"id", "name", "aliases", "description", "source"}),
    parse=_parse,
    order=200,
    label="association",
    entity=Entity("association", _names, "_assoc_", rank=70, reported=70, distinct=True, default_intent="about_assoc"),
    answers=(
        Answer(
            "association", {"answer": frozenset({"name", "description"}), "ask": frozenset()}, _render, "association"
        ),
    ),
    described=True,
)

ASSOCIATIONS = """\
version: 1
associations:
  - id: friends
    name: Example Friends
    aliases: [Amis Exemple, اصدقاء المثال]
    description: {en: A toy association., fr: Une association jouet., ar: جمعية للتجربة.}
"""
ABOUT = """\
version: 1
intents:
  - id: about_assoc
    title: {en: Associations, fr: Associations, ar: جمعيات}
    kind: association
    examples:
      en: [which patient association, tell me about a patient association, patient associations please]
      fr: [quelle association de patients, parle moi d une association de patients, associations de patients svp]
      ar: [اي جمعية للمرضى, حدثني عن جمعية للمرضى, جمعيات المرضى من فضلك]
    answer: {en: "{name}: {description}", fr: "{name} : {description}", ar: "{name}: {description}"}
    variants:
      ask: {en: Which association?, fr: Quelle association ?, ar: أي جمعية؟}
"""


def _toy_root(tmp_path: Path) -> Path:
    root = make_content_root(tmp_path / "kb")
    (root / "catalogue" / "associations.yaml").write_text(ASSOCIATIONS, encoding="utf-8")
    (root / "intents" / "associations.yaml").write_text(ABOUT, encoding="utf-8")
    return root


def _chat(root: Path, kinds: Registry, store: SqliteStore) -> Chat:
    loaded = load(root, near_duplicates=False, kinds=kinds)
    assert loaded.kb is not None, [str(p) for p in loaded.errors]
    kb = loaded.kb
    compiled = train(kb, kinds)
    ui = Interface(root, kb.config.languages, strings.EVERY)
    return Chat(Engine(kb, ui, compiled.matcher, compiled.entities, compiled.languages, store, kinds=kinds))


# ---- the tests -----------------------------------------------------------------------------------------------
def test_a_kind_registered_at_runtime_is_loaded_named_and_answered(tmp_path: Path, store: SqliteStore) -> None:
    chat = _chat(_toy_root(tmp_path), registered().with_kinds(TOY), store)
    chat.say("Example Friends")
    assert chat.text() == "Example Friends: A toy association."
    assert chat.last.understanding is not None
    assert chat.last.understanding.entities == {"association": "friends"}
    chat.hint = "fr"
    chat.say("quelle association de patients")
    assert chat.text() == "Quelle association ?"


def test_a_file_no_kind_reads_is_refused_with_its_name(tmp_path: Path) -> None:
    rendered = [str(p) for p in load(_toy_root(tmp_path)).errors]
    assert any(r.startswith("catalogue/associations.yaml:1: (file): unknown catalogue file") for r in rendered)
    assert any("intents/associations.yaml:5: intents[0].kind: unknown kind 'association'" in r for r in rendered)


def test_a_new_kind_gets_the_shared_checks_with_file_and_line(tmp_path: Path) -> None:
    root = _toy_root(tmp_path)
    path = root / "catalogue" / "associations.yaml"
    text = path.read_text(encoding="utf-8").replace("[Amis Exemple,", "[Curie, Amis Exemple,")
    path.write_text(text.replace("A toy association.", "A toy association. Call +33 1 23 45 67 89."), encoding="utf-8")
    loaded = load(root, near_duplicates=False, kinds=registered().with_kinds(TOY))
    rendered = [str(p) for p in loaded.problems]
    assert (
        "catalogue/associations.yaml:5: associations[0].aliases: 'Curie' also names centre 'institut-curie'" in rendered
    )
    assert any(
        r.startswith("catalogue/associations.yaml:6: associations[0].description.en: warning: states a phone")
        for r in rendered
    )


def test_a_kind_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="kind declared twice: associations"):
        registered().with_kinds(TOY, TOY)
    with pytest.raises(ValueError, match="answer declared twice: organisation"):
        registered().with_kinds(replace(TOY, answers=(replace(TOY.answers[0], name="organisation"),)))


OPTIONAL = [kind.file_name for kind in registered() if not kind.required]


def test_a_root_without_the_optional_kinds_loads_and_answers(tmp_path: Path, store: SqliteStore) -> None:
    root = make_content_root(tmp_path / "kb")
    for name in OPTIONAL:
        (root / "catalogue" / name).unlink(missing_ok=True)
    assert sorted(p.name for p in (root / "catalogue").iterdir()) == ["centres.yaml", "places.yaml"]
    centres = root / "catalogue" / "centres.yaml"  # without specialties.yaml, the centres name none
    centres.write_text(centres.read_text(encoding="utf-8").replace("[proton-therapy]", "[]"), encoding="utf-8")
    chat = _chat(root, registered(), store)
    chat.say("what is unicancer")
    assert chat.text() == "Which organisation?"  # none recorded: the question, with no list
    chat.say("where is gustave roussy?")
    assert "Gustave Roussy — Villejuif" in chat.text()


@pytest.mark.parametrize("name", ["centres.yaml", "places.yaml"])
def test_a_root_without_a_required_kind_is_refused(tmp_path: Path, name: str) -> None:
    root = make_content_root(tmp_path / "kb")
    (root / "catalogue" / name).unlink()
    assert f"catalogue/{name}:1: (file): missing catalogue file" in [str(p) for p in load(root).errors]
