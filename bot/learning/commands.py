"""The editors' commands: `oncobot inbox`, `oncobot stats` and `oncobot report`; wired into the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.learning.inbox import InboxError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.learning.stats import Stats


def add_parsers(sub: Any) -> None:
    """The learning loop's sub-commands, on the command line's sub-parsers."""
    inbox = sub.add_parser("inbox", help="questions users sent to the team: list, add ID INTENT, dismiss ID")
    inbox.add_argument("action", nargs="?", default="list", choices=("list", "add", "dismiss"))
    inbox.add_argument("id", nargs="?", type=int, help="the question's number, as listed")
    inbox.add_argument("intent", nargs="?", help="the intent the question is an example of (add)")
    inbox.add_argument("--json", action="store_true", help="print the clusters as JSON")
    inbox.add_argument("--eval", nargs="*", type=Path, help="evaluation files for add (default: tests/eval/)")

    stats = sub.add_parser("stats", help="conversations, answered share, hand-offs, feedback: counts only")
    stats.add_argument("--since", default="7d", help="period: 7d (default), 30d, 24h")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")

    report = sub.add_parser("report", help="write the statistics as one self-contained HTML page")
    report.add_argument("--html", type=Path, required=True, help="the page to write")
    report.add_argument("--since", default="7d", help="period: 7d (default), 30d, 24h")


def inbox_command(args: argparse.Namespace, settings: Settings) -> int:
    """List the inbox in clusters, or file one question as an example of an intent, or dismiss it."""
    from bot.store import open_store

    store = open_store(settings.database_url)
    try:
        store.purge_questions(settings.inbox_days)
        if args.action == "list":
            return _list(args, settings, store)
        question = store.kept_question(args.id) if args.id is not None else None
        if question is None or question.status != "new":
            raise InboxError(f"no question #{args.id} waits in the inbox (oncobot inbox lists them)")
        if args.action == "dismiss":
            store.set_question_status(question.id, "dismissed")
            print(f"#{question.id} dismissed")
            return 0
        if not args.intent:
            raise InboxError("say which intent: oncobot inbox add ID INTENT")
        code = _add(args, settings, question.text, question.language)
        if code == 0:
            store.set_question_status(question.id, "added")
        return code
    finally:
        store.close()


def _list(args: argparse.Namespace, settings: Settings, store: Any) -> int:
    from bot.assistant import build_parts, content_root
    from bot.learning.inbox import cluster, format_clusters

    questions = store.kept_questions()
    matcher = build_parts(content_root(settings), settings.cache_dir).matcher if questions else None
    clusters = cluster(questions, matcher) if matcher is not None else []
    if args.json:
        rows = [
            {
                "language": c.language,
                "count": len(c.questions),
                "nearest": [list(n) for n in c.nearest],
                "questions": [{"id": q.id, "text": q.text, "at": q.created_at} for q in c.questions],
            }
            for c in clusters
        ]
        print(json.dumps(rows, ensure_ascii=False))
    else:
        print(format_clusters(clusters))
    return 0


def _accuracy(settings: Settings, paths: list[Path]) -> float | None:
    from bot.evaluation import evaluate, read_all

    return evaluate(settings, *read_all(paths)).accuracy if paths else None


def _add(args: argparse.Namespace, settings: Settings, text: str, language: str) -> int:
    """Add the example, check the content (undoing the change on an error), and measure before and after."""
    from bot.assistant import content_root
    from bot.content.loader import load
    from bot.evaluation import eval_files
    from bot.learning.inbox import add_example

    root = content_root(settings)
    kb = load(root).kb
    if kb is None or args.intent not in kb.intents:
        raise InboxError(f"unknown intent '{args.intent}' (oncobot check lists the content's problems)")
    given = args.eval if args.eval is not None else [root / "tests" / "eval"]
    paths = eval_files([p for p in given if p.exists()])
    before = _accuracy(settings, paths)
    files = {p: p.read_bytes() for p in (root / "intents").glob("*.yaml")}
    path = add_example(root, args.intent, language, text)
    loaded = load(root)
    if loaded.errors:
        path.write_bytes(files[path])
        for problem in loaded.errors:
            print(problem)
        print(f"FAILED: the example was not added to {path.name}; the content is as it was")
        return 1
    print(f"added to {path.name}: {args.intent} [{language}] {text}")
    after = _accuracy(settings, paths)
    if before is None or after is None:
        print("no evaluation set found: accuracy not measured")
    else:
        print(f"intent accuracy: before {before:.1%}, after {after:.1%} ({after - before:+.1%})")
    return 0


def _period_stats(since: str, settings: Settings) -> Stats:
    """The statistics of the period asked for, read from the store and closed again."""
    from bot.learning.stats import compute, parse_since
    from bot.store import open_store

    store = open_store(settings.database_url)
    try:
        return compute(store, parse_since(since))
    finally:
        store.close()


def stats_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the period's statistics, as text or JSON."""
    from bot.learning.stats import format_text

    stats = _period_stats(args.since, settings)
    print(json.dumps(stats.as_dict(), ensure_ascii=False) if args.json else format_text(stats))
    return 0


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the period's statistics as one HTML page."""
    from bot.learning.report import render_html

    stats = _period_stats(args.since, settings)
    args.html.write_text(render_html(stats), encoding="utf-8")
    print(f"wrote {args.html}")
    return 0


HANDLERS = {"inbox": inbox_command, "stats": stats_command, "report": report_command}
