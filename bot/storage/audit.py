"""The audit log: who did what to which case, and when. Never any content."""

from __future__ import annotations

from bot.storage.db import Database


def record(db: Database, at: str, actor: str, action: str, report: str | None = None) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, action, report) VALUES (?, ?, ?, ?)",
        (at, actor, action, report),
    )
