"""A report from its sending to its reminders: submit it, remind coordinators, ask the follow-up.

Submitting checks the hourly limit, sets when the school promised to pick it up (in school
hours), plans the reminder and the overdue notice, and tells the coordinators. The reminder and
follow-up verbs are what the timed jobs do; a reporter's own list says where each report stands.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.cases import events, figures, patterns
from bot.cases.context import Context
from bot.cases.labels import STATUS_FOR_REPORTER
from bot.cases.notifications import notify_coordinators, notify_reporter
from bot.core.i18n import N_, NC_
from bot.core.model import Identity, Refused, Text, lines
from bot.schools.schooltime import add_school_hours

log = logging.getLogger(__name__)

LISTED = 10  # a reporter's list shows their newest reports

RATE_LIMITED = N_(
    "You have already sent a few reports this hour. Thank you! You can report again at {time}."
)
NC_(
    "parent",
    "You have already sent a few reports this hour. Thank you! You can report again at {time}.",
)
NOT_SENT_YET = N_("This report has not been sent yet. It stays here: you can send it at {time}.")
NC_("parent", "This report has not been sent yet. It stays here: you can send it at {time}.")
URGENT = N_("Is it urgent? Go to your teacher, or tap 🆘 Help now.")
NC_("parent", "Is it urgent? Go to your teacher, or tap 🆘 Help now.")
MISSING = N_(
    "Something is missing: what is happening, or your story. Tap ✏️ I want to change something."
)
NC_(
    "parent",
    "Something is missing: what is happening, or your story. Tap ✏️ I want to change something.",
)
NOT_READ_IN_TIME = N_(
    "not read yet; an anti-bullying coordinator will look at it as soon as possible"
)


@dataclass(frozen=True, slots=True)
class OwnReport:
    """One line of a reporter's own list."""

    code: str
    created: str
    status: str
    reads: str  # the msgid that tells the reporter where it stands
    school: int = 1


def kinds_of(answers: Mapping[str, Any]) -> list[str]:
    """What is happening: every kind ticked, or the one kind an older session saved."""
    return list(answers.get("kinds") or ([answers["kind"]] if answers.get("kind") else []))


def next_report_at(ctx: Context) -> str | None:
    """When the acting reporter may send another report (HH:MM), or None when they may now."""
    school, reporter = ctx.school, _reporter_key(ctx)
    # Counted apart from the reports, so that /vergeet does not start the count again. The
    # reports themselves count too, for the first hour after the upgrade that added the count.
    hour_ago = (datetime.fromisoformat(ctx.now) - timedelta(hours=1)).isoformat(timespec="seconds")
    counted = ctx.stores.hourly.within_hour(reporter, ctx.now)
    recent = max(counted, ctx.stores.reports.recent_by(reporter, hour_ago), key=len)
    if len(recent) < school.reports_per_hour:
        return None
    # The one that has to leave the hour before there is room again.
    oldest = recent[school.reports_per_hour - 1]
    free = (datetime.fromisoformat(oldest) + timedelta(hours=1)).isoformat(timespec="seconds")
    return school.local_time(free)[-5:]


def check_hourly_limit(ctx: Context) -> None:
    """Refused before anything is typed, not after, when the reporter has to wait."""
    at = next_report_at(ctx)
    if at:
        raise Refused(lines([Text(RATE_LIMITED, {"time": at}), Text(URGENT)]))


def submit(ctx: Context, answers: Mapping[str, Any], role: str, contact: Identity) -> str:
    """File the acting reporter's report and tell the coordinators; returns its case code.

    `contact` is where the reporter can be reached (sealed with the report); `role` is "pupil"
    or "parent". Refused when something is missing or the hourly limit is reached.
    """
    kinds = kinds_of(answers)
    if not answers.get("story") or not kinds:
        raise Refused(Text(MISSING))
    at = next_report_at(ctx)
    if at:
        raise Refused(lines([Text(NOT_SENT_YET, {"time": at}), Text(URGENT)]))
    stores, school = ctx.stores, ctx.school
    reach = json.dumps({"channel": contact.channel, "chat": contact.chat_id})
    created = datetime.fromisoformat(ctx.now)
    due = add_school_hours(created, school.promise_hours, school).isoformat(timespec="seconds")
    overdue = add_school_hours(created, 2 * school.promise_hours, school)
    # The report belongs to the conversation's school, for good.
    code = stores.reports.create(
        _reporter_key(ctx), reach, dict(answers), ctx.now, role, due, school=school.id
    )
    stores.hourly.record(_reporter_key(ctx), ctx.now)
    stores.jobs.schedule(f"remind:{code}", "remind", code, school.id, due)
    stores.jobs.schedule(
        f"overdue:{code}", "overdue", code, school.id, overdue.isoformat(timespec="seconds")
    )
    notify_coordinators(stores, "new_report", code, school.id, ctx.now, kind=answers["kind"])
    made = stores.reports.get(code, frozenset({school.id}))
    if made is not None:
        figures.report_made(ctx, made, contact.channel)
        patterns.alert_on_pattern(ctx, made)  # after the new-report notice it speaks of
    log.info("report_created case=%s", code)
    return code


def remind(ctx: Context, code: str, event: Literal["remind", "overdue"]) -> None:
    """Remind every coordinator of a case nobody has claimed yet; nothing once it is claimed."""
    report = ctx.stores.reports.get(code, ctx.sees())
    if report and report.status == "new" and report.assignee is None:
        notify_coordinators(ctx.stores, event, code, report.school, ctx.now)
        ctx.record(events.reminded(event), code, report.school)


def ask_followup(ctx: Context, code: str, occasion: str) -> None:
    """Ask the reporter of a closed case whether the bullying has stopped, once per `occasion`.

    Recorded as asked only when it was queued: a forgotten reporter cannot be asked.
    """
    report = ctx.stores.reports.get(code, ctx.sees())
    if report is None or report.status != "closed":
        return
    if notify_reporter(ctx.stores, "followup", code, report.school, ctx.now, occasion):
        ctx.record(events.FOLLOWUP_ASKED, code, report.school)


def own_reports(ctx: Context) -> list[OwnReport]:
    """The acting reporter's newest reports, each with where it stands."""
    rows = ctx.stores.reports.by_reporter(_reporter_key(ctx))[:LISTED]
    return [
        OwnReport(row["code"], row["created"], row["status"], _reads(row, ctx.now), row["school"])
        for row in rows
    ]


def _reads(row: Mapping[str, Any], now: str) -> str:
    # Never less than the truth: once the promise has passed, say so plainly.
    if row["status"] == "new" and row["due"] and now > row["due"]:
        return NOT_READ_IN_TIME
    return STATUS_FOR_REPORTER.get(row["status"], row["status"])


def _reporter_key(ctx: Context) -> str:
    key = ctx.actor.reporter_key
    if key is None:  # a report is always filed, and listed, by its reporter
        raise ValueError("only a reporter has reports of their own")
    return key
