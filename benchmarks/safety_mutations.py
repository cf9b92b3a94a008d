"""Break each safety rule once, run the tests that guard it, and print whether a test caught it (a mutation check).

    python benchmarks/safety_mutations.py            # every rule, against the safety, policy and conversation tests

Each mutation is applied to the working tree, the tests run, and the file is restored whatever happens. A line
`MISSED` is a rule no test notices when it breaks: write the test.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
TESTS = ["tests/test_safety.py", "tests/test_policies.py", "tests/test_conversation.py"]
# (file, text as it is, text broken, the rule): each text must stand exactly once in its file.
MUTATIONS = [
    (
        "bot/dialogue/policies.py",
        "r.intent == MEDICAL_ADVICE and r.confidence >= self.medical for r in ranked[:2]",
        "False for r in ranked[:2]",
        "unsure medical reading",
    ),
    (
        "bot/dialogue/policies.py",
        "if top.intent in CRISIS and top.confidence >= self._floor(top.intent):",
        "if top.intent in CRISIS and top.confidence >= self.answer:",
        "emergency first on weak evidence",
    ),
    ("bot/dialogue/policies.py", "emergency: float = 0.2 ", "emergency: float = 0.0 ", "emergency threshold to 0"),
    ("bot/dialogue/policies.py", "emergency: float = 0.2 ", "emergency: float = 0.3 ", "emergency threshold to 0.3"),
    ("bot/dialogue/engine.py", "turn = self._safety_lines(turn, plain)", "pass", "hints above second readings removed"),
    (
        "bot/dialogue/policies.py",
        "if top.confidence >= self.answer:",
        "if top.confidence >= self.suggest:",
        "answer band lowered to suggest",
    ),
    (
        "bot/dialogue/policies.py",
        '            return "suggest"',
        '            return "fallback"',
        "did-you-mean band removed",
    ),
    ("bot/dialogue/policies.py", "self_harm: float = 0.15", "self_harm: float = 0.2", "self-harm floor raised"),
    (
        "bot/dialogue/policies.py",
        '            self.decide(ranked) != "answer"\n',
        "            False\n",
        "self-harm second over did-you-mean",
    ),
    (
        "bot/dialogue/policies.py",
        "self_harm_second: float = 0.3",
        "self_harm_second: float = 0.5",
        "strong self-harm second reading",
    ),
    (
        "bot/dialogue/policies.py",
        "medical_line: float = 0.1",
        "medical_line: float = 0.3",
        "no-advice line from faint medical evidence",
    ),
    (
        "bot/dialogue/policies.py",
        "emergency_second: float = 0.4",
        "emergency_second: float = 1.1",
        "strong emergency behind a medical reading",
    ),
    (
        "bot/dialogue/engine.py",
        "return self._miss(state, self.matcher.is_junk(text, found), lang, top, entities)",
        'state.context["last_text"] = text[:500]\n'
        "        return self._miss(state, self.matcher.is_junk(text, found), lang, top, entities)",
        "text kept before consent",
    ),
    (
        "bot/dialogue/context.py",
        "if not plain or not said or plain[0].intent in keep or plain[0].confidence >= CONFIDENT:",
        "if not plain or not said or plain[0].confidence >= CONFIDENT:",
        "context overrides a crisis/medical reading",
    ),
    (
        "bot/dialogue/policies.py",
        "for intent in (SELF_HARM, EMERGENCY):",
        "for intent in (EMERGENCY, SELF_HARM):",
        "self-harm lines preferred",
    ),
    (
        "bot/dialogue/policies.py",
        "r.intent == MEDICAL_ADVICE and r.confidence >= self.medical_line for r in ranked[1:3]",
        "False for r in ranked[1:3]",
        "no-advice line",
    ),
    (
        "bot/dialogue/engine.py",
        "if r.intent not in (OUT_OF_SCOPE, *CRISIS)",
        "if r.intent not in (OUT_OF_SCOPE,)",
        "crisis in suggestions",
    ),
    (
        "bot/dialogue/engine.py",
        "        if intent.id in CRISIS:\n            return self._crisis(",
        "        if False:\n            return self._crisis(",
        "crisis buttons",
    ),
    (
        "bot/dialogue/engine.py",
        "if crisis is not None and crisis in self.kb.intents:\n            # The user",
        "if False:\n            # The user",
        "crisis during case",
    ),
]


def main() -> int:
    tests = sys.argv[1:] or TESTS
    missed = 0
    for path, old, new, name in MUTATIONS:
        file = REPO / path
        source = file.read_text(encoding="utf-8")
        if source.count(old) != 1:
            print(f"STALE  {name}: its text no longer stands once in {path}")
            missed += 1
            continue
        file.write_text(source.replace(old, new), encoding="utf-8")
        try:
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                capture_output=True,
                text=True,
                cwd=REPO,
            )
        finally:
            file.write_text(source, encoding="utf-8")
        caught = run.returncode != 0
        missed += not caught
        print(f"{'CAUGHT' if caught else 'MISSED'} {name}")
    print(f"{len(MUTATIONS) - missed} of {len(MUTATIONS)} broken rules caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
