"""One typed settings object, built once from the environment in main() and passed down."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed."""


def default_state_dir(env: Mapping[str, str]) -> Path:
    """The per-user data folder of this platform (XDG on Linux, Application Support on macOS, AppData on Windows)."""
    if env.get("ONCOBOT_STATE_DIR"):
        return Path(env["ONCOBOT_STATE_DIR"]).expanduser()
    home = Path(env.get("HOME") or Path.home())
    if sys.platform == "win32":
        return Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") / "oncobot"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "oncobot"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "oncobot"


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{key} must be a number, got {raw!r}") from exc
    if not 0 <= value <= 1:
        raise SettingsError(f"{key} must be between 0 and 1, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read from the environment; nothing else reads os.environ."""

    data_dir: Path | None
    state_dir: Path
    database_url: str
    answer_threshold: float
    suggest_threshold: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        state_dir = default_state_dir(env)
        data_dir = Path(env["ONCOBOT_DATA_DIR"]).expanduser() if env.get("ONCOBOT_DATA_DIR") else None
        database_url = env.get("DATABASE_URL") or f"sqlite:///{state_dir / 'oncobot.sqlite3'}"
        answer = _float(env, "ONCOBOT_ANSWER_THRESHOLD", 0.5)
        suggest = _float(env, "ONCOBOT_SUGGEST_THRESHOLD", 0.2)
        if suggest > answer:
            raise SettingsError("ONCOBOT_SUGGEST_THRESHOLD must not exceed ONCOBOT_ANSWER_THRESHOLD")
        return cls(data_dir, state_dir, database_url, answer, suggest)

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"
