"""The first message coordinators see for a case: who, where from, what the assistant could not answer."""

from __future__ import annotations

from bot.dialogue import strings as s
from bot.i18n import Interface
from bot.store.base import Case


def topic_name(case: Case, ui: Interface, lang: str) -> str:
    """A forum topic's name: language, ticket and topic, within Telegram's 128 characters."""
    parts = [case.language.upper(), f"#{case.id}"]
    if case.topic in s.TOPIC_LABELS:
        parts.append(ui.gettext(lang, s.TOPIC_LABELS[case.topic]))
    return " · ".join(parts)[:128]


def card_details(case: Case, ui: Interface, lang: str) -> list[str]:
    """The lines of what the user chose to tell: country, who they are, what about."""
    t = ui.gettext
    lines = []
    if case.country:
        lines.append(t(lang, s.CARD_COUNTRY).format(country=case.country))
    if case.user_type in s.WHO_LABELS:
        lines.append(t(lang, s.CARD_WHO).format(who=t(lang, s.WHO_LABELS[case.user_type])))
    if case.topic in s.TOPIC_LABELS:
        lines.append(t(lang, s.CARD_TOPIC).format(topic=t(lang, s.TOPIC_LABELS[case.topic])))
    return lines


def card_text(case: Case, ui: Interface, lang: str, *, forum: bool, how_to: bool = True) -> str:
    """The case card, in the coordinators' language; no name or phone, only what the user chose to tell."""
    t = ui.gettext
    lines = [
        t(lang, s.CARD_TITLE).format(ticket=case.id),
        t(lang, s.CARD_LANGUAGE).format(language=ui.language_name(case.language)),
    ]
    lines += card_details(case, ui, lang)
    if case.unanswered:
        lines += ["", t(lang, s.CARD_UNANSWERED)]
        for item in case.unanswered:
            lines.append(f"• {item.intent} ({item.confidence:.2f})")  # what was understood, never the text
    if how_to:  # how to answer on Telegram: the console's desk explains its own commands
        lines += ["", t(lang, s.CARD_HOW_TO if forum else s.CARD_HOW_TO_REPLY)]
    return "\n".join(lines)
