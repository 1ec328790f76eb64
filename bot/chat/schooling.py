"""Which school a conversation belongs to, when the board has several: the code on the poster.

Shared by the service (a poster's Telegram link, `/start <code>`) and the entry flow's effect
(`bot/chat/entry.py`, a code typed by hand), so that both count and answer a code alike.

Nobody is ever shown a list of schools: a child would pick one at random, and a list tells a
stranger which schools use the bot. Someone who arrives without a school (a bare /start, the
bare web address) types the code from their school's poster; a Telegram link or a school's web
address carries it. Wrong codes are answered kindly and slowed down (`CodeThrottle`), so that
trying codes finds no school. A user changes school only by giving another code, and is told so.
"""

from __future__ import annotations

import math

from bot.chat.turn import Turn
from bot.core.i18n import N_
from bot.core.model import Text
from bot.schools.registry import normalize_entry_code
from bot.schools.school import School

ENTRY_FLOW = "entry"

UNKNOWN_CODE = N_(
    "I do not know that code. Look at the poster at your school again, or ask your teacher. "
    "Need help right now? Tap 🆘 Help now."
)
WAIT = N_(
    "That was a lot of codes. Wait {seconds} seconds, then type the code again. Or ask your "
    "teacher for it. Need help right now? Tap 🆘 Help now."
)
SWITCHED = N_(
    "You are now talking with the anti-bullying helper of {school}. Reports you made before "
    "stay yours: you find them under 📂 My reports."
)


def looks_like_code(typed: str) -> bool:
    """A try at a code, not a story: what a child types off a poster is one short word."""
    return normalize_entry_code(typed) is not None or (
        len(typed.strip()) <= 12 and len(typed.split()) <= 2
    )


def school_by_code(turn: Turn, typed: str) -> School | None:
    """The live school with this entry code; None (and a kind notice) when there is none, or
    when this user must wait before trying another code."""
    gate, schools = turn.gate, turn.schools
    if gate is None or schools is None:
        return None
    wait = gate.wait(turn.key)
    if wait > 0:
        turn.say(WAIT, seconds=math.ceil(wait))
        return None
    school = schools.by_entry_code(typed)
    if school is None:
        gate.failed(turn.key)
        turn.say(UNKNOWN_CODE)
        return None
    gate.succeeded(turn.key)
    return school


def belong_to(turn: Turn, school: School, *, said: bool) -> None:
    """From now on the conversation is `school`'s; `said`: tell the user plainly."""
    if turn.school.id != school.id and said:
        turn.say(SWITCHED, school=school.name or Text(N_("our school")))
    turn.school = school
    turn.school_changed = True
