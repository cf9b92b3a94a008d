"""One typed settings object, built once from the environment in main() and passed down."""

from __future__ import annotations

import os
import re
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


def _int(env: Mapping[str, str], key: str, default: int | None, low: int | None = None) -> int | None:
    raw = env.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{key} must be a whole number, got {raw!r}") from exc
    if low is not None and value < low:
        raise SettingsError(f"{key} must be at least {low}, got {raw!r}")
    return value


def _log_format(env: Mapping[str, str]) -> str:
    value = (env.get("LOG_FORMAT") or "text").strip().lower()
    if value not in ("text", "json"):
        raise SettingsError(f"LOG_FORMAT must be text or json, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read from the environment; nothing else reads os.environ."""

    data_dir: Path | None
    state_dir: Path
    database_url: str
    answer_threshold: float
    suggest_threshold: float
    telegram_token: str | None = None
    telegram_base_url: str | None = None
    coordinator_chat_id: int | None = None
    coordinator_language: str = "en"
    coordinator_hours: str = "mon-fri 09:00-18:00"
    coordinator_holidays: str = ""
    coordinator_timezone: str = "Europe/Paris"
    retention_days: int | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    flood_per_minute: int = 20
    context_turns: int = 5
    context_minutes: int = 30
    lease_seconds: float = 30.0
    group_per_minute: int = 20
    log_format: str = "text"
    inbox_days: int = 30

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
        webhook_url = env.get("WEBHOOK_URL") or None
        secret = env.get("WEBHOOK_SECRET") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise SettingsError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        if webhook_url and not secret:
            raise SettingsError("WEBHOOK_URL needs WEBHOOK_SECRET, checked on every request")
        return cls(
            data_dir,
            state_dir,
            database_url,
            answer,
            suggest,
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_base_url=env.get("TELEGRAM_BASE_URL") or None,
            coordinator_chat_id=_int(env, "COORDINATOR_CHAT_ID", None),
            coordinator_language=env.get("COORDINATOR_LANGUAGE") or "en",
            coordinator_hours=env.get("COORDINATOR_HOURS", "mon-fri 09:00-18:00"),
            coordinator_holidays=env.get("COORDINATOR_HOLIDAYS", ""),
            coordinator_timezone=env.get("COORDINATOR_TIMEZONE") or "Europe/Paris",
            retention_days=_int(env, "RETENTION_DAYS", None, low=1),
            webhook_url=webhook_url,
            webhook_listen=env.get("WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=_int(env, "WEBHOOK_PORT", 8443, low=1) or 8443,
            webhook_secret=secret,
            flood_per_minute=_int(env, "FLOOD_PER_MINUTE", 20, low=1) or 20,
            context_turns=_int(env, "CONTEXT_TURNS", 5, low=1) or 5,
            context_minutes=_int(env, "CONTEXT_MINUTES", 30, low=1) or 30,
            lease_seconds=float(_int(env, "LEASE_SECONDS", 30, low=1) or 30),
            group_per_minute=_int(env, "GROUP_PER_MINUTE", 20, low=1) or 20,
            log_format=_log_format(env),
            inbox_days=_int(env, "INBOX_DAYS", 30, low=1) or 30,
        )

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"
