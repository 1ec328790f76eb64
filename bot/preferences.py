"""Effects that change how the bot speaks to one user, in any flow."""

from __future__ import annotations

from bot.engine import Session
from bot.i18n import N_
from bot.model import Choice, Screen, Text
from bot.settings import LOCALES
from bot.turn import Refused, Turn

LANGUAGE_NAMES = {"nl": N_("🇳🇱 Nederlands"), "en": N_("🇬🇧 English")}


PUBLIC_FLOWS = ("welcome", "pupil", "parent")  # everyone who is not a coordinator


def choose_role(turn: Turn, flow: str | None) -> None:
    """Start over in the flow of the chosen role (or the role question); the language stays."""
    if flow not in PUBLIC_FLOWS or flow not in turn.stores.flows:
        raise Refused(Text(N_("That choice does not exist.")))
    locale = turn.session.locale
    turn.session = Session(flow, turn.stores.flows[flow].initial, {}, locale)


def offer_language(turn: Turn, _arg: str | None) -> None:
    choices = tuple(Choice(Text(LANGUAGE_NAMES[code]), "set_language", code) for code in LOCALES)
    turn.notices.append(Screen((Text(N_("Which language do you want?")),), rows=(choices,)))


def set_language(turn: Turn, code: str | None) -> None:
    if code not in LOCALES:
        raise Refused(Text(N_("I do not know that language.")))
    turn.session.locale = turn.locale = code
    # TRANSLATORS: shown in the language just chosen; say "from now on I speak <your language>".
    turn.say(N_("Okay, I will speak English now."))
