"""The weekly digest: every Monday at the start of the school day (the school's clock), each
school's coordinators get the state of their school's week.

What waits longer than the promise and which follow-up questions are due this week (by case code
only), and last week's counts. The outbox row names only the event and the moment: the figures
are read when it is sent (`bot/cases/notifications.py`), so they are as fresh as a /cijfers.
Checked every round of the timed jobs, like the daily purge; a school's last digest week is kept
in the meta table, so a restart, a second round or a second process never sends it twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.cases.notifications import DIGEST
from bot.schools.registry import Schools
from bot.storage import Stores

log = logging.getLogger(__name__)

LAST_DIGEST = "last_digest_week:{school}"  # the ISO week ("2026-W48") of a school's last digest
# The ISO week in which the bot saw a school before its Monday school day began. A school's FIRST
# digest needs it: an installation (or a test) started on a Monday afternoon has not watched that
# week begin, and says nothing until the next Monday.
ARMED = "digest_armed_week:{school}"
MONDAY = 0


def send_digests(stores: Stores, schools: Schools, now: datetime) -> int:
    """Queue this week's digest for each school whose Monday school day has begun; returns for
    how many schools. A Monday the bot was down all day goes without."""
    at = now.astimezone(UTC).isoformat(timespec="seconds")
    queued = 0
    for school in schools.live:
        local = now.astimezone(school.zone)
        if local.weekday() != MONDAY:
            continue
        year, week, _day = local.isocalendar()
        this_week = f"{year}-W{week:02d}"
        key = LAST_DIGEST.format(school=school.id)
        last = stores.meta.get(key)
        if local.time() < school.hours[0]:
            armed = ARMED.format(school=school.id)
            if last is None and stores.meta.get(armed) != this_week:
                with stores.db.transaction():
                    stores.meta.put(armed, this_week)
            continue
        if last and last >= this_week:
            continue
        if last is None and stores.meta.get(ARMED.format(school=school.id)) != this_week:
            continue  # the first digest: only for a week the bot saw begin
        with stores.db.transaction():
            for coordinator in stores.coordinators.active_in(school.id):
                stores.outbox.enqueue(
                    f"{DIGEST}:{school.id}:{this_week}:{coordinator.id}",
                    {"event": DIGEST, "at": at, "week": this_week},
                    at,
                    channel=coordinator.channel,
                    coordinator=coordinator.id,
                    school=school.id,
                )
            stores.meta.put(key, this_week)
        log.info("digest_queued school=%s week=%s", school.id, this_week)
        queued += 1
    return queued
