"""Sleep for background loops: until woken, until the next due time, or at most `idle`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=self._seconds())
        self._event.clear()

    def _seconds(self) -> float:
        at = self.next_due()
        if at is None:
            return self.idle
        seconds = (datetime.fromisoformat(at) - self.clock()).total_seconds()
        return min(self.idle, max(0.05, seconds))
