"""Time as the school counts it: school hours on school days (Monday to Friday), local time.

Used for the promise ("binnen 1 schooldag") and for follow-ups after N school days. Holidays
are not known yet, so a holiday counts as a school day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.settings import School

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
