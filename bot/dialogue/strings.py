"""Every interface string the assistant says, marked for `pybabel extract -k N_`; translations live in locales/."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


# Main menu: ids are stable, labels translated.
MENU_PROMPT = N_("How can I help you? Choose a topic or type your question.")
MENU_PATIENTS = N_("Patients and families")
MENU_PROFESSIONALS = N_("Health professionals")
MENU_BUYERS = N_("Buyers and partners")
MENU_CENTRES = N_("Find a centre")
MENU_LANGUAGE = N_("Language")
MENU_HUMAN = N_("Talk to a coordinator")
MENU_BACK = N_("Main menu")
TOPICS_PROMPT = N_("Choose a topic:")

# Understanding.
EMPTY_MESSAGE = N_("Please type your question in a few words.")
UNREADABLE_MESSAGE = N_("I could not read that message. Please type your question in a few words.")
DID_YOU_MEAN = N_("I am not sure I understood. Did you mean:")
STILL_NOT_UNDERSTOOD = N_(
    "I still cannot find an answer to that. A coordinator, a person of our team, can help you. "
    "Would you like to talk to a coordinator?"
)
SWITCH_LANGUAGE = N_("Continue in {language}")
CHOOSE_LANGUAGE = N_("Choose your language:")
CHOOSE_CENTRE = N_("Choose a centre:")
CHOOSE_CITY = N_("Choose a city:")
CHOOSE_ORGANISATION = N_("Choose an organisation:")

NEAREST_CENTRES = N_("The centres nearest to you:")

# Centre cards.
WEBSITE = N_("Website")
INTERNATIONAL_PAGE = N_("International patients")

# Hand-off.
CONSENT_PROMPT = N_(
    "I can pass this conversation to a coordinator, a person of our team. I would share with them your "
    "language, the questions I could not answer and the messages you send from now on, nothing else. "
    "Please do not send medical files here: the hospitals have secure channels for them. "
    "Shall I pass the conversation to a coordinator?"
)
YES = N_("Yes")
NO = N_("No")
HANDOFF_STARTED = N_("Thank you. A coordinator will answer you here as soon as possible.")
HANDOFF_DECLINED = N_("All right, nothing has been shared. You can keep asking me questions.")

# Privacy.
FORGOTTEN = N_("Everything stored about you has been erased.")

ALL = (
    MENU_PROMPT,
    MENU_PATIENTS,
    MENU_PROFESSIONALS,
    MENU_BUYERS,
    MENU_CENTRES,
    MENU_LANGUAGE,
    MENU_HUMAN,
    MENU_BACK,
    TOPICS_PROMPT,
    EMPTY_MESSAGE,
    UNREADABLE_MESSAGE,
    DID_YOU_MEAN,
    STILL_NOT_UNDERSTOOD,
    SWITCH_LANGUAGE,
    CHOOSE_LANGUAGE,
    CHOOSE_CENTRE,
    CHOOSE_CITY,
    CHOOSE_ORGANISATION,
    WEBSITE,
    INTERNATIONAL_PAGE,
    NEAREST_CENTRES,
    CONSENT_PROMPT,
    YES,
    NO,
    HANDOFF_STARTED,
    HANDOFF_DECLINED,
    FORGOTTEN,
)
