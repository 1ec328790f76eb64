"""The outbox: messages to coordinators, written in the same transaction as their cause."""

from __future__ import annotations

import json
from typing import Any

from bot.storage.db import Database


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.queued = 0  # rows enqueued by this process: the sender is woken only when it grows

    def enqueue(
        self,
        key: str,
        payload: dict[str, Any],
        now: str,
        *,
        channel: str = "telegram",
        coordinator: int | None = None,
        report: int | None = None,
    ) -> None:
        """Queue once per idempotency key; a second enqueue with the same key changes nothing.

        The payload names things (event, case code, message id), never content: content is read
        from its sealed place when the message is sent. `channel` says which channel delivers it.
        """
        self.db.execute(
            "INSERT INTO outbox (key, channel, coordinator, report, payload, attempts, next_try,"
            " status, created) VALUES (?, ?, ?, ?, ?, 0, ?, 'pending', ?)"
            " ON CONFLICT(key) DO NOTHING",
            (key, channel, coordinator, report, json.dumps(payload), now, now),
        )
        self.queued += 1

    def due(self, now: str, channel: str, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT o.id, o.key, o.payload, o.attempts, o.report, c.telegram_id,"
            " c.id AS coordinator FROM outbox o LEFT JOIN coordinators c ON c.id = o.coordinator"
            " WHERE o.channel = ? AND o.status = 'pending' AND o.next_try <= ?"
            " ORDER BY o.next_try, o.id LIMIT ?",
            (channel, now, limit),
        )
        return [{**row, "payload": json.loads(row["payload"])} for row in rows]

    def next_try(self, channel: str) -> str | None:
        row = self.db.row(
            "SELECT MIN(next_try) AS at FROM outbox WHERE channel = ? AND status = 'pending'",
            (channel,),
        )
        return row["at"] if row else None

    def sent(self, row_id: int, now: str) -> None:
        self.db.execute("UPDATE outbox SET status = 'sent', sent = ? WHERE id = ?", (now, row_id))

    def retry(self, row_id: int, attempts: int, next_try: str) -> None:
        self.db.execute(
            "UPDATE outbox SET attempts = ?, next_try = ? WHERE id = ?",
            (attempts, next_try, row_id),
        )

    def dead(self, row_id: int, attempts: int) -> None:
        self.db.execute(
            "UPDATE outbox SET status = 'dead', attempts = ? WHERE id = ?", (attempts, row_id)
        )

    def pending_count(self) -> int:
        row = self.db.row("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        return int(row["n"]) if row else 0
