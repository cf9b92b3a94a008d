"""Engine speed and memory on the shipped knowledge base: per-message latency, starts, the build after an edit, RSS.

Run: python benchmarks/engine.py [--rounds N] [--busy] [--agreement].
Targets: p99 ≤ 5 ms per message, cold start ≤ 2 s, rebuild after an edit ≤ 2 s, RSS ≤ 150 MB.
Messages are the public evaluation set's questions, every one through the whole engine (language, matcher, entities,
policies, rendering, SQLite store), each from a new user so no context helps. Starts are fresh processes, as the
server starts (bot.cli run): a copy of the content with an empty cache (first start: a clean build, cached), with the
cache (cold start), then with one example appended to an intent (rebuild after an edit: warm-started from the cached
build). --busy runs a process spinning on one core beside the starts; --agreement counts the evaluation answers
that differ between the warm-started build and a clean build of the edited content.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
START = """
import sys
from pathlib import Path
from bot.assistant import build_engine, build_parts
from bot.settings import Settings
settings = Settings.from_env({"ONCOBOT_DATA_DIR": sys.argv[1], "ONCOBOT_STATE_DIR": sys.argv[2]})
engine = build_engine(settings, parts=build_parts(Path(sys.argv[1]), settings.cache_dir, quick=True))
from bot.dialogue.actions import Inbound
engine.handle(Inbound("bench", text=sys.argv[3]))
"""
FIRST_QUESTION = "where is gustave roussy"
EDIT = ("clinical_trials_access", "en", "where can i search for open clinical trials for my cancer")


def start(root: Path, state: Path, question: str = FIRST_QUESTION) -> float:
    """Seconds from interpreter start to the first answer, in a fresh process, as the server starts."""
    began = time.perf_counter()
    command = [sys.executable, "-c", START, str(root), str(state), question]
    subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    return time.perf_counter() - began


@contextmanager
def busy(on: bool) -> Iterator[None]:
    """A process spinning on one core beside the measurement, when asked."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if on else None
    try:
        yield
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


def copy_content(target: Path) -> Path:
    """The shipped content root's files, copied where an edit harms nothing."""
    target.mkdir()
    shutil.copy(REPO / "content.yaml", target / "content.yaml")
    for folder in ("intents", "catalogue", "locales"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def agreement(root: Path, state: Path) -> dict[str, int]:
    """Evaluation answers of the warm-started build (from the cache) against a clean build of the same content."""
    from bot.assistant import build_engine, build_parts
    from bot.dialogue.actions import Inbound
    from bot.evaluation import eval_files, read_all
    from bot.settings import Settings
    from bot.store.sqlite import SqliteStore

    settings = Settings.from_env({"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(state)})
    warm = build_parts(root, settings.cache_dir, quick=True)
    clean = build_parts(root, None)
    cases, _ = read_all(eval_files([REPO / "tests/eval"]))
    answers = []
    for parts in (warm, clean):
        engine = build_engine(settings, store=SqliteStore(":memory:"), parts=parts)
        turns = [engine.handle(Inbound(f"agree:{i}", text=c.text)) for i, c in enumerate(cases)]
        answers.append([t.understanding.intent if t.understanding else None for t in turns])
    differ = sum(a != b for a, b in zip(*answers, strict=True))
    return {"cases": len(cases), "warm_exact": int(warm.exact), "differ": differ}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the messages")
    parser.add_argument("--busy", action="store_true", help="time the starts beside a process spinning on one core")
    parser.add_argument("--agreement", action="store_true", help="compare the warm-started build with a clean one")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from bot.assistant import build_engine, build_parts
    from bot.dialogue.actions import Inbound
    from bot.evaluation import percentile, read_cases
    from bot.learning.inbox import add_example
    from bot.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        root, state = copy_content(Path(tmp) / "content"), Path(tmp) / "state"
        with busy(args.busy):
            first = start(root, state)  # a clean build, cached
            warm = min(start(root, state) for _ in range(3))  # the usual start: the cache is there

        settings = Settings.from_env({"ONCOBOT_DATA_DIR": str(root), "ONCOBOT_STATE_DIR": str(state)})
        engine = build_engine(settings, parts=build_parts(root, settings.cache_dir))
        texts = [c.text for c in read_cases(REPO / "tests/eval/public.yaml")]
        latencies = []
        for r in range(args.rounds):
            for i, text in enumerate(texts):
                t = time.perf_counter()
                engine.handle(Inbound(f"bench-{r}-{i}", text=text))
                latencies.append((time.perf_counter() - t) * 1000)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        intent, language, question = EDIT
        add_example(root, intent, language, question)
        with busy(args.busy):
            rebuild = start(root, state, question)  # warm-started from the cached build of the content before
        edited = build_engine(settings, parts=build_parts(root, settings.cache_dir, quick=True))
        understood = edited.handle(Inbound("bench-edit", text=question)).understanding
        figures: dict[str, object] = {
            "messages": len(latencies),
            "p50_ms": round(percentile(latencies, 0.5), 3),
            "p99_ms": round(percentile(latencies, 0.99), 3),
            "cold_start_s": round(warm, 2),
            "first_start_s": round(first, 2),
            "rebuild_after_edit_s": round(rebuild, 2),
            "edited_question_answered_as": understood.intent if understood else None,
            "rss_mb": round(rss_mb, 1),
            "busy": args.busy,
        }
        if args.agreement:
            figures["agreement"] = agreement(root, state)
    print(f"messages per run       {figures['messages']}")
    print(f"latency p50 / p99      {figures['p50_ms']} ms / {figures['p99_ms']} ms   (target p99 ≤ 5 ms)")
    print(f"cold start             {figures['cold_start_s']} s, matcher cached   (target ≤ 2 s)")
    print(f"first start            {figures['first_start_s']} s, building and caching the matcher")
    print(f"rebuild after an edit  {figures['rebuild_after_edit_s']} s, one example appended   (target ≤ 2 s)")
    print(f"  the new example      answered as {figures['edited_question_answered_as']} (added to {intent})")
    print(f"peak RSS               {figures['rss_mb']} MB   (target ≤ 150 MB)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
