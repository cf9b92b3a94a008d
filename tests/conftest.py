"""Shared fixtures: a small knowledge base for conversations, the real one for invariants, and a chat driver."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.assistant import Parts, build_engine, build_parts
from bot.content.loader import packaged_root
from bot.dialogue.actions import Button, Inbound, Location, Reply, Turn
from bot.dialogue.engine import Engine
from bot.settings import Settings
from bot.store.sqlite import SqliteStore

TESTS = Path(__file__).parent
REPO = packaged_root()


# One intent file of the small content root, well formed: tests break it in one place at a time.
GOOD_INTENT = """\
version: 1
intents:
  - id: medical_visa
    title: {en: Visa, fr: Visa, ar: تأشيرة}
    examples:
      en: [visa please, need a visa, medical visa]
      fr: [visa svp, besoin d un visa, visa medical]
      ar: [تأشيرة, احتاج تأشيرة, تأشيرة علاج]
    answer: {en: Ask the consulate., fr: Demandez au consulat., ar: اسأل القنصلية.}
"""


def make_content_root(target: Path, languages: tuple[str, ...] = ("en", "fr", "ar")) -> Path:
    """Copy the test knowledge base, with the real interface catalogues of its languages."""
    shutil.copytree(TESTS / "kb", target)
    for lang in languages:
        shutil.copytree(REPO / "locales" / lang, target / "locales" / lang)
    return target


@pytest.fixture(scope="session")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_content_root(tmp_path_factory.mktemp("content") / "kb")


@pytest.fixture(scope="session")
def small_parts(small_root: Path) -> Parts:
    return build_parts(small_root, cache_dir=None)


@pytest.fixture(scope="session")
def real_parts(tmp_path_factory: pytest.TempPathFactory) -> Parts:
    return build_parts(REPO, cache_dir=tmp_path_factory.mktemp("cache"))


def settings_for(root: Path, state: Path) -> Settings:
    return Settings.from_env({"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(state)})


@dataclass
class Chat:
    """Drives an engine the way a person would: say something, press a button, read the replies."""

    engine: Engine
    user: str = "user-1"
    hint: str | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn:
        return self.turns[-1]

    def _run(self, msg: Inbound) -> Turn:
        turn = self.engine.handle(msg)
        self.turns.append(turn)
        return turn

    def say(self, text: str) -> Turn:
        return self._run(Inbound(self.user, text=text, language_hint=self.hint))

    def press(self, label_or_id: str) -> Turn:
        """Press a button of the last replies, by its label or its id."""
        for button in self.buttons():
            if label_or_id in (button.label, button.id):
                return self._run(Inbound(self.user, payload=button.id, language_hint=self.hint))
        raise AssertionError(f"no button {label_or_id!r} in {[b.label for b in self.buttons()]}")

    def send_location(self, lat: float, lon: float) -> Turn:
        return self._run(Inbound(self.user, location=Location(lat, lon), language_hint=self.hint))

    def replies(self) -> list[Reply]:
        return self.last.replies

    def text(self) -> str:
        return "\n".join(r.text for r in self.replies())

    def buttons(self) -> list[Button]:
        return [b for r in self.replies() for b in r.buttons]

    def button_ids(self) -> list[str]:
        return [b.id for b in self.buttons()]

    def intent(self) -> str | None:
        return self.last.understanding.intent if self.last.understanding else None


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


@pytest.fixture
def chat(small_parts: Parts, small_root: Path, tmp_path: Path, store: SqliteStore) -> Chat:
    engine = build_engine(settings_for(small_root, tmp_path), store=store, parts=small_parts)
    return Chat(engine)


@pytest.fixture
def real_chat(real_parts: Parts, tmp_path: Path, store: SqliteStore) -> Chat:
    engine = build_engine(settings_for(REPO, tmp_path), store=store, parts=real_parts)
    return Chat(engine)
