"""The audit log: who did what to which case, and when. Never any content.

A coordinator's entry keeps the name they had when they acted (`actor_name`), so renaming
someone later does not rewrite a case's history.
"""

from __future__ import annotations

from typing import Any

from bot.storage.db import Database


def record(
    db: Database,
    at: str,
    actor: str,
    action: str,
    report: str | None = None,
    school: int | None = None,
) -> None:
    """`school`: the school the entry is about (None: the board, or no school yet)."""
    db.execute(
        "INSERT INTO audit (at, actor, action, report, school, actor_name) VALUES (?, ?, ?, ?, ?,"
        " (SELECT c.name FROM coordinators c WHERE 'coordinator:' || c.id = ?))",
        (at, actor, action, report, school, actor),
    )


def history(db: Database, code: str, school: int) -> list[dict[str, Any]]:
    """A case's audit entries, oldest first: at, actor, action and the coordinator's name as it
    was then (None when the actor is not a coordinator). By school too: a purged case's code
    may come back one day, in another school."""
    return db.rows(
        "SELECT a.at, a.actor, a.action, COALESCE(a.actor_name, c.name) AS name FROM audit a"
        " LEFT JOIN coordinators c ON a.actor = 'coordinator:' || c.id"
        " WHERE a.report = ? AND a.school = ? ORDER BY a.id",
        (code, school),
    )
