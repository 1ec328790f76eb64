"""What the school promises a reporter, said at the moment they report.

Outside a holiday it is the school's own promise ("binnen 1 schooldag"). In a holiday that
promise is still true in school days, but a child who reports on Christmas Eve would wait for
tomorrow: the bot says when the school opens again instead ("na de vakantie, vanaf maandag
4 januari"), which is when the promise starts to count.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date

from bot.core.i18n import N_
from bot.core.model import Text
from bot.schools.school import School
from bot.schools.schooltime import reopening

AFTER_THE_HOLIDAY = N_("after the holiday, from {day}")


def promise_now(school: School, now: str, locale: str) -> str | Text:
    """The promise as the sentence "... reads it {promise}." says it at `now` (UTC, ISO)."""
    reopens = reopening(datetime.fromisoformat(now).astimezone(school.zone).date(), school)
    if reopens is None:
        return school.promise_in(locale)
    return Text(AFTER_THE_HOLIDAY, {"day": format_date(reopens, "EEEE d MMMM", locale=locale)})
