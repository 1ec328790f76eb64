"""Reports, their evidence and notes. Free text and file ids are sealed at rest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.casecode import new_case_code
from bot.crypto import Vault
from bot.storage.db import Database

OPEN_STATUSES = ("new", "claimed", "in_progress")


@dataclass(frozen=True)
class Report:
    code: str
    who: str
    kind: str
    place: str
    often: str
    since: str
    story: str
    name: str
    anonymous: bool
    status: str
    phase: int | None
    assignee: int | None
    assignee_name: str | None
    outcome: str
    created: str
    role: str = "pupil"
    due: str | None = None
    closed: str | None = None


class ReportStore:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def _seal(self, value: str | None) -> str:
        return self.vault.seal(value or "")

    def create(
        self,
        reporter: str,
        contact: str,
        answers: dict[str, Any],
        now: str,
        role: str = "pupil",
        due: str | None = None,
    ) -> str:
        code = new_case_code()
        while self.db.row("SELECT 1 FROM reports WHERE code = ?", (code,)):
            code = new_case_code()
        anonymous = bool(answers.get("anonymous", True))
        cursor = self.db.execute(
            "INSERT INTO reports (code, reporter, role, who, kind, place, often, since, story,"
            " name, anonymous, contact, status, created, updated, due)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)",
            (
                code,
                reporter,
                role,
                answers.get("who", ""),
                answers.get("kind", "other"),
                answers.get("place", ""),
                answers.get("often", ""),
                answers.get("since", ""),
                self._seal(answers.get("story")),
                self._seal("" if anonymous else answers.get("name")),
                int(anonymous),
                self._seal(contact),
                now,
                now,
                due,
            ),
        )
        for file_id in answers.get("evidence", []):
            self.db.execute(
                "INSERT INTO evidence (report, file, kind) VALUES (?, ?, 'photo')",
                (cursor.lastrowid, self._seal(file_id)),
            )
        return code

    def get(self, code: str) -> Report | None:
        row = self.db.row(
            "SELECT r.*, c.name AS assignee_name FROM reports r"
            " LEFT JOIN coordinators c ON c.id = r.assignee WHERE r.code = ?",
            (code,),
        )
        return self._report(row) if row else None

    def _report(self, row: dict[str, Any]) -> Report:
        return Report(
            code=row["code"],
            who=row["who"] or "",
            kind=row["kind"],
            place=row["place"] or "",
            often=row["often"] or "",
            since=row["since"] or "",
            story=self.vault.open(row["story"]),
            name=self.vault.open(row["name"] or self._seal("")),
            anonymous=bool(row["anonymous"]),
            status=row["status"],
            phase=row["phase"],
            assignee=row["assignee"],
            assignee_name=row.get("assignee_name"),
            outcome=self.vault.open(row["outcome"]) if row["outcome"] else "",
            created=row["created"],
            role=row["role"],
            due=row["due"],
            closed=row["closed"],
        )

    def reporter(self, code: str) -> dict[str, Any] | None:
        """Who reported a case (pseudonym), and how to reach them (opened from its seal)."""
        row = self.db.row("SELECT id, reporter, role, contact FROM reports WHERE code = ?", (code,))
        return {**row, "contact": self.vault.open(row["contact"])} if row else None

    def add_evidence(self, code: str, file_id: str) -> None:
        self.db.execute(
            "INSERT INTO evidence (report, file, kind) SELECT id, ?, 'photo' FROM reports"
            " WHERE code = ?",
            (self._seal(file_id), code),
        )

    def forget_reporter(self, reporter: str) -> int:
        """Cut the link between a reporter and their reports; returns how many were cut."""
        rows = self.db.rows("SELECT id FROM reports WHERE reporter = ?", (reporter,))
        for row in rows:
            self.db.execute(
                "DELETE FROM outbox WHERE report = ? AND coordinator IS NULL", (row["id"],)
            )
        self.db.execute(
            "UPDATE reports SET reporter = NULL, contact = ? WHERE reporter = ?",
            (self._seal("{}"), reporter),
        )
        return len(rows)

    def reopen(self, code: str, now: str) -> None:
        self.db.execute(
            "UPDATE reports SET status = CASE WHEN assignee IS NULL THEN 'new' ELSE 'claimed' END,"
            " closed = NULL, updated = ? WHERE code = ?",
            (now, code),
        )

    def evidence(self, code: str) -> list[str]:
        rows = self.db.rows(
            "SELECT e.file FROM evidence e JOIN reports r ON r.id = e.report"
            " WHERE r.code = ? ORDER BY e.id",
            (code,),
        )
        return [self.vault.open(row["file"]) for row in rows]

    def by_reporter(self, reporter: str) -> list[dict[str, Any]]:
        return self.db.rows(
            "SELECT code, status, created, due FROM reports WHERE reporter = ? ORDER BY id DESC",
            (reporter,),
        )

    def open_cases(self, limit: int = 20) -> list[dict[str, Any]]:
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        return self.db.rows(
            "SELECT r.code, r.kind, r.status, r.created, c.name AS assignee_name FROM reports r"
            f" LEFT JOIN coordinators c ON c.id = r.assignee WHERE r.status IN ({marks})"
            " ORDER BY r.id DESC LIMIT ?",
            (*OPEN_STATUSES, limit),
        )

    def claim(self, code: str, coordinator: int, now: str) -> bool:
        """Claim an unclaimed case; False when someone already has it."""
        cursor = self.db.execute(
            "UPDATE reports SET assignee = ?, status = CASE WHEN status = 'new' THEN 'claimed'"
            " ELSE status END, updated = ? WHERE code = ? AND assignee IS NULL",
            (coordinator, now, code),
        )
        return cursor.rowcount == 1

    def set_status(self, code: str, status: str, now: str) -> None:
        self.db.execute(
            "UPDATE reports SET status = ?, updated = ? WHERE code = ?", (status, now, code)
        )

    def set_phase(self, code: str, phase: int, now: str) -> None:
        self.db.execute(
            "UPDATE reports SET phase = ?, updated = ? WHERE code = ?", (phase, now, code)
        )

    def close(self, code: str, outcome: str, now: str) -> None:
        self.db.execute(
            "UPDATE reports SET status = 'closed', outcome = ?, closed = ?, updated = ?"
            " WHERE code = ?",
            (self._seal(outcome), now, now, code),
        )

    def add_note(self, code: str, author: int, text: str, now: str) -> None:
        self.db.execute(
            "INSERT INTO notes (report, author, text, created)"
            " SELECT id, ?, ?, ? FROM reports WHERE code = ?",
            (author, self._seal(text), now, code),
        )

    def notes(self, code: str) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT c.name AS author, n.text, n.created FROM notes n"
            " JOIN reports r ON r.id = n.report JOIN coordinators c ON c.id = n.author"
            " WHERE r.code = ? ORDER BY n.id",
            (code,),
        )
        return [{**row, "text": self.vault.open(row["text"])} for row in rows]
