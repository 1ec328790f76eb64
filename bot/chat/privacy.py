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

PRIVACY = (
    N_("🔒 What this bot keeps, and why"),
    N_(
        "What you tell the bot and your reports are stored by the school, locked with a key "
        "(encrypted). Instead of your Telegram account the bot keeps a code that only it can work "
        "out. To be able to answer you, it keeps your chat number, also locked."
    ),
    N_(
        "Who can read it: only the school's anti-bullying coordinators. They never see your "
        "Telegram name or account, unless you gave your name yourself."
    ),
    N_(
        "How long: a closed case is deleted after {days} days. Only counts stay (what kind of "
        "bullying, where, which month), without names or stories."
    ),
    N_(
        "Telegram itself also keeps this chat, like every chat. Want the bot to forget you? "
        "Send /vergeet. Questions? Ask your teacher or an anti-bullying coordinator."
    ),
)


# Parents read the same texts with "u" (dutch.md, section 2); the title needs no variant.
NC_(
    "parent",
    "What you tell the bot and your reports are stored by the school, locked with a key "
    "(encrypted). Instead of your Telegram account the bot keeps a code that only it can work "
    "out. To be able to answer you, it keeps your chat number, also locked.",
)
NC_(
    "parent",
    "Who can read it: only the school's anti-bullying coordinators. They never see your "
    "Telegram name or account, unless you gave your name yourself.",
)
NC_(
    "parent",
    "How long: a closed case is deleted after {days} days. Only counts stay (what kind of "
    "bullying, where, which month), without names or stories.",
)
NC_(
    "parent",
    "Telegram itself also keeps this chat, like every chat. Want the bot to forget you? "
    "Send /vergeet. Questions? Ask your teacher or an anti-bullying coordinator.",
)


def privacy_screen(retention_days: int) -> Screen:
    texts = tuple(Text(msgid, {"days": retention_days}) for msgid in PRIVACY)
    return Screen(texts)


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
    stores.db.execute("DELETE FROM sessions WHERE key = ?", (turn.key,))
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
