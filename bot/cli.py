"""The command line: chat | desk | ask | check | eval. Turns every failure into one clear line and an exit code."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, NoReturn

from bot import __version__
from bot.content.problems import ContentError
from bot.learning import commands as learning
from bot.settings import Settings, SettingsError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A problem the user can fix; shown as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="oncobot", description="A multilingual assistant for cancer care in France.")
    parser.add_argument("--version", action="version", version=f"oncobot {__version__}")
    parser.add_argument("--data-dir", type=Path, help="content root to use instead of the packaged one")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    chat = sub.add_parser("chat", help="talk to the assistant in this terminal")
    chat.add_argument("--lang", help="answer in this language from the start")

    ask = sub.add_parser("ask", help="answer one question, or one JSON object per line with --jsonl")
    ask.add_argument("--lang", help="answer in this language")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ask.add_argument("--jsonl", action="store_true", help='read {"text", "lang", "user"} lines on stdin')
    ask.add_argument("text", nargs="*", help="the question")

    sub.add_parser("desk", help="answer the console's hand-off cases as a coordinator, in this terminal")
    sub.add_parser("run", help="serve the assistant on Telegram (settings from the environment)")

    check = sub.add_parser("check", help="validate the knowledge base and interface catalogues")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    ev = sub.add_parser("eval", help="measure understanding on an evaluation set")
    ev.add_argument("file", nargs="*", type=Path, help="evaluation YAML files or folders (default: tests/eval/)")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    learning.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None, env: dict[str, str] | None = None) -> int:
    """Entry point of `oncobot` and `python -m bot`."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(env)
        if args.data_dir is not None:
            if not args.data_dir.is_dir():
                raise CliError(f"--data-dir {args.data_dir}: no such folder")
            settings = replace(settings, data_dir=args.data_dir)
        handler = {
            "chat": _chat,
            "desk": _desk,
            "ask": _ask,
            "check": _check,
            "eval": _eval,
            "run": _run,
            **learning.HANDLERS,
        }[args.command]
        return handler(args, settings)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("oncobot: the knowledge base has errors; nothing was started", file=sys.stderr)
        return EXIT_FAILED
    except (CliError, SettingsError) as exc:
        print(f"oncobot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as exc:
        print(f"oncobot: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.assistant import build_engine
    from bot.channels.console import ConsoleChannel

    engine = build_engine(settings)
    # A terminal may send bytes that are not UTF-8: show them as replacement characters rather than stop.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    channel = ConsoleChannel(engine, settings, stdin, sys.stdout)
    if args.lang:
        _check_lang(args.lang, engine.kb.config.languages)
        engine.choose_language(channel.user_id, args.lang)
    try:
        return channel.run()
    finally:
        engine.store.close()


def _desk(args: argparse.Namespace, settings: Settings) -> int:
    from bot.assistant import build_engine
    from bot.channels.console import DeskConsole

    engine = build_engine(settings)
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    try:
        return DeskConsole(engine, settings, stdin, sys.stdout).run()
    finally:
        engine.store.close()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_token:
        raise CliError("TELEGRAM_BOT_TOKEN is not set (the token @BotFather gave you)")
    from bot.assistant import build_engine, build_parts
    from bot.channels.logs import configure
    from bot.channels.telegram import run
    from bot.handoff.hours import HoursError, WorkingHours

    try:
        WorkingHours.parse(settings.coordinator_hours, settings.coordinator_holidays, settings.coordinator_timezone)
    except HoursError as exc:
        raise CliError(str(exc)) from exc
    from bot.assistant import content_root
    from bot.learning.reload import Reloader
    from bot.learning.team import TeamDesk

    configure(settings.log_format)
    parts = build_parts(content_root(settings), settings.cache_dir, quick=True)  # a small change: warm-started
    engine = build_engine(settings, parts=parts)
    reloader = Reloader(engine, content_root(settings), settings.cache_dir)
    reloader.refine(parts)  # then built cleanly in the background
    reloader.on_sighup()  # kill -HUP: content reloaded live
    run(engine, settings, TeamDesk(engine, reloader))
    return EXIT_OK


def _check_lang(lang: str, languages: Sequence[str]) -> None:
    if lang not in languages:
        raise CliError(f"unknown language '{lang}' (available: {', '.join(languages)})")


def _answer_object(engine: Any, text: str, lang: str | None, user: str) -> dict[str, Any]:
    from bot.dialogue.actions import Inbound

    if lang:
        engine.choose_language(user, lang)
    turn = engine.handle(Inbound(user, text=text))
    u = turn.understanding
    return {
        "intent": u.intent if u else None,
        "confidence": u.confidence if u else 0.0,
        "language": u.language if u else lang,
        "entities": u.entities if u else {},
        "context": list(u.context) if u else [],
        "answer": "\n\n".join(r.text for r in turn.replies),
        "suggestions": list(u.suggestions) if u else [],
        "handoff": bool(u.handoff) if u else False,
    }


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.assistant import build_engine
    from bot.store.sqlite import SqliteStore

    if args.jsonl and args.text:
        raise CliError("give the question as an argument or --jsonl on stdin, not both")
    if not args.jsonl and not args.text:
        raise CliError('no question given (oncobot ask "where is institut curie?")')
    engine = build_engine(settings, store=SqliteStore(":memory:"))
    if args.lang:
        _check_lang(args.lang, engine.kb.config.languages)
    if args.jsonl:
        return _ask_lines(engine, sys.stdin.buffer, sys.stdout, args.lang)
    result = _answer_object(engine, " ".join(args.text), args.lang, "cli")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(result["answer"])
    return EXIT_OK


class _BadLine(ValueError):
    """A request line that cannot be served; becomes its error object."""


def _request(
    raw: bytes, number: int, languages: Sequence[str], default_lang: str | None
) -> tuple[str, str | None, str]:
    """The text, language and user id of one request line, every field type-checked."""
    try:
        request = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _BadLine("not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise _BadLine(f"not JSON ({exc.msg})") from exc
    except RecursionError as exc:  # thousands of nested brackets, even inside a field we would ignore
        raise _BadLine("not JSON (nested too deeply)") from exc
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise _BadLine(f"not JSON ({exc})") from exc
    if not isinstance(request, dict):
        raise _BadLine("expected a JSON object")
    text, lang, user = request.get("text"), request.get("lang"), request.get("user")
    if not isinstance(text, str):
        raise _BadLine("'text' must be a string")
    if lang is None:
        lang = default_lang
    elif not isinstance(lang, str) or not lang:
        raise _BadLine("'lang' must be a language code such as \"en\"")
    elif lang not in languages:
        raise _BadLine(f"unknown language '{lang}' (available: {', '.join(languages)})")
    if user is not None and (isinstance(user, bool) or not isinstance(user, str | int)):
        raise _BadLine("'user' must be a string or a whole number")
    for value in (text, user):
        if isinstance(value, str) and not _encodable(value):
            raise _BadLine("a string holds an unpaired surrogate (\\ud800-\\udfff), not text")
    return text, lang, f"jsonl:{user}" if user is not None else f"jsonl:line-{number}"


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _ask_lines(engine: Any, stdin: IO[bytes], stdout: IO[str], default_lang: str | None) -> int:
    """Serve one JSON object per line; a bad line gets an error object and the next line is still served."""
    languages = engine.kb.config.languages
    for number, raw in enumerate(stdin, start=1):
        if not raw.strip():
            continue
        result: dict[str, Any]
        try:
            text, lang, user_id = _request(raw, number, languages, default_lang)
            result = _answer_object(engine, text, lang, user_id)
        except _BadLine as exc:
            result = {"error": f"line {number}: {exc}"}
        except Exception as exc:  # one message must never stop the others: report it and serve the next line
            result = {"error": f"line {number}: could not answer ({type(exc).__name__})"}
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
    return EXIT_OK


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.assistant import content_root
    from bot.content.loader import load
    from bot.dialogue import strings
    from bot.i18n import Interface

    root = content_root(settings)
    loaded = load(root)
    problems = list(loaded.problems)
    if loaded.kb is not None:
        try:
            Interface(root, loaded.kb.config.languages, strings.EVERY)
        except ContentError as exc:
            problems.extend(exc.problems)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    failed = bool(errors or (args.strict and warnings))
    summary = f"{len(errors)} error(s), {len(warnings)} warning(s)"
    if loaded.kb is not None:
        n_examples = sum(len(v) for i in loaded.kb.intents.values() for v in i.examples.values())
        summary += (
            f"; {len(loaded.kb.intents)} intents, {n_examples} examples, {len(loaded.kb.centres)} centres, "
            f"{len(loaded.kb.config.languages)} languages"
        )
    print(("FAILED: " if failed else "OK: ") + summary)
    return EXIT_FAILED if failed else EXIT_OK


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.assistant import content_root
    from bot.evaluation import eval_files, evaluate, format_report, read_all

    paths = eval_files(args.file or [content_root(settings) / "tests" / "eval"])
    missing = [p for p in paths if not p.is_file()] or ([] if paths else [Path("tests/eval")])
    if missing:
        raise CliError(f"{missing[0]}: no such evaluation file (give one: oncobot eval FILE)")
    report = evaluate(settings, *read_all(paths))
    print(json.dumps(report.as_dict(), ensure_ascii=False) if args.json else format_report(report))
    return EXIT_OK
