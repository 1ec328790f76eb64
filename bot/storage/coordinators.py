"""Coordinators, authorised by numeric channel id only, and their one-time invites."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from bot.storage.db import Database

CONSOLE_ID = 0  # Telegram ids are positive, so 0 can never be a real account
CONSOLE_CHANNEL = "terminal"


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


def _hash(code: str) -> str:
    # Invite codes are random and single-use; only their hash is kept.
    return hashlib.sha256(code.encode()).hexdigest()


class CoordinatorStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, telegram_id: int, name: str, now: str) -> Coordinator:
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

    def invite(self, name: str, now: str) -> str:
        code = secrets.token_urlsafe(18)
        self.db.execute(
            "INSERT INTO invites (code_hash, name, created) VALUES (?, ?, ?)",
            (_hash(code), name, now),
        )
        return code

    def redeem(self, code: str, telegram_id: int, now: str) -> Coordinator | None:
        """Turn an unused invite into a coordinator; None for an unknown or used code."""
        row = self.db.row(
            "SELECT name FROM invites WHERE code_hash = ? AND used IS NULL", (_hash(code),)
        )
        if row is None:
            return None
        coordinator = self.add(telegram_id, row["name"], now)
        self.db.execute(
            "UPDATE invites SET used = ?, coordinator = ? WHERE code_hash = ?",
            (now, coordinator.id, _hash(code)),
        )
        return coordinator


def _coordinator(row: dict) -> Coordinator:
    return Coordinator(row["id"], row["telegram_id"], row["name"], bool(row["active"]))
