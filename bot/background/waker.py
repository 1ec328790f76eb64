"""Sleep for background loops: until woken, until the next due time, or at most `idle`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from bot.background.supervisor import off_loop
from bot.clock import Clock


class Waker:
    def __init__(self, clock: Clock, next_due: Callable[[], str | None], idle: float) -> None:
        self.clock = clock
        self.next_due = next_due
        self.idle = idle
        self._event = asyncio.Event()

    def wake(self) -> None:
        self._event.set()

    async def sleep(self) -> None:
        # A timer that sets the event, not asyncio.wait_for: a stop that cancelled a sender
        # inside wait_for, on a 50 ms timeout, hung for good on Python 3.11 here; the root
        # cancels these loops at every stop, so they must end at once.
        # The next due time is read in a thread: the database may be busy with another's write.
        seconds = await off_loop(self._seconds)
        timer = asyncio.get_running_loop().call_later(seconds, self._event.set)
        try:
            await self._event.wait()
        finally:
            timer.cancel()
        self._event.clear()

    def _seconds(self) -> float:
        at = self.next_due()
        if at is None:
            return self.idle
        seconds = (datetime.fromisoformat(at) - self.clock()).total_seconds()
        return min(self.idle, max(0.05, seconds))
