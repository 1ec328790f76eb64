"""A pupil's report: the summary before sending, sending it, and the reporter's own list."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from bot.i18n import N_
from bot.model import Choice, Text, lines
from bot.notifications import notify_coordinators
from bot.schooltime import add_school_hours
from bot.textsafety import neutralise
from bot.turn import Refused, Turn, ViewPart

log = logging.getLogger(__name__)

STATUS_FOR_REPORTER = {
    "new": N_("sent, an anti-bullying coordinator will read it"),
    "claimed": N_("an anti-bullying coordinator is working on it"),
    "in_progress": N_("an anti-bullying coordinator is working on it"),
    "closed": N_("finished"),
}
SUMMARY_FIELDS = (
    ("who", N_("Who: {value}")),
    ("kind", N_("What: {value}")),
    ("place", N_("Where: {value}")),
    ("often", N_("How often: {value}")),
    ("since", N_("How long: {value}")),
)


def summary_view(turn: Turn) -> ViewPart:
    answers = turn.session.answers
    flow = turn.session.flow
    fields = [
        Text(line, {"value": turn.stores.label(key, answers.get(key), flow)})
        for key, line in SUMMARY_FIELDS
    ]
    fields.append(Text(N_("Photos: {count}"), {"count": len(answers.get("evidence", []))}))
    if answers.get("anonymous", True):
        fields.append(Text(N_("Name: you stay anonymous")))
    else:
        fields.append(Text(N_("Name: {name}"), {"name": neutralise(answers.get("name", ""))}))
    story = Text(N_("Your story: {story}"), {"story": neutralise(answers.get("story", ""))})
    return ViewPart(texts=[lines(fields), story])


def submit_report(turn: Turn, _arg: str | None) -> None:
    answers = turn.session.answers
    if not answers.get("story") or "kind" not in answers:
        raise Refused(Text(N_("Something is missing in your report. Let's check it again.")))
    stores, school = turn.stores, turn.stores.school
    hour_ago = (datetime.fromisoformat(turn.now) - timedelta(hours=1)).isoformat(timespec="seconds")
    recent = stores.db.row(
        "SELECT COUNT(*) AS n FROM reports WHERE reporter = ? AND created > ?", (turn.key, hour_ago)
    )
    if recent and recent["n"] >= school.reports_per_hour:
        raise Refused(
            Text(
                N_(
                    "You have sent several reports in the last hour. Thank you! Please "
                    "wait a while before you send another one. If it is urgent, talk to "
                    'your teacher or tap "🆘 Help now".'
                )
            )
        )
    contact = json.dumps({"channel": turn.who.channel, "chat": turn.who.chat_id})
    created = datetime.fromisoformat(turn.now)
    due = add_school_hours(created, school.promise_hours, school).isoformat(timespec="seconds")
    overdue = add_school_hours(created, 2 * school.promise_hours, school)
    code = stores.reports.create(turn.key, contact, answers, turn.now, turn.session.flow, due)
    stores.jobs.schedule(f"remind:{code}", "remind", code, due)
    stores.jobs.schedule(f"overdue:{code}", "overdue", code, overdue.isoformat(timespec="seconds"))
    notify_coordinators(stores, "new_report", code, turn.now, kind=answers["kind"])
    answers.clear()
    answers["code"] = code
    log.info("report_created case=%s", code)


def my_reports_view(turn: Turn) -> ViewPart:
    stores = turn.stores
    reports = stores.reports.by_reporter(turn.key)
    if not reports:
        return ViewPart(texts=[Text(N_("You have not sent a report yet."))])
    listed = [
        Text(
            N_("{code} from {date}: {status}"),
            {
                "code": row["code"],
                "date": stores.local_time(row["created"])[:10],
                "status": Text(_status_for_reporter(row, turn.now)),
            },
        )
        for row in reports[:10]
    ]
    rows = [
        (
            Choice(
                Text(N_("✍️ Add something to {case}"), {"case": row["code"]}), "write", row["code"]
            ),
        )
        for row in reports[:10]
        if row["status"] != "closed"
    ]
    return ViewPart(texts=[Text(N_("Your reports:")), lines(listed)], rows=rows)


def _status_for_reporter(row: dict, now: str) -> str:
    # Never less than the truth: once the promise has passed, say so plainly.
    if row["status"] == "new" and row["due"] and now > row["due"]:
        return N_("not read yet; an anti-bullying coordinator will look at it as soon as possible")
    return STATUS_FOR_REPORTER.get(row["status"], row["status"])
