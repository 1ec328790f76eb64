"""Conversation sessions, keyed by the subject's keyed hash."""

from __future__ import annotations

import json

from bot.core.engine import Session
from bot.crypto import Vault
from bot.storage.db import Database

# Beside the answers, in the same seal: the language of the user's app. No flow answer can be
# called this (answer names are snake_case), and an older reader would take it for an answer.
LANGUAGE = "~language_code"


class SessionStore:
    """Answers hold half-typed reports, so they are sealed like the reports themselves."""

    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def load(self, key: str) -> Session | None:
        return self.load_with_language(key)[0]

    def load_with_language(self, key: str) -> tuple[Session | None, str | None]:
        """The session and the user's last known language code (their app's language), which
        the outbox needs for messages the bot starts itself; (None, None) for no session."""
        session, language, _school = self.load_all(key)
        return session, language

    def load_all(self, key: str) -> tuple[Session | None, str | None, int | None]:
        """The session, the app's last known language, and the school the conversation belongs
        to (None: not known yet)."""
        row = self.db.row(
            "SELECT flow, state, answers, locale, school FROM sessions WHERE key = ?", (key,)
        )
        if row is None:
            return None, None, None
        answers = json.loads(self.vault.open(row["answers"]))
        language = answers.pop(LANGUAGE, None)
        session = Session(row["flow"], row["state"], answers, row["locale"])
        return session, language, row["school"]

    def save(
        self,
        key: str,
        session: Session,
        now: str,
        language_code: str | None = None,
        school: int | None = None,
    ) -> None:
        """Save the session with `language_code`, the language of the user's app in this update
        (None: not given, and the last known one stays), and the conversation's school."""
        if language_code is None:
            language_code = self.load_with_language(key)[1]
        sealed = dict(session.answers)
        if language_code is not None:
            sealed[LANGUAGE] = language_code
        self.db.execute(
            "INSERT INTO sessions (key, flow, state, answers, locale, updated, school)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET flow = excluded.flow,"
            " state = excluded.state, answers = excluded.answers, locale = excluded.locale,"
            " updated = excluded.updated, school = excluded.school",
            (
                key,
                session.flow,
                session.state,
                self.vault.seal(json.dumps(sealed)),
                session.locale,
                now,
                school,
            ),
        )

    def delete(self, key: str) -> None:
        """Forget one conversation (the user asked to be forgotten)."""
        self.db.execute("DELETE FROM sessions WHERE key = ?", (key,))

    def forget_idle(self, before: str) -> None:
        """Forget conversations untouched since `before`: half-typed answers of people who left."""
        self.db.execute("DELETE FROM sessions WHERE updated < ?", (before,))
