"""The dialogue core: one inbound message in, a list of actions out; no channel, no network, only a store."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import replace

from bot.content.kinds.base import Registry
from bot.content.schema import Intent, KnowledgeBase
from bot.dialogue import button_ids as bid
from bot.dialogue import strings as s
from bot.dialogue.actions import (
    Action,
    Button,
    CaseDetails,
    Forgotten,
    Handoff,
    Inbound,
    Rated,
    Relay,
    Reply,
    Turn,
    Understanding,
)
from bot.dialogue.context import Lifespan, Slots
from bot.dialogue.policies import (
    CRISIS,
    HUMAN,
    MAX_TEXT,
    MEDICAL_ADVICE,
    MISSES_BEFORE_OFFER,
    OUT_OF_SCOPE,
    SELF_HARM,
    Bands,
)
from bot.dialogue.reading import ConversationReading
from bot.dialogue.render import Rendered, Renderer
from bot.dialogue.sharing import CentreCard, centre_cards, for_group
from bot.i18n import Interface, bidi_clean
from bot.nlu.entities import Entities, EntityIndex, in_cyrillic
from bot.nlu.language import LanguageGuesser
from bot.nlu.matcher import Matcher, Ranked
from bot.nlu.normalise import strip_controls
from bot.store.base import Store, Unanswered, UserState

MENUS = {"patients": s.MENU_PATIENTS, "professionals": s.MENU_PROFESSIONALS, "buyers": s.MENU_BUYERS}
# Commands any channel may pass as text ("/human"); each is a button payload.
COMMANDS = {
    "start": bid.START,
    "menu": bid.make(bid.MENU, "main"),
    "help": bid.make(bid.INTENT, "help_capabilities"),
    "language": bid.make(bid.MENU, "language"),
    "centres": bid.make(bid.MENU, "centres"),
    "human": bid.make(bid.HANDOFF, "offer"),
    "privacy": bid.make(bid.INTENT, "privacy_data_request"),
    "forget": bid.FORGET,
}
KEEP_UNANSWERED = 3
GREETING = "greeting"
COUNTRY_MAX = 60
# What keeps working while a coordinator has the conversation.
DURING_CASE = {bid.FORGET, bid.make(bid.INTENT, "privacy_data_request"), bid.make(bid.MENU, "language")}


class Engine(ConversationReading):
    """Decides what to say; everything it needs is passed in, so tests build it from a small knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        interface: Interface,
        matcher: Matcher,
        entities: EntityIndex,
        languages: LanguageGuesser,
        store: Store,
        bands: Bands | None = None,
        menus: dict[str, tuple[str, ...]] | None = None,
        lifespan: Lifespan | None = None,
        clock: Callable[[], float] = time.time,
        kinds: Registry | None = None,
    ) -> None:
        self.kb = kb
        self.ui = interface
        self.matcher = matcher
        self.entities = entities
        self.languages = languages
        self.store = store
        self.bands = bands or Bands()
        self.menus = menus or {}
        self.lifespan = lifespan or Lifespan()
        self.clock = clock
        self.rules = kb.config.context
        self.render = Renderer(kb, interface, kinds)
        self.kinds = self.render.kinds
        # The intent that answers a message made only of a name, by the kind of entity named.
        self.default_for = {e.kind: e.default_intent for _, e in self.kinds.entities() if e.default_intent}
        # Entity kinds carried from one turn to the next, besides the topic (the intent last answered) and the audience.
        self.carried = self.kinds.carried()

    # ---- entry point -------------------------------------------------------------------------------------
    def handle(self, msg: Inbound) -> Turn:
        """Answer one message; the user's state is read before and written after."""
        state = self.store.load_user(msg.user_id)
        if state.banned:
            return Turn(())
        before = (state.language, copy.deepcopy(state.context))
        Slots.age(state.context, self.lifespan, self.clock())
        text = strip_controls(msg.text or "")
        if msg.payload is None and text.strip().startswith("/"):
            command = text.strip()[1:].split("@", 1)[0].split(maxsplit=1)
            payload = COMMANDS.get(command[0].lower()) if command else None
            if payload:
                msg = replace(msg, text=None, payload=payload)
        payload = msg.payload or ""
        if state.open_case is not None and payload not in DURING_CASE and bid.parse(payload).kind != bid.LANG:
            turn = self._during_case(state, msg, text, state.open_case)
        elif msg.payload is not None:
            turn = self._payload(state, msg)
        elif msg.location is not None:
            turn = self._location(state, msg)
        elif msg.media:
            lang = self.language_for(state, msg.language_hint)
            turn = Turn((self._reply(self._t(lang, s.NOT_TEXT), lang),))
        else:
            turn = self._text(state, msg, text)
        changed = (state.language, state.context) != before
        if changed and not any(isinstance(a, Forgotten) for a in turn.actions):
            self.store.save_user(state)
        return turn

    def _during_case(self, state: UserState, msg: Inbound, text: str, case_id: int) -> Turn:
        """A coordinator has the conversation: relay what the user sends; only an emergency is still answered."""
        lang = self.language_for(state, msg.language_hint)
        payload = msg.payload or ""
        pressed = bid.parse(payload)
        if pressed.kind == bid.INTAKE:
            return self._intake(state, pressed.value, lang)
        if msg.payload is not None:  # a stale button: the coordinator answers now, not the menus
            return Turn((self._reply(self._t(lang, s.HANDOFF_STARTED), lang),))
        if msg.location is not None or msg.media or not text.strip():
            return Turn((Relay(case_id),))
        if state.context.get("intake") == "country":
            country = " ".join(text.split())
            if len(country) <= COUNTRY_MAX and len(country.split()) <= 4:  # a country, not a message to relay
                return self._ask_topic(state, lang, (CaseDetails(case_id, country=country),))
            state.context.pop("intake", None)
        ranked = self.matcher.rank(text[:MAX_TEXT])
        crisis = self.bands.crisis(ranked)
        if crisis is not None and crisis in self.kb.intents:
            # The user gets the crisis lines at once; the coordinators get the message, flagged.
            notice = f"{self.kb.intents[crisis].answer[lang]}\n\n{self._t(lang, s.EMERGENCY_RELAYED)}"
            return Turn(
                (self._reply(notice, lang), Relay(case_id, emergency=True)),
                Understanding(crisis, self._confidence_of(ranked, crisis), lang),
            )
        return Turn((Relay(case_id),))

    def choose_language(self, user_id: str, lang: str) -> None:
        """Set a user's language up front (a channel's --lang), as if they had picked it."""
        if lang not in self.kb.config.languages:
            raise ValueError(f"unknown language '{lang}' (available: {', '.join(self.kb.config.languages)})")
        state = self.store.load_user(user_id)
        state.language = lang
        self.store.save_user(state)

    # ---- languages ---------------------------------------------------------------------------------------
    def centre_cards(self, query: str, lang: str) -> list[CentreCard]:
        """Centres to share from any chat (a channel's inline search), by name."""
        return centre_cards(self, query, lang)

    @staticmethod
    def for_group(turn: Turn) -> Turn:
        """What of a turn a group chat may see: no hand-off offers there."""
        return for_group(turn)

    def language_for(self, state: UserState, hint: str | None, guessed: str | None = None) -> str:
        """The reply language: chosen, else the message's when clear, else the last clear one, else the hint."""
        langs = self.kb.config.languages
        if state.language in langs:
            return str(state.language)
        if guessed in langs:
            return str(guessed)
        last = state.context.get("last_language")
        if last in langs:
            return str(last)
        if hint:
            base = hint.replace("_", "-").split("-")[0].lower()
            if base in langs:
                return base
        return self.kb.config.default_language

    def _t(self, lang: str, msgid: str) -> str:
        return self.ui.gettext(lang, msgid)

    def _reply(self, text: str, lang: str, buttons: tuple[Button, ...] = ()) -> Reply:
        return Reply(bidi_clean(text, lang), lang, buttons)

    # ---- buttons and commands ----------------------------------------------------------------------------
    def _payload(self, state: UserState, msg: Inbound) -> Turn:
        lang = self.language_for(state, msg.language_hint)
        payload = msg.payload or ""
        pressed = bid.parse(payload)
        kind, value = pressed.kind, pressed.value
        if payload == bid.START:
            Slots(state.context).clear()  # starting over: nothing said before carries into what comes next
            return (
                self._answer(state, self.kb.intents["greeting"], lang, None, with_menu=True)
                if "greeting" in self.kb.intents
                else Turn((self._main_menu(lang),))
            )
        if kind == bid.MENU:
            if value in MENUS:
                Slots(state.context).set("audience", value)
            return Turn((self._menu(value, lang),))
        if kind == bid.LANG and value in self.kb.config.languages:
            state.language = value
            if "change_language" in self.kb.intents:
                return self._answer(state, self.kb.intents["change_language"], value, None, forced=("language", value))
            return Turn((self._main_menu(value),))
        if kind == bid.INTENT and value in self.kb.intents:
            return self._answer(state, self.kb.intents[value], lang, None)
        for of_kind, entity in self.kinds.entities():
            if entity.button is not None and kind == entity.button and value in self.kb.table(of_kind.key):
                intent = self.kb.intents.get(entity.default_intent or "")
                if intent is not None:
                    return self._answer(state, intent, lang, Entities((), 0), forced=(entity.kind, value))
        if kind == bid.HANDOFF:
            return self._handoff(state, value, lang, msg.user_id)
        if payload == bid.FORGET:
            cases = self.store.forget_user(msg.user_id)
            threads = tuple(c.thread_id for c in cases if c.thread_id is not None and c.has_thread)
            return Turn((self._reply(self._t(lang, s.FORGOTTEN), lang), Forgotten(msg.user_id, threads)))
        if kind == bid.RATE:
            return self._rate(msg.user_id, value, lang)
        if kind == bid.INTAKE:
            return self._intake(state, value, lang)
        return Turn((self._main_menu(lang),))

    def _main_menu(self, lang: str) -> Reply:
        buttons = [
            Button(bid.make(bid.MENU, key), self._t(lang, label)) for key, label in MENUS.items() if self.menus.get(key)
        ]
        buttons += [
            Button(bid.make(bid.MENU, "centres"), self._t(lang, s.MENU_CENTRES)),
            Button(bid.make(bid.MENU, "language"), self._t(lang, s.MENU_LANGUAGE)),
            Button(bid.make(bid.HANDOFF, "offer"), self._t(lang, s.MENU_HUMAN)),
        ]
        return self._reply(self._t(lang, s.MENU_PROMPT), lang, tuple(buttons))

    def _menu(self, name: str, lang: str) -> Reply:
        if name in self.menus:
            buttons = tuple(Button(bid.make(bid.INTENT, i), self.kb.intents[i].title[lang]) for i in self.menus[name])
            return self._reply(
                self._t(lang, s.TOPICS_PROMPT),
                lang,
                (*buttons, Button(bid.make(bid.MENU, "main"), self._t(lang, s.MENU_BACK))),
            )
        if name == "language":
            buttons = tuple(Button(bid.make(bid.LANG, c), self.ui.language_name(c)) for c in self.kb.config.languages)
            return self._reply(self._t(lang, s.CHOOSE_LANGUAGE), lang, buttons)
        if name == "centres":
            regions = []
            for region in self.kb.regions.values():
                if any(self.render.region_of(c) == region.id for c in self.kb.centres.values()):
                    regions.append(Button(bid.make(bid.REGION, region.id), region.name[lang]))
            regions.sort(key=lambda b: b.label)
            return self._reply(self._t(lang, s.CHOOSE_CITY), lang, tuple(regions))
        return self._main_menu(lang)

    def _handoff(self, state: UserState, step: str, lang: str, user_id: str) -> Turn:
        if step == "yes":
            # The case opens now, so nothing the user writes next is lost; the intake only refines it.
            state.context["intake"] = "who"
            state.context["misses"] = 0
            readings = tuple(Unanswered.from_json(item) for item in state.context.pop("unanswered", []))
            event = Handoff("requested", user_id, lang, readings)
            buttons = tuple(
                Button(bid.make(bid.INTAKE, "who", key), self._t(lang, label)) for key, label in s.WHO_LABELS.items()
            )
            skip = Button(bid.make(bid.INTAKE, "who", "skip"), self._t(lang, s.SKIP))
            return Turn(
                (
                    self._reply(self._t(lang, s.HANDOFF_STARTED), lang),
                    event,
                    self._reply(self._t(lang, s.INTAKE_WHO), lang, (*buttons, skip)),
                ),
                Understanding("human_handoff", 1.0, lang, handoff=True),
            )
        if step == "no":
            return Turn((self._reply(self._t(lang, s.HANDOFF_DECLINED), lang), Handoff("declined", user_id, lang)))
        buttons = (
            Button(bid.make(bid.HANDOFF, "yes"), self._t(lang, s.YES)),
            Button(bid.make(bid.HANDOFF, "no"), self._t(lang, s.NO)),
        )
        return Turn(
            (self._reply(self._t(lang, s.CONSENT_PROMPT), lang, buttons),),
            Understanding("human_handoff", 1.0, lang, handoff=True),
        )

    def _intake(self, state: UserState, value: str, lang: str) -> Turn:
        """Optional questions once the case is open, each skippable; answers go to the coordinators' card."""
        step, _, answer = value.partition(":")
        case_id = state.open_case
        if case_id is None or state.context.get("intake") is None:
            state.context.pop("intake", None)
            return Turn((self._main_menu(lang),))
        details: tuple[CaseDetails, ...] = ()
        if step == "who":
            if answer in s.WHO_LABELS:
                details = (CaseDetails(case_id, user_type=answer),)
            state.context["intake"] = "country"
            skip = Button(bid.make(bid.INTAKE, "country", "skip"), self._t(lang, s.SKIP))
            return Turn((*details, self._reply(self._t(lang, s.INTAKE_COUNTRY), lang, (skip,))))
        if step == "country":
            return self._ask_topic(state, lang)
        if step == "topic" and answer in s.TOPIC_LABELS:
            details = (CaseDetails(case_id, topic=answer),)
        state.context.pop("intake", None)
        return Turn((*details, self._reply(self._t(lang, s.HANDOFF_STARTED), lang)))

    def _ask_topic(self, state: UserState, lang: str, before: tuple[Action, ...] = ()) -> Turn:
        state.context["intake"] = "topic"
        buttons = tuple(
            Button(bid.make(bid.INTAKE, "topic", key), self._t(lang, label)) for key, label in s.TOPIC_LABELS.items()
        )
        skip = Button(bid.make(bid.INTAKE, "topic", "skip"), self._t(lang, s.SKIP))
        return Turn((*before, self._reply(self._t(lang, s.INTAKE_TOPIC), lang, (*buttons, skip))))

    def _rate(self, user_id: str, value: str, lang: str) -> Turn:
        case_id, _, rating = value.partition(":")
        case = self.store.get_case(int(case_id)) if case_id.isdigit() else None
        if case is None or case.user_id != user_id or not rating.isdigit() or not 1 <= int(rating) <= 5:
            return Turn((self._main_menu(lang),))
        self.store.rate_case(case.id, int(rating))
        return Turn((self._reply(self._t(lang, s.RATED), lang), Rated(case.id, int(rating))))

    def _location(self, state: UserState, msg: Inbound) -> Turn:
        lang = self.language_for(state, msg.language_hint)
        assert msg.location is not None
        lines, venues = self.render.nearest_lines(msg.location.lat, msg.location.lon, lang)
        buttons = tuple(Button(bid.make(bid.CENTRE, v.centre_id), v.title) for v in venues)
        return Turn((self._reply(f"{self._t(lang, s.NEAREST_CENTRES)}\n{lines}", lang, buttons), *venues))

    # ---- text --------------------------------------------------------------------------------------------
    def _text(self, state: UserState, msg: Inbound, text: str) -> Turn:
        text = text[:MAX_TEXT]
        found = self.entities.find(text)
        if self.matcher.transliteration(text) == "ru":
            found = found.with_names_of(self.entities.find(in_cyrillic(text)))
        guess = self.languages.guess(text, found)
        lang = self.language_for(state, msg.language_hint, guess.language if guess.clear else None)
        if guess.clear:
            state.context["last_language"] = guess.language
        if not any(ch.isalnum() for ch in text):
            key = s.EMPTY_MESSAGE if not text.strip() else s.UNREADABLE_MESSAGE
            return Turn((self._reply(self._t(lang, key), lang),), Understanding(OUT_OF_SCOPE, 0.0, lang))
        plain = self.matcher.rank(text, found=found)
        ranked = self._in_context(state, text, lang, found, plain)
        turn = self._decide(state, text, lang, plain, ranked, found)
        turn = self._safety_lines(turn, plain)
        switch = self._switch_offer(state, guess.language if guess.clear else None, lang)
        return self._amend_first(turn, button=switch) if switch else turn

    def _safety_lines(self, turn: Turn, ranked: list[Ranked]) -> Turn:
        """A crisis or a medical question that is only a second reading still gets its line, above the answer."""
        answered = turn.understanding.intent if turn.understanding else None
        if answered in CRISIS:
            return turn
        second = self.bands.second_crisis(ranked)
        if second is not None:
            return self._amend_first(turn, prefix=s.SELF_HARM_HINT if second == SELF_HARM else s.EMERGENCY_HINT)
        if answered not in (MEDICAL_ADVICE, OUT_OF_SCOPE, None) and self.bands.medical_beside(ranked):
            return self._amend_first(turn, prefix=s.NO_ADVICE_HINT)
        return turn

    def _amend_first(self, turn: Turn, *, prefix: str | None = None, button: Button | None = None) -> Turn:
        """The first reply with a line put above it (in its language) or a button added under it."""
        if not turn.actions or not isinstance(turn.actions[0], Reply):
            return turn
        first = turn.actions[0]
        text = f"{self._t(first.language, prefix)}\n\n{first.text}" if prefix else first.text
        buttons = (*first.buttons, button) if button else first.buttons
        return Turn((self._reply(text, first.language, buttons), *turn.actions[1:]), turn.understanding)

    def _switch_offer(self, state: UserState, detected: str | None, lang: str) -> Button | None:
        """A message clearly in another language than the chosen one gets a button to switch, never a silent switch."""
        if state.language and detected and detected != lang and detected in self.kb.config.languages:
            name = self.ui.language_name(detected)
            return Button(bid.make(bid.LANG, detected), self._t(detected, s.SWITCH_LANGUAGE).format(language=name))
        return None

    def _decide(
        self, state: UserState, text: str, lang: str, plain: list[Ranked], ranked: list[Ranked], found: Entities
    ) -> Turn:
        """Crises are read on the message alone; everything else in the light of the conversation."""
        entities = found.as_dict()
        crisis = self.bands.crisis(plain)
        if crisis is not None and crisis in self.kb.intents:
            return self._answer(
                state, self.kb.intents[crisis], lang, found, confidence=self._confidence_of(plain, crisis)
            )
        ranked = self._lists_of_a_place(self._expertise_of_a_name(self._in_scope(ranked, found), found, text), found)
        top = ranked[0] if ranked else Ranked(OUT_OF_SCOPE, 0.0)
        band = self.bands.decide(ranked)
        named = [f for f in found.found if f.kind in self.default_for]
        covered = found.covered()
        only_names = covered >= 0.99  # "IGR", "Curie ?": the card, whatever the phrasing model guesses
        again = self._same_question(state, found, top, band)
        if again is not None:
            return self._answer(state, again[0], lang, found, confidence=max(top.confidence, 0.5), forced=again[1])
        where = (
            self._where_for_a_place(ranked, found, self.bands.suggest)
            if band != "answer" or top.intent == MEDICAL_ADVICE
            else None
        ) or self._does_a_centre_treat(ranked, found, self.bands.suggest)
        if where is not None:
            turn = self._answer(
                state, self.kb.intents[where], lang, found, confidence=self._confidence_of(ranked, where)
            )
            return self._amend_first(turn, prefix=s.NO_ADVICE_HINT) if top.intent == MEDICAL_ADVICE else turn
        if named and (only_names or (band != "answer" and covered >= 0.6)):
            intent = self.kb.intents.get(self.default_for[named[0].kind])
            if intent is not None:
                return self._answer(state, intent, lang, found, confidence=max(top.confidence, 0.5))
        if band == "answer":
            return self._answer(state, self.kb.intents[top.intent], lang, found, confidence=top.confidence)
        treated = self._where_before_advice(ranked, found) if band == "suggest" else None
        if treated is not None:
            return self._answer(
                state, self.kb.intents[treated], lang, found, confidence=self._confidence_of(ranked, treated)
            )
        if self.bands.unsure_medical(plain) and MEDICAL_ADVICE in self.kb.intents:
            confidence = self._confidence_of(plain, MEDICAL_ADVICE)
            return self._answer(state, self.kb.intents[MEDICAL_ADVICE], lang, found, confidence=confidence)
        if band == "suggest":
            options = [
                r
                for r in ranked[:3]
                if r.intent not in (OUT_OF_SCOPE, *CRISIS) and r.confidence >= self.bands.suggest / 2
            ]
            buttons = tuple(
                Button(bid.make(bid.INTENT, r.intent), self.kb.intents[r.intent].title[lang]) for r in options
            )
            self._remember(state, found)
            return Turn(
                (
                    self._reply(
                        self._t(lang, s.DID_YOU_MEAN),
                        lang,
                        (*buttons, Button(bid.make(bid.HANDOFF, "offer"), self._t(lang, s.MENU_HUMAN))),
                    ),
                ),
                # Not understood well enough to answer: reported as out of scope, the candidates as suggestions.
                Understanding(
                    OUT_OF_SCOPE, round(1 - top.confidence, 4), lang, entities, tuple(r.intent for r in options), True
                ),
            )
        return self._miss(state, self.matcher.is_junk(text, found), lang, top, entities)

    def _miss(self, state: UserState, junk: bool, lang: str, top: Ranked, entities: dict[str, str]) -> Turn:
        """Out of scope; junk (laughter, mash) leaves no question unanswered and does not bring the offer nearer."""
        misses = int(state.context.get("misses", 0)) + (not junk)
        state.context["misses"] = misses
        if not junk:
            unanswered = list(state.context.get("unanswered", []))[-(KEEP_UNANSWERED - 1) :]
            # Only what was understood of it: the text itself is never kept before the user agrees to share it.
            unanswered.append(Unanswered(top.intent, round(top.confidence, 3)).to_json())
            state.context["unanswered"] = unanswered
        human = Button(bid.make(bid.HANDOFF, "offer"), self._t(lang, s.MENU_HUMAN))
        understanding = Understanding(
            OUT_OF_SCOPE,
            top.confidence if top.intent == OUT_OF_SCOPE else 1 - top.confidence,
            lang,
            entities,
            (),
            True,
        )
        fallback = self.kb.intents.get(OUT_OF_SCOPE)
        if misses >= MISSES_BEFORE_OFFER or fallback is None:
            return Turn((self._reply(self._t(lang, s.STILL_NOT_UNDERSTOOD), lang, (human,)),), understanding)
        body = fallback.answer[lang]
        buttons = (*self._follow_ups(fallback, lang), human)
        return Turn((self._reply(body, lang, buttons),), understanding)

    def _follow_ups(self, intent: Intent, lang: str) -> tuple[Button, ...]:
        return tuple(Button(bid.make(bid.INTENT, f), self.kb.intents[f].title[lang]) for f in intent.follow_ups)

    def _answer(
        self,
        state: UserState,
        intent: Intent,
        lang: str,
        found: Entities | None,
        *,
        confidence: float = 1.0,
        forced: tuple[str, str] | None = None,
        with_menu: bool = False,
    ) -> Turn:
        """Answer an intent, about the entity named now, or else the one talked about before."""
        if intent.id == HUMAN:  # asking for a person goes straight to the consent question
            return self._handoff(state, "offer", lang, state.user_id)
        if intent.id in CRISIS:
            return self._crisis(state, intent, lang, confidence)
        found = found or Entities((), 0)
        slots = Slots(state.context)
        self._remember(state, found)
        if intent.id != OUT_OF_SCOPE:
            state.context["misses"] = 0
        if forced:
            slots.set(forced[0] if forced[0] != "region" else "city", forced[1])
        entity, carried = self._entity_for(intent, state, found, forced)
        if intent.kind == "language_switch" and entity:
            state.language = entity
        cancer, cancer_carried = self._cancer_type(intent, state, found)
        rendered: Rendered = self.render.render(intent, lang, entity if intent.kind else None, cancer)
        out_lang = rendered.language or lang
        text, buttons = rendered.text, list(rendered.buttons)
        if entity and not intent.kind:  # a practical answer, with the pages of the centre it is about
            centre = self.kb.centres[entity]
            text = f"{text}\n\n{self._t(out_lang, s.FOR_CENTRE).format(centre=centre.display_name(out_lang))}"
            # The address itself too, so a channel without buttons still gives the page to write to.
            page = centre.international_page or centre.website
            text = f"{text}\n{page}" if page else text
            buttons = [*self.render.centre_buttons(centre, out_lang), *buttons]
        buttons += self._follow_ups(intent, out_lang)
        handoff = intent.offers_handoff
        if handoff:
            buttons.append(Button(bid.make(bid.HANDOFF, "offer"), self._t(out_lang, s.MENU_HUMAN)))
        actions: list[Action] = [self._reply(text, out_lang, tuple(buttons))]
        actions.extend(rendered.venues)
        if with_menu or intent.id == GREETING:
            actions.append(self._main_menu(out_lang))
        self._note_topic(state, intent, rendered)
        entities = found.as_dict()
        if forced and forced[0] in ("centre", "city", "organisation"):
            entities[forced[0]] = forced[1]
        kind = self._entity_kind(intent)
        if entity and kind and kind != "language":
            entities[kind] = entity
        if cancer:
            entities["cancer_type"] = cancer
        context = ((kind,) if carried and kind else ()) + (("cancer_type",) if cancer_carried else ())
        understanding = Understanding(
            intent.id, round(confidence, 4), out_lang, entities, tuple(intent.follow_ups), handoff, context
        )
        return Turn(tuple(actions), understanding)

    def _crisis(self, state: UserState, intent: Intent, lang: str, confidence: float) -> Turn:
        """The crisis lines alone: no page, map or topic buttons under them; a person offered where the content says."""
        state.context["misses"] = 0
        buttons = (
            (Button(bid.make(bid.HANDOFF, "offer"), self._t(lang, s.MENU_HUMAN)),) if intent.offers_handoff else ()
        )
        understanding = Understanding(intent.id, round(confidence, 4), lang, handoff=intent.offers_handoff)
        return Turn((self._reply(intent.answer[lang], lang, buttons),), understanding)
