"""What comes into the engine and what goes out: plain data that any channel can translate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.store.base import Unanswered


@dataclass(frozen=True)
class Location:
    """A point the user shared."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Inbound:
    """One message from a user, as any channel sees it: text or a button's id, plus hints."""

    user_id: str
    text: str | None = None
    payload: str | None = None
    language_hint: str | None = None
    location: Location | None = None
    media: bool = False  # a photo, document, voice message or sticker: never read, relayed only to a coordinator
    channel: str = ""  # which channel it came through ("telegram", "console", ...)
    message_id: str | None = None  # the channel's id of the message, as text: a relay passes it on as it is


@dataclass(frozen=True)
class Button:
    """A choice: `id` is stable and routes the next turn; `label` is translated; `url` opens a page instead."""

    id: str
    label: str
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """Text to show, in `language`, with buttons under it."""

    text: str
    language: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Venue:
    """A place to show on a map; `precision` says whether the point is the building or only its city."""

    title: str
    address: str
    lat: float
    lon: float
    precision: str
    centre_id: str


@dataclass(frozen=True)
class Handoff:
    """The user agreed (or declined) to be put in touch with a coordinator; channels act on it."""

    event: Literal["requested", "declined"]
    user_id: str
    language: str
    unanswered: tuple[Unanswered, ...] = ()


@dataclass(frozen=True)
class Relay:
    """Pass the user's message, as it is, to the coordinators of their open case."""

    case_id: int
    emergency: bool = False


@dataclass(frozen=True)
class CaseDetails:
    """What the user chose to tell about themselves after consenting; it goes to the coordinators' card."""

    case_id: int
    user_type: str | None = None
    country: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Rated:
    """The user rated a closed case; the coordinators see the rating."""

    case_id: int
    rating: int


@dataclass(frozen=True)
class Forgotten:
    """Everything about the user was erased; channels erase what they hold too (the threads of their cases)."""

    user_id: str
    threads: tuple[str, ...] = ()


Action = Reply | Venue | Handoff | Relay | CaseDetails | Rated | Forgotten


@dataclass(frozen=True)
class Understanding:
    """What the engine made of a text message, for the command line and evaluation."""

    intent: str
    confidence: float
    language: str
    entities: dict[str, str] = field(default_factory=dict)
    suggestions: tuple[str, ...] = ()
    handoff: bool = False
    context: tuple[str, ...] = ()  # the entity kinds taken from earlier turns, not from this message


@dataclass(frozen=True)
class Turn:
    """The engine's response to one inbound message."""

    actions: tuple[Action, ...]
    understanding: Understanding | None = None

    @property
    def replies(self) -> list[Reply]:
        return [a for a in self.actions if isinstance(a, Reply)]
