"""A chat in the terminal on the same engine: buttons become numbered choices the user types."""

from __future__ import annotations

from typing import TextIO

from bot.dialogue.actions import Button, Forgotten, Handoff, Inbound, Reply, Turn, Venue
from bot.dialogue.engine import Engine

QUIT = {"/quit", "/exit", "quit", "exit"}


class ConsoleChannel:
    """Reads lines, prints replies; the numbers shown refer to the last reply's buttons."""

    def __init__(self, engine: Engine, stdin: TextIO, stdout: TextIO, user_id: str = "console:local") -> None:
        self.engine = engine
        self.stdin = stdin
        self.stdout = stdout
        self.user_id = user_id
        self.choices: list[Button] = []

    def show(self, turn: Turn) -> None:
        choices: list[Button] = []
        for action in turn.actions:
            if isinstance(action, Reply):
                self.stdout.write(f"\n{action.text}\n")
                for button in action.buttons:
                    choices.append(button)
                    target = f" → {button.url}" if button.url else ""
                    self.stdout.write(f"  [{len(choices)}] {button.label}{target}\n")
            elif isinstance(action, Venue):
                precision = "" if action.precision == "site" else " (city centre)"
                self.stdout.write(f"  📍 {action.title}: {action.lat:.4f}, {action.lon:.4f}{precision}\n")
            elif isinstance(action, Handoff) and action.event == "requested":
                self.stdout.write("  (a coordinator would now be asked to join this conversation)\n")
            elif isinstance(action, Forgotten):
                self.stdout.write("  (stored data erased)\n")
        self.choices = choices
        self.stdout.flush()

    def inbound(self, line: str) -> Inbound | None:
        """A typed number picks a button; anything else is a message."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            button = self.choices[int(text) - 1]
            if button.url:
                self.stdout.write(f"{button.url}\n")
                return None
            return Inbound(self.user_id, payload=button.id)
        return Inbound(self.user_id, text=line)

    def run(self) -> int:
        self.show(self.engine.handle(Inbound(self.user_id, payload="start")))
        while True:
            self.stdout.write("\n> ")
            self.stdout.flush()
            line = self.stdin.readline()
            if not line or line.strip().lower() in QUIT:
                self.stdout.write("\n")
                return 0
            inbound = self.inbound(line.rstrip("\n"))
            if inbound is not None:
                self.show(self.engine.handle(inbound))
