"""Closing a case in the chat: an outcome from a fixed list, an optional note, a confirmation.

Only coordinators see the outcome; the reporter is asked later whether the bullying stopped
(`bot/cases/casework.close` plans it). "Not confirmed" is one of the outcomes because a report on
its own never leads to a sanction.
"""

from __future__ import annotations

from bot.cases import casework
from bot.chat.caseview import case_code, find_case
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Text
from bot.core.textsafety import neutralise

FOLLOWUP = N_(
    "Only anti-bullying coordinators see the outcome, not the reporter. In {days} school days "
    "the bot asks the reporter whether the bullying has stopped."
)
NO_FOLLOWUP = N_(
    "Only anti-bullying coordinators see the outcome. The reporter asked the bot to forget them, "
    "so nobody will ask them whether the bullying has stopped."
)


def close_confirm_view(turn: Turn) -> ViewPart:
    report = find_case(turn, open_only=True)
    answers = turn.session.answers
    outcome = turn.label("outcome", answers.get("outcome"), "coordinator")
    texts = [
        Text(
            N_("Close case {case} with the outcome '{outcome}'?"),
            {"case": report.code, "outcome": outcome},
        )
    ]
    if answers.get("outcome_note"):
        note = neutralise(str(answers["outcome_note"]))
        texts.append(Text(N_("Explanation: {note}"), {"note": note}))
    reachable = turn.stores.reports.reachable(report.code, report.school)
    followup = FOLLOWUP if reachable else NO_FOLLOWUP
    texts.append(Text(followup, {"days": turn.school_of(report.school).followup_days}))
    return ViewPart(texts=texts)


def close_case(turn: Turn, _arg: str | None) -> None:
    code = case_code(turn)
    answers = turn.session.answers
    outcome = str(answers.pop("outcome", ""))
    note = str(answers.pop("outcome_note", ""))
    closing, school = casework.close(turn.context, code, outcome, note)
    if closing == "already_closed":
        # Someone else closed it meanwhile: nothing changes, and the question is not asked again.
        turn.say(N_("Case {case} was already closed. Nothing was changed."), case=code)
    elif closing == "closed":
        turn.say(N_("Case {case} is closed."), case=code)
    else:
        turn.say(
            N_(
                "Case {case} is closed. In {days} school days the reporter will be asked whether "
                "the bullying has stopped."
            ),
            case=code,
            days=turn.school_of(school).followup_days,
        )


EFFECTS = {"close_case": close_case}
VIEWS = {"close_confirm": close_confirm_view}
