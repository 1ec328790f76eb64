"""Small facts the process keeps about itself, by key (e.g. the day of the last purge)."""

from __future__ import annotations

from bot.storage.db import Database


class MetaStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        """The value stored under `key`; None when nothing is."""
        row = self.db.row("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    def put(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
