"""Deliver queued coordinator messages, with retries, backoff and a dead-letter state.

Rows are written in the same transaction as their cause (a report), so a crash before
delivery only delays a notification. Sending is at-least-once: a row is marked sent after
the channel confirmed it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta

from bot.background.waker import Waker
from bot.cases.notifications import notification_screen
from bot.channels.base import DeliveryError
from bot.clock import Clock, stamp, system_clock
from bot.core.model import Limits, Outbound
from bot.core.render import TELEGRAM_SIZED, Renderer
from bot.schools.school import School
from bot.storage import Stores
from bot.storage.sessions import SessionStore

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = 2.0  # seconds; doubled per attempt, with jitter
MAX_DELAY = 600.0
IDLE_WAIT = 30.0  # seconds between checks when nothing wakes the sender


Send = Callable[[str, Outbound], Awaitable[None]]


def backoff(
    attempts: int,
    retry_after: float | None,
    base_delay: float = BASE_DELAY,
    max_delay: float = MAX_DELAY,
) -> float:
    if retry_after is not None:
        return retry_after
    delay = min(max_delay, base_delay * 2 ** (attempts - 1))
    return delay * random.uniform(0.5, 1.0)


class OutboxSender:
    def __init__(
        self,
        stores: Stores,
        school: School,
        renderer: Renderer,
        send: Send,
        clock: Clock = system_clock,
        channel: str = "telegram",
        only_chat: str | None = None,
        base_delay: float = BASE_DELAY,
        max_delay: float = MAX_DELAY,
        default_locale: str = "nl",
        limits: Limits = TELEGRAM_SIZED,
    ) -> None:
        self.channel = channel
        self.limits = limits  # the channel's: how much one message may hold
        self.default_locale = default_locale  # for a reader who never chose a language
        self.base_delay = base_delay  # the first retry's delay; doubled per attempt, jittered
        self.max_delay = max_delay
        self.only_chat = only_chat  # the terminal delivers to its own user only
        self.stores = stores
        self.school = school
        self.renderer = renderer
        self.send = send
        self.clock = clock
        self.sessions = SessionStore(stores.db, stores.vault)
        # A sender for one user's chat (the terminal) leaves the others' rows to their own
        # process: their due times must not wake it, or it would spin until they are sent.
        due = (lambda: None) if only_chat else (lambda: stores.outbox.next_try(channel))
        self.waker = Waker(clock, due, IDLE_WAIT)
        self._lock = asyncio.Lock()
        # chat -> when its rate limit (a 429's retry_after) ends: nothing goes there before.
        self._paused: dict[str, str] = {}

    def wake(self) -> None:
        self.waker.wake()

    async def run(self) -> None:
        while True:
            await self.deliver_due()
            await self.waker.sleep()

    def _target(self, row: dict) -> tuple[str, str, str | None] | None:
        """The chat, its language and its reader's role (pupil, parent: the texts' audience).

        None when the reporter cannot be reached.
        """
        audience = None
        if row["telegram_id"] is not None:
            # A coordinator's session is keyed by this channel (the console's by the terminal).
            key = self.stores.vault.subject(self.channel, row["telegram_id"])
            chat = str(row["telegram_id"])
        else:
            code = self.stores.reports.code_of(row["report"])
            reporter = self.stores.reports.reporter(code) if code else None
            contact = json.loads(reporter["contact"]) if reporter else {}
            if reporter is None or "chat" not in contact:  # purged, or the reporter was forgotten
                return None
            # Sealed before ids were strings, a Telegram chat is a number: the same chat.
            key, chat, audience = reporter["reporter"], str(contact["chat"]), reporter["role"]
        session = self.sessions.load(key)
        locale = session.locale if session and session.locale else self.default_locale
        return chat, locale, audience

    async def deliver_due(self) -> int:
        """Send every row that is due; returns how many were delivered.

        Serialised: two concurrent runs would both read a row as pending and send it twice.
        """
        async with self._lock:
            return await self._deliver_due()

    async def _deliver_due(self) -> int:
        delivered = 0
        now = stamp(self.clock)
        self._paused = {chat: until for chat, until in self._paused.items() if until > now}
        for row in self.stores.outbox.due(now, self.channel):
            target = self._target(row)
            if target is None:
                self._failed(row, DeliveryError("unreachable"), attempts=MAX_ATTEMPTS)
                continue
            chat, locale, audience = target
            if self.only_chat is not None and chat != self.only_chat:
                continue
            if chat in self._paused:  # rate-limited: wait with the rest, no attempt counted
                with self.stores.db.transaction():
                    self.stores.outbox.retry(row["id"], row["attempts"], self._paused[chat])
                continue
            screen = notification_screen(self.stores, self.school, row["payload"])
            try:
                for outbound in self.renderer.render([screen], locale, audience, self.limits):
                    await self.send(chat, outbound)
            except DeliveryError as error:
                next_try = self._failed(row, error)
                if error.retry_after is not None and next_try is not None:
                    self._paused[chat] = next_try
                continue
            with self.stores.db.transaction():
                self.stores.outbox.sent(row["id"], stamp(self.clock))
            delivered += 1
            log.info("outbox_delivered key=%s", row["key"])
        return delivered

    def _tell_coordinators(self, row: dict) -> None:
        """A message that cannot be delivered is itself news for the other coordinators."""
        payload = row["payload"]
        if payload.get("event") == "delivery_failed":
            return  # never a chain of failure notices
        now = stamp(self.clock)
        notice = {"event": "delivery_failed", "code": payload["code"], "at": now}
        for coordinator in self.stores.coordinators.active():
            if coordinator.id != row["coordinator"]:
                key = f"delivery_failed:{row['id']}:{coordinator.id}"
                self.stores.outbox.enqueue(
                    key, notice, now, channel=coordinator.channel, coordinator=coordinator.id
                )

    def _failed(self, row: dict, error: DeliveryError, attempts: int | None = None) -> str | None:
        """Count a failed attempt; returns when the row is tried again (None: it is dead)."""
        attempts = attempts or row["attempts"] + 1
        with self.stores.db.transaction():
            if attempts >= MAX_ATTEMPTS:
                self.stores.outbox.dead(row["id"], attempts)
                self._tell_coordinators(row)
                log.warning("outbox_dead key=%s attempts=%s", row["key"], attempts)
                return None
            seconds = backoff(attempts, error.retry_after, self.base_delay, self.max_delay)
            next_try = self._after(seconds)
            self.stores.outbox.retry(row["id"], attempts, next_try)
        log.info("outbox_retry key=%s attempts=%s", row["key"], attempts)
        return next_try

    def _after(self, seconds: float) -> str:
        """The stamp `seconds` from now, rounded up: stamps hold whole seconds, and truncating
        would retry up to a second early (inside a 429's retry_after, or at once)."""
        at = self.clock().astimezone(UTC) + timedelta(seconds=seconds)
        if at.microsecond:
            at = at.replace(microsecond=0) + timedelta(seconds=1)
        return at.isoformat(timespec="seconds")
