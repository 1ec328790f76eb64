"""Pattern alerts: several reports about the same place of one school within a short time.

Three reports about the playground in two weeks may be one group of children, or a place where
nobody keeps watch; each case alone does not show it. When a report makes the third (or more)
about its place within the last 14 school days, the school's coordinators hear of it once per
place and window. The alert names case codes and the place, never who reported or what they
wrote. It is a hint for coordinators only: it is not counted in the figures, nor exported.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from bot.cases.context import Context
from bot.schools.school import School
from bot.storage.reports import Report

log = logging.getLogger(__name__)

PATTERN = "pattern"  # the outbox event
WINDOW_DAYS = 14  # school days, today included
AT_LEAST = 3  # reports about one place within the window, the new one included
# No place in particular: "somewhere else" (and an old report's "other" or none) is no pattern.
NOT_A_PLACE = frozenset({"", "other", "elsewhere"})
LAST_ALERT = "last_pattern:{school}:{place}"  # when the school last heard of this place


def window_start(now: datetime, school: School) -> str:
    """The start (midnight on the school's clock) of the last `WINDOW_DAYS` school days up to
    `now`: today counts when it is a school day (Monday to Friday, as the promise counts)."""
    day = now.astimezone(school.zone).date()
    counted = 0
    while True:
        counted += day.weekday() < 5
        if counted >= WINDOW_DAYS:
            break
        day -= timedelta(days=1)
    start = datetime.combine(day, time(0), school.zone)
    return start.astimezone(UTC).isoformat(timespec="seconds")


def alert_on_pattern(ctx: Context, report: Report) -> None:
    """After `report` was made: tell its school's coordinators when it makes a pattern."""
    place = report.place
    if place in NOT_A_PLACE:
        return
    school = ctx.school_of(report.school)
    since = window_start(datetime.fromisoformat(ctx.now), school)
    key = LAST_ALERT.format(school=school.id, place=place)
    last = ctx.stores.meta.get(key)
    if last and last >= since:
        return  # told within this window already: a fourth report is no news
    codes = ctx.stores.reports.codes_about_place(school.id, place, since)
    if len(codes) < AT_LEAST:
        return
    ctx.stores.meta.put(key, ctx.now)
    payload = {"event": PATTERN, "place": place, "codes": codes, "at": ctx.now}
    for coordinator in ctx.stores.coordinators.active_in(school.id):
        ctx.stores.outbox.enqueue(
            f"{PATTERN}:{school.id}:{place}:{report.code}:{coordinator.id}",
            payload,
            ctx.now,
            channel=coordinator.channel,
            coordinator=coordinator.id,
            school=school.id,
        )
    log.info("pattern_alert school=%s place=%s reports=%s", school.id, place, len(codes))
