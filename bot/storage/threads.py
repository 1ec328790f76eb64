"""The case thread between coordinators and a reporter who stays unknown. Texts are sealed."""

from __future__ import annotations

from typing import Any

from bot.crypto import Vault
from bot.storage.db import Database

TO_REPORTER = "to_reporter"
FROM_REPORTER = "from_reporter"


class ThreadStore:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def add(
        self, code: str, school: int, direction: str, author: int | None, text: str, now: str
    ) -> int:
        cursor = self.db.execute(
            # The author's name as it is now stays with the message (a later rename is not history).
            "INSERT INTO messages (report, direction, author, text, created, author_name)"
            " SELECT id, ?, ?, ?, ?, (SELECT name FROM coordinators WHERE id = ?) FROM reports"
            " WHERE code = ? AND school = ?",
            (direction, author, self.vault.seal(text), now, author, code, school),
        )
        return int(cursor.lastrowid or 0)

    def get(self, message_id: int) -> dict[str, Any] | None:
        """One message with its case's code, school and direction; None when it is gone.

        Not by school: whose message it is decides (the reporter's pseudonym on its case)."""
        row = self.db.row(
            "SELECT m.text, m.created, m.direction, r.code, r.school FROM messages m"
            " JOIN reports r ON r.id = m.report WHERE m.id = ?",
            (message_id,),
        )
        return {**row, "text": self.vault.open(row["text"])} if row else None

    def to_reporter(self, message_id: int, reporter: str) -> dict[str, Any] | None:
        """A coordinator's message to the reporter `reporter` (a pseudonym) with its case's code;
        None when there is no such message: gone, written by the reporter, or someone else's.

        One query whatever the reason, so that another school's message (ids count over the
        board) reads, and takes, exactly as one that does not exist."""
        row = self.db.row(
            "SELECT m.text, r.code FROM messages m JOIN reports r ON r.id = m.report"
            " WHERE m.id = ? AND m.direction = ? AND r.reporter = ?",
            (message_id, TO_REPORTER, reporter),
        )
        return {**row, "text": self.vault.open(row["text"])} if row else None

    def to_reporter_at(self, code: str, number: int, reporter: str) -> dict[str, Any] | None:
        """The `number`th (from 1) coordinator message to reporter `reporter` about case `code`,
        with the case's code; None when there is none. One query whatever the reason."""
        row = self.db.row(
            "SELECT m.text, r.code FROM messages m JOIN reports r ON r.id = m.report"
            " WHERE r.code = ? AND r.reporter = ? AND m.direction = ? ORDER BY m.id"
            " LIMIT 1 OFFSET ?",
            (code, reporter, TO_REPORTER, max(number - 1, 0)),
        )
        return {**row, "text": self.vault.open(row["text"])} if row else None

    def number_of(self, message_id: int, code: str, school: int) -> int:
        """Which coordinator message to the reporter of case `code` this is (1 = the first)."""
        row = self.db.row(
            "SELECT COUNT(*) AS n FROM messages m JOIN reports r ON r.id = m.report"
            " WHERE r.code = ? AND r.school = ? AND m.direction = ? AND m.id <= ?",
            (code, school, TO_REPORTER, message_id),
        )
        return int(row["n"]) if row else 0

    def of(self, code: str, school: int) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT m.direction, m.text, m.created, COALESCE(m.author_name, c.name) AS author"
            " FROM messages m"
            " JOIN reports r ON r.id = m.report LEFT JOIN coordinators c ON c.id = m.author"
            " WHERE r.code = ? AND r.school = ? ORDER BY m.id",
            (code, school),
        )
        return [{**row, "text": self.vault.open(row["text"])} for row in rows]
