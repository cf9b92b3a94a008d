"""What the assistant keeps between messages, and the interface both storage engines implement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

CaseStatus = Literal["open", "closed"]
THREAD_CLAIMED = "-1"  # a case's thread id while one worker makes its thread: the others wait
# Which side a delivery goes to: the coordinators' or the user's (relays of a case), or a chat the assistant answers.
Direction = Literal["to_group", "to_user", "reply"]


@dataclass
class UserState:
    """What the assistant remembers about one user between messages."""

    user_id: str
    language: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    banned: bool = False  # read with the state, written through ban()/unban()
    open_case: int | None = None  # the id of the user's open case, read with the state


@dataclass(frozen=True)
class Unanswered:
    """What the assistant made of a question it could not answer; never its text, which is not kept before consent."""

    intent: str
    confidence: float

    def to_json(self) -> dict[str, object]:
        return {"intent": self.intent, "confidence": self.confidence}

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Unanswered:
        """Read a stored reading; other keys (a `text` written by early versions) are ignored, never carried."""
        return cls(str(item.get("intent", "?")), float(item.get("confidence", 0)))


@dataclass(frozen=True)
class Case:
    """A conversation handed to the coordinators; its id is the ticket number users and coordinators quote."""

    id: int
    user_id: str
    chat_id: str
    language: str
    status: CaseStatus
    thread_id: str | None = None  # its thread on the coordinators' side; THREAD_CLAIMED while being made
    user_type: str | None = None
    country: str | None = None
    topic: str | None = None
    unanswered: tuple[Unanswered, ...] = ()
    created_at: str = ""
    closed_at: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def has_thread(self) -> bool:
        """Whether the coordinators' side has a thread for this case (not merely one being made)."""
        return self.thread_id is not None and self.thread_id != THREAD_CLAIMED


@dataclass(frozen=True)
class Delivery:
    """A message that must reach the other side; kept until it has, so a crash or a refusal loses nothing."""

    id: int
    case_id: int
    direction: Direction
    payload: dict[str, Any]
    attempts: int
    status: str
    lane: str = ""


@dataclass(frozen=True)
class Outgoing:
    """A message one update's handling sends: written with the update's done mark, sent by the delivery worker."""

    lane: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class InboxItem:
    """An update written down before it was confirmed to the channel; handled once, in its lane's order."""

    update_id: str  # the channel's id of the update, as text
    lane: str
    kind: str
    raw: str
    attempts: int


@dataclass(frozen=True)
class KeptQuestion:
    """A question its user chose to send to the content team, redacted, with what the matcher made of it."""

    id: int
    language: str
    text: str
    candidates: tuple[tuple[str, float], ...]
    status: str
    created_at: str


@dataclass(frozen=True)
class CaseTimes:
    """When a case opened, closed and first got a coordinator's reply, and its rating: for statistics."""

    created_at: str
    closed_at: str | None
    first_reply_at: str | None
    rating: int | None


class Store(Protocol):
    """Everything persistent; implementations are safe to call from several threads and several processes."""

    # users
    def load_user(self, user_id: str) -> UserState: ...
    def save_user(self, state: UserState) -> None: ...
    def forget_user(self, user_id: str) -> list[Case]: ...

    # cases
    def open_case(
        self,
        user_id: str,
        chat_id: str,
        language: str,
        *,
        user_type: str | None = None,
        country: str | None = None,
        topic: str | None = None,
        unanswered: tuple[Unanswered, ...] = (),
    ) -> tuple[Case, bool]: ...
    def current_case(self, user_id: str) -> Case | None: ...
    def get_case(self, case_id: int) -> Case | None: ...
    def case_for_thread(self, thread_id: str) -> Case | None: ...
    def cases_of(self, user_id: str) -> list[Case]: ...
    def set_case_details(self, case_id: int, user_type: str | None, country: str | None, topic: str | None) -> None: ...
    def claim_thread(self, case_id: int) -> bool: ...
    def set_thread(self, case_id: int, thread_id: str | None) -> None: ...
    def close_case(self, case_id: int) -> bool: ...
    def reopen_case(self, case_id: int) -> Case | None: ...
    def rate_case(self, case_id: int, rating: int) -> None: ...
    def purge_closed(self, older_than_days: int) -> list[Case]: ...

    # message links, both ways
    def link(self, case_id: int, user_message_id: str, group_message_id: str, direction: str) -> None: ...
    def user_message_for(self, case_id: int, group_message_id: str) -> str | None: ...
    def group_message_for(self, case_id: int, user_message_id: str) -> str | None: ...
    def case_for_group_message(self, group_message_id: str) -> Case | None: ...

    # deliveries still owed
    def enqueue(self, case_id: int, direction: Direction, payload: dict[str, Any], dedupe: str) -> bool: ...
    def delivered(
        self, delivery_id: int, case_id: int, user_message_id: str, group_message_ids: Sequence[str], direction: str
    ) -> None: ...
    def postpone(self, delivery_id: int, seconds: float, error: str) -> None: ...
    def give_up(self, delivery_id: int, error: str) -> None: ...

    def delivery_done(self, delivery_id: int, pages: tuple[str, str, str] | None = None) -> None: ...

    def delivery_heads(self) -> list[tuple[str, int]]: ...
    def claim_delivery(self, delivery_id: int, lease: float = 30.0) -> Delivery | None: ...
    def claim_deliveries(self, delivery_ids: Sequence[int], lease: float = 30.0) -> list[Delivery]: ...
    def pending_deliveries(self) -> int: ...
    def open_cases(self) -> int: ...
    def open_case_list(self) -> list[Case]: ...

    # the inbox: every update durable before it is confirmed, claimed with a lease, in order per lane
    def inbox_put(self, items: Sequence[tuple[str, str, str, str]]) -> int: ...
    def inbox_claim(self, lease: float, limit: int = 32) -> list[InboxItem]: ...
    def inbox_renew(self, update_ids: Sequence[str], lease: float) -> None: ...
    def inbox_done(self, update_id: str, outgoing: Sequence[Outgoing] = ()) -> bool: ...
    def inbox_skip(self, update_id: str) -> None: ...
    def inbox_release(self, update_ids: Sequence[str]) -> None: ...
    def inbox_depth(self) -> int: ...
    def inbox_status(self, update_id: str) -> str | None: ...
    def inbox_purge(self, done_kept: float, raw_kept: float) -> int: ...
    def scrub(self) -> None: ...

    # shared between replicas
    def remember_pages(self, chat_id: str, message_id: str, buttons: str) -> None: ...
    def pages_of(self, chat_id: str, message_id: str) -> str | None: ...
    def count_message(self, user_id: str, minute: int) -> int: ...
    def forget_flood(self, before_minute: int) -> None: ...
    def take_job(self, name: str, holder: str, seconds: float) -> bool: ...

    # bans
    def ban(self, user_id: str) -> None: ...
    def unban(self, user_id: str) -> None: ...
    def is_banned(self, user_id: str) -> bool: ...

    # the content team's inbox and the counters behind statistics
    def keep_question(self, user_id: str, language: str, text: str, candidates: Sequence[tuple[str, float]]) -> int: ...
    def kept_questions(self, status: str = "new") -> list[KeptQuestion]: ...
    def kept_question(self, question_id: int) -> KeptQuestion | None: ...
    def set_question_status(self, question_id: int, status: str) -> bool: ...
    def purge_questions(self, older_than_days: int) -> int: ...
    def count(self, day: str, kind: str, language: str, intent: str, n: int = 1) -> None: ...
    def counters(self, since_day: str) -> list[tuple[str, str, str, str, int]]: ...
    def case_times(self, since: str) -> list[CaseTimes]: ...

    def close(self) -> None: ...
