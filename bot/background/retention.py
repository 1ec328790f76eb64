"""Retention: closed cases are deleted after the configured number of days.

Content, evidence, the thread, notes, checklist ticks and the sealed contact go; what the school
needs for its yearly monitoring stays as counts (month, role, kind, place). Conversations left
for 30 days are forgotten too. Runs once a day, audit-logged; `PRAGMA secure_delete` makes
SQLite overwrite what it deletes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.schools.school import School
from bot.storage import Stores, audit

log = logging.getLogger(__name__)

CHILD_TABLES = ("evidence", "notes", "messages", "checklist", "jobs", "outbox")
LAST_PURGE = "last_purge_day"
SESSION_DAYS = 30  # a conversation untouched this long is forgotten
DELIVERY_DAYS = 7  # Telegram redelivers for at most a day; a week is plenty


def purge_due(stores: Stores, school: School, now: datetime) -> int:
    """Purge once per local day; returns how many cases were deleted."""
    today = now.astimezone(school.zone).date().isoformat()
    row = stores.db.row("SELECT value FROM meta WHERE key = ?", (LAST_PURGE,))
    if row and row["value"] >= today:
        return 0
    with stores.db.transaction():
        purged = purge(stores, school, now)
        stores.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (LAST_PURGE, today),
        )
    return purged


def purge(stores: Stores, school: School, now: datetime) -> int:
    """Delete closed cases older than the retention period, keeping only their counts."""
    limit = (now - timedelta(days=school.retention_days)).isoformat(timespec="seconds")
    at = now.isoformat(timespec="seconds")
    cases = stores.db.rows(
        "SELECT id, code, role, kind, place, created FROM reports"
        " WHERE status = 'closed' AND closed < ?",
        (limit,),
    )
    for case in cases:
        stores.db.execute(
            "INSERT INTO counts (month, role, kind, place, n) VALUES (?, ?, ?, ?, 1)"
            " ON CONFLICT(month, role, kind, place) DO UPDATE SET n = n + 1",
            (case["created"][:7], case["role"], case["kind"], case["place"] or ""),
        )
        for table in CHILD_TABLES:
            stores.db.execute(f"DELETE FROM {table} WHERE report = ?", (case["id"],))
        stores.db.execute("DELETE FROM reports WHERE id = ?", (case["id"],))
        audit.record(stores.db, at, "system", "case_purged", case["code"])
    # Half-typed answers of people who went away, and the record of handled update ids.
    idle = (now - timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds")
    stores.db.execute("DELETE FROM sessions WHERE updated < ?", (idle,))
    seen = (now - timedelta(days=DELIVERY_DAYS)).isoformat(timespec="seconds")
    stores.db.execute("DELETE FROM deliveries WHERE at < ?", (seen,))
    if cases:
        log.info("retention_purge cases=%s", len(cases))
    return len(cases)


def monthly_counts(stores: Stores) -> list[dict]:
    """Counts per month, role, kind and place: purged cases plus the cases still kept."""
    return stores.db.rows(
        "SELECT month, role, kind, place, SUM(n) AS n FROM ("
        " SELECT month, role, kind, place, n FROM counts"
        " UNION ALL SELECT substr(created, 1, 7), role, kind, COALESCE(place, ''), 1 FROM reports"
        ") GROUP BY month, role, kind, place ORDER BY month, role, kind, place"
    )
