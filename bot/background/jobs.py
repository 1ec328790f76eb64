"""Timed work: reminders for unclaimed cases and the follow-up question after closing.

Each job kind is a verb of `bot/cases/reports.py`, done by the system actor. Each job is done in
one transaction with the outbox rows it queues, so a crash or restart never loses a reminder and
never sends one twice; a round that fails (the database locked for too long) is tried again by
its supervisor, and what it had done stays done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.background.digest import send_digests
from bot.background.retention import purge_due
from bot.background.supervisor import Supervised, off_loop
from bot.background.waker import Waker
from bot.cases import reports
from bot.cases.board import Board
from bot.cases.context import Actor, Context
from bot.clock import Clock, stamp, system_clock
from bot.storage import Stores

log = logging.getLogger(__name__)

IDLE_WAIT = 60.0  # seconds between checks when nothing is due sooner


# Job kind -> the case verb it does; the job's key tells one follow-up question from another.
VERBS: dict[str, Callable[[Context, dict[str, Any]], None]] = {
    "remind": lambda ctx, job: reports.remind(ctx, job["code"], "remind"),
    "overdue": lambda ctx, job: reports.remind(ctx, job["code"], "overdue"),
    "followup": lambda ctx, job: reports.ask_followup(ctx, job["code"], job["key"]),
}


class JobRunner:
    def __init__(self, stores: Stores, board: Board, clock: Clock = system_clock) -> None:
        self.stores = stores
        self.board = board
        self.clock = clock
        self.on_enqueue: Callable[[], None] = lambda: None
        self.waker = Waker(clock, stores.jobs.next_due, IDLE_WAIT)
        self.supervised = Supervised("jobs", self._round, self.waker.sleep, clock)

    def run_due(self) -> int:
        """Do every job that is due, the daily purge and the Monday digest; returns how many
        jobs were done.

        Raises what the database raises; the jobs done before that stay done (and their
        messages are sent).
        """
        done = digests = 0
        try:
            schools = self.board.current()
            purge_due(self.stores, schools, self.clock())
            digests = send_digests(self.stores, schools, self.clock())
            now = stamp(self.clock)
            for job in self.stores.jobs.due(now):
                # A job acts within its case's school only, by that school's rules.
                school = schools[job["school"]]
                ctx = Context(self.stores, school, Actor.system(), now, schools)
                with self.stores.db.transaction():
                    VERBS[job["kind"]](ctx, job)
                    self.stores.jobs.done(job["id"], now)
                log.info("job_done kind=%s case=%s", job["kind"], job["code"])
                done += 1
        finally:
            if done or digests:
                self.on_enqueue()
        return done

    async def _round(self) -> None:
        await off_loop(self.run_due)  # a locked database waits in a thread, not on the loop

    async def run(self) -> None:
        """Until cancelled; a failed round is logged and tried again (see `Supervised`)."""
        await self.supervised.run()
