"""Time as the school counts it: school hours on school days (Monday to Friday), local time.

Used for the promise ("binnen 1 schooldag") and for follow-ups after N school days. Holidays
are not known yet, so a holiday counts as a school day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.schools.school import School

FOLLOWUP_HOUR = 10  # a follow-up question arrives mid-morning, never at night


def _is_school_day(moment: datetime) -> bool:
    return moment.weekday() < 5


def _next_opening(local: datetime, school: School) -> datetime:
    opening, _closing = school.hours
    day = local + timedelta(days=1)
    while not _is_school_day(day):
        day += timedelta(days=1)
    return datetime.combine(day.date(), opening, local.tzinfo)


def add_school_hours(start: datetime, hours: float, school: School) -> datetime:
    """The moment `hours` school hours after `start` (a UTC datetime); the result is UTC."""
    opening, closing = school.hours
    local = start.astimezone(school.zone)
    left = timedelta(hours=hours)
    while True:
        day_open = datetime.combine(local.date(), opening, local.tzinfo)
        day_close = datetime.combine(local.date(), closing, local.tzinfo)
        if not _is_school_day(local) or local >= day_close:
            local = _next_opening(local, school)
            continue
        local = max(local, day_open)
        if local + left <= day_close:
            return (local + left).astimezone(UTC)
        left -= day_close - local
        local = _next_opening(local, school)


def add_school_days(start: datetime, days: int, school: School) -> datetime:
    """Mid-morning on the `days`-th school day after `start`'s local date; the result is UTC."""
    local = start.astimezone(school.zone)
    counted = 0
    while counted < days:
        local += timedelta(days=1)
        counted += _is_school_day(local)
    moment = local.replace(hour=FOLLOWUP_HOUR, minute=0, second=0, microsecond=0)
    return moment.astimezone(UTC)


def school_hours_between(start: datetime, end: datetime, school: School) -> float:
    """How many school hours lie between two moments (0 when `end` is not after `start`)."""
    opening, closing = school.hours
    local, end = start.astimezone(school.zone), end.astimezone(school.zone)
    counted = timedelta()
    while local < end:
        day_open = datetime.combine(local.date(), opening, local.tzinfo)
        day_close = datetime.combine(local.date(), closing, local.tzinfo)
        if _is_school_day(local) and local < day_close:
            counted += max(timedelta(), min(end, day_close) - max(local, day_open))
        local = datetime.combine(local.date() + timedelta(days=1), opening, local.tzinfo)
    return counted.total_seconds() / 3600


def school_day_hours(school: School) -> float:
    """The length of one school day in hours."""
    opening, closing = school.hours
    today = datetime(2000, 1, 1)
    return (datetime.combine(today, closing) - datetime.combine(today, opening)).seconds / 3600
