"""Background loops that outlive their errors, each with a health figure.

A loop is a round of work (deliver what is due, do the due jobs) and a sleep until the next
round. A round that fails (the database locked by another process for longer than its
busy_timeout, a full disk, a bug) is logged by its error's type only, waited out with a growing
backoff and tried again: a loop never ends by itself, where before one error ended it silently
and nothing was delivered until a restart. `health()` says whether the loop runs, when a round
last succeeded, and how many have failed in a row since (a health endpoint reads it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.clock import Clock, stamp, system_clock

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_WAIT = 1.0  # seconds after a failed round; doubled for each failure in a row
MAX_WAIT = 30.0  # a long outage is tried twice a minute (and logged as often, no more)


@dataclass(frozen=True)
class LoopHealth:
    alive: bool  # the loop runs; it ends only when the app stops
    last_round: str | None  # when a round last ended without an error (None: none yet)
    errors: int  # rounds failed in a row since then


class Supervised:
    """Runs `work` (a round) and then `sleep`, again and again, whatever `work` raises."""

    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[object]],
        sleep: Callable[[], Awaitable[None]],
        clock: Clock = system_clock,
        first_wait: float = FIRST_WAIT,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.name = name
        self.work = work
        self.sleep = sleep
        self.clock = clock
        self.first_wait = first_wait
        self.max_wait = max_wait
        self.alive = False
        self.last_round: str | None = None
        self.errors = 0

    async def run(self) -> None:
        """Until cancelled: a round, then the sleep (after a failed round: the backoff)."""
        self.alive = True
        try:
            while True:
                if await self.once():
                    await self.sleep()
                else:
                    await asyncio.sleep(self.backoff())
        finally:
            self.alive = False

    async def once(self) -> bool:
        """One round; False when it failed (logged and counted, never raised)."""
        try:
            await self.work()
        except Exception as error:
            self.errors += 1
            # The error's text may quote a user's words or a path: its type says enough.
            log.error(
                "background_failed loop=%s error=%s errors=%d",
                self.name,
                type(error).__name__,
                self.errors,
            )
            return False
        if self.errors:
            log.info("background_recovered loop=%s errors=%d", self.name, self.errors)
        self.errors = 0
        self.last_round = stamp(self.clock)
        return True

    def backoff(self) -> float:
        """Seconds to wait after the latest failure."""
        return min(self.max_wait, self.first_wait * 2 ** max(0, self.errors - 1))

    def health(self) -> LoopHealth:
        return LoopHealth(self.alive, self.last_round, self.errors)


async def off_loop(work: Callable[..., T], *args: object) -> T:
    """`work(*args)` in a thread: database work waits there (up to busy_timeout on a lock that
    another process holds), while the event loop goes on answering users.

    A cancelled caller (the app stopping) still waits for the work in hand, so that a stop never
    closes the database under a transaction.
    """
    future = asyncio.get_running_loop().run_in_executor(None, work, *args)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise
