"""The `context:` section of content.yaml: which answers name the centre in context, what follow-ups mean."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.content.schema import ContextRules, FollowUps, KnowledgeBase
from bot.content.yamlfile import YamlFile

if TYPE_CHECKING:
    from bot.content.loader import Origins

CRISIS = ("emergency", "self_harm")
# Never read as a question of expertise, whatever is named: the safety answers.
SAFETY = (*CRISIS, "medical_advice_request", "out_of_scope")


def read_context_rules(doc: YamlFile) -> ContextRules:
    """Parse the section; every problem is reported with its line, and an empty section means no rules."""
    raw = doc.data.get("context")
    if raw is None:
        return ContextRules()
    if not isinstance(raw, dict):
        doc.error(("context",), "expected a mapping")
        return ContextRules()
    doc.known_keys(raw, ("context",), {"about_centre", "follow_ups", "expertise"})
    about = doc.texts(raw, "about_centre", ("context",))
    expertise = doc.texts(raw, "expertise", ("context",))
    groups: list[FollowUps] = []
    items: Any = raw.get("follow_ups") or []
    if not isinstance(items, list):
        doc.error(("context", "follow_ups"), "expected a list")
        items = []
    for i, item in enumerate(items):
        where = ("context", "follow_ups", i)
        if not isinstance(item, dict):
            doc.error(where, "expected a mapping with 'after' and 'read'")
            continue
        doc.known_keys(item, where, {"after", "read"})
        after = doc.texts(item, "after", where, required=True)
        read = item.get("read")
        if not isinstance(read, dict) or not read:
            doc.error((*where, "read"), "expected a mapping of an intent read to the intent meant")
            continue
        groups.append(FollowUps(after, {str(k): str(v) for k, v in read.items()}))
    return ContextRules(about, tuple(groups), expertise)


def check_context_rules(kb: KnowledgeBase, origins: Origins) -> None:
    """Every intent the rules name exists, and no rule turns a crisis into anything else or anything into one."""
    doc = origins.config
    for path, ref in kb.config.context.intents():
        where = ("context", *path)
        if ref not in kb.intents:
            doc.error(where, f"unknown intent '{ref}'")
        elif ref in CRISIS and path[0] == "follow_ups":
            doc.error(where, f"'{ref}' is read first, whatever the context: it cannot take part in a follow-up rule")
        elif ref in SAFETY and path[0] == "expertise":
            doc.error(where, f"'{ref}' is a safety answer: a name in the message cannot turn it into another one")
