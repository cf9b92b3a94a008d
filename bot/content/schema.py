"""Typed records of the knowledge base, so the rest of the code never touches raw YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

LangText = dict[str, str]

# What each kind of answer may refer to, and which variants it must provide.
KIND_PLACEHOLDERS: dict[str, dict[str, frozenset[str]]] = {
    "centre_card": {
        "answer": frozenset({"name", "city", "region", "address", "phone", "website", "international_page"}),
        "ask": frozenset(),
    },
    "centre_specialties": {
        "answer": frozenset({"name", "city", "specialties", "website", "international_page"}),
        "none": frozenset({"name", "city", "website", "international_page"}),
        "treats": frozenset({"name", "cancer", "specialties", "website", "international_page"}),
        "not_recorded": frozenset({"name", "cancer", "website", "international_page"}),
        "ask": frozenset(),
    },
    "centres_near": {
        "answer": frozenset({"city", "centres"}),
        "nearest": frozenset({"city", "centres"}),
        "by_type": frozenset({"cancer", "city", "centres", "sources"}),
        "by_type_none": frozenset({"cancer", "city"}),
        "ask": frozenset(),
    },
    "centre_list": {"answer": frozenset({"centres", "others"})},
    "organisation": {
        "answer": frozenset({"name", "description", "website"}),
        "ask": frozenset({"organisations"}),
    },
    "language_switch": {"answer": frozenset({"language"}), "ask": frozenset()},
}

# Variants a content root may leave out: without them, the answer falls back to the kind's plain answer.
OPTIONAL_VARIANTS = frozenset({"treats", "not_recorded", "by_type", "by_type_none"})

# The topic menus a content root may fill; their titles are interface strings.
MENU_IDS = ("patients", "professionals", "buyers")

# The entity a kind of answer is about.
KIND_ENTITY: dict[str, str] = {
    "centre_card": "centre",
    "centre_specialties": "centre",
    "centres_near": "city",
    "organisation": "organisation",
    "language_switch": "language",
}


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
class Coordinates:
    """A point, with how precise it is (a building, or only the city)."""

    lat: float
    lon: float
    precision: str


@dataclass(frozen=True)
class Expertise:
    """One recognised area of a centre (a labelled network, a reference centre), with the page that says so."""

    specialty: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class Centre:
    """A cancer centre or hospital people ask about."""

    id: str
    name: str
    network: str
    aliases: tuple[str, ...]
    city: str
    other_cities: tuple[str, ...]
    address: str | None
    phone: str | None
    website: str | None
    international_page: str | None
    coordinates: Coordinates | None
    specialties: tuple[str, ...]
    source: tuple[str, ...]
    expertise: tuple[Expertise, ...] = ()
    # The name in a language's own script (ar, zh); not part of the record's identity.
    local_name: LangText = field(default_factory=dict, hash=False, compare=False)

    def display_name(self, lang: str) -> str:
        """The name a reader of `lang` recognises: the local form with the official one in brackets, where recorded."""
        local = self.local_name.get(lang)
        if not local:
            return self.name
        return f"{local}（{self.name}）" if lang == "zh" else f"{local} ({self.name})"

    @property
    def cities(self) -> tuple[str, ...]:
        """Every site's city, the main one first: answers about a place look at all of them."""
        return (self.city, *(c for c in self.other_cities if c != self.city))

    @property
    def areas(self) -> tuple[str, ...]:
        """The specialty ids recorded for the centre, sourced expertise first, without repeats."""
        return tuple(dict.fromkeys((*(e.specialty for e in self.expertise), *self.specialties)))


@dataclass(frozen=True)
class Region:
    """A French region, to group centres."""

    id: str
    name: LangText
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class City:
    """A city people name, to find the centres in or near it."""

    id: str
    name: LangText
    aliases: tuple[str, ...]
    region: str
    coordinates: Coordinates | None
    source: tuple[str, ...]
    unmatched_names: tuple[str, ...] = ()  # names shown in answers but ordinary words, never matched in messages


@dataclass(frozen=True)
class Organisation:
    """A French public or professional body people ask about."""

    id: str
    name: str
    aliases: tuple[str, ...]
    description: LangText
    website: str | None
    source: tuple[str, ...]


@dataclass(frozen=True)
class Specialty:
    """A label for something a centre is recorded as offering."""

    id: str
    name: LangText
    cancer_types: tuple[str, ...] = ()  # the cancer types this area is about, to answer "which centre for ..."


@dataclass(frozen=True)
class CancerType:
    """A kind of cancer people name ("blood cancer", "sarcome", "рак крови"), to find the centres recorded for it."""

    id: str
    name: LangText
    aliases: tuple[str, ...]


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


@dataclass(frozen=True)
class LanguageAliases:
    """Extra words people use to name a language ("по-русски", "in english"), beside CLDR's names."""

    id: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the assistant knows, validated and cross-referenced."""

    root: Path
    config: ContentConfig
    intents: dict[str, Intent]
    centres: dict[str, Centre]
    regions: dict[str, Region]
    cities: dict[str, City]
    organisations: dict[str, Organisation]
    specialties: dict[str, Specialty]
    training: dict[str, CatalogueItem]
    quality: dict[str, CatalogueItem]
    solutions: dict[str, CatalogueItem]
    language_aliases: dict[str, LanguageAliases]
    cancer_types: dict[str, CancerType] = field(default_factory=dict)
