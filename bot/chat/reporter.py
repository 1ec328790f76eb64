"""The reporter's side of a case in the chat: write to the coordinator, add photos, answer the
follow-up, read what the school sent, and choose how the school's messages arrive.

Each effect reads the case code and what was typed from the conversation and calls the verb in
`bot/cases/relay.py`, which checks that the case is the sender's own report.
"""

from __future__ import annotations

from dataclasses import replace

from bot.cases import notifications, relay
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_, NC_
from bot.core.model import Choice, Refused, Text


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


def read_message(turn: Turn, message: str | None) -> None:
    """The coordinator's message behind a "you have a new message" button, read now."""
    code, text = relay.read_message(turn.context, message or "")
    turn.notices.append(notifications.message_screen(code, text))


def read_followup(turn: Turn, code: str | None) -> None:
    """The follow-up question behind a "you have a new message" button."""
    relay.read_followup(turn.context, code or "")
    turn.notices.append(notifications.followup_screen(code or ""))


# How the school's messages arrive, by the `arg` of the buttons in the `delivery` state.
QUIET = {"quiet": True, "loud": False}
HOURS = ("any", "after_school")
DELIVERY_ROW = 2  # buttons side by side: sound, then hours


def set_delivery(turn: Turn, choice: str | None) -> None:
    chosen = relay.prefs(turn.context)
    if choice in QUIET:
        chosen = replace(chosen, quiet=QUIET[choice])
    elif choice in HOURS:
        chosen = replace(chosen, hours=choice)
    else:
        raise Refused(Text(N_("That choice does not exist.")))
    relay.set_prefs(turn.context, chosen)


def delivery_view(turn: Turn) -> ViewPart:
    """The choices, the chosen ones ticked ✅; the hours are the school's own."""
    chosen = relay.prefs(turn.context)
    ticked = {"quiet" if chosen.quiet else "loud", chosen.hours}
    state = turn.flows[turn.session.flow].states[turn.session.state]
    start, end = notifications.after_school(turn.school)
    hours = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    buttons = []
    for move in state.accepts:
        label = Text(move.label or move.trigger, hours)
        if move.arg in ticked:
            label = Text("✅ {label}", {"label": label})
        buttons.append(Choice(label, move.trigger, None, state.name))
    rows = [tuple(buttons[n : n + DELIVERY_ROW]) for n in range(0, len(buttons), DELIVERY_ROW)]
    return ViewPart(rows=rows)


EFFECTS = {
    "own_case": own_case,
    "send_to_case": send_to_case,
    "add_evidence": add_evidence,
    "followup_answer": followup_answer,
    "read_message": read_message,
    "read_followup": read_followup,
    "set_delivery": set_delivery,
}
VIEWS = {"delivery": delivery_view}
