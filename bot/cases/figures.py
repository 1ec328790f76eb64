"""What the school's figures count, at the moment it happens (issue 14).

Each function adds to the counters of `bot/storage/figures.py`: per school, month (on the school's
clock), dimension and value, never a case, a person or anything typed, so that deleting cases on
time never deletes the figures and no figure points at a child. A case is counted once per thing:
its first claim, its first message to the reporter, its first close (a reopened case closed again
is not counted twice), the first time it reaches a phase. Timings are school time (the school's
hours and days, as the promise counts), kept as histograms in half hours so that medians can be
read from them. Cases closed as a test or a duplicate are counted under `outcome` only: their
close time and phases are left out of the timings, and they are not among the closes a reopen
rate per kind or place divides by (`closed_kind`, `closed_place`).
"""

from __future__ import annotations

from datetime import datetime, time

from bot.cases.context import Context
from bot.schools.school import School
from bot.schools.schooltime import school_day_hours, school_hours_between
from bot.storage.figures import (
    CHANNEL,
    CLAIM,
    CLOSE,
    CLOSED_KIND,
    CLOSED_PLACE,
    FOLLOWUP,
    FOLLOWUP_KIND,
    FOLLOWUP_PLACE,
    HOTSPOT,
    KIND,
    MADE,
    MESSAGE,
    NOT_COUNTED,
    OUTCOME,
    PHASE_DAYS,
    PHASE_REACHED,
    PLACE,
    REOPENED,
    REOPENED_KIND,
    REOPENED_PLACE,
    REPORTER,
    SERIOUS,
)
from bot.storage.reports import Report

MAX_HALFHOURS = 400  # 200 school hours: a month of school; longer is one bucket
MAX_DAYS = 200
NOON = time(12, 0)


def _month(ctx: Context, school: School) -> str:
    return datetime.fromisoformat(ctx.now).astimezone(school.zone).strftime("%Y-%m")


def _add(ctx: Context, school: School, dimension: str, value: str) -> None:
    ctx.stores.figures.add(school.id, _month(ctx, school), dimension, value)


def _halfhours(since: str, until: str, school: School) -> str:
    hours = school_hours_between(
        datetime.fromisoformat(since), datetime.fromisoformat(until), school
    )
    return str(min(int(hours * 2), MAX_HALFHOURS))


def part_of_day(iso: str, school: School) -> str:
    """When a report was made, as the hotspot table shows it (the school's clock)."""
    local = datetime.fromisoformat(iso).astimezone(school.zone)
    start, end = school.hours
    if local.weekday() >= 5:
        return "weekend"
    if local.time() < start:
        return "before_school"
    if local.time() < NOON:
        return "morning"
    return "afternoon" if local.time() < end else "after_school"


def reporter_of(role: str, who: str) -> str:
    if role == "parent":
        return "parent"
    return "self" if who == "self" else "other"


def report_made(ctx: Context, report: Report, channel: str) -> None:
    school = ctx.school_of(report.school)
    _add(ctx, school, MADE, "all")
    for kind in report.kinds or (report.kind,):
        _add(ctx, school, KIND, kind)
    _add(ctx, school, PLACE, report.place)
    _add(ctx, school, REPORTER, reporter_of(report.role, report.who))
    _add(ctx, school, CHANNEL, channel)
    _add(ctx, school, HOTSPOT, f"{report.place}|{part_of_day(report.created, school)}")


def claimed(ctx: Context, report: Report) -> None:
    if ctx.stores.reports.first(report.code, report.school, "first_claimed", ctx.now):
        school = ctx.school_of(report.school)
        _add(ctx, school, CLAIM, _halfhours(report.created, ctx.now, school))


def messaged(ctx: Context, report: Report) -> None:
    if ctx.stores.reports.first(report.code, report.school, "first_messaged", ctx.now):
        school = ctx.school_of(report.school)
        _add(ctx, school, MESSAGE, _halfhours(report.created, ctx.now, school))


def closed(ctx: Context, report: Report, outcome: str) -> None:
    if not ctx.stores.reports.first(report.code, report.school, "first_closed", ctx.now):
        return
    school = ctx.school_of(report.school)
    _add(ctx, school, OUTCOME, outcome)
    if outcome in NOT_COUNTED:
        return
    _add(ctx, school, CLOSE, _halfhours(report.created, ctx.now, school))
    for kind in report.kinds or (report.kind,):
        _add(ctx, school, CLOSED_KIND, kind)
    _add(ctx, school, CLOSED_PLACE, report.place)
    _left_phase(ctx, school, report)


def reopened(ctx: Context, report: Report, by: str) -> None:
    """`by`: "followup" (the reporter said it goes on) or "coordinator". Also counted per kind
    and place, for the reopen rate of each."""
    school = ctx.school_of(report.school)
    _add(ctx, school, REOPENED, by)
    for kind in report.kinds or (report.kind,):
        _add(ctx, school, REOPENED_KIND, kind)
    _add(ctx, school, REOPENED_PLACE, report.place)


def followup_answered(ctx: Context, report: Report, answer: str) -> None:
    school = ctx.school_of(report.school)
    _add(ctx, school, FOLLOWUP, answer)
    for kind in report.kinds or (report.kind,):
        _add(ctx, school, FOLLOWUP_KIND, f"{kind}|{answer}")
    _add(ctx, school, FOLLOWUP_PLACE, f"{report.place}|{answer}")


def phase_set(ctx: Context, report: Report, phase: int) -> None:
    """The case moves to `phase`: how long it stayed in the one before, and whether it reaches
    this one for the first time."""
    if report.phase == phase:
        return
    school = ctx.school_of(report.school)
    _left_phase(ctx, school, report)
    if ctx.stores.reports.reach_phase(report.code, report.school, phase, ctx.now):
        _add(ctx, school, PHASE_REACHED, str(phase))


def _left_phase(ctx: Context, school: School, report: Report) -> None:
    if report.phase is None or report.phase_since is None:
        return
    hours = school_hours_between(
        datetime.fromisoformat(report.phase_since), datetime.fromisoformat(ctx.now), school
    )
    days = min(int(hours // school_day_hours(school)), MAX_DAYS)
    _add(ctx, school, PHASE_DAYS, f"{report.phase}|{days}")


def flagged_serious(ctx: Context, report: Report) -> None:
    school = ctx.school_of(report.school)
    for kind in report.kinds or (report.kind,):
        _add(ctx, school, SERIOUS, kind)
