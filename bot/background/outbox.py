"""Deliver the messages the bot sends by itself, with retries, backoff and a dead-letter state.

Rows are written in the same transaction as their cause (a report), so a crash before delivery
only delays a notification; a reply the channel could not send after its update was committed
is kept here too (`keep_replies`), never answered with "try again". Sending is at-least-once: a
row is marked sent after the channel confirmed it. A row the channel confirmed is remembered as
delivered (and the parts of a long one as far as they went) until its mark is written, so a
database that refuses the mark for a while (locked by another process) never makes it go out
twice; and nothing more is sent before that mark lands. The sender runs supervised: an error
ends a round, never the loop; its database work runs in a thread, so a lock held elsewhere never
stalls the event loop. A coordinator removed after a row was queued gets nothing: the row
is cancelled, and what only they were told goes to the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.background.supervisor import Supervised, off_loop
from bot.background.waker import Waker
from bot.cases.board import Board
from bot.cases.notifications import held_until, notification_screen
from bot.channels.base import DeliveryError
from bot.clock import Clock, stamp, system_clock
from bot.core.i18n import pick_locale
from bot.core.model import Identity, Limits, Outbound
from bot.core.render import TELEGRAM_SIZED, Renderer
from bot.storage import Stores
from bot.storage.coordinators import CONSOLE_ID
from bot.storage.outbox import REPLY
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


def after(now: datetime, seconds: float) -> str:
    """The stamp `seconds` after `now`, rounded up: stamps hold whole seconds, and truncating
    would retry up to a second early (inside a 429's retry_after, or at once)."""
    at = now.astimezone(UTC) + timedelta(seconds=seconds)
    if at.microsecond:
        at = at.replace(microsecond=0) + timedelta(seconds=1)
    return at.isoformat(timespec="seconds")


def keep_replies(
    stores: Stores,
    who: Identity,
    replies: Sequence[Outbound],
    retry_after: float | None,
    clock: Clock = system_clock,
) -> None:
    """Queue the replies to a handled update that the channel could not send, for `who`'s chat.

    The update was committed (a report may be sent), so its answer must still come: sealed in
    the outbox and delivered with retries, the first not before the channel's `retry_after`.
    """
    now = clock()
    key = f"reply:{who.channel}:{secrets.token_hex(8)}"
    messages = [_reply_json(outbound) for outbound in replies]
    # At once (rounded up, "now" would wait for the next whole second), or after the wait.
    next_try = after(now, retry_after) if retry_after else stamp(lambda: now)
    with stores.db.transaction():
        stores.outbox.enqueue_reply(
            key, who.chat_id, messages, stamp(lambda: now), next_try, channel=who.channel
        )
    log.info("reply_kept channel=%s messages=%d", who.channel, len(messages))


def _reply_json(outbound: Outbound) -> dict[str, Any]:
    return {field.name: getattr(outbound, field.name) for field in fields(Outbound)}


def _reply(message: dict[str, Any]) -> Outbound:
    """The message as it was kept; a field kept by an older version and no longer known is left
    out, and one it did not know yet takes its default."""
    known = {field.name for field in fields(Outbound)}
    values = {name: value for name, value in message.items() if name in known}
    values["rows"] = tuple(tuple((label, data) for label, data in row) for row in values["rows"])
    return Outbound(**values)


@dataclass(frozen=True)
class Target:
    """Where a row goes and how it reads there: the chat, its language, its reader's role (pupil,
    parent: the texts' audience); a kept reply brings its rendered messages along."""

    chat: str
    locale: str
    audience: str | None = None
    replies: tuple[Outbound, ...] = ()


class OutboxSender:
    def __init__(
        self,
        stores: Stores,
        board: Board,
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
        self.board = board  # each row is about one school: its hours, its coordinators
        self.renderer = renderer
        self.send = send
        self.clock = clock
        self.sessions = SessionStore(stores.db, stores.vault)
        # Rows the channel confirmed whose "sent" mark is not written yet (row id -> when), and
        # how many parts of a long row went out before a part failed: never sent again.
        self._unmarked: dict[int, str] = {}
        self._parts: dict[int, int] = {}
        # A sender for one user's chat (the terminal) leaves the others' rows to their own
        # process: their due times must not wake it, or it would spin until they are sent.
        due = (lambda: None) if only_chat else (lambda: stores.outbox.next_try(channel))
        self.waker = Waker(clock, due, IDLE_WAIT)
        self._lock = asyncio.Lock()
        # chat -> when its rate limit (a 429's retry_after) ends: nothing goes there before.
        self._paused: dict[str, str] = {}
        self.supervised = Supervised(f"outbox:{channel}", self.deliver_due, self.waker.sleep, clock)

    def wake(self) -> None:
        self.waker.wake()

    async def run(self) -> None:
        """Until cancelled; a failed round is logged and tried again (see `Supervised`)."""
        await self.supervised.run()

    def _target(self, row: dict) -> Target | None:
        """Where the row goes; None when the reporter cannot be reached."""
        audience = None
        if row["payload"]["event"] == REPLY:
            content = self.stores.outbox.content(row)
            replies = tuple(_reply(message) for message in content["replies"])
            return Target(str(content["chat"]), "", replies=replies)
        if row["telegram_id"] is not None:
            # A coordinator's session is keyed by this channel (the console's by the terminal).
            key = self.stores.vault.subject(self.channel, row["telegram_id"])
            chat = str(row["telegram_id"])
        else:
            code = self.stores.reports.code_of(row["report"])
            reporter = self.stores.reports.reporter(code, row["school"]) if code else None
            contact = json.loads(reporter["contact"]) if reporter else {}
            if reporter is None or "chat" not in contact:  # purged, or the reporter was forgotten
                return None
            # Sealed before ids were strings, a Telegram chat is a number: the same chat.
            key, chat, audience = reporter["reporter"], str(contact["chat"]), reporter["role"]
        # As for replies: their own choice, else their app's language (last seen), else the
        # channel's language.
        session, language = self.sessions.load_with_language(key)
        stored = session.locale if session else None
        locale = pick_locale(stored, language) if stored or language else self.default_locale
        return Target(chat, locale, audience)

    async def deliver_due(self) -> int:
        """Send every row that is due; returns how many were delivered.

        Serialised: two concurrent runs would both read a row as pending and send it twice.
        """
        async with self._lock:
            return await self._deliver_due()

    async def _deliver_due(self) -> int:
        # What went out before is marked first (this raises while the database refuses).
        await off_loop(self._mark_delivered)
        delivered = 0
        now = stamp(self.clock)
        self._paused = {chat: until for chat, until in self._paused.items() if until > now}
        for row in await off_loop(self.stores.outbox.due, now, self.channel):
            prepared = await off_loop(self._prepare, row, now)
            if prepared is None:
                continue
            chat, messages = prepared
            try:
                for outbound in messages[self._parts.get(row["id"], 0) :]:
                    await self.send(chat, outbound)
                    self._parts[row["id"]] = self._parts.get(row["id"], 0) + 1
            except DeliveryError as error:
                next_try = await off_loop(self._failed, row, error)
                if error.retry_after is not None and next_try is not None:
                    self._paused[chat] = next_try
                continue
            self._parts.pop(row["id"], None)
            self._unmarked[row["id"]] = stamp(self.clock)
            delivered += 1
            log.info("outbox_delivered key=%s", row["key"])
            await off_loop(self._mark_delivered)
        return delivered

    def _prepare(self, row: dict, now: str) -> tuple[str, list[Outbound]] | None:
        """The chat and the messages of a due row; None when the row waits, ends here, or is for
        another process. Database work, so it runs off the event loop (`off_loop`)."""
        if row["coordinator"] is not None and not row["active"]:
            if row["telegram_id"] != CONSOLE_ID:  # the console is inactive between chats
                self._cancel(row)
            return None
        try:
            target = self._target(row)
            messages = self._messages(row, target) if target else []
        except sqlite3.Error:
            raise  # the database's trouble, not this row's: the round fails
        except Exception as error:  # a row nobody can read (a bug, a changed key): dead
            log.error("outbox_unreadable key=%s error=%s", row["key"], type(error).__name__)
            target = None
        if target is None:
            self._failed(row, DeliveryError("unreachable"), attempts=MAX_ATTEMPTS)
            return None
        chat = target.chat
        if self.only_chat is not None and chat != self.only_chat:
            return None
        if chat in self._paused:  # rate-limited: wait with the rest, no attempt counted
            with self.stores.db.transaction():
                self.stores.outbox.retry(row["id"], row["attempts"], self._paused[chat])
            return None
        school = self.board.current()[row["school"]]
        held = held_until(self.stores, school, row["payload"], now)
        if held is not None:  # the reporter wants messages only in some hours: wait for them
            with self.stores.db.transaction():
                self.stores.outbox.retry(row["id"], row["attempts"], held)
            return None
        return chat, messages

    def _messages(self, row: dict, target: Target) -> list[Outbound]:
        if row["payload"]["event"] == REPLY:
            return list(target.replies)
        school = self.board.current()[row["school"]]
        named = row["coordinator"] is not None and row["roles"] > 1
        screen = notification_screen(
            self.stores, school, row["payload"], named=named, locale=target.locale
        )
        return self.renderer.render([screen], target.locale, target.audience, self.limits)

    def _mark_delivered(self) -> None:
        """Write the "sent" marks the channel's confirmations still wait for."""
        if not self._unmarked:
            return
        with self.stores.db.transaction():
            for row_id, at in self._unmarked.items():
                self.stores.outbox.sent(row_id, at)
        self._unmarked.clear()

    def _cancel(self, row: dict) -> None:
        """A removed coordinator is told nothing more. What went to them as the case's
        coordinator goes to the active ones, as a new message would (`notify_coordinators`)."""
        payload = row["payload"]
        now = stamp(self.clock)
        with self.stores.db.transaction():
            self.stores.outbox.cancel(row["id"])
            school = row["school"]
            known = "code" in payload
            report = (
                self.stores.reports.get(payload["code"], frozenset({school})) if known else None
            )
            if report is not None and report.assignee == row["coordinator"]:
                for coordinator in self.stores.coordinators.active_in(school):
                    self.stores.outbox.enqueue(
                        f"{row['key']}:to:{coordinator.id}",
                        payload,
                        now,
                        channel=coordinator.channel,
                        coordinator=coordinator.id,
                        school=school,
                    )
        log.info("outbox_cancelled key=%s", row["key"])

    def _tell_coordinators(self, row: dict) -> None:
        """A message that cannot be delivered is itself news for the other coordinators."""
        payload = row["payload"]
        if payload.get("event") in ("delivery_failed", REPLY) or "code" not in payload:
            return  # never a chain of failure notices; a reply to a user is about no case
        now = stamp(self.clock)
        notice = {"event": "delivery_failed", "code": payload["code"], "at": now}
        for coordinator in self.stores.coordinators.active_in(row["school"]):
            if coordinator.id != row["coordinator"]:
                key = f"delivery_failed:{row['id']}:{coordinator.id}"
                self.stores.outbox.enqueue(
                    key,
                    notice,
                    now,
                    channel=coordinator.channel,
                    coordinator=coordinator.id,
                    school=row["school"],
                )

    def _failed(self, row: dict, error: DeliveryError, attempts: int | None = None) -> str | None:
        """Count a failed attempt; returns when the row is tried again (None: it is dead)."""
        attempts = attempts or row["attempts"] + 1
        with self.stores.db.transaction():
            if attempts >= MAX_ATTEMPTS:
                self._parts.pop(row["id"], None)
                self.stores.outbox.dead(row["id"], attempts)
                self._tell_coordinators(row)
                log.warning("outbox_dead key=%s attempts=%s", row["key"], attempts)
                return None
            seconds = backoff(attempts, error.retry_after, self.base_delay, self.max_delay)
            next_try = after(self.clock(), seconds)
            self.stores.outbox.retry(row["id"], attempts, next_try)
        log.info("outbox_retry key=%s attempts=%s", row["key"], attempts)
        return next_try
