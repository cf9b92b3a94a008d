"""The engine with the learning loop around it: the send-to-team and 👍/👎 buttons, their presses, the counters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.dialogue import button_ids as bid
from bot.dialogue import strings as s
from bot.dialogue.actions import Button, Forgotten, Inbound, Turn
from bot.dialogue.engine import Engine
from bot.dialogue.policies import CRISIS, MAX_TEXT, MEDICAL_ADVICE, OUT_OF_SCOPE
from bot.dialogue.reading import NOT_A_TOPIC
from bot.dialogue.render import Renderer
from bot.learning.counting import TurnCounter, day_of
from bot.learning.pending import PendingQuestions
from bot.learning.redact import redact
from bot.learning.versions import ContentLock

if TYPE_CHECKING:
    from bot.assistant import Parts

UP, DOWN = "up", "down"
THUMBS = {UP: "👍", DOWN: "👎"}
# Answers that get no 👍/👎: safety answers, and replies that only steer the conversation.
NO_FEEDBACK = frozenset({*CRISIS, MEDICAL_ADVICE, *NOT_A_TOPIC, "goodbye", "thanks", "greeting"})
CANDIDATES = 3


class LearningEngine(Engine):
    """Adds the learning loop's buttons to the core engine's turns and answers their presses."""

    def __init__(
        self,
        *args: Any,
        pending: PendingQuestions | None = None,
        counter: TurnCounter | None = None,
        inbox_days: int = 30,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pending = pending or PendingQuestions(clock=self.clock)
        self.counter = counter
        self.inbox_days = inbox_days
        self._content = ContentLock()  # a turn reads one version of the content; a swap waits for those under way

    def swap(self, parts: Parts) -> None:
        """Answer from now on with newly built content; a turn under way finishes on the old one."""
        render = Renderer(parts.kb, parts.interface)
        with self._content.writing():
            self.kb, self.ui, self.matcher = parts.kb, parts.interface, parts.matcher
            self.entities, self.languages = parts.entities, parts.languages
            self.menus, self.rules, self.render = parts.kb.config.menus, parts.kb.config.context, render

    def handle(self, msg: Inbound) -> Turn:
        """The core engine's turn with the learning buttons added, or the answer to one of them."""
        with self._content.reading():
            return self._handle(msg)

    def _handle(self, msg: Inbound) -> Turn:
        if bid.parse(msg.payload or "").kind in (bid.KEEP, bid.VOTE):
            turn = self._learning_press(msg)
        else:
            turn = self._with_learning_buttons(msg, super().handle(msg))
        if any(isinstance(a, Forgotten) for a in turn.actions):
            self.pending.drop_user(msg.user_id)
        if self.counter is not None:
            self.counter.record(msg, turn)
        return turn

    def _with_learning_buttons(self, msg: Inbound, turn: Turn) -> Turn:
        """A fallback or did-you-mean gets "send to the team"; an answer to a question gets 👍/👎."""
        u = turn.understanding
        text = (msg.text or "").strip()
        if u is None or msg.payload is not None or not text or text.startswith("/"):
            return turn
        if u.intent == OUT_OF_SCOPE and u.handoff:
            token = self._hold(msg, text, u.language)
            return self._amend_first(
                turn, button=Button(bid.make(bid.KEEP, token), self._t(u.language, s.SEND_TO_TEAM))
            )
        if u.intent in NO_FEEDBACK or u.intent not in self.kb.intents:
            return turn
        token = self._hold(msg, text, u.language)
        for verdict in (UP, DOWN):
            turn = self._amend_first(turn, button=Button(bid.make(bid.VOTE, verdict, u.intent, token), THUMBS[verdict]))
        return turn

    def _hold(self, msg: Inbound, text: str, language: str) -> str:
        """Hold the text in memory only until pressed or expired; it is ranked again only if it is kept."""
        return self.pending.hold(msg.user_id, text[:MAX_TEXT], language)

    def _learning_press(self, msg: Inbound) -> Turn:
        state = self.store.load_user(msg.user_id)
        if state.banned:
            return Turn(())
        lang = self.language_for(state, msg.language_hint)
        pressed = bid.parse(msg.payload or "")
        value = pressed.value
        if pressed.kind == bid.KEEP:
            held = self.pending.take(value, msg.user_id)
            if held is None:
                return Turn((self._reply(self._t(lang, s.QUESTION_GONE), lang),))
            self.store.purge_questions(self.inbox_days)
            ranked = self.matcher.rank(held.text, limit=CANDIDATES)
            candidates = [(r.intent, round(r.confidence, 3)) for r in ranked]
            self.store.keep_question(msg.user_id, held.language, redact(held.text), candidates)
            kept = self._t(held.language, s.QUESTION_KEPT).format(days=self.inbox_days)
            return Turn((self._reply(kept, held.language),))
        verdict, _, rest = value.partition(":")
        intent, _, token = rest.partition(":")
        if verdict not in THUMBS or intent not in self.kb.intents:
            return Turn((self._main_menu(lang),))
        if self.pending.first_vote(token, msg.user_id):
            self.store.count(day_of(self.clock()), verdict, lang, intent)
        if verdict == DOWN and self.pending.has(token, msg.user_id):
            button = Button(bid.make(bid.KEEP, token), self._t(lang, s.SEND_TO_TEAM))
            return Turn((self._reply(self._t(lang, s.FEEDBACK_SORRY), lang, (button,)),))
        return Turn((self._reply(self._t(lang, s.FEEDBACK_THANKS), lang),))
