"""The board's schools: who each is (slug, entry code, name) and the settings it overrides.

A removed school keeps its row: its old cases, counts and audit still name it; it can no longer
be entered, and its slug and entry code stay taken so that an old poster never leads elsewhere.
"""

from __future__ import annotations

import json
from typing import Any

from bot.storage.db import Database

VERSION = "schools_version"  # meta key: counts every change to the schools


class SchoolStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def listed(self) -> list[dict[str, Any]]:
        """Every school, removed ones too (`removed` set), in the order they were added."""
        rows = self.db.rows(
            "SELECT id, slug, entry_code, name, settings, removed FROM schools ORDER BY id"
        )
        return [{**row, "settings": json.loads(row["settings"])} for row in rows]

    def version(self) -> str:
        """Changes whenever a school is added, changed or removed (by any process): a counter,
        so that two changes within one second are two versions."""
        row = self.db.row("SELECT value FROM meta WHERE key = ?", (VERSION,))
        return row["value"] if row else ""

    def _changed(self) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key)"
            " DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            (VERSION,),
        )

    def add(self, slug: str, name: str, entry_code: str, now: str) -> int:
        cursor = self.db.execute(
            "INSERT INTO schools (slug, name, entry_code, settings, created, changed)"
            " VALUES (?, ?, ?, '{}', ?, ?)",
            (slug, name, entry_code, now, now),
        )
        self._changed()
        return int(cursor.lastrowid or 0)

    def update(self, school: int, now: str, **fields: Any) -> None:
        """Set `slug`, `name`, `entry_code` or `settings` (a dict) of one school."""
        allowed = {"slug", "name", "entry_code", "settings"}
        if not fields or not set(fields) <= allowed:
            raise ValueError(f"unknown school fields: {sorted(set(fields) - allowed)}")
        values = {k: json.dumps(v) if k == "settings" else v for k, v in fields.items()}
        # An old address or entry code stays taken: a poster still on a wall must never lead
        # to another school.
        self.db.execute(
            "INSERT OR IGNORE INTO school_retired (value, school, retired)"
            " SELECT slug, id, ? FROM schools WHERE id = ? AND ? IS NOT NULL AND slug != ?"
            " UNION ALL SELECT entry_code, id, ? FROM schools WHERE id = ? AND ? IS NOT NULL"
            " AND entry_code != ?",
            (now, school, fields.get("slug"), fields.get("slug"))
            + (now, school, fields.get("entry_code"), fields.get("entry_code")),
        )
        assignments = ", ".join(f"{key} = ?" for key in values)
        self.db.execute(
            f"UPDATE schools SET {assignments}, changed = ? WHERE id = ?",
            (*values.values(), now, school),
        )
        self._changed()

    def remove(self, school: int, now: str) -> None:
        self.db.execute(
            "UPDATE schools SET removed = ?, changed = ? WHERE id = ? AND removed IS NULL",
            (now, now, school),
        )
        self._changed()

    def untouched(self, school: int) -> bool:
        """No report, invite or coordinator has ever belonged to this school."""
        row = self.db.row(
            "SELECT EXISTS (SELECT 1 FROM reports WHERE school = ?)"
            " OR EXISTS (SELECT 1 FROM invites WHERE school = ?)"
            " OR EXISTS (SELECT 1 FROM coordinator_schools cs JOIN coordinators c"
            " ON c.id = cs.coordinator WHERE cs.school = ? AND c.telegram_id != 0) AS used",
            (school, school, school),
        )
        return row is not None and not row["used"]

    def taken(self, slug: str | None = None, entry_code: str | None = None) -> bool:
        """Whether a slug or an entry code is in use, by a live or a removed school, or was
        used once by a school that has changed it since."""
        row = self.db.row(
            "SELECT 1 FROM schools WHERE slug = ? OR entry_code = ?"
            " UNION ALL SELECT 1 FROM school_retired WHERE value IN (?, ?)",
            (slug, entry_code, slug, entry_code),
        )
        return row is not None
