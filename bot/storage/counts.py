"""Counts per month, role, kind and place: what the yearly monitoring needs, never content.

A purged case leaves one count behind; a case still kept is counted from `reports` itself.
"""

from __future__ import annotations

from typing import Any

from bot.storage.db import Database


class CountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add_case(self, month: str, role: str, kind: str, place: str) -> None:
        """Count one case (before its content is purged); `month` is YYYY-MM."""
        self.db.execute(
            "INSERT INTO counts (month, role, kind, place, n) VALUES (?, ?, ?, ?, 1)"
            " ON CONFLICT(month, role, kind, place) DO UPDATE SET n = n + 1",
            (month, role, kind, place),
        )

    def monthly(self) -> list[dict[str, Any]]:
        """Rows of month, role, kind, place and n: purged cases plus the cases still kept."""
        return self.db.rows(
            "SELECT month, role, kind, place, SUM(n) AS n FROM ("
            " SELECT month, role, kind, place, n FROM counts"
            " UNION ALL SELECT substr(created, 1, 7), role, kind, COALESCE(place, ''), 1"
            " FROM reports"
            ") GROUP BY month, role, kind, place ORDER BY month, role, kind, place"
        )
