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
    active: bool  # holds a role in at least one school
    schools: frozenset[int] = frozenset()  # the schools they coordinate now (active roles)

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
    school: int = 1

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
    """People and their roles: a person coordinates a school while they hold an active role
    there (`coordinator_schools`); one person may coordinate several schools of a board."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, telegram_id: int, name: str, now: str, school: int = 1) -> Coordinator:
        """The operator's `coordinator add`: a new coordinator of `school`, or an existing one
        (re)activated there under this name."""
        self.db.execute(
            "INSERT INTO coordinators (telegram_id, name, active, created) VALUES (?, ?, 1, ?)"
            " ON CONFLICT(telegram_id) DO UPDATE SET name = excluded.name",
            (telegram_id, name, now),
        )
        found = self.by_telegram_id(telegram_id)
        assert found is not None
        self._set_role(found.id, school, True, now)
        return self._person(found.id)

    def _set_role(self, coordinator: int, school: int, active: bool, now: str) -> bool:
        """Give or take one role; True when it changed. `coordinators.active` follows: whether
        the person holds any active role (what older readers of the column expect)."""
        cursor = self.db.execute(
            "INSERT INTO coordinator_schools (coordinator, school, active, created)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(school, coordinator) DO UPDATE"
            " SET active = excluded.active WHERE active != excluded.active",
            (coordinator, school, int(active), now),
        )
        self._sync_active(coordinator)
        return cursor.rowcount == 1

    def _sync_active(self, coordinator: int) -> None:
        self.db.execute(
            "UPDATE coordinators SET active = EXISTS (SELECT 1 FROM coordinator_schools"
            " WHERE coordinator = ? AND active = 1) WHERE id = ?",
            (coordinator, coordinator),
        )

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

    def listen_at_console(self, listening: bool, now: str, school: int = 1) -> Coordinator:
        """Start or stop notifying the console about one school's cases; returns it. The
        console holds a role only while it listens, and only in the school it was started for."""
        console = self.console(now)
        self.db.execute(
            "UPDATE coordinator_schools SET active = 0 WHERE coordinator = ?", (console.id,)
        )
        if listening:
            self._set_role(console.id, school, True, now)
        else:
            self.db.execute("UPDATE coordinators SET active = 0 WHERE id = ?", (console.id,))
        return self._person(console.id)

    def by_telegram_id(self, telegram_id: int) -> Coordinator | None:
        row = self.db.row("SELECT * FROM coordinators WHERE telegram_id = ?", (telegram_id,))
        return self._with_roles(row) if row else None

    def _person(self, coordinator: int) -> Coordinator:
        row = self.db.row("SELECT * FROM coordinators WHERE id = ?", (coordinator,))
        assert row is not None
        return self._with_roles(row)

    def _with_roles(self, row: dict) -> Coordinator:
        roles = self.db.rows(
            "SELECT school FROM coordinator_schools WHERE coordinator = ? AND active = 1",
            (row["id"],),
        )
        return _coordinator(row, frozenset(role["school"] for role in roles))

    def active_in(self, school: int) -> list[Coordinator]:
        """The coordinators of one school: who is told about its cases."""
        rows = self.db.rows(
            "SELECT c.* FROM coordinators c JOIN coordinator_schools cs ON cs.coordinator = c.id"
            " WHERE cs.school = ? AND cs.active = 1 ORDER BY c.id",
            (school,),
        )
        return [self._with_roles(row) for row in rows]

    def all(self, school: int | None = None) -> list[Coordinator]:
        """Everyone who holds or held a role (in `school`, when given)."""
        if school is None:
            rows = self.db.rows("SELECT * FROM coordinators ORDER BY id")
        else:
            rows = self.db.rows(
                "SELECT c.* FROM coordinators c JOIN coordinator_schools cs"
                " ON cs.coordinator = c.id WHERE cs.school = ? ORDER BY c.id",
                (school,),
            )
        return [self._with_roles(row) for row in rows]

    def deactivate(self, coordinator_id: int, school: int | None = None) -> bool:
        """End one role (`school`), or every role; False when there was none to end."""
        cursor = self.db.execute(
            "UPDATE coordinator_schools SET active = 0 WHERE coordinator = ? AND active = 1"
            " AND (? IS NULL OR school = ?)",
            (coordinator_id, school, school),
        )
        self._sync_active(coordinator_id)
        return cursor.rowcount > 0

    def invite(self, name: str, now: str, days: int = INVITE_DAYS, school: int = 1) -> str:
        """A new invite for `name` to coordinate `school`, valid for `days` days; its code."""
        code = secrets.token_urlsafe(18)
        self.db.execute(
            "INSERT INTO invites (code_hash, name, created, expires, school)"
            " VALUES (?, ?, ?, ?, ?)",
            (_hash(code), name, now, expiry(now, days), school),
        )
        return code

    def invites(self, school: int | None = None) -> list[Invite]:
        """Every invite (of `school`, when given), oldest first."""
        rows = self.db.rows(
            "SELECT code_hash, name, created, expires, used, revoked, school FROM invites"
            " WHERE ? IS NULL OR school = ? ORDER BY created, rowid",
            (school, school),
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
        """Give the holder of a pending invite a role in the invite's school; a new person
        gets the invite's name.

        None for an unknown, used, revoked or expired code, and for an account that has or had
        a role in that school: an invite never renames anyone (past notes and history keep
        their names), and only the operator brings back a removed coordinator (`coordinator
        add`). The invite then stays pending, for the person it was meant for. A coordinator of
        another school is given this school too, under the name they have.
        """
        row = self.db.row(
            "SELECT name, school FROM invites WHERE code_hash = ? AND used IS NULL"
            " AND revoked IS NULL AND expires > ?",
            (_hash(code), now),
        )
        if row is None:
            return None
        person = self.by_telegram_id(telegram_id)
        if person is not None and self.db.row(
            "SELECT 1 FROM coordinator_schools WHERE coordinator = ? AND school = ?",
            (person.id, row["school"]),
        ):
            return None
        if person is None:
            self.db.execute(
                "INSERT INTO coordinators (telegram_id, name, active, created) VALUES (?, ?, 1, ?)",
                (telegram_id, row["name"], now),
            )
            person = self.by_telegram_id(telegram_id)
            assert person is not None
        self._set_role(person.id, row["school"], True, now)
        self.db.execute(
            "UPDATE invites SET used = ?, coordinator = ? WHERE code_hash = ?",
            (now, person.id, _hash(code)),
        )
        return self._person(person.id)


def _coordinator(row: dict, schools: frozenset[int]) -> Coordinator:
    return Coordinator(row["id"], row["telegram_id"], row["name"], bool(schools), schools)


def _invite(row: dict) -> Invite:
    return Invite(
        row["code_hash"][:INVITE_ID_LENGTH],
        row["name"],
        row["created"],
        row["expires"],
        row["used"],
        row["revoked"],
        row["school"],
    )
