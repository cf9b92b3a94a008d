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
CHOOSE_CITY = N_("Choose a city:")

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

# Hand-off intake: optional, every step can be skipped.
INTAKE_WHO = N_("To help the coordinator, you can say a little more (or skip). Who are you?")
WHO_PATIENT = N_("A patient")
WHO_FAMILY = N_("Family or friend")
WHO_PROFESSIONAL = N_("Health professional")
WHO_BUYER = N_("Buyer or partner")
INTAKE_COUNTRY = N_("Which country are you writing from? Type its name, or skip.")
INTAKE_TOPIC = N_("What is it about?")
TOPIC_CARE = N_("Treatment in France")
TOPIC_TRAINING = N_("Training")
TOPIC_BUYING = N_("French oncology solutions")
TOPIC_OTHER = N_("Something else")
SKIP = N_("Skip")
OUT_OF_HOURS = N_("Our coordinators are away now. They will be back {when} (Paris time) and will answer you here.")
CASE_CLOSED = N_(
    "The coordinator has closed this conversation. I am the automatic assistant again: you can ask me anything."
)
CASE_REOPENED = N_("A coordinator has reopened the conversation and will answer you here.")
RATE_PROMPT = N_("How helpful was the coordinator? (1 = not at all, 5 = very)")
RATED = N_("Thank you for your rating.")
NOT_RELAYED = N_(
    "This message could not be passed to your coordinator. Please send it again as text, or as a photo or a document."
)
EMERGENCY_RELAYED = N_("Your coordinator has been told that this may be an emergency.")
EMERGENCY_HINT = N_("If this is an emergency: in France call 15 or 112; abroad, call your local emergency number.")
FOR_CENTRE = N_("For {centre}: its own pages are below.")
SELF_HARM_HINT = N_(
    "If you or someone close to you is thinking of suicide: in France, call 3114 (free, day and night, answered in "
    "French); in immediate danger, 15 or 112; abroad, your local emergency number."
)
NO_ADVICE_HINT = N_(
    "I cannot give medical advice: only the doctors who know the case can. Here is the practical part of your question."
)

# The learning loop: a question kept only when the user presses the button, and feedback on answers.
SEND_TO_TEAM = N_("Send this question to the team")
QUESTION_KEPT = N_(
    "Thank you: your question was sent to the team that writes my answers, with phone numbers, e-mail addresses and "
    "document numbers masked. It is kept {days} days; /forget erases it."
)
QUESTION_GONE = N_("I no longer have that question: I hold it only a few minutes. Please send your question again.")
FEEDBACK_THANKS = N_("Thank you for your feedback.")
FEEDBACK_SORRY = N_(
    "Thank you. Sorry this did not help: you can send your question to the team that writes my answers."
)

# Privacy.
FORGOTTEN = N_("Everything stored about you has been erased.")

# Channel notices.
FLOODING = N_("You are sending many messages at once. I will read your messages again in a minute.")
NOT_TEXT = N_(
    "I can only read text messages. Please do not send medical files or photos of reports here: the hospitals "
    "have secure channels for them. Type your question in a few words."
)
SORRY = N_("Sorry, something went wrong on my side. Please try again in a moment.")

# Descriptions of the chat app's command menu.
CMD_HELP = N_("What I can do")
CMD_PRIVACY = N_("Your data and privacy")
CMD_FORGET = N_("Erase everything about you")

# Shown to coordinators, in the coordinators' language (not the user's).
CARD_TITLE = N_("Ticket #{ticket}")
CARD_LANGUAGE = N_("Language: {language}")
CARD_COUNTRY = N_("Country: {country}")
CARD_WHO = N_("Writing as: {who}")
CARD_TOPIC = N_("Topic: {topic}")
CARD_UNANSWERED = N_("Questions the assistant could not answer:")
CARD_HOW_TO = N_(
    "Write in this topic to answer the user. Commands: /close, /reopen, /note TEXT (kept here, never sent), "
    "/ban, /unban, /who."
)
CARD_HOW_TO_REPLY = N_("Reply to this message to answer the user.")
GROUP_EMERGENCY = N_("⚠ The user wrote what may be an emergency. They were given the emergency number.")
GROUP_BLOCKED = N_("The user has blocked the assistant: messages cannot reach them.")
GROUP_UNDELIVERED = N_("This message could not be delivered to the user: {reason}")
GROUP_CLOSED = N_("Conversation closed; the user was told. /reopen to reopen it.")
GROUP_REOPENED = N_("Conversation reopened; the user was told.")
GROUP_NOTE = N_("Note kept in this topic; it was not sent to the user.")
GROUP_BANNED = N_("The user is banned: their messages are no longer relayed.")
GROUP_UNBANNED = N_("The user is no longer banned.")
GROUP_WHO = N_("Ticket history: {tickets}")
GROUP_RATED = N_("The user rated this conversation {rating}/5.")
GROUP_FORGOTTEN = N_("The user asked to erase their data; this conversation has ended.")
GROUP_NO_CASE = N_("No conversation is linked to this topic or message.")

# The optional intake's choices: stable ids (stored on cases) and their labels.
WHO_LABELS = {"patient": WHO_PATIENT, "family": WHO_FAMILY, "professional": WHO_PROFESSIONAL, "buyer": WHO_BUYER}
TOPIC_LABELS = {"care": TOPIC_CARE, "training": TOPIC_TRAINING, "buying": TOPIC_BUYING, "other": TOPIC_OTHER}

# Every string above, for the catalogue checks: derived, so a new string cannot be left out of them.
EVERY = tuple(value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str))
