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
            "INSERT INTO messages (report, direction, author, text, created)"
            " SELECT id, ?, ?, ?, ? FROM reports WHERE code = ?",
            (direction, author, self.vault.seal(text), now, code),
        )
        return int(cursor.lastrowid or 0)

    def get(self, message_id: int) -> dict[str, Any] | None:
        row = self.db.row("SELECT text, created FROM messages WHERE id = ?", (message_id,))
        return {**row, "text": self.vault.open(row["text"])} if row else None

    def of(self, code: str) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT m.direction, m.text, m.created, c.name AS author FROM messages m"
            " JOIN reports r ON r.id = m.report LEFT JOIN coordinators c ON c.id = m.author"
            " WHERE r.code = ? ORDER BY m.id",
            (code,),
        )
        return [{**row, "text": self.vault.open(row["text"])} for row in rows]
