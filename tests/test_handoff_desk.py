"""The hand-off desk without Telegram: a whole case through an in-memory channel and through the two consoles."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.assistant import Parts, build_engine
from bot.channels.console import ConsoleChannel, DeskConsole
from bot.settings import Settings
from bot.store.sqlite import SqliteStore
from fakes.memory import MemoryChannel

WEDNESDAY_NOON = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # within the default hours (mon-fri 09:00-18:00, Paris)


def settings_for(root: Path, state: Path) -> Settings:
    return Settings.from_env(
        {"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(state), "DATABASE_URL": f"sqlite:///{state}/db"}
    )


def test_a_whole_case_through_a_channel_that_is_not_telegram(
    small_parts: Parts, small_root: Path, tmp_path: Path
) -> None:
    settings = settings_for(small_root, tmp_path)
    store = SqliteStore(tmp_path / "db")
    channel = MemoryChannel(build_engine(settings, store=store, parts=small_parts), settings)
    channel.desk.clock = lambda: WEDNESDAY_NOON
    user = "memory:1"

    async def story() -> None:
        await channel.say(user, "/human")
        await channel.press(user, "handoff:yes")
        case = store.current_case(user)
        assert case is not None and case.thread_id == "thread-1"
        await channel.press(user, "intake:who:family")
        await channel.say(user, "Algérie")
        await channel.press(user, "intake:topic:care")
        await channel.say(user, "my mother needs help with her file")
        await channel.flush()
        thread = channel.threads["thread-1"]
        assert "Ticket #1" in thread[0] and "Country: Algérie" in thread
        assert thread[-1] == "my mother needs help with her file"

        assert await channel.coordinator_says(case.id, "Bonjour, je m'occupe de votre demande")
        await channel.flush()
        assert channel.screens[user][-1] == "Bonjour, je m'occupe de votre demande"

        assert await channel.command("close", case.id) == [
            "Conversation closed; the user was told. /reopen to reopen it."
        ]
        seen, told = len(channel.screens[user]), len(thread)
        assert await channel.command("close", case.id) == []  # a second close: nobody is told again
        assert len(channel.screens[user]) == seen and len(thread) == told
        assert channel.buttons[user] == [f"rate:1:{n}" for n in range(1, 6)]
        assert channel.screens[user][-1].startswith("How helpful was the coordinator?")

        await channel.press(user, "rate:1:4")
        assert channel.screens[user][-1] == "Thank you for your rating."
        assert thread[-1] == "The user rated this conversation 4/5."
        assert not await channel.coordinator_says(case.id, "too late")  # a closed case relays nothing

    asyncio.run(story())
    store.close()


def choice(screen: str, label: str) -> str:
    """The number the console shows for a button, from the last time it was shown."""
    numbers: list[str] = re.findall(rf"\[(\d+)\] {re.escape(label)}", screen)
    return numbers[-1]


def test_a_whole_case_in_two_terminals(small_parts: Parts, small_root: Path, tmp_path: Path) -> None:
    """`oncobot chat` and `oncobot desk`: two processes that share only the database."""
    settings = settings_for(small_root, tmp_path)
    user_store, desk_store = SqliteStore(tmp_path / "db"), SqliteStore(tmp_path / "db")
    user_out, desk_out = io.StringIO(), io.StringIO()
    user = ConsoleChannel(
        build_engine(settings, store=user_store, parts=small_parts), settings, io.StringIO(), user_out
    )
    desk = DeskConsole(build_engine(settings, store=desk_store, parts=small_parts), settings, io.StringIO(), desk_out)
    user.desk.clock = desk.desk.clock = lambda: WEDNESDAY_NOON

    def new(out: io.StringIO, since: int) -> str:
        return out.getvalue()[since:]

    async def story() -> None:
        await user.line("/human")
        await user.line(choice(user_out.getvalue(), "Yes"))
        assert "oncobot desk" in user_out.getvalue()
        await user.line(choice(user_out.getvalue(), "Family or friend"))
        await user.line("Algérie")
        await user.line(choice(user_out.getvalue(), "Treatment in France"))
        await user.line("my mother needs help with her file")

        await desk.line("list")
        assert "#1 EN" in desk_out.getvalue()
        await desk.line("show 1")
        shown = desk_out.getvalue()
        assert "Ticket #1" in shown and "Country: Algérie" in shown
        assert "#1 user: my mother needs help with her file" in shown
        mark = len(desk_out.getvalue())
        await desk.line("show 1")
        assert "(nothing waiting)" in new(desk_out, mark)  # each message is shown once

        await desk.line("reply 1 Bonjour, je m'occupe de votre demande")
        mark = len(user_out.getvalue())
        assert await user.check() == 1
        assert "💬 Bonjour, je m'occupe de votre demande" in new(user_out, mark)

        await desk.line("close 1")
        assert "#1: Conversation closed" in desk_out.getvalue()
        mark = len(desk_out.getvalue())
        await desk.line("close 1")
        assert new(desk_out, mark) == ""  # a second close does nothing
        mark = len(user_out.getvalue())
        await user.check()
        closing = new(user_out, mark)
        assert closing.count("How helpful was the coordinator?") == 1
        await user.line(choice(user_out.getvalue(), "4"))
        assert "Thank you for your rating." in user_out.getvalue()
        await desk.line("show 1")
        assert "#1: The user rated this conversation 4/5." in desk_out.getvalue()
        await desk.line("list")
        assert desk_out.getvalue().rstrip().endswith("no open case")

    asyncio.run(story())
    user_store.close()
    desk_store.close()
