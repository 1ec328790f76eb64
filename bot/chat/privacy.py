"""What the bot keeps and how to be forgotten: /privacy and /vergeet (/forget).

/privacy must answer even when the database cannot be read, so its text needs nothing from it.
Forgetting removes the user's session and cuts the link between them and their reports: the
cases stay with the school, as the protocol needs, but nobody can connect them to the user.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta

from bot.chat.turn import Turn
from bot.core import replies
from bot.core.engine import Session
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Screen, Text

log = logging.getLogger(__name__)

# "Yes, forget me" works only right after its question: while nothing has changed since it was
# asked, and within ASKED_FOR. An old button (days later, or after "No") gets the stale answer
# and the question again, so nobody is forgotten by a press they no longer meant.
ASKED = "_forget_asked"  # answer: {"at": when, "seen": what the conversation was then}
ASKED_FOR = timedelta(minutes=10)  # long enough to read the question slowly


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
    turn.session.answers[ASKED] = {"at": turn.now, "seen": _seen(turn.session)}


NC_(
    "parent",
    "Do you want the bot to forget you? Then it deletes what you were doing here, and "
    "nobody can connect you to your reports any more. Your reports stay with the school, "
    "so it can still help, but the school cannot send you answers or questions about them.",
)


def forget(turn: Turn, arg: str | None) -> None:
    if not _just_asked(turn):
        log.info("forget_stale")
        turn.notices.append(Screen((Text(replies.STALE),)))
        offer_forget(turn, arg)
        return
    stores = turn.stores
    cut = stores.reports.forget_reporter(turn.key)
    stores.sessions.delete(turn.key)
    stores.reporter_prefs.forget(turn.key)  # how messages should arrive: nothing is sent now
    stores.web.forget_chat(turn.key)  # a web conversation's messages and secret code
    turn.forgotten = True
    turn.audience = turn.session.flow  # "done" is still said to a pupil or a parent
    # What is shown next is a fresh start; it is not stored until the user sends something.
    turn.session = Session("welcome", turn.flows["welcome"].initial, {}, turn.session.locale)
    log.info("reporter_forgotten reports=%s", cut)
    turn.say(FORGOTTEN)


FORGOTTEN = N_("Done. I have forgotten you. If you send a message again, we start fresh.")
NC_("parent", "Done. I have forgotten you. If you send a message again, we start fresh.")


def keep(turn: Turn, _arg: str | None) -> None:
    turn.session.answers.pop(ASKED, None)  # an old "Yes" no longer works
    turn.say(N_("Okay, everything stays as it was."))


def _just_asked(turn: Turn) -> bool:
    """The question was the last thing that happened in this conversation, a moment ago."""
    asked = turn.session.answers.pop(ASKED, None)
    if not isinstance(asked, dict):
        return False
    since = datetime.fromisoformat(turn.now) - datetime.fromisoformat(str(asked.get("at")))
    return since <= ASKED_FOR and asked.get("seen") == _seen(turn.session)


def _seen(session: Session) -> str:
    """A fingerprint of where the conversation is: anything done since changes it."""
    answers = {k: v for k, v in session.answers.items() if k != ASKED}
    shown = json.dumps([session.flow, session.state, answers], sort_keys=True, default=str)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


EFFECTS = {"offer_forget": offer_forget, "forget": forget, "keep": keep}
