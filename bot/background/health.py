"""Whether the process does its work: the one verdict the health endpoint (GET /healthz) gives.

Healthy is: the database takes a write (a stamp in meta, in a durable transaction of its own, so
a read-only file, a full disk or a lock held past busy_timeout shows), and every background loop
is moving: it runs, a round ended lately, and few rounds failed in a row. Only the verdict leaves
this module, never which part failed or why: the endpoint may be reachable from outside.

The endpoint can be asked by anyone who reaches the port, and each verdict is a write and an
fsync: one verdict serves every request for `REUSE` seconds, so a flood of requests never turns
into a flood of writes that would keep the conversations waiting for the database.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.background.supervisor import LoopHealth, off_loop
from bot.clock import Clock, stamp, system_clock
from bot.storage import Stores

log = logging.getLogger(__name__)

# An idle outbox sender ends a round at least every 30 s (its IDLE_WAIT), the job runner every
# 60 s: ten minutes without a round is a loop that hangs, not one that waits or works a backlog.
STALE = 600.0
# Failed rounds in a row: with the supervisor's backoff (1, 2, 4, 8 s) and SQLite's 5 s
# busy_timeout, five of them are about a minute of a database that refuses the work.
MAX_ERRORS = 5
REUSE = 2.0  # seconds one verdict answers every request (Docker asks every 30 s)
CHECKED = "health_checked"  # the meta key the probe write sets (when it last succeeded)


def loops_moving(loops: Mapping[str, LoopHealth], now: datetime) -> bool:
    """Every loop runs, ended a round within `STALE` seconds, and has not failed `MAX_ERRORS`
    rounds in a row; False when there are none (the app has not started them yet)."""
    if not loops:
        return False
    for loop in loops.values():
        if not loop.alive or loop.last_round is None or loop.errors >= MAX_ERRORS:
            return False
        if (now - datetime.fromisoformat(loop.last_round)).total_seconds() > STALE:
            return False
    return True


def database_writable(stores: Stores, clock: Clock = system_clock) -> bool:
    """One small durable write; False (logged by the error's type) when the database refuses."""
    try:
        with stores.db.transaction():
            stores.meta.put(CHECKED, stamp(clock))
    except (sqlite3.Error, OSError) as error:
        log.warning("health_write_failed error=%s", type(error).__name__)
        return False
    return True


class Health:
    """The verdict for the endpoint, worked out at most once per `REUSE` seconds."""

    def __init__(
        self,
        stores: Stores,
        loops: Callable[[], Mapping[str, LoopHealth]],
        clock: Clock = system_clock,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stores = stores
        self.loops = loops
        self.clock = clock
        self.monotonic = monotonic
        self._last: tuple[float, bool] | None = None  # (when, verdict)
        self._lock = asyncio.Lock()  # requests that come together share one write

    async def healthy(self) -> bool:
        async with self._lock:
            if self._last is not None and self.monotonic() - self._last[0] < REUSE:
                return self._last[1]
            # The write waits in a thread (up to busy_timeout), not on the event loop.
            verdict = loops_moving(self.loops(), self.clock()) and await off_loop(
                database_writable, self.stores, self.clock
            )
            if self._last is not None and self._last[1] != verdict:
                log.info("health_changed healthy=%s", verdict)
            self._last = (self.monotonic(), verdict)
            return verdict
