"""Time as the school counts it: school hours on school days, on the school's local clock.

A school day is Monday to Friday outside the school's holidays (`School.holidays`, each from
its first to its last day). Used for the promise ("binnen 1 schooldag"), the reminders and
overdue flags that follow from it, follow-ups after N school days and the figures' timings:
a report made on the Friday before the Christmas holiday is due on the first school day after
it, and the holiday's weeks count as no waiting.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.schools.school import School

FOLLOWUP_HOUR = 10  # a follow-up question arrives mid-morning, never at night
# Holidays that cover every day (30 holidays of 70 days pass the configuration's checks) must
# not hang the bot: after a year and a month without a school day, the next day counts as one.
SEARCH_DAYS = 400


def _is_school_day(day: date, school: School) -> bool:
    return day.weekday() < 5 and not any(first <= day <= last for first, last in school.holidays)


def _school_day_after(day: date, school: School) -> date:
    """The first school day after `day`; the day after it when none comes within SEARCH_DAYS
    (a promise that comes due in a holiday is better than one that never comes due)."""
    for ahead in range(1, SEARCH_DAYS + 1):
        candidate = day + timedelta(days=ahead)
        if _is_school_day(candidate, school):
            return candidate
    return day + timedelta(days=1)


def reopening(day: date, school: School) -> date | None:
    """The first school day after the holiday that `day` (the school's local date) lies in;
    None when `day` is not in one of the school's holidays."""
    if not any(first <= day <= last for first, last in school.holidays):
        return None
    return _school_day_after(day, school)


def add_school_hours(start: datetime, hours: float, school: School) -> datetime:
    """The moment `hours` school hours after `start` (a UTC datetime); the result is UTC."""
    opening, closing = school.hours
    local = start.astimezone(school.zone)
    day = local.date()
    if not _is_school_day(day, school) or local >= datetime.combine(day, closing, local.tzinfo):
        day = _school_day_after(day, school)
        local = datetime.combine(day, opening, local.tzinfo)
    left = timedelta(hours=hours)
    while True:
        day_open = datetime.combine(day, opening, local.tzinfo)
        day_close = datetime.combine(day, closing, local.tzinfo)
        local = max(local, day_open)
        if local + left <= day_close:
            return (local + left).astimezone(UTC)
        left -= day_close - local
        # The day found is taken as a school day without asking again, so that even the
        # fallback of `_school_day_after` moves on.
        day = _school_day_after(day, school)
        local = datetime.combine(day, opening, local.tzinfo)


def add_school_days(start: datetime, days: int, school: School) -> datetime:
    """Mid-morning on the `days`-th school day after `start`'s local date; the result is UTC."""
    local = start.astimezone(school.zone)
    day = local.date()
    for _ in range(days):
        day = _school_day_after(day, school)
    return datetime.combine(day, time(FOLLOWUP_HOUR), local.tzinfo).astimezone(UTC)


def school_hours_between(start: datetime, end: datetime, school: School) -> float:
    """How many school hours lie between two moments (0 when `end` is not after `start`)."""
    opening, closing = school.hours
    local, end = start.astimezone(school.zone), end.astimezone(school.zone)
    counted = timedelta()
    while local < end:
        day_open = datetime.combine(local.date(), opening, local.tzinfo)
        day_close = datetime.combine(local.date(), closing, local.tzinfo)
        if _is_school_day(local.date(), school) and local < day_close:
            counted += max(timedelta(), min(end, day_close) - max(local, day_open))
        local = datetime.combine(local.date() + timedelta(days=1), opening, local.tzinfo)
    return counted.total_seconds() / 3600


def school_day_hours(school: School) -> float:
    """The length of one school day in hours."""
    opening, closing = school.hours
    today = datetime(2000, 1, 1)
    return (datetime.combine(today, closing) - datetime.combine(today, opening)).seconds / 3600
