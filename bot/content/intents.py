"""intents/*.yaml → intents; an intent's `kind` is an answer a catalogue kind declares, with its placeholders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.content.fields import no_markup, read_id, sources
from bot.content.folders import content_files
from bot.content.kinds.base import Answer
from bot.content.origins import Origins
from bot.content.problems import Path_
from bot.content.schema import Intent
from bot.content.yamlfile import Sink, YamlFile

_FIELDS = {"id", "title", "examples", "answer", "variants", "kind", "follow_ups", "offers_handoff", "source"}


def _examples(doc: YamlFile, item: dict[str, Any], path: Path_, langs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    examples: dict[str, tuple[str, ...]] = {}
    raw = item.get("examples")
    if not isinstance(raw, dict):
        doc.error(
            (*path, "examples") if "examples" in item else path,
            "expected examples per language" if "examples" in item else "missing 'examples'",
        )
        return examples
    for lang in raw:
        if lang not in langs:
            doc.error((*path, "examples", lang), f"unknown language '{lang}' (declared: {', '.join(langs)})")
    for lang in langs:
        if lang not in raw:
            doc.error((*path, "examples"), f"missing language '{lang}'")
            continue
        examples[lang] = doc.texts(raw, lang, (*path, "examples"), required=True)
    return examples


def _variants(
    doc: YamlFile, item: dict[str, Any], path: Path_, langs: tuple[str, ...], answer: Answer | None
) -> dict[str, dict[str, str]]:
    """The variant texts the intent's kind of answer needs (its `ask`, `nearest`…), and none it does not know."""
    variants: dict[str, dict[str, str]] = {}
    raw_variants = item.get("variants", {})
    if not isinstance(raw_variants, dict):
        doc.error((*path, "variants"), "expected a mapping of variant names")
        raw_variants = {}
    expected = set(answer.placeholders) - {"answer"} if answer else set()
    kind = answer.name if answer else None
    for name in raw_variants:
        if name not in expected:
            doc.error(
                (*path, "variants", name),
                f"unknown variant for kind {kind or '(none)'}"
                + (f" (expected: {', '.join(sorted(expected))})" if expected else ""),
            )
        else:
            variants[name] = doc.per_language(raw_variants, name, (*path, "variants"), langs)
    for name in sorted(expected - set(raw_variants) - (answer.optional if answer else set())):
        doc.error((*path, "variants"), f"missing variant '{name}' required by kind {kind}")
    return variants


def _intent(
    doc: YamlFile,
    item: dict[str, Any],
    path: Path_,
    langs: tuple[str, ...],
    seen: dict[str, Intent],
    origins: Origins,
    answers: dict[str, Answer],
) -> Intent | None:
    doc.known_keys(item, path, _FIELDS)
    id_ = read_id(doc, item, path, "intent", seen, origins)
    title = doc.per_language(item, "title", path, langs)
    answer = doc.per_language(item, "answer", path, langs)
    examples = _examples(doc, item, path, langs)
    kind = doc.text(item, "kind", path, required=False)
    if kind is not None and kind not in answers:
        doc.error((*path, "kind"), f"unknown kind '{kind}' (expected one of: {', '.join(sorted(answers))})")
        kind = None
    declared = answers[kind] if kind else None
    variants = _variants(doc, item, path, langs, declared)
    if declared:
        _check_placeholders(doc, path, declared, answer, variants)
    else:
        for lang, text in answer.items():
            if re.search(r"\{[a-z_]+\}", text):
                doc.error((*path, "answer", lang), "placeholders need a 'kind' that fills them")
    follow_ups = doc.texts(item, "follow_ups", path)
    offers = doc.flag(item, "offers_handoff", path)
    source = sources(doc, item, path)
    if id_ is None or len(title) != len(langs) or len(answer) != len(langs) or len(examples) != len(langs):
        return None
    return Intent(id_, title, examples, answer, variants, kind, follow_ups, offers, source)


def _check_placeholders(
    doc: YamlFile, path: Path_, declared: Answer, answer: dict[str, str], variants: dict[str, dict[str, str]]
) -> None:
    allowed = declared.placeholders
    for name, texts in [("answer", answer), *variants.items()]:
        where = (*path, "answer") if name == "answer" else (*path, "variants", name)
        used: dict[str, set[str]] = {}
        for lang, text in texts.items():
            used[lang] = set(re.findall(r"\{([^{}]*)\}", text))
            for found in sorted(used[lang]):
                if found not in allowed[name]:
                    known = ", ".join("{" + p + "}" for p in sorted(allowed[name])) or "none"
                    doc.error((*where, lang), f"unknown placeholder {{{found}}} (this text may use: {known})")
        # One language without {phone} would leave its readers without the number the others get.
        for lang, own in used.items():
            for missing in sorted(set().union(*used.values()) - own):
                others = ", ".join(other for other, theirs in used.items() if missing in theirs)
                doc.error((*where, lang), f"placeholder {{{missing}}} missing (the {others} text uses it)")


def load_intents(
    root: Path, langs: tuple[str, ...], sink: Sink, origins: Origins, answers: dict[str, Answer]
) -> dict[str, Intent]:
    """Every intent of every file of intents/, each problem reported with its file and line."""
    intents: dict[str, Intent] = {}
    files = content_files(root, "intents", sink)
    if not files:
        sink.add("intents", 1, (), "no intent files (intents/*.yaml)")
    for path in files:
        doc = YamlFile.read(path, f"intents/{path.name}", sink, root)
        if doc is None:
            continue
        no_markup(doc, doc.data)
        doc.known_keys(doc.data, (), {"version", "intents"})
        for where, item in doc.entries("intents"):
            intent = _intent(doc, item, where, langs, intents, origins, answers)
            if intent is not None:
                intents[intent.id] = intent
    return intents
