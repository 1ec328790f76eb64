"""A coordinator's work on one case: claim it, set its status or phase, note, write, close, reopen.

Each verb is `f(ctx, code, ...)`, re-checks the acting coordinator and the case (a button's or a
form's data can be forged), raises `Refused` with the text to show when it cannot be done, and is
audit-logged without content. What the coordinator reads afterwards is up to the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.cases import events, figures
from bot.cases.context import Context
from bot.cases.notifications import notify_reporter
from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.schools.schooltime import add_school_days
from bot.storage.reports import Report
from bot.storage.threads import TO_REPORTER

# The statuses a coordinator can set; "closed" is reached by closing.
STATUSES = ("new", "claimed", "in_progress")
PHASES = ("1", "2", "3", "4", "5", "6")  # the protocol's phases; the school names them
# The outcome codes stored with a closed case; flows/coordinator.yaml labels them (`case_close`).
OUTCOMES = ("resolved", "referred", "not_confirmed", "not_bullying", "test_or_duplicate")

UNREACHABLE = N_(
    "Case {case}: the reporter asked the bot to forget them, so nothing can reach them any "
    "more. You can still add a note."
)

# How closing went: the follow-up question is only planned for a reporter who can be reached.
Closing = Literal["already_closed", "closed", "followup_planned"]


def find_case(ctx: Context, code: str, *, open_only: bool = False) -> Report:
    """The case a coordinator acts on, checked again; refused when they may not."""
    ctx.coordinator_id()
    # Another school's case reads exactly as a code that exists nowhere.
    report = ctx.stores.reports.get(code, ctx.sees())
    if report is None:
        raise Refused(Text(N_("I cannot find case {case}."), {"case": code}))
    if open_only and report.status == "closed":
        raise Refused(Text(N_("Case {case} is closed. Reopen it first."), {"case": code}))
    return report


def open_case(ctx: Context, code: str) -> Report:
    """Read a case: who read which case is audited too."""
    report = find_case(ctx, code)
    ctx.record(events.CASE_OPENED, report.code, report.school)
    return report


def require_reachable(ctx: Context, code: str) -> Report:
    """An open case whose reporter can still be written to."""
    report = find_case(ctx, code, open_only=True)
    if not ctx.stores.reports.reachable(report.code, report.school):
        raise Refused(Text(UNREACHABLE, {"case": report.code}))
    return report


def claim(ctx: Context, code: str) -> None:
    report = find_case(ctx, code, open_only=True)
    me = ctx.coordinator_id()
    if report.assignee == me:
        raise Refused(Text(N_("You already have {case}."), {"case": report.code}))
    if not ctx.stores.reports.claim(report.code, report.school, me, ctx.now):
        holder = ctx.stores.reports.get(report.code, frozenset({report.school}))
        name = holder.assignee_name if holder else "?"
        raise Refused(
            Text(
                N_("Case {case} is already claimed by {name}."), {"case": report.code, "name": name}
            )
        )
    ctx.record(events.CASE_CLAIMED, report.code, report.school)
    figures.claimed(ctx, report)


def set_status(ctx: Context, code: str, status: str) -> None:
    report = find_case(ctx, code, open_only=True)
    if status not in STATUSES:
        raise Refused(Text(N_("That status does not exist.")))
    ctx.stores.reports.set_status(report.code, report.school, status, ctx.now)
    ctx.record(events.status_set(status), report.code, report.school)


def set_phase(ctx: Context, code: str, phase: str) -> Report:
    """`phase` is "1" to "6"; the case's school's `School.phases_in` says what each is called."""
    report = find_case(ctx, code, open_only=True)
    if phase not in PHASES:
        raise Refused(Text(N_("That phase does not exist.")))
    figures.phase_set(ctx, report, int(phase))  # before: it counts the phase the case leaves
    ctx.stores.reports.set_phase(report.code, report.school, int(phase), ctx.now)
    ctx.record(events.phase_set(phase), report.code, report.school)
    return report


def add_note(ctx: Context, code: str, text: str) -> None:
    """Also on a closed case: what happened after closing belongs with it."""
    report = find_case(ctx, code)
    ctx.stores.reports.add_note(report.code, report.school, ctx.coordinator_id(), text, ctx.now)
    ctx.record(events.NOTE_ADDED, report.code, report.school)


def message_reporter(ctx: Context, code: str, text: str) -> bool:
    """Queue a message to the case's reporter; True when it will reach them.

    When the reporter used /vergeet while this was being typed, nothing typed is thrown away: the
    text is kept as a note instead, and False is returned.
    """
    report = find_case(ctx, code)
    me = ctx.coordinator_id()
    if ctx.stores.reports.reachable(report.code, report.school):
        message = ctx.stores.threads.add(report.code, report.school, TO_REPORTER, me, text, ctx.now)
        if notify_reporter(
            ctx.stores,
            "to_reporter",
            report.code,
            report.school,
            ctx.now,
            str(message),
            message=message,
        ):
            ctx.record(events.MESSAGE_SENT, report.code, report.school)
            figures.messaged(ctx, report)
            return True
    ctx.stores.reports.add_note(report.code, report.school, me, text, ctx.now)
    ctx.record(events.MESSAGE_NOT_SENT, report.code, report.school)
    return False


def close(ctx: Context, code: str, outcome: str, note: str) -> tuple[Closing, int]:
    """Close a case with an outcome and plan the follow-up question to its reporter; how it
    went, and the case's school (whose follow-up days count).

    "already_closed" when someone else closed it meanwhile: nothing changes then, and the
    question is not planned twice. No follow-up is planned for a reporter who cannot be reached.
    """
    report = find_case(ctx, code)
    if outcome not in OUTCOMES:
        raise Refused(Text(N_("Choose an outcome first.")))
    stores = ctx.stores
    if not stores.reports.close(report.code, report.school, outcome, note, ctx.now):
        return "already_closed", report.school
    ctx.record(events.CASE_CLOSED, report.code, report.school)
    figures.closed(ctx, report, outcome)
    if not stores.reports.reachable(report.code, report.school):
        return "closed", report.school
    school = ctx.school_of(report.school)
    followup = add_school_days(datetime.fromisoformat(ctx.now), school.followup_days, school)
    stores.jobs.schedule(
        f"followup:{report.code}:{ctx.now}",
        "followup",
        report.code,
        report.school,
        followup.isoformat(timespec="seconds"),
    )
    return "followup_planned", report.school


def mark_serious(ctx: Context, code: str) -> Report:
    """Flag a case "ernstig incident" (serious incident), counted per month and kind for the
    coming duty to register such incidents. Once flagged it stays flagged: a count is kept."""
    report = find_case(ctx, code)
    if not ctx.stores.reports.mark_serious(report.code, report.school):
        raise Refused(
            Text(N_("Case {case} is marked as a serious incident already."), {"case": report.code})
        )
    ctx.record(events.SERIOUS_FLAGGED, report.code, report.school)
    figures.flagged_serious(ctx, report)
    return report


def reopen(ctx: Context, code: str) -> None:
    """Open a closed case again; its pending follow-up question is not asked any more."""
    report = find_case(ctx, code)
    if not ctx.stores.reports.reopen(report.code, report.school, ctx.now):
        raise Refused(Text(N_("Case {case} is already open."), {"case": report.code}))
    ctx.stores.jobs.cancel(report.code, report.school, "followup", ctx.now)
    ctx.record(events.CASE_REOPENED, report.code, report.school)
    figures.reopened(ctx, report, "coordinator")
