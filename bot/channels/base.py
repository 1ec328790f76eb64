"""What a channel is to the rest of the bot, and what the bot is to a channel.

A channel only adapts: it turns its updates into `Inbound` values, hands them to the
`Conversation` it is given at start, and sends `Outbound` values. The composition root
(`bot/app.py`) builds everything shared (the service, the outbox senders, the job runner) once
per process, whichever channels run, and gives each channel this small view of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

from bot.core.model import ChannelTraits, Identity, Inbound, Outbound

T = TypeVar("T")


class DeliveryError(Exception):
    """A send failed; `retry_after` comes from the channel's rate limit when it gave one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class StartError(Exception):
    """A channel cannot start (a rejected token, an unreachable API): one sentence for the
    operator, never an error's own text (which may hold a token or a user's words)."""


class Conversation(Protocol):
    """The bot as a channel sees it."""

    async def handle(self, who: Identity, inbound: Inbound) -> list[Outbound]:
        """The replies to one thing a user did, rendered for this channel (worked out off the
        event loop, so a slow database never stalls the other users)."""
        ...

    async def undelivered(
        self, who: Identity, replies: list[Outbound], retry_after: float | None
    ) -> None:
        """Replies from `handle` that the channel could not send (`who`'s chat): the update was
        committed, so they are kept in the outbox and delivered with retries, the first not
        before `retry_after` seconds; never answered with "try again"."""
        ...

    def group_reply(self, language_code: str | None) -> list[Outbound]:
        """Said once in a group chat before the channel leaves it."""
        ...

    def failure_reply(self, language_code: str | None) -> list[Outbound]:
        """Said when handling an update failed; works without the database."""
        ...

    def listening(self, who: Identity, on: bool) -> None:
        """A user this channel can reach only while it runs (the terminal) comes or goes."""
        ...

    def coordinator_chats(self, channel: str) -> list[tuple[str, bool]]:
        """Every coordinator's chat on `channel`, and whether they are active (menus)."""
        ...

    async def catch_up(self, channel: str) -> None:
        """Do the due jobs and deliver `channel`'s due messages now, before the next prompt."""
        ...

    async def work(self, job: Callable[[], T]) -> T:
        """Run a channel's own storage work (the web chat's tabs and messages) where updates are
        worked out: off the event loop, in order with them."""
        ...

    async def photo(self, file_id: str) -> bytes | None:
        """The bytes of a photo this process keeps (a web upload, "web-..."); None when gone."""
        ...

    async def document(self, token: str) -> tuple[str, bytes] | None:
        """A file the bot makes as it is sent (an `Outbound.photo` that starts with `MADE_FILE`):
        its name and bytes, made off the event loop; None when the token names none."""
        ...


class Channel(Protocol):
    """A transport. `traits` say its limits and what it means for a user's privacy."""

    traits: ChannelTraits
    # A channel that serves one user of the database in this process (the terminal) gets only
    # that user's messages; the others wait for their own process.
    only_chat: str | None

    async def start(self, conversation: Conversation) -> None:
        """Begin taking updates; raises StartError when the channel cannot start."""
        ...

    async def finished(self) -> None:
        """Returns when the channel ends by itself (the terminal at end of input), else never."""
        ...

    async def stop(self) -> None: ...

    async def send(self, chat: str, outbound: Outbound) -> None:
        """Deliver one message; raises DeliveryError for the outbox to retry."""
        ...

    def coordinator_changed(self, chat: str) -> None:
        """A coordinator on this channel was added or removed (e.g. give them their menu)."""
        ...


class OneAtATime:
    """Each user's updates in order, different users' at the same time.

    A channel that takes updates concurrently holds `turn(user)` from handling an update to
    sending its last reply, so a user's next update waits for the previous answer while nobody
    else does. Locks exist only while a user has an update in hand (no growth with users).
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, user: str) -> AsyncIterator[None]:
        lock, holders = self._locks.get(user, (asyncio.Lock(), 0))
        self._locks[user] = (lock, holders + 1)
        try:
            async with lock:
                yield
        finally:
            lock, holders = self._locks[user]
            if holders == 1:
                del self._locks[user]
            else:
                self._locks[user] = (lock, holders - 1)

    def __len__(self) -> int:
        return len(self._locks)
