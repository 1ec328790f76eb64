"""Coordinators, authorised by numeric channel id only, and their one-time invites.

An invite is a random code of which only the hash is kept. It expires (a week unless the
operator says otherwise), can be revoked, and is named by a short id: the first characters of
that hash, which tell nothing about the code and cannot be redeemed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.storage.db import Database

CONSOLE_ID = 0  # Telegram ids are positive, so 0 can never be a real account
CONSOLE_CHANNEL = "terminal"
INVITE_DAYS = 7  # long enough to reach a colleague after a weekend, short enough to forget
INVITE_ID_LENGTH = 8  # hex digits of the code's hash: 4 billion ids for a handful of invites

InviteState = Literal["pending", "used", "revoked", "expired"]


@dataclass(frozen=True)
class Coordinator:
    id: int
    telegram_id: int
    name: str
    active: bool

    @property
    def channel(self) -> str:
        """The channel that delivers their notifications (the console reads them at its prompt)."""
        return CONSOLE_CHANNEL if self.telegram_id == CONSOLE_ID else "telegram"


@dataclass(frozen=True)
class Invite:
    id: str  # the short id `coordinator invites` shows and `coordinator revoke` takes
    name: str
    created: str
    expires: str | None  # None only for a row no migration could date: never redeemable
    used: str | None
    revoked: str | None

    def state(self, now: str) -> InviteState:
        if self.used:
            return "used"
        if self.revoked:
            return "revoked"
        return "pending" if self.expires and self.expires > now else "expired"


def _hash(code: str) -> str:
    # Invite codes are random and single-use; only their hash is kept.
    return hashlib.sha256(code.encode()).hexdigest()


def invite_id(code: str) -> str:
    """The short id of the invite with this code."""
    return _hash(code)[:INVITE_ID_LENGTH]


def expiry(now: str, days: int) -> str:
    """The moment, stored as `now` is (ISO UTC), `days` days after `now`."""
    return (datetime.fromisoformat(now) + timedelta(days=days)).isoformat(timespec="seconds")


class CoordinatorStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, telegram_id: int, name: str, now: str) -> Coordinator:
        """The operator's `coordinator add`: a new coordinator, or an existing one (re)activated
        under this name."""
        self.db.execute(
            "INSERT INTO coordinators (telegram_id, name, active, created) VALUES (?, ?, 1, ?)"
            " ON CONFLICT(telegram_id) DO UPDATE SET name = excluded.name, active = 1",
            (telegram_id, name, now),
        )
        found = self.by_telegram_id(telegram_id)
        assert found is not None
        return found

    def console(self, now: str) -> Coordinator:
        """The operator at the server's terminal, never a Telegram user.

        Notified like any coordinator, but only while `antipestbot chat --role coordinator`
        runs (see `listen_at_console`): otherwise its notices would pile up unread.
        """
        self.db.execute(
            "INSERT INTO coordinators (telegram_id, name, active, created)"
            " VALUES (?, 'Terminal', 0, ?) ON CONFLICT(telegram_id) DO NOTHING",
            (CONSOLE_ID, now),
        )
        found = self.by_telegram_id(CONSOLE_ID)
        assert found is not None
        return found

    def listen_at_console(self, listening: bool, now: str) -> Coordinator:
        """Start or stop notifying the console; returns it."""
        console = self.console(now)
        self.db.execute(
            "UPDATE coordinators SET active = ? WHERE id = ?", (int(listening), console.id)
        )
        return Coordinator(console.id, CONSOLE_ID, console.name, listening)

    def by_telegram_id(self, telegram_id: int) -> Coordinator | None:
        row = self.db.row("SELECT * FROM coordinators WHERE telegram_id = ?", (telegram_id,))
        return _coordinator(row) if row else None

    def active(self) -> list[Coordinator]:
        rows = self.db.rows("SELECT * FROM coordinators WHERE active = 1 ORDER BY id")
        return [_coordinator(row) for row in rows]

    def all(self) -> list[Coordinator]:
        return [_coordinator(row) for row in self.db.rows("SELECT * FROM coordinators ORDER BY id")]

    def deactivate(self, coordinator_id: int) -> bool:
        cursor = self.db.execute(
            "UPDATE coordinators SET active = 0 WHERE id = ? AND active = 1", (coordinator_id,)
        )
        return cursor.rowcount == 1

    def invite(self, name: str, now: str, days: int = INVITE_DAYS) -> str:
        """A new invite for `name`, valid for `days` days; returns its code."""
        code = secrets.token_urlsafe(18)
        self.db.execute(
            "INSERT INTO invites (code_hash, name, created, expires) VALUES (?, ?, ?, ?)",
            (_hash(code), name, now, expiry(now, days)),
        )
        return code

    def invites(self) -> list[Invite]:
        """Every invite, oldest first."""
        rows = self.db.rows(
            "SELECT code_hash, name, created, expires, used, revoked FROM invites"
            " ORDER BY created, rowid"
        )
        return [_invite(row) for row in rows]

    def revoke(self, short_id: str, now: str) -> Invite | None:
        """End the pending invite with this short id; None when no pending invite has it."""
        pending = [
            i for i in self.invites() if i.id == short_id.lower() and i.state(now) == "pending"
        ]
        if len(pending) != 1:  # two would share 32 bits of a hash: refuse rather than guess
            return None
        self.db.execute(
            "UPDATE invites SET revoked = ? WHERE substr(code_hash, 1, ?) = ? AND used IS NULL"
            " AND revoked IS NULL",
            (now, INVITE_ID_LENGTH, pending[0].id),
        )
        return pending[0]

    def redeem(self, code: str, telegram_id: int, now: str) -> Coordinator | None:
        """Make the holder of a pending invite a coordinator under the invite's name.

        None for an unknown, used, revoked or expired code, and for an account that is or was a
        coordinator: an invite never renames anyone (past notes and history keep their names),
        and only the operator brings back a removed coordinator (`coordinator add`). The invite
        then stays pending, for the person it was meant for.
        """
        row = self.db.row(
            "SELECT name FROM invites WHERE code_hash = ? AND used IS NULL AND revoked IS NULL"
            " AND expires > ?",
            (_hash(code), now),
        )
        if row is None or self.by_telegram_id(telegram_id) is not None:
            return None
        self.db.execute(
            "INSERT INTO coordinators (telegram_id, name, active, created) VALUES (?, ?, 1, ?)",
            (telegram_id, row["name"], now),
        )
        coordinator = self.by_telegram_id(telegram_id)
        assert coordinator is not None
        self.db.execute(
            "UPDATE invites SET used = ?, coordinator = ? WHERE code_hash = ?",
            (now, coordinator.id, _hash(code)),
        )
        return coordinator


def _coordinator(row: dict) -> Coordinator:
    return Coordinator(row["id"], row["telegram_id"], row["name"], bool(row["active"]))


def _invite(row: dict) -> Invite:
    return Invite(
        row["code_hash"][:INVITE_ID_LENGTH],
        row["name"],
        row["created"],
        row["expires"],
        row["used"],
        row["revoked"],
    )
