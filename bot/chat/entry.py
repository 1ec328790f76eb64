"""The entry flow's effect: what was typed where it asks for the code on the school's poster
(flows/entry.yaml). How a code finds its school is `bot/chat/schooling.py`."""

from __future__ import annotations

from bot.chat.schooling import belong_to, looks_like_code, school_by_code
from bot.chat.turn import Turn
from bot.core.engine import TYPED, TYPED_MAX_CHARS, TYPED_PHOTOS, Session
from bot.core.i18n import N_

ENTERED = "entered"  # the answer the entry flow's text saves, read once by `enter_school`
KEPT_UNTIL_SCHOOL = N_(
    "I have kept what you typed. First I need to know your school: type the code from the "
    "poster at your school."
)


def enter_school(turn: Turn, _arg: str | None) -> None:
    """What was typed where the entry flow asks for the poster's code."""
    typed = str(turn.session.answers.pop(ENTERED, ""))
    if not looks_like_code(typed):
        # A story typed before any school is known is kept, and goes into the report.
        answers = turn.session.answers
        kept = f"{answers.get(TYPED, '')}\n{typed}".strip()
        answers[TYPED] = kept[:TYPED_MAX_CHARS]
        turn.say(KEPT_UNTIL_SCHOOL)
        return
    school = school_by_code(turn, typed)
    if school is None:
        return
    belong_to(turn, school, said=False)
    answers = turn.session.answers
    typed_before = {key: answers[key] for key in (TYPED, TYPED_PHOTOS) if key in answers}
    turn.session = Session(
        "welcome", turn.flows["welcome"].initial, typed_before, turn.session.locale
    )


EFFECTS = {"enter_school": enter_school}
