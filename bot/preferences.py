"""Effects that change how the bot speaks to one user, in any flow."""

from __future__ import annotations

from bot.i18n import N_
from bot.model import Choice, Screen, Text
from bot.settings import LOCALES
from bot.turn import Refused, Turn

LANGUAGE_NAMES = {"nl": N_("🇳🇱 Nederlands"), "en": N_("🇬🇧 English")}


def offer_language(turn: Turn, _arg: str | None) -> None:
    choices = tuple(Choice(Text(LANGUAGE_NAMES[code]), "set_language", code) for code in LOCALES)
    turn.notices.append(Screen((Text(N_("Which language do you want?")),), rows=(choices,)))


def set_language(turn: Turn, code: str | None) -> None:
    if code not in LOCALES:
        raise Refused(Text(N_("I do not know that language.")))
    turn.session.locale = turn.locale = code
    # TRANSLATORS: shown in the language just chosen; say "from now on I speak <your language>".
    turn.say(N_("Okay, I will speak English now."))
