"""The outbox: messages the bot sends by itself, written in the same transaction as their cause.

A row goes to a coordinator, to the reporter of a case, or (a reply whose first sending failed
after its update was committed) to a chat held in the row's sealed `content`. Rows end as
`sent`, `dead` (never delivered, after every try) or `cancelled` (its coordinator was removed);
a row that ends gives up its sealed content.
"""

from __future__ import annotations

import json
from typing import Any

from bot.crypto import Vault
from bot.storage.db import Database

REPLY = "reply"  # the payload event of a reply kept for its chat: its content is sealed


class OutboxStore:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault  # seals and opens the content of replies kept for a chat
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
        not_before: str | None = None,
        school: int = 1,
    ) -> None:
        """Queue once per idempotency key; a second enqueue with the same key changes nothing.

        The payload names things (event, case code, message id), never content: content is read
        from its sealed place when the message is sent. `channel` says which channel delivers it;
        `not_before` when it may go out at the earliest (None: now); `school` whose case it is
        about (its hours hold it back, and only its coordinators may receive it).
        """
        self.db.execute(
            "INSERT INTO outbox (key, channel, coordinator, report, payload, attempts, next_try,"
            " status, created, school) VALUES (?, ?, ?, ?, ?, 0, ?, 'pending', ?, ?)"
            " ON CONFLICT(key) DO NOTHING",
            (
                key,
                channel,
                coordinator,
                report,
                json.dumps(payload),
                not_before or now,
                now,
                school,
            ),
        )
        self.queued += 1

    def waiting(self, event: str, code: str, school: int, coordinator: int) -> bool:
        """A row of `event` about case `code` still waits to go to `coordinator`."""
        row = self.db.row(
            "SELECT 1 AS found FROM outbox WHERE coordinator = ? AND school = ?"
            " AND status = 'pending' AND json_extract(payload, '$.event') = ?"
            " AND json_extract(payload, '$.code') = ? LIMIT 1",
            (coordinator, school, event, code),
        )
        return row is not None

    def enqueue_reply(
        self,
        key: str,
        chat: str,
        replies: list[dict[str, Any]],
        now: str,
        next_try: str,
        *,
        channel: str,
    ) -> None:
        """Keep the replies to one handled update for `chat`, sealed, until they are delivered.

        `replies` are rendered messages (text, buttons, photo) as JSON objects.
        """
        content = self.vault.seal(json.dumps({"chat": chat, "replies": replies}))
        self.db.execute(
            "INSERT INTO outbox (key, channel, payload, content, attempts, next_try, status,"
            " created) VALUES (?, ?, ?, ?, 0, ?, 'pending', ?) ON CONFLICT(key) DO NOTHING",
            (key, channel, json.dumps({"event": REPLY}), content, next_try, now),
        )
        self.queued += 1

    def content(self, row: dict[str, Any]) -> dict[str, Any]:
        """A reply row's sealed content, opened: {"chat": ..., "replies": [...]}."""
        return json.loads(self.vault.open(row["content"]))

    def due(self, now: str, channel: str, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.rows(
            # `active`: the coordinator still holds a role in the row's school.
            "SELECT o.id, o.key, o.payload, o.content, o.attempts, o.report, o.school,"
            " c.telegram_id, c.id AS coordinator, EXISTS (SELECT 1 FROM coordinator_schools cs"
            " WHERE cs.coordinator = o.coordinator AND cs.school = o.school AND cs.active = 1)"
            " AS active, (SELECT COUNT(*) FROM coordinator_schools cs WHERE"
            " cs.coordinator = o.coordinator AND cs.active = 1) AS roles FROM outbox o"
            " LEFT JOIN coordinators c ON c.id = o.coordinator"
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
        self.db.execute(
            "UPDATE outbox SET status = 'sent', sent = ?, content = NULL WHERE id = ?",
            (now, row_id),
        )

    def retry(self, row_id: int, attempts: int, next_try: str) -> None:
        self.db.execute(
            "UPDATE outbox SET attempts = ?, next_try = ? WHERE id = ?",
            (attempts, next_try, row_id),
        )

    def dead(self, row_id: int, attempts: int) -> None:
        self.db.execute(
            "UPDATE outbox SET status = 'dead', attempts = ?, content = NULL WHERE id = ?",
            (attempts, row_id),
        )

    def cancel(self, row_id: int) -> None:
        """Never deliver this row (its coordinator was removed after it was queued)."""
        self.db.execute(
            "UPDATE outbox SET status = 'cancelled', content = NULL WHERE id = ?", (row_id,)
        )

    def pending_count(self) -> int:
        row = self.db.row("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        return int(row["n"]) if row else 0
