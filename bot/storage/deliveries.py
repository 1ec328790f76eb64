"""Channel deliveries already handled (Telegram update ids), so a redelivery changes nothing."""

from __future__ import annotations

from bot.storage.db import Database


class DeliveryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, delivery: str, at: str) -> bool:
        """Note a delivery as handled; False when it was handled before (a redelivery)."""
        cursor = self.db.execute(
            "INSERT INTO deliveries (id, at) VALUES (?, ?) ON CONFLICT(id) DO NOTHING",
            (delivery, at),
        )
        return cursor.rowcount == 1

    def forget_before(self, at: str) -> None:
        """Drop the record of deliveries handled before `at`; a channel redelivers for less."""
        self.db.execute("DELETE FROM deliveries WHERE at < ?", (at,))
