"""What the bot keeps and how to be forgotten: /privacy and /vergeet (/forget).

/privacy must answer even when the database cannot be read, so its text needs nothing from it.
Forgetting removes the user's session and cuts the link between them and their reports: the
cases stay with the school, as the protocol needs, but nobody can connect them to the user.
"""

from __future__ import annotations

import logging

from bot.chat.turn import Turn
from bot.core.engine import Session
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Screen, Text

log = logging.getLogger(__name__)


def offer_forget(turn: Turn, _arg: str | None) -> None:
    question = Text(
        N_(
            "Do you want the bot to forget you? Then it deletes what you were doing here, and "
            "nobody can connect you to your reports any more. Your reports stay with the school, "
            "so it can still help, but the school cannot send you answers or questions about them."
        )
    )
    choices = (
        (Choice(Text(N_("Yes, forget me")), "forget_yes"),),
        (Choice(Text(N_("No, keep everything")), "forget_no"),),
    )
    turn.notices.append(Screen((question,), rows=choices, asks=True))


NC_(
    "parent",
    "Do you want the bot to forget you? Then it deletes what you were doing here, and "
    "nobody can connect you to your reports any more. Your reports stay with the school, "
    "so it can still help, but the school cannot send you answers or questions about them.",
)


def forget(turn: Turn, _arg: str | None) -> None:
    stores = turn.stores
    cut = stores.reports.forget_reporter(turn.key)
    stores.sessions.delete(turn.key)
    turn.forgotten = True
    turn.audience = turn.session.flow  # "done" is still said to a pupil or a parent
    # What is shown next is a fresh start; it is not stored until the user sends something.
    turn.session = Session("welcome", turn.flows["welcome"].initial, {}, turn.session.locale)
    log.info("reporter_forgotten reports=%s", cut)
    turn.say(FORGOTTEN)


FORGOTTEN = N_("Done. I have forgotten you. If you send a message again, we start fresh.")
NC_("parent", "Done. I have forgotten you. If you send a message again, we start fresh.")


def keep(turn: Turn, _arg: str | None) -> None:
    turn.say(N_("Okay, everything stays as it was."))


EFFECTS = {"offer_forget": offer_forget, "forget": forget, "keep": keep}
