"""Ticks on the protocol's cyberbullying checklist of a case: which item, who, when."""

from __future__ import annotations

from typing import Any

from bot.storage.db import Database


class ChecklistStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def ticks(self, code: str, school: int) -> dict[int, dict[str, Any]]:
        rows = self.db.rows(
            "SELECT k.item, k.ticked_at, COALESCE(k.ticked_by_name, c.name) AS name"
            " FROM checklist k JOIN reports r ON r.id = k.report"
            " JOIN coordinators c ON c.id = k.ticked_by WHERE r.code = ? AND r.school = ?",
            (code, school),
        )
        return {row["item"]: row for row in rows}

    def toggle(self, code: str, school: int, item: int, coordinator: int, now: str) -> bool:
        """Tick the item, or untick it when it was ticked; True when it is ticked now."""
        removed = self.db.execute(
            "DELETE FROM checklist WHERE item = ? AND report = (SELECT id FROM reports"
            " WHERE code = ? AND school = ?)",
            (item, code, school),
        ).rowcount
        if removed:
            return False
        self.db.execute(
            # The ticker's name as it is now stays with the tick (a later rename is not history).
            "INSERT INTO checklist (report, item, ticked_by, ticked_at, ticked_by_name)"
            " SELECT id, ?, ?, ?, (SELECT name FROM coordinators WHERE id = ?) FROM reports"
            " WHERE code = ? AND school = ?",
            (item, coordinator, now, coordinator, code, school),
        )
        return True
