"""Retention: closed cases are deleted after the configured number of days.

Content, evidence, the thread, notes, checklist ticks and the sealed contact go; what the school
needs for its yearly monitoring stays as counts (month, role, kind, place). Conversations left
for 30 days are forgotten too. Runs once a day, audit-logged; `PRAGMA secure_delete` makes
SQLite overwrite what it deletes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.cases.context import SYSTEM
from bot.core.model import Media
from bot.schools.school import School
from bot.storage import Stores, audit

log = logging.getLogger(__name__)

LAST_PURGE = "last_purge_day"
SESSION_DAYS = 30  # a conversation untouched this long is forgotten
DELIVERY_DAYS = 7  # Telegram redelivers for at most a day; a week is plenty


def purge_due(stores: Stores, school: School, now: datetime) -> int:
    """Purge once per local day; returns how many cases were deleted."""
    today = now.astimezone(school.zone).date().isoformat()
    last = stores.meta.get(LAST_PURGE)
    if last and last >= today:
        return 0
    with stores.db.transaction():
        purged = purge(stores, school, now)
        stores.meta.put(LAST_PURGE, today)
    return purged


def purge(stores: Stores, school: School, now: datetime) -> int:
    """Delete closed cases older than the retention period, keeping only their counts."""
    limit = (now - timedelta(days=school.retention_days)).isoformat(timespec="seconds")
    at = now.isoformat(timespec="seconds")
    cases = stores.reports.closed_before(limit)
    for case in cases:
        stores.counts.add_case(case.created[:7], case.role, case.kind, case.place or "")
        for token in stores.reports.evidence(case.code):  # photos kept here go with their case
            stores.web.forget_photo(Media.from_token(token).file_id)
        stores.reports.purge(case.id)
        audit.record(stores.db, at, SYSTEM, "case_purged", case.code)
    # Half-typed answers of people who went away, and the record of handled update ids.
    idle = (now - timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds")
    stores.sessions.forget_idle(idle)
    # Web photos of reports never sent: their drafts were just forgotten with the sessions.
    stores.web.forget_loose_photos(idle, stores.reports.all_evidence_files())
    stores.deliveries.forget_before(
        (now - timedelta(days=DELIVERY_DAYS)).isoformat(timespec="seconds")
    )
    if cases:
        log.info("retention_purge cases=%s", len(cases))
    return len(cases)
