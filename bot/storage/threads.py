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

    def add(self, code: str, direction: str, author: int | None, text: str, now: str) -> int:
        cursor = self.db.execute(
            # The author's name as it is now stays with the message (a later rename is not history).
            "INSERT INTO messages (report, direction, author, text, created, author_name)"
            " SELECT id, ?, ?, ?, ?, (SELECT name FROM coordinators WHERE id = ?) FROM reports"
            " WHERE code = ?",
            (direction, author, self.vault.seal(text), now, author, code),
        )
        return int(cursor.lastrowid or 0)

    def get(self, message_id: int) -> dict[str, Any] | None:
        """One message with its case's code and direction; None when it is gone (purged)."""
        row = self.db.row(
            "SELECT m.text, m.created, m.direction, r.code FROM messages m"
            " JOIN reports r ON r.id = m.report WHERE m.id = ?",
            (message_id,),
        )
        return {**row, "text": self.vault.open(row["text"])} if row else None

    def of(self, code: str) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT m.direction, m.text, m.created, COALESCE(m.author_name, c.name) AS author"
            " FROM messages m"
            " JOIN reports r ON r.id = m.report LEFT JOIN coordinators c ON c.id = m.author"
            " WHERE r.code = ? ORDER BY m.id",
            (code,),
        )
        return [{**row, "text": self.vault.open(row["text"])} for row in rows]
