"""What the coordinators' group asks of the learning loop, as plain text any channel can post: /stats, /reload,
/inbox and the weekly digest."""

from __future__ import annotations

from datetime import timedelta

from bot.learning.engine import LearningEngine
from bot.learning.inbox import cluster
from bot.learning.reload import Reloader
from bot.learning.stats import compute, format_text

TEAM_COMMANDS = ("stats", "reload", "inbox")
DIGEST_CLUSTERS = 5
PROBLEMS_SHOWN = 20


class TeamDesk:
    """Answers the group admins' commands; the channel checks who is an admin and posts the text."""

    def __init__(self, engine: LearningEngine, reloader: Reloader) -> None:
        self.engine = engine
        self.reloader = reloader

    def answer(self, command: str) -> str:
        """The text to post for a team command (blocking: a channel runs it off its event loop)."""
        if command == "stats":
            return format_text(compute(self.engine.store, timedelta(days=7)))
        if command == "reload":
            problems = self.reloader.reload()
            if not problems:
                return "Content reloaded: the assistant now answers from it."
            shown = "\n".join(problems[:PROBLEMS_SHOWN])
            more = f"\n… and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
            return f"Content refused, the last good content still answers:\n{shown}{more}"
        return self.digest()

    def digest(self) -> str:
        """The week's digest: the biggest clusters of questions users sent, and how to file them."""
        questions = self.engine.store.kept_questions()
        if not questions:
            return "No question waits in the inbox."
        clusters = cluster(questions, self.engine.matcher)[:DIGEST_CLUSTERS]
        lines = [f"{len(questions)} question(s) wait in the inbox; the biggest groups:"]
        for c in clusters:
            nearest = ", ".join(intent for intent, _ in c.nearest[:2])
            ids = " ".join(f"#{q.id}" for q in c.questions[:5])
            lines.append(f"• [{c.language}] {len(c.questions)} × “{c.questions[0].text[:80]}” ({nearest}) {ids}")
        lines.append("File them with: oncobot inbox add ID INTENT, then /reload.")
        return "\n".join(lines)
