"""Closing a case: an outcome from a fixed list, an optional note, then a confirmation.

Only coordinators see the outcome; the reporter is asked later whether the bullying stopped.
"Not confirmed" is one of the outcomes because a report on its own never leads to a sanction.
"""

from __future__ import annotations

from datetime import datetime

from bot.chat.caseview import find_case
from bot.chat.turn import Turn, ViewPart
from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.core.textsafety import neutralise
from bot.schools.school import School
from bot.schools.schooltime import add_school_days
from bot.storage import Stores

# The outcome codes stored with a closed case; flows/coordinator.yaml labels them (`case_close`).
OUTCOMES = ("resolved", "referred", "not_confirmed", "not_bullying", "test_or_duplicate")


FOLLOWUP = N_(
    "Only anti-bullying coordinators see the outcome, not the reporter. In {days} school days "
    "the bot asks the reporter whether the bullying has stopped."
)
NO_FOLLOWUP = N_(
    "Only anti-bullying coordinators see the outcome. The reporter asked the bot to forget them, "
    "so nobody will ask them whether the bullying has stopped."
)


def close(stores: Stores, school: School, code: str, outcome: str, note: str, now: str) -> bool:
    """Close a case and plan the follow-up question; False when it was already closed.

    No follow-up is planned for a reporter who can no longer be reached.
    """
    if not stores.reports.close(code, outcome, note, now):
        return False
    if not stores.reports.reachable(code):
        return True
    followup = add_school_days(datetime.fromisoformat(now), school.followup_days, school)
    stores.jobs.schedule(
        f"followup:{code}:{now}", "followup", code, followup.isoformat(timespec="seconds")
    )
    return True


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
    followup = FOLLOWUP if turn.stores.reports.reachable(report.code) else NO_FOLLOWUP
    texts.append(Text(followup, {"days": turn.school.followup_days}))
    return ViewPart(texts=texts)


def close_case(turn: Turn, _arg: str | None) -> None:
    report = find_case(turn)
    answers = turn.session.answers
    outcome = str(answers.pop("outcome", ""))
    note = str(answers.pop("outcome_note", ""))
    if outcome not in OUTCOMES:
        raise Refused(Text(N_("Choose an outcome first.")))
    if not close(turn.stores, turn.school, report.code, outcome, note, turn.now):
        # Someone else closed it meanwhile: nothing changes, and the question is not asked again.
        turn.say(N_("Case {case} was already closed. Nothing was changed."), case=report.code)
        return
    turn.record("case_closed", report.code)
    if not turn.stores.reports.reachable(report.code):
        turn.say(N_("Case {case} is closed."), case=report.code)
        return
    turn.say(
        N_(
            "Case {case} is closed. In {days} school days the reporter will be asked whether "
            "the bullying has stopped."
        ),
        case=report.code,
        days=turn.school.followup_days,
    )


EFFECTS = {"close_case": close_case}
VIEWS = {"close_confirm": close_confirm_view}
