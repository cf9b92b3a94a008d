"""Typed records of the knowledge base, so the rest of the code never touches raw YAML (catalogue records: kinds/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.content.kinds.cancer_types import CancerType
    from bot.content.kinds.centres import Centre
    from bot.content.kinds.languages import LanguageAliases
    from bot.content.kinds.offers import CatalogueItem
    from bot.content.kinds.organisations import Organisation
    from bot.content.kinds.places import City, Region
    from bot.content.kinds.specialties import Specialty

LangText = dict[str, str]

# The topic menus a content root may fill; their titles are interface strings.
MENU_IDS = ("patients", "professionals", "buyers")


@dataclass(frozen=True)
class FollowUps:
    """After a topic in `after`, a short message read as a key of `read` means its value instead."""

    after: tuple[str, ...]
    read: dict[str, str]


@dataclass(frozen=True)
class ContextRules:
    """How the conversation's context shapes an answer: the centre it names, what a short follow-up means."""

    about_centre: tuple[str, ...] = ()  # answers that add the pages of the centre named now or just before
    follow_ups: tuple[FollowUps, ...] = ()
    # Readings that ask what centres treat when a centre or cancer type is named ("does Curie do radiotherapy?")
    expertise: tuple[str, ...] = ()

    def follow_up(self, topic: str, read: str) -> str | None:
        return next((g.read[read] for g in self.follow_ups if topic in g.after and read in g.read), None)

    def family(self, topic: str) -> frozenset[str]:
        """The readings that continue a topic: the topic itself, its group, and what its follow-ups turn into."""
        out = {topic}
        for group in self.follow_ups:
            if topic in group.after:
                out.update(group.after, group.read.values())
        return frozenset(out)

    def intents(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every intent the rules name, with where it is named (for the reference checks)."""
        named: list[tuple[tuple[str | int, ...], str]] = [
            (("about_centre", i), r) for i, r in enumerate(self.about_centre)
        ]
        named += [(("expertise", i), r) for i, r in enumerate(self.expertise)]
        for g, group in enumerate(self.follow_ups):
            named += [(("follow_ups", g, "after", i), r) for i, r in enumerate(group.after)]
            for read, meant in group.read.items():
                named += [(("follow_ups", g, "read"), read), (("follow_ups", g, "read", read), meant)]
        return named


@dataclass(frozen=True)
class ContentConfig:
    """The languages a content root serves and how strict its checks are."""

    languages: tuple[str, ...]
    default_language: str
    min_examples: int
    menus: dict[str, tuple[str, ...]] = field(default_factory=dict)
    context: ContextRules = field(default_factory=ContextRules)


@dataclass(frozen=True)
class Intent:
    """One thing people ask, with how they ask it and what the assistant answers."""

    id: str
    title: LangText
    examples: dict[str, tuple[str, ...]]
    answer: LangText
    variants: dict[str, LangText] = field(default_factory=dict)
    kind: str | None = None
    follow_ups: tuple[str, ...] = ()
    offers_handoff: bool = False
    source: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the assistant knows, validated and cross-referenced."""

    root: Path
    config: ContentConfig
    intents: dict[str, Intent]
    catalogue: dict[str, dict[str, Any]]  # each kind's records by id, under the kind's key (bot/content/kinds)

    def table(self, key: str) -> dict[str, Any]:
        """One kind's records by id; empty when the content root has none (an optional kind left out)."""
        return self.catalogue.get(key, {})

    @property
    def centres(self) -> dict[str, Centre]:
        return self.table("centres")

    @property
    def regions(self) -> dict[str, Region]:
        return self.table("regions")

    @property
    def cities(self) -> dict[str, City]:
        return self.table("cities")

    @property
    def organisations(self) -> dict[str, Organisation]:
        return self.table("organisations")

    @property
    def specialties(self) -> dict[str, Specialty]:
        return self.table("specialties")

    @property
    def training(self) -> dict[str, CatalogueItem]:
        return self.table("training")

    @property
    def quality(self) -> dict[str, CatalogueItem]:
        return self.table("quality")

    @property
    def solutions(self) -> dict[str, CatalogueItem]:
        return self.table("solutions")

    @property
    def language_aliases(self) -> dict[str, LanguageAliases]:
        return self.table("languages")

    @property
    def cancer_types(self) -> dict[str, CancerType]:
        return self.table("cancer_types")
