"""Reports, their evidence and notes. Free text and file ids are sealed at rest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.core.casecode import new_case_code
from bot.core.model import Media, MediaKind
from bot.crypto import Vault
from bot.storage.db import Database

OPEN_STATUSES = ("new", "claimed", "in_progress")
# What the retention purge deletes with a case (the sealed contact goes with the row itself).
CHILD_TABLES = ("evidence", "notes", "messages", "checklist", "jobs", "outbox")


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
    outcome_code: str = ""  # one of `bot.cases.casework.OUTCOMES` once the case was closed
    kinds: tuple[str, ...] = ()  # every kind the reporter chose; `kind` is the first
    school: int = 1  # the school it was made for, fixed when it was made
    phase_since: str | None = None  # when it entered its current phase
    serious: bool = False  # flagged "ernstig incident" by a coordinator


@dataclass(frozen=True)
class QueuedCase:
    """One line of the coordinators' queue."""

    code: str
    kind: str
    often: str
    role: str
    who: str
    status: str
    created: str
    assignee_name: str | None
    overdue: bool  # unclaimed, and the school's promise has passed
    school: int = 1


@dataclass(frozen=True)
class ExpiredCase:
    """A closed case past the retention period: what its count keeps, and how to delete it."""

    id: int
    code: str
    role: str
    kind: str
    place: str | None
    created: str


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
        school: int = 1,
    ) -> str:
        code = new_case_code()
        # Unique over the board, not per school: a code names one case wherever it is typed.
        while self.db.row("SELECT 1 FROM reports WHERE code = ?", (code,)):
            code = new_case_code()
        anonymous = bool(answers.get("anonymous", True))
        cursor = self.db.execute(
            "INSERT INTO reports (code, reporter, role, who, kind, kinds, place, often, since,"
            " story, name, anonymous, contact, status, created, updated, due, school)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?)",
            (
                code,
                reporter,
                role,
                answers.get("who", ""),
                answers.get("kind", "other"),
                ",".join(answers.get("kinds") or [answers.get("kind", "other")]),
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
                school,
            ),
        )
        for token in answers.get("evidence", []):
            media = Media.from_token(token)  # a photo or a file, as the reporter sent it
            self.db.execute(
                "INSERT INTO evidence (report, file, kind) VALUES (?, ?, ?)",
                (cursor.lastrowid, self._seal(media.file_id), media.kind),
            )
        return code

    def get(self, code: str, schools: frozenset[int]) -> Report | None:
        """The case, if it belongs to one of `schools` (the schools the asker may see).

        Another school's case and a code that exists nowhere take the same query and the same
        time: the school is in the WHERE clause, on the unique code's single row."""
        marks = ", ".join("?" for _ in schools) or "NULL"
        row = self.db.row(
            "SELECT r.*, c.name AS assignee_name FROM reports r"
            f" LEFT JOIN coordinators c ON c.id = r.assignee WHERE r.code = ?"
            f" AND r.school IN ({marks})",
            (code, *sorted(schools)),
        )
        return self._report(row) if row else None

    def own(self, code: str, reporter: str) -> Report | None:
        """The case `code` if `reporter` (a pseudonym) made it, in whichever school: a person's
        own report stays theirs after they switched school."""
        row = self.db.row(
            "SELECT r.*, c.name AS assignee_name FROM reports r"
            " LEFT JOIN coordinators c ON c.id = r.assignee WHERE r.code = ? AND r.reporter = ?",
            (code, reporter),
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
            outcome_code=row.get("outcome_code") or "",
            kinds=tuple((row.get("kinds") or row["kind"]).split(",")),
            school=row["school"],
            phase_since=row.get("phase_since"),
            serious=bool(row.get("serious")),
        )

    # What has been counted of a case (bot/cases/figures.py); each is set once.
    FIRSTS = ("first_claimed", "first_messaged", "first_closed")

    def first(self, code: str, school: int, what: str, now: str) -> bool:
        """Mark `what` (one of FIRSTS) as happened now; True only the first time."""
        if what not in self.FIRSTS:
            raise ValueError(f"not a first: {what}")
        cursor = self.db.execute(
            f"UPDATE reports SET {what} = ? WHERE code = ? AND school = ? AND {what} IS NULL",
            (now, code, school),
        )
        return cursor.rowcount == 1

    def reach_phase(self, code: str, school: int, phase: int, now: str) -> bool:
        """The case enters `phase` now; True when it had never been in it before."""
        self.db.execute(
            "UPDATE reports SET phase_since = ? WHERE code = ? AND school = ?",
            (now, code, school),
        )
        token = f",{phase},"
        cursor = self.db.execute(
            "UPDATE reports SET phases = COALESCE(phases, ',') || ? || ','"
            " WHERE code = ? AND school = ? AND instr(COALESCE(phases, ','), ?) = 0",
            (str(phase), code, school, token),
        )
        return cursor.rowcount == 1

    def mark_serious(self, code: str, school: int) -> bool:
        """Flag a case "ernstig incident"; True when it was not flagged before."""
        cursor = self.db.execute(
            "UPDATE reports SET serious = 1 WHERE code = ? AND school = ? AND serious = 0",
            (code, school),
        )
        return cursor.rowcount == 1

    def reporter(self, code: str, school: int) -> dict[str, Any] | None:
        """Who reported a case (pseudonym), and how to reach them (opened from its seal)."""
        row = self.db.row(
            "SELECT id, reporter, role, contact, school FROM reports WHERE code = ? AND school = ?",
            (code, school),
        )
        return {**row, "contact": self.vault.open(row["contact"])} if row else None

    def reachable(self, code: str, school: int) -> bool:
        """Whether a message can still reach the reporter; False after /vergeet cut the link."""
        reporter = self.reporter(code, school)
        return reporter is not None and "chat" in json.loads(reporter["contact"] or "{}")

    def add_evidence(self, code: str, school: int, token: str) -> None:
        """`token`: a `Media.token` (a photo's bare id, or a file's "document:<id>")."""
        media = Media.from_token(token)
        self.db.execute(
            "INSERT INTO evidence (report, file, kind) SELECT id, ?, ? FROM reports"
            " WHERE code = ? AND school = ?",
            (self._seal(media.file_id), media.kind, code, school),
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

    def reopen(self, code: str, school: int, now: str) -> bool:
        """Open a closed case again; False when it was not closed."""
        cursor = self.db.execute(
            "UPDATE reports SET status = CASE WHEN assignee IS NULL THEN 'new' ELSE 'claimed' END,"
            " closed = NULL, updated = ? WHERE code = ? AND school = ? AND status = 'closed'",
            (now, code, school),
        )
        return cursor.rowcount == 1

    def evidence(self, code: str, school: int) -> list[str]:
        """The case's evidence as `Media.token`s: a photo's bare id, a file's "document:<id>"."""
        rows = self.db.rows(
            "SELECT e.file, e.kind FROM evidence e JOIN reports r ON r.id = e.report"
            " WHERE r.code = ? AND r.school = ? ORDER BY e.id",
            (code, school),
        )
        kinds: dict[str, MediaKind] = {"document": "document"}
        return [
            Media(self.vault.open(row["file"]), kinds.get(row["kind"], "photo")).token
            for row in rows
        ]

    def all_evidence_files(self) -> set[str]:
        """Every case's evidence file ids (to know which kept photos still belong to a case)."""
        rows = self.db.rows("SELECT file FROM evidence")
        return {self.vault.open(row["file"]) for row in rows}

    def evidence_count(self, code: str, school: int) -> int:
        row = self.db.row(
            "SELECT COUNT(*) AS n FROM evidence e JOIN reports r ON r.id = e.report"
            " WHERE r.code = ? AND r.school = ?",
            (code, school),
        )
        return int(row["n"]) if row else 0

    def by_reporter(self, reporter: str) -> list[dict[str, Any]]:
        """A person's own reports, in every school (whose they are decides, not the school)."""
        return self.db.rows(
            "SELECT code, status, created, due, school FROM reports WHERE reporter = ?"
            " ORDER BY id DESC",
            (reporter,),
        )

    def open_cases(self, schools: frozenset[int], now: str, limit: int) -> list[QueuedCase]:
        """Open cases of `schools`, most urgent first: unclaimed past the promise, unclaimed,
        the rest.

        Oldest first within each group: the oldest unclaimed case is the nearest to overdue.
        SQLite searches an index that starts with (school, status), so this reads none of other
        schools' rows: as fast with 100,000 of their cases as with 10 (bench/schools.py).
        """
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        places = ", ".join("?" for _ in schools) or "NULL"
        rows = self.db.rows(
            "SELECT r.code, r.kind, r.often, r.role, r.who, r.status, r.created, r.school,"
            " c.name AS assignee_name, (r.assignee IS NULL AND r.due < ?) AS overdue,"
            " CASE WHEN r.assignee IS NULL AND r.due < ? THEN 0"
            " WHEN r.assignee IS NULL THEN 1 ELSE 2 END AS urgency"
            " FROM reports r LEFT JOIN coordinators c ON c.id = r.assignee"
            f" WHERE r.school IN ({places}) AND r.status IN ({marks})"
            " ORDER BY urgency, r.created, r.id LIMIT ?",
            (now, now, *sorted(schools), *OPEN_STATUSES, limit),
        )
        return [
            QueuedCase(
                code=row["code"],
                kind=row["kind"],
                often=row["often"] or "",
                role=row["role"],
                who=row["who"] or "",
                status=row["status"],
                created=row["created"],
                assignee_name=row["assignee_name"],
                overdue=bool(row["overdue"]),
                school=row["school"],
            )
            for row in rows
        ]

    def count_open(self, schools: frozenset[int]) -> int:
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        places = ", ".join("?" for _ in schools) or "NULL"
        row = self.db.row(
            f"SELECT COUNT(*) AS n FROM reports WHERE school IN ({places}) AND status IN ({marks})",
            (*sorted(schools), *OPEN_STATUSES),
        )
        return int(row["n"]) if row else 0

    def week_counts(self, school: int, start: str, end: str) -> dict[str, int]:
        """How many of a school's cases were made, first claimed, first messaged and first
        closed from `start` until `end` (the coordinators' weekly figures; cases still kept)."""
        firsts = ("created", "first_claimed", "first_messaged", "first_closed")
        sums = ", ".join(f"COALESCE(SUM({c} >= ? AND {c} < ?), 0) AS {c}" for c in firsts)
        row = self.db.row(
            f"SELECT {sums} FROM reports WHERE school = ?",
            (*(bound for _ in firsts for bound in (start, end)), school),
        )
        return {column: int(row[column]) if row else 0 for column in firsts}

    def followups_due(self, school: int, start: str, end: str) -> list[dict[str, Any]]:
        """A school's follow-up questions still to be asked from `start` until `end`, as (code,
        due), soonest first."""
        return self.db.rows(
            "SELECT r.code, j.due FROM jobs j JOIN reports r ON r.id = j.report"
            " WHERE r.school = ? AND j.kind = 'followup' AND j.done IS NULL"
            " AND j.due >= ? AND j.due < ? ORDER BY j.due, r.code",
            (school, start, end),
        )

    def claim(self, code: str, school: int, coordinator: int, now: str) -> bool:
        """Claim an unclaimed case; False when someone already has it."""
        cursor = self.db.execute(
            "UPDATE reports SET assignee = ?, status = CASE WHEN status = 'new' THEN 'claimed'"
            " ELSE status END, updated = ? WHERE code = ? AND school = ? AND assignee IS NULL",
            (coordinator, now, code, school),
        )
        return cursor.rowcount == 1

    def set_status(self, code: str, school: int, status: str, now: str) -> None:
        self.db.execute(
            "UPDATE reports SET status = ?, updated = ? WHERE code = ? AND school = ?",
            (status, now, code, school),
        )

    def set_phase(self, code: str, school: int, phase: int, now: str) -> None:
        self.db.execute(
            "UPDATE reports SET phase = ?, updated = ? WHERE code = ? AND school = ?",
            (phase, now, code, school),
        )

    def close(self, code: str, school: int, outcome_code: str, note: str, now: str) -> bool:
        """Close an open case with an outcome code and the coordinator's optional note.

        Returns False when it was already closed (nothing changes then).
        """
        cursor = self.db.execute(
            "UPDATE reports SET status = 'closed', outcome_code = ?, outcome = ?, closed = ?,"
            " updated = ? WHERE code = ? AND school = ? AND status != 'closed'",
            (outcome_code, self._seal(note), now, now, code, school),
        )
        return cursor.rowcount == 1

    def add_note(self, code: str, school: int, author: int, text: str, now: str) -> None:
        self.db.execute(
            # The author's name as it is now stays with the note (a later rename is not history).
            "INSERT INTO notes (report, author, text, created, author_name)"
            " SELECT id, ?, ?, ?, (SELECT name FROM coordinators WHERE id = ?) FROM reports"
            " WHERE code = ? AND school = ?",
            (author, self._seal(text), now, author, code, school),
        )

    def notes(self, code: str, school: int) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT COALESCE(n.author_name, c.name) AS author, n.text, n.created FROM notes n"
            " JOIN reports r ON r.id = n.report JOIN coordinators c ON c.id = n.author"
            " WHERE r.code = ? AND r.school = ? ORDER BY n.id",
            (code, school),
        )
        return [{**row, "text": self.vault.open(row["text"])} for row in rows]

    def code_of(self, report_id: int) -> str | None:
        """The case code of a report row; None when the report is gone (purged)."""
        row = self.db.row("SELECT code FROM reports WHERE id = ?", (report_id,))
        return row["code"] if row else None

    def recent_by(self, reporter: str, since: str) -> list[str]:
        """When this reporter created reports after `since`, newest first."""
        rows = self.db.rows(
            "SELECT created FROM reports WHERE reporter = ? AND created > ? ORDER BY created DESC",
            (reporter, since),
        )
        return [row["created"] for row in rows]

    def codes_about_place(self, school: int, place: str, since: str) -> list[str]:
        """The codes of a school's reports about `place` made from `since` on, oldest first."""
        rows = self.db.rows(
            "SELECT code FROM reports WHERE school = ? AND place = ? AND created >= ?"
            " ORDER BY created, id",
            (school, place, since),
        )
        return [row["code"] for row in rows]

    def closed_before(self, school: int, limit: str, held: str) -> list[ExpiredCase]:
        """A school's closed cases whose closing lies before `limit`, except one whose "Is het
        gestopt?" question is to come, or went out, after `held`: across a long holiday the
        follow-up's school days can outlast the retention days, and neither the question nor
        its answer may be lost with the case. (A question long overdue that never went out
        holds nothing back: the purge is never stopped for good.)"""
        rows = self.db.rows(
            "SELECT id, code, role, kind, place, created FROM reports r"
            " WHERE school = ? AND status = 'closed' AND closed < ? AND NOT EXISTS"
            " (SELECT 1 FROM jobs j WHERE j.report = r.id AND j.kind = 'followup'"
            " AND ((j.done IS NULL AND j.due > ?) OR j.done > ?))",
            (school, limit, held, held),
        )
        return [ExpiredCase(**row) for row in rows]

    def purge(self, report_id: int) -> None:
        """Delete a case with everything that hangs on it: content, thread, ticks, jobs, outbox."""
        for table in CHILD_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE report = ?", (report_id,))
        self.db.execute("DELETE FROM reports WHERE id = ?", (report_id,))
