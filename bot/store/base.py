"""What the dialogue engine needs from storage, so SQLite and PostgreSQL can sit side by side."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class UserState:
    """What the assistant remembers about one user between messages."""

    user_id: str
    language: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


class Store(Protocol):
    """Per-user state that survives restarts; implementations must be safe to call from several threads."""

    def load_user(self, user_id: str) -> UserState: ...

    def save_user(self, state: UserState) -> None: ...

    def forget_user(self, user_id: str) -> None: ...

    def close(self) -> None: ...
