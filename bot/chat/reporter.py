"""The reporter's side of a case in the chat: write to the coordinator, add photos, answer the
follow-up.

Each effect reads the case code and what was typed from the conversation and calls the verb in
`bot/cases/relay.py`, which checks that the case is the sender's own report.
"""

from __future__ import annotations

from bot.cases import relay
from bot.chat.turn import Turn
from bot.core.i18n import N_, NC_


def _code(turn: Turn) -> str:
    return str(turn.session.answers.get("case", ""))


def own_case(turn: Turn, _arg: str | None) -> None:
    relay.own_case(turn.context, _code(turn))


def send_to_case(turn: Turn, _arg: str | None) -> None:
    text = str(turn.session.answers.pop("message", ""))
    relay.send_to_case(turn.context, _code(turn), text)


def add_evidence(turn: Turn, _arg: str | None) -> None:
    photos = turn.session.answers.pop("contact_photos", [])
    relay.add_evidence(turn.context, _code(turn), photos)


# A parent's answer is thanked with "u" (the renderer picks it for the parent flow).
NC_(
    "parent",
    "Thank you for telling us. The anti-bullying coordinator will work on {case} "
    "again and will get in touch.",
)


def followup_answer(turn: Turn, answer: str | None) -> None:
    code = _code(turn)
    if not relay.answer_followup(turn.context, code, answer or ""):
        turn.say(N_("That is good to hear! Thank you for letting us know. 😊"))
        return
    turn.say(
        N_(
            "Thank you for telling us. The anti-bullying coordinator will work on {case} "
            "again and will get in touch."
        ),
        case=code,
    )


EFFECTS = {
    "own_case": own_case,
    "send_to_case": send_to_case,
    "add_evidence": add_evidence,
    "followup_answer": followup_answer,
}
