"""Counts per month, role, kind and place: what the yearly monitoring needs, never content.

A purged case leaves one count behind; a case still kept is counted from `reports` itself.
"""

from __future__ import annotations

from typing import Any

from bot.storage.db import Database


class CountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add_case(self, school: int, month: str, role: str, kind: str, place: str) -> None:
        """Count one case of `school` (before its content is purged); `month` is YYYY-MM."""
        self.db.execute(
            "INSERT INTO counts (school, month, role, kind, place, n) VALUES (?, ?, ?, ?, ?, 1)"
            " ON CONFLICT(school, month, role, kind, place) DO UPDATE SET n = n + 1",
            (school, month, role, kind, place),
        )

    def monthly(self, school: int) -> list[dict[str, Any]]:
        """One school's rows of month, role, kind, place and n: purged cases plus the cases
        still kept."""
        return self.db.rows(
            "SELECT month, role, kind, place, SUM(n) AS n FROM ("
            " SELECT month, role, kind, place, n FROM counts WHERE school = ?"
            " UNION ALL SELECT substr(created, 1, 7), role, kind, COALESCE(place, ''), 1"
            " FROM reports WHERE school = ?"
            ") GROUP BY month, role, kind, place ORDER BY month, role, kind, place",
            (school, school),
        )
