"""Effects that change how the bot speaks to one user, in any flow."""

from __future__ import annotations

from bot.chat.turn import Turn
from bot.core.engine import TYPED, TYPED_PHOTOS, Session
from bot.core.i18n import LOCALES, N_, NC_
from bot.core.model import Choice, Refused, Screen, Text

LANGUAGE_NAMES = {"nl": N_("🇳🇱 Nederlands"), "en": N_("🇬🇧 English")}


PUBLIC_FLOWS = ("welcome", "pupil", "parent")  # everyone who is not a coordinator


def choose_role(turn: Turn, flow: str | None) -> None:
    """Start over in the flow of the chosen role (or the role question); the language stays."""
    if flow not in PUBLIC_FLOWS or flow not in turn.flows:
        raise Refused(Text(N_("That choice does not exist.")))
    locale = turn.session.locale
    answers = turn.session.answers
    typed = {key: answers[key] for key in (TYPED, TYPED_PHOTOS) if key in answers}
    turn.session = Session(flow, turn.flows[flow].initial, typed, locale)
    if typed and flow != "welcome":  # what was typed before the role question is kept
        turn.say(KEPT)


KEPT = N_("I have kept what you typed. To tell the school, tap ✉️ I want to report something.")
NC_("parent", "I have kept what you typed. To tell the school, tap ✉️ I want to report something.")


def offer_language(turn: Turn, _arg: str | None) -> None:
    choices = tuple(Choice(Text(LANGUAGE_NAMES[code]), "set_language", code) for code in LOCALES)
    question = Text(N_("Which language do you want?"))
    turn.notices.append(Screen((question,), rows=(choices,), asks=True))


def set_language(turn: Turn, code: str | None) -> None:
    if code not in LOCALES:
        raise Refused(Text(N_("I do not know that language.")))
    turn.session.locale = turn.locale = code
    # TRANSLATORS: shown in the language just chosen; say "from now on I speak <your language>".
    turn.say(N_("Okay, I will speak English now."))


EFFECTS = {
    "offer_language": offer_language,
    "set_language": set_language,
    "choose_role": choose_role,
}
