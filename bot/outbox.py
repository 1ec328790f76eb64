"""Deliver queued coordinator messages, with retries, backoff and a dead-letter state.

Rows are written in the same transaction as their cause (a report), so a crash before
delivery only delays a notification. Sending is at-least-once: a row is marked sent after
the channel confirmed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock, stamp, system_clock
from bot.model import Outbound
from bot.notifications import notification_screen
from bot.render import Renderer
from bot.storage.sessions import SessionStore
from bot.turn import Stores

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = 2.0  # seconds; doubled per attempt, with jitter
MAX_DELAY = 600.0
IDLE_WAIT = 30.0  # seconds between checks when nothing wakes the sender


class DeliveryError(Exception):
    """A send failed; `retry_after` comes from the channel's rate limit when it gave one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


Send = Callable[[int, Outbound], Awaitable[None]]


def backoff(attempts: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return retry_after
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** (attempts - 1))
    return delay * random.uniform(0.5, 1.0)


class OutboxSender:
    def __init__(
        self, stores: Stores, renderer: Renderer, send: Send, clock: Clock = system_clock
    ) -> None:
        self.stores = stores
        self.renderer = renderer
        self.send = send
        self.clock = clock
        self.sessions = SessionStore(stores.db, stores.vault)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            await self.deliver_due()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._wait())
            self._wake.clear()

    def _wait(self) -> float:
        at = self.stores.outbox.next_try()
        if at is None:
            return IDLE_WAIT
        seconds = (datetime.fromisoformat(at) - self.clock()).total_seconds()
        return min(IDLE_WAIT, max(0.05, seconds))

    async def deliver_due(self) -> int:
        """Send every row that is due; returns how many were delivered."""
        delivered = 0
        for row in self.stores.outbox.due(stamp(self.clock)):
            key = self.stores.vault.subject("telegram", row["telegram_id"])
            session = self.sessions.load(key)
            locale = session.locale if session and session.locale else "nl"
            screen = notification_screen(self.stores, row["payload"])
            try:
                for outbound in self.renderer.render([screen], locale):
                    await self.send(row["telegram_id"], outbound)
            except DeliveryError as error:
                self._failed(row, error)
                continue
            with self.stores.db.transaction():
                self.stores.outbox.sent(row["id"], stamp(self.clock))
            delivered += 1
            log.info("outbox_delivered key=%s", row["key"])
        return delivered

    def _failed(self, row: dict, error: DeliveryError) -> None:
        attempts = row["attempts"] + 1
        with self.stores.db.transaction():
            if attempts >= MAX_ATTEMPTS:
                self.stores.outbox.dead(row["id"], attempts)
                log.warning("outbox_dead key=%s attempts=%s", row["key"], attempts)
                return
            delay = timedelta(seconds=backoff(attempts, error.retry_after))
            next_try = (self.clock() + delay).isoformat(timespec="seconds")
            self.stores.outbox.retry(row["id"], attempts, next_try)
        log.info("outbox_retry key=%s attempts=%s", row["key"], attempts)
