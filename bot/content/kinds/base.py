"""What a catalogue kind declares, once: its file, record, fields, entity, answers and checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.content.problems import Path_
from bot.content.yamlfile import YamlFile

if TYPE_CHECKING:
    from bot.content.origins import Origins
    from bot.content.schema import Intent, KnowledgeBase
    from bot.dialogue.render import Rendered, Renderer

LangText = dict[str, str]
# (yaml file, the entry, where it is, its id when valid, the declared languages) → the record, or None when unusable
Parse = Callable[[YamlFile, dict[str, Any], Path_, str | None, tuple[str, ...]], Any]
# (renderer, intent, reader's language, entity id or None, cancer type id or None) → the filled answer
Render = Callable[["Renderer", "Intent", str, str | None, str | None], "Rendered"]
Check = Callable[["KnowledgeBase", "Origins"], None]
Names = Callable[["KnowledgeBase"], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Answer:
    """A kind of answer (an intent's `kind:`): the placeholders each of its texts may use, and how it is filled."""

    name: str
    placeholders: dict[str, frozenset[str]]  # "answer" and each variant → the placeholders its text may use
    render: Render
    entity: str | None = None  # the entity the answer is about
    optional: frozenset[str] = frozenset()  # variants a content root may leave out (the plain answer stands in)


@dataclass(frozen=True)
class Entity:
    """How a kind's records are named in messages, and what a message naming one gets."""

    kind: str  # the entity kind the gazetteer reports ("centre")
    names: Names  # (id, name) for every way to name a record, in every language
    mask: str  # what replaces the name when the matcher reads the phrasing ("_centre_")
    rank: int  # a name two kinds share goes to the lower rank; also the order of the alias check
    reported: int | None = None  # place among a turn's reported entities; None when folded into another kind's
    distinct: bool = False  # a name may name only one record of the kinds with this flag (checked on load)
    carried: bool = False  # remembered a few turns, so a follow-up ("and its website?") is about it
    button: str | None = None  # the button-id kind that names a record ("centre:curie")
    default_intent: str | None = None  # the answer to a message made only of a name


@dataclass(frozen=True)
class Kind:
    """One catalogue section: `catalogue/<file>.yaml` holds a list under `key`, read into `record`s."""

    key: str  # the list's key in the file and the knowledge base's table name
    record: type
    fields: frozenset[str]  # the keys an entry may have
    parse: Parse
    order: int  # files are read, and their references checked, in this order
    file: str = ""  # the file's stem; several kinds may share one (places: regions and cities)
    label: str = ""  # what its ids are called in messages ("duplicate centre id")
    required: bool = False  # a content root without the file is refused; otherwise the kind is left empty
    entity: Entity | None = None
    answers: tuple[Answer, ...] = ()
    references: Check | None = None  # what its records point at must exist
    source_checks: Check | None = None  # what it states needs a source, or a known area
    described: bool = False  # its records' `description` texts are looked at for unsourced claims

    @property
    def file_name(self) -> str:
        return f"{self.file or self.key}.yaml"

    @property
    def schema_name(self) -> str:
        """The JSON Schema editors use for the file."""
        return f"{self.file or self.key}.schema.json"

    @property
    def id_label(self) -> str:
        return self.label or self.key


@dataclass(frozen=True)
class Registry:
    """Every kind in force, in reading order, with the tables the loader, checks, gazetteer and renderer use."""

    kinds: tuple[Kind, ...]
    _answers: dict[str, Answer] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(sorted(self.kinds, key=lambda k: k.order)))
        self._answers.update({a.name: a for k in self.kinds for a in k.answers})
        for what, names in (
            ("kind", [k.key for k in self.kinds]),
            ("answer", [a.name for k in self.kinds for a in k.answers]),
            ("entity kind", [k.entity.kind for k in self.kinds if k.entity]),
        ):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:  # a second declaration would silently replace the first
                raise ValueError(f"{what} declared twice: {', '.join(twice)}")

    def __iter__(self) -> Iterator[Kind]:
        return iter(self.kinds)

    def with_kinds(self, *extra: Kind) -> Registry:
        """This registry and more kinds (an operator's, a test's)."""
        return Registry((*self.kinds, *extra))

    def files(self) -> dict[str, tuple[Kind, ...]]:
        """Each catalogue file name with the kinds it holds, in reading order."""
        out: dict[str, tuple[Kind, ...]] = {}
        for kind in self.kinds:
            out[kind.file_name] = (*out.get(kind.file_name, ()), kind)
        return out

    @property
    def answers(self) -> dict[str, Answer]:
        return self._answers

    def entities(self) -> list[tuple[Kind, Entity]]:
        """The kinds named in messages, by rank."""
        return sorted(((k, k.entity) for k in self.kinds if k.entity), key=lambda pair: pair[1].rank)

    def masks(self) -> dict[str, str]:
        return {e.kind: e.mask for _, e in self.entities()}

    def reported(self) -> tuple[str, ...]:
        """The entity kinds a turn reports, in the order it reports them."""
        return self._in_report_order(lambda e: True)

    def carried(self) -> tuple[str, ...]:
        """The entity kinds a conversation remembers from one turn to the next."""
        return self._in_report_order(lambda e: e.carried)

    def _in_report_order(self, keep: Callable[[Entity], bool]) -> tuple[str, ...]:
        shown = [e for _, e in self.entities() if e.reported is not None and keep(e)]
        return tuple(e.kind for e in sorted(shown, key=lambda e: e.reported or 0))

    def by_entity(self) -> dict[str, Kind]:
        return {e.kind: k for k, e in self.entities()}
