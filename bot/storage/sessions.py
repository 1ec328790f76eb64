"""Conversation sessions, keyed by the subject's keyed hash."""

from __future__ import annotations

import json

from bot.core.engine import Session
from bot.crypto import Vault
from bot.storage.db import Database


class SessionStore:
    """Answers hold half-typed reports, so they are sealed like the reports themselves."""

    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def load(self, key: str) -> Session | None:
        row = self.db.row("SELECT flow, state, answers, locale FROM sessions WHERE key = ?", (key,))
        if row is None:
            return None
        answers = json.loads(self.vault.open(row["answers"]))
        return Session(row["flow"], row["state"], answers, row["locale"])

    def save(self, key: str, session: Session, now: str) -> None:
        self.db.execute(
            "INSERT INTO sessions (key, flow, state, answers, locale, updated)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET flow = excluded.flow,"
            " state = excluded.state, answers = excluded.answers, locale = excluded.locale,"
            " updated = excluded.updated",
            (
                key,
                session.flow,
                session.state,
                self.vault.seal(json.dumps(session.answers)),
                session.locale,
                now,
            ),
        )

    def delete(self, key: str) -> None:
        """Forget one conversation (the user asked to be forgotten)."""
        self.db.execute("DELETE FROM sessions WHERE key = ?", (key,))

    def forget_idle(self, before: str) -> None:
        """Forget conversations untouched since `before`: half-typed answers of people who left."""
        self.db.execute("DELETE FROM sessions WHERE updated < ?", (before,))
