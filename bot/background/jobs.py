"""Timed work: reminders for unclaimed cases and the follow-up question after closing.

Each job is done in one transaction with the outbox rows it queues, so a crash or restart
never loses a reminder and never sends one twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.background.retention import purge_due
from bot.background.waker import Waker
from bot.cases.notifications import notify_coordinators, notify_reporter
from bot.clock import Clock, stamp, system_clock
from bot.schools.school import School
from bot.storage import Stores, audit

log = logging.getLogger(__name__)

IDLE_WAIT = 60.0  # seconds between checks when nothing is due sooner


def _remind(stores: Stores, job: dict[str, Any], now: str) -> None:
    report = stores.reports.get(job["code"])
    if report and report.status == "new" and report.assignee is None:
        notify_coordinators(stores, job["kind"], job["code"], now)
        audit.record(stores.db, now, "system", f"{job['kind']}_sent", job["code"])


def _followup(stores: Stores, job: dict[str, Any], now: str) -> None:
    report = stores.reports.get(job["code"])
    # Recorded as asked only when it was queued: a forgotten reporter cannot be asked.
    closed = report is not None and report.status == "closed"
    if closed and notify_reporter(stores, "followup", job["code"], now, job["key"]):
        audit.record(stores.db, now, "system", "followup_asked", job["code"])


HANDLERS: dict[str, Callable[[Stores, dict[str, Any], str], None]] = {
    "remind": _remind,
    "overdue": _remind,
    "followup": _followup,
}


class JobRunner:
    def __init__(self, stores: Stores, school: School, clock: Clock = system_clock) -> None:
        self.stores = stores
        self.school = school
        self.clock = clock
        self.on_enqueue: Callable[[], None] = lambda: None
        self.waker = Waker(clock, stores.jobs.next_due, IDLE_WAIT)

    def run_due(self) -> int:
        """Do every job that is due, and the daily purge; returns how many jobs were done."""
        purge_due(self.stores, self.school, self.clock())
        done = 0
        now = stamp(self.clock)
        for job in self.stores.jobs.due(now):
            with self.stores.db.transaction():
                HANDLERS[job["kind"]](self.stores, job, now)
                self.stores.jobs.done(job["id"], now)
            log.info("job_done kind=%s case=%s", job["kind"], job["code"])
            done += 1
        if done:
            self.on_enqueue()
        return done

    async def run(self) -> None:
        while True:
            self.run_due()
            await self.waker.sleep()
