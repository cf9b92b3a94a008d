"""How the engine reads a message in its conversation: the topic, the name given, what a short message leaves unsaid."""

from __future__ import annotations

from bot.content.kinds.base import Registry
from bot.content.schema import ContextRules, Intent, KnowledgeBase
from bot.dialogue import button_ids as bid
from bot.dialogue.context import Slots, is_short, read_in_context, with_subject
from bot.dialogue.policies import CRISIS, HUMAN, MEDICAL_ADVICE, OUT_OF_SCOPE
from bot.dialogue.render import Rendered, Renderer
from bot.nlu.entities import Entities, EntityIndex
from bot.nlu.matcher import Matcher, Ranked
from bot.nlu.sentences import asking_part
from bot.store.base import UserState

# Intents that keep the conversation going without changing what it is about.
NOT_A_TOPIC = frozenset(
    {
        "greeting",
        "goodbye",
        "thanks",
        "help_capabilities",
        "change_language",
        "privacy_data_request",
        OUT_OF_SCOPE,
        HUMAN,
        MEDICAL_ADVICE,  # a question we do not answer is not what the conversation is about
    }
)
# Answers about centres that a cancer type narrows ("sarcoma centres near Lyon", "does Curie treat eye tumours?").
CANCER_AWARE = ("centres_near", "centre_specialties")
# Readings that, with a cancer named, also ask where it is treated (besides the listing of centres).
WHERE_TREATED = ("paediatric_cancer",)
ELLIPSIS_WORDS = 2.5  # words besides the name in "and in Bordeaux?", "what about Nice?", "e em Toulouse?"


class ConversationReading:
    """The engine's reading of follow-ups; the engine holds the parts (swapped whole on a reload, never cached here)."""

    kb: KnowledgeBase
    matcher: Matcher
    entities: EntityIndex
    render: Renderer
    rules: ContextRules
    kinds: Registry
    menus: dict[str, tuple[str, ...]]
    default_for: dict[str, str]
    carried: tuple[str, ...]

    def _in_context(self, state: UserState, text: str, lang: str, found: Entities, plain: list[Ranked]) -> list[Ranked]:
        """A short message read with the conversation's topic: what it says, plus what it leaves unsaid."""
        topic = Slots(state.context).get("topic")
        intent = self.kb.intents.get(topic or "")
        if intent is None or not is_short(found.words):
            return plain
        named = {f.kind for f in found.found}
        keep = frozenset(
            {
                *CRISIS,
                MEDICAL_ADVICE,
                *(r.intent for r in plain if self._entity_kind(self.kb.intents[r.intent]) in named),
            }
        )
        # "How long does it take?" says no subject: the topic's own title supplies it.
        said = f"{text}\n{intent.title.get(lang, '')}"
        ranked = with_subject(
            plain, self.matcher.rank(said, found=self.entities.find(said)), self.rules.family(intent.id), keep
        )
        return read_in_context(ranked, intent.id, self.rules, found.words, keep)

    def _lists_of_a_place(self, ranked: list[Ranked], found: Entities) -> list[Ranked]:
        """With a place named ("which cancer centres are in Strasbourg?"), the list of all is that place's list."""
        listing = self.default_for["city"]
        if listing not in self.kb.intents or not any(f.kind in ("city", "region") for f in found.found):
            return ranked
        merged: dict[str, float] = {}
        for r in ranked:
            meant = listing if self.kb.intents[r.intent].kind == "centre_list" else r.intent
            merged[meant] = merged.get(meant, 0.0) + r.confidence
        return sorted((Ranked(i, p) for i, p in merged.items()), key=lambda r: -r.confidence)

    def _where_for_a_place(self, ranked: list[Ranked], found: Entities, suggest: float) -> str | None:
        """A place named and the place's centres a plausible reading: "centres near Toulouse", "a transplant in Paris?".

        Returns the listing to answer when it is the best reading short of sure, or when a medical reading beats it
        but the message names both a cancer and a place: where to be treated, which needs no advice to answer.
        """
        listing = self.default_for.get("city", "")
        if listing not in self.kb.intents or not any(f.kind in ("city", "region") for f in found.found):
            return None
        top = ranked[0] if ranked else None
        score = self._confidence_of(ranked, listing)
        if top is None or score < suggest:
            return None
        if top.intent == listing or (top.intent == MEDICAL_ADVICE and found.first("cancer_type")):
            return listing
        return None

    def _does_a_centre_treat(self, ranked: list[Ranked], found: Entities, suggest: float) -> str | None:
        """A centre and a cancer named, what the centre treats the best reading or a plausible one behind a medical one.

        "my father has lung cancer, does Foch operate on that?" asks what a hospital does, which needs no advice to
        answer: the centre's recorded areas for that cancer, under the no-advice line. Read as the centres of a place
        while naming one centre in its own city, it is about that centre too.
        """
        centre, cancer = found.first("centre"), found.first("cancer_type")
        if not (centre and cancer) or not ranked:
            return None
        meant = next((i.id for i in self.kb.intents.values() if i.kind == "centre_specialties"), None)
        if meant is None:
            return None
        if ranked[0].intent == self.default_for.get("city", ""):
            # "at Foch in Suresnes, do they operate on that?": one centre named, in its own city: that centre.
            centres = {f.id for f in found.found if f.kind == "centre"}
            places = {f.id for f in found.found if f.kind in ("city", "region")}
            record = self.kb.centres.get(centre)
            return meant if len(centres) == 1 and record is not None and places <= set(record.cities) else None
        if ranked[0].intent == meant:  # read first but unsure, a medical reading behind: still that centre's areas
            return meant
        if ranked[0].intent != MEDICAL_ADVICE:
            return None
        score = self._confidence_of(ranked, meant)
        return meant if score >= suggest else None

    def _where_before_advice(self, ranked: list[Ranked], found: Entities) -> str | None:
        """A cancer named and where it is treated the best reading, a medical one behind: the centres, not a refusal.

        "my daughter has a retinoblastoma, where in France is it treated?" asks where, which needs no advice to answer;
        the no-advice line still goes above the list (a medical second reading), as for a place named.
        """
        if not found.first("cancer_type") or not ranked:
            return None
        where = {self.default_for.get("city", ""), *WHERE_TREATED}
        top = ranked[0].intent
        return top if top in where and top in self.kb.intents else None

    @staticmethod
    def _confidence_of(ranked: list[Ranked], intent: str) -> float:
        return next((r.confidence for r in ranked if r.intent == intent), 0.0)

    @staticmethod
    def _in_scope(ranked: list[Ranked], found: Entities) -> list[Ranked]:
        """A centre or a cancer named keeps a message in scope: the other readings share what out-of-scope had."""
        named = found.first("centre") or found.first("cancer_type")
        if not named or not any(r.intent == OUT_OF_SCOPE for r in ranked):
            return ranked
        rest = [r for r in ranked if r.intent != OUT_OF_SCOPE]
        share = sum(r.confidence for r in rest)
        return [Ranked(r.intent, r.confidence / share) for r in rest] if share > 0 else ranked

    def _expertise_of_a_name(self, ranked: list[Ranked], found: Entities, text: str = "") -> list[Ranked]:
        """A centre or a cancer named turns an `expertise` reading (buying radiotherapy) into what centres treat.

        A cancer told only in the story before the question does not: "my son has a brain tumour ... where in France
        is there proton therapy?" asks where the treatment is given, not which centres record brain tumours.
        """
        wanted = "centre_specialties" if found.first("centre") else "centres_near" if found.first("cancer_type") else ""
        if wanted == "centres_near" and self._named_only_in_the_story(text, "cancer_type"):
            return ranked
        meant = next((i.id for i in self.kb.intents.values() if wanted and i.kind == wanted), None)
        if meant is None or not self.rules.expertise:
            return ranked
        merged: dict[str, float] = {}
        for r in ranked:
            key = meant if r.intent in self.rules.expertise else r.intent
            merged[key] = merged.get(key, 0.0) + r.confidence
        return sorted((Ranked(i, p) for i, p in merged.items()), key=lambda r: -r.confidence)

    def _named_only_in_the_story(self, text: str, kind: str) -> bool:
        """A message that tells a story and asks a question, whose question names no entity of this kind."""
        question = asking_part(text) if text else None
        return question is not None and not self.entities.find(question).first(kind)

    def _same_question(
        self, state: UserState, found: Entities, top: Ranked, band: str
    ) -> tuple[Intent, tuple[str, str]] | None:
        """A short message naming a new place or centre ("and in Bordeaux?") asks the last question about it."""
        topic = Slots(state.context).get("topic")
        intent = self.kb.intents.get(topic or "")
        if intent is None or not is_short(found.words):
            return None
        if intent.kind == "centre_list":  # after the list of all centres, "and in Lyon?" asks for Lyon's
            intent = self.kb.intents.get(self.default_for["city"]) or intent
        # Only a name and a word or two around it ("and in Bordeaux?", "那波尔多呢？") is an ellipsis, however it reads.
        bare = found.words * (1 - found.covered()) <= ELLIPSIS_WORDS
        if band == "answer" and top.intent != intent.id and not bare:
            return None
        wants = self._entity_kind(intent)
        accepted = ("city", "region") if wants == "city" else (wants,)
        named = next((f for f in found.found if f.kind in accepted), None)
        if named:
            return intent, (named.kind, named.id)
        cancer = next((f for f in found.found if f.kind == "cancer_type"), None)
        if cancer and intent.kind in CANCER_AWARE:  # "and for breast cancer?": the same centres, for that cancer
            return intent, (cancer.kind, cancer.id)
        place = next((f for f in found.found if f.kind in ("city", "region")), None)
        if wants != "centre" or place is None or (band == "answer" and not bare):  # a question of its own
            return None
        # A place after a question about a centre: that place's centre if it has one, else its centres.
        here = [c.id for c in self.kb.centres.values() if self.render.region_of(c) == place.id or c.city == place.id]
        if len(here) == 1 and place.kind == "city":
            return intent, ("centre", here[0])
        listing = self.kb.intents.get(self.default_for["city"])
        return (listing, (place.kind, place.id)) if listing else None

    def _entity_kind(self, intent: Intent) -> str | None:
        """The kind of entity an answer is about: by its kind, or a centre for answers that name one in context."""
        answer = self.kinds.answers.get(intent.kind or "")
        kind = answer.entity if answer else None
        return kind or ("centre" if intent.id in self.rules.about_centre else None)

    def _remember(self, state: UserState, found: Entities) -> None:
        slots = Slots(state.context)
        for kind in self.carried:
            value = found.first(kind) or (found.first("region") if kind == "city" else None)
            if value:
                slots.set(kind, value)

    def _note_topic(self, state: UserState, intent: Intent, rendered: Rendered) -> None:
        """What the conversation is now about: the topic, who asks, and the centre when an answer names only one."""
        if intent.id in NOT_A_TOPIC:
            return
        slots = Slots(state.context)
        slots.set("topic", intent.id)
        audiences = [name for name, ids in self.menus.items() if intent.id in ids]
        if len(audiences) == 1:
            slots.set("audience", audiences[0])
        pressed = [bid.parse(b.id) for b in rendered.buttons]
        centres = [p.value for p in pressed if p.kind == bid.CENTRE]
        if len(centres) == 1 and centres[0] in self.kb.centres:
            slots.set("centre", centres[0])

    def _cancer_type(self, intent: Intent, state: UserState, found: Entities) -> tuple[str | None, bool]:
        """The cancer an answer about centres narrows to: named now, or the one talked about before."""
        now = found.first("cancer_type")
        if now or intent.kind not in CANCER_AWARE:
            return now, False
        carried = Slots(state.context).use("cancer_type")
        return carried, carried is not None

    def _entity_for(
        self, intent: Intent, state: UserState, found: Entities, forced: tuple[str, str] | None
    ) -> tuple[str | None, bool]:
        """The entity the answer is about, and whether it was carried from earlier in the conversation."""
        kind = self._entity_kind(intent)
        if kind is None:
            return None, False
        if forced and (forced[0] == kind or (kind == "city" and forced[0] == "region")):
            return forced[1], False
        now = found.first(kind)
        if kind == "city":
            now = now or found.first("region") or self._city_of_centre(found)
        if now is not None or kind not in self.carried:
            return now, False
        carried = Slots(state.context).use(kind)
        return carried, carried is not None

    def _city_of_centre(self, found: Entities) -> str | None:
        centre = found.first("centre")
        return self.kb.centres[centre].city if centre else None
