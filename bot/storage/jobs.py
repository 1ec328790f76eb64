"""Timed work (reminders, follow-ups) kept in the database, so a restart loses and repeats none."""

from __future__ import annotations

from typing import Any

from bot.storage.db import Database


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def schedule(self, key: str, kind: str, code: str, school: int, due: str) -> None:
        """Schedule once per key; scheduling the same key again changes nothing."""
        self.db.execute(
            "INSERT INTO jobs (key, kind, report, due) SELECT ?, ?, id, ? FROM reports"
            " WHERE code = ? AND school = ? ON CONFLICT(key) DO NOTHING",
            (key, kind, due, code, school),
        )

    def due(self, now: str, limit: int = 50) -> list[dict[str, Any]]:
        """Every school's due jobs (one runner serves the board), with each case's school."""
        return self.db.rows(
            "SELECT j.id, j.key, j.kind, r.code, r.school FROM jobs j"
            " JOIN reports r ON r.id = j.report WHERE j.done IS NULL AND j.due <= ?"
            " ORDER BY j.due, j.id LIMIT ?",
            (now, limit),
        )

    def cancel(self, code: str, school: int, kind: str, now: str) -> None:
        """Mark a case's pending jobs of one kind as done, e.g. a reopened case's follow-up."""
        self.db.execute(
            "UPDATE jobs SET done = ? WHERE kind = ? AND done IS NULL"
            " AND report = (SELECT id FROM reports WHERE code = ? AND school = ?)",
            (now, kind, code, school),
        )

    def done(self, job_id: int, now: str) -> None:
        self.db.execute("UPDATE jobs SET done = ? WHERE id = ?", (now, job_id))

    def next_due(self) -> str | None:
        row = self.db.row("SELECT MIN(due) AS at FROM jobs WHERE done IS NULL")
        return row["at"] if row else None
