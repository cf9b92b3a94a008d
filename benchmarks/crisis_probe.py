"""Bare procedural phrases read as a crisis: the generic tails of polite messages, alone, in every language.

Run: python benchmarks/crisis_probe.py.
The phrases were written from the endings of the formal self-harm examples ("what should we do?", "Как нам быть?") and
from ordinary ways to ask how to proceed; they are not held out (the hard negatives added with them share the tails),
so the figure says whether those tails still carry the suicide line, not how well unseen messages are read. The
team watches `oncobot eval`'s "false crisis" line; this is the magnifying glass.
"""

from __future__ import annotations

import os
import tempfile

from bot.assistant import build_engine
from bot.dialogue.actions import Inbound
from bot.dialogue.policies import CRISIS
from bot.settings import Settings
from bot.store.sqlite import SqliteStore

PHRASES = {
    "en": [
        "What should we do?",
        "How should we respond?",
        "Could you advise us on what to do?",
        "I would like to speak with someone.",
        "what do i do",
        "how should we proceed?",
        "what are the next steps?",
        "please advise",
    ],
    "fr": [
        "Que devons-nous faire ?",
        "Comment devons-nous réagir ?",
        "Que nous conseillez-vous ?",
        "Je souhaiterais parler à quelqu'un.",
        "je fais quoi",
        "comment procéder ?",
        "quelles sont les prochaines étapes ?",
        "merci de nous indiquer la marche à suivre",
    ],
    "ar": [
        "فماذا نفعل؟",
        "كيف نتصرف؟",
        "بماذا تنصحوننا؟",
        "أود التحدث مع أحد.",
        "شو أعمل",
        "ما هي الخطوات التالية؟",
        "كيف نبدأ؟",
        "أرجو إفادتنا",
    ],
    "ru": [
        "Что нам делать?",
        "Как нам быть?",
        "Посоветуйте, куда нам обратиться.",
        "Я хотел бы с кем-нибудь поговорить.",
        "что делать",
        "какие следующие шаги?",
        "с чего начать?",
        "подскажите, пожалуйста, порядок действий",
    ],
    "es": [
        "¿Qué debemos hacer?",
        "¿Cómo debemos actuar?",
        "¿Qué nos aconsejan hacer?",
        "Me gustaría hablar con alguien.",
        "qué hago",
        "¿cuáles son los siguientes pasos?",
        "¿cómo procedemos?",
        "les ruego nos indiquen",
    ],
    "pt": [
        "O que devemos fazer?",
        "Como devemos agir?",
        "O que nos aconselham?",
        "Gostaria de falar com alguém.",
        "o que eu faço",
        "quais são os próximos passos?",
        "como procedemos?",
        "agradeço que nos indiquem",
    ],
    "de": [
        "Was sollen wir tun?",
        "Wie sollen wir reagieren?",
        "Was raten Sie uns?",
        "Ich würde gern mit jemandem sprechen.",
        "was soll ich machen",
        "was sind die nächsten Schritte?",
        "wie gehen wir vor?",
        "bitte teilen Sie uns mit",
    ],
    "zh": [
        "我们该怎么办？",
        "请问我们该怎么做？",
        "您有什么建议？",
        "我想找人聊聊。",
        "我该怎么办",
        "下一步是什么？",
        "从哪里开始？",
        "烦请告知",
    ],
}


def main() -> None:
    """Print each phrase read as a crisis, then the count per language and overall."""
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "ONCOBOT_STATE_DIR": os.environ.get("ONCOBOT_STATE_DIR", state)}
        engine = build_engine(Settings.from_env(env), store=SqliteStore(":memory:"))
        total = shown = 0
        per_lang = []
        for lang, phrases in PHRASES.items():
            hits = 0
            for i, text in enumerate(phrases):
                turn = engine.handle(Inbound(f"probe:{lang}:{i}", text=text))
                intent = turn.understanding.intent if turn.understanding else ""
                if intent in CRISIS:
                    hits += 1
                    print(f"  {lang}  {text}  → {intent}")
            per_lang.append(f"{lang} {hits}/{len(phrases)}")
            total, shown = total + len(phrases), shown + hits
        print(f"probe crisis: {shown} of {total}   ({'  '.join(per_lang)})")
        engine.store.close()


if __name__ == "__main__":
    main()
