"""The audit vocabulary: what can happen to a case, and how each event reads in its history.

Action ids are stable `snake_case` and stored in the audit log, so they never change; the ones
with a part (a status, a phase, an answer, a checklist item) are built by the functions below and
nowhere else. Opening a case and ticking the checklist are audited but are not case history.

What the reporter did shows only the day and the part of the day: to the minute, it could be
laid beside who used a phone when (and their notices reach coordinators a few minutes late).
"""

from __future__ import annotations

from datetime import datetime

from bot.cases.context import REPORTER
from bot.core.i18n import N_
from bot.core.model import Text
from bot.schools.school import School
from bot.storage import Stores, audit

CASE_OPENED = "case_opened"
CASE_CLAIMED = "case_claimed"
CASE_CLOSED = "case_closed"
CASE_REOPENED = "case_reopened"
NOTE_ADDED = "note_added"
MESSAGE_SENT = "message_sent"
MESSAGE_NOT_SENT = "message_not_sent"
REPORTER_MESSAGE = "reporter_message"
EVIDENCE_ADDED = "evidence_added"
FOLLOWUP_ASKED = "followup_asked"
SERIOUS_FLAGGED = "serious_flagged"
PHASE = "phase_"


def status_set(status: str) -> str:
    return f"status_{status}"


def phase_set(phase: str) -> str:
    return f"{PHASE}{phase}"


def reminded(event: str) -> str:
    """A reminder job's notice went out: `remind_sent` or `overdue_sent`."""
    return f"{event}_sent"


def followup_answered(answer: str) -> str:
    return f"followup_{answer}"


def checklist_toggled(item: str, ticked: bool) -> str:
    return f"checklist_{item}_{'ticked' if ticked else 'unticked'}"


HISTORY = {
    CASE_CLAIMED: N_("claimed"),
    SERIOUS_FLAGGED: N_("marked as a serious incident"),
    status_set("new"): N_("status: new"),
    status_set("claimed"): N_("status: claimed"),
    status_set("in_progress"): N_("status: in progress"),
    CASE_CLOSED: N_("closed"),
    MESSAGE_SENT: N_("message to the reporter"),
    MESSAGE_NOT_SENT: N_("message to the reporter not sent: they asked to be forgotten"),
    REPORTER_MESSAGE: N_("message from the reporter"),
    EVIDENCE_ADDED: N_("photo from the reporter"),
    reminded("remind"): N_("reminder: not claimed in time"),
    reminded("overdue"): N_("reminder: overdue"),
    FOLLOWUP_ASKED: N_("follow-up question sent"),
    followup_answered("yes"): N_("follow-up: the bullying has stopped"),
    followup_answered("a_bit"): N_("follow-up: it has stopped a bit"),
    followup_answered("no"): N_("follow-up: it has not stopped"),
    CASE_REOPENED: N_("reopened"),
}


# The parts of a day by the hour they begin: a reporter's action reads as "23-11-2026, morning".
DAY_PARTS = (
    (0, N_("{date}, at night")),
    (6, N_("{date}, in the morning")),
    (12, N_("{date}, in the afternoon")),
    (18, N_("{date}, in the evening")),
)


def coarse_time(school: School, iso: str) -> Text:
    """A stored UTC moment as its day and part of the day on the school's clock."""
    local = datetime.fromisoformat(iso).astimezone(school.zone)
    msgid = [part for hour, part in DAY_PARTS if local.hour >= hour][-1]
    return Text(msgid, {"date": local.strftime("%d-%m-%Y")})


def history(stores: Stores, school: School, locale: str, code: str) -> list[Text]:
    """Who did what when, oldest first; phase changes name the phase in `locale`. `school` is
    the case's own school."""
    phases = school.phases_in(locale)
    entries = []
    for row in audit.history(stores.db, code, school.id):
        action = row["action"]
        if action.startswith(PHASE):
            what = Text(N_("phase: {phase}"), {"phase": phases[int(action[len(PHASE) :]) - 1]})
        elif action in HISTORY:
            what = Text(HISTORY[action])
        else:
            continue  # opening a case or ticking the checklist is not case history
        by_reporter = row["actor"] == REPORTER
        who = row["name"] or Text(N_("the reporter") if by_reporter else N_("the bot"))
        when = coarse_time(school, row["at"]) if by_reporter else school.local_time(row["at"])
        entries.append(Text("{when} · {who} · {what}", {"when": when, "who": who, "what": what}))
    return entries
