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
from bot.schools.registry import Schools
from bot.schools.school import School
from bot.storage import Stores, audit

log = logging.getLogger(__name__)

LAST_PURGE = "last_purge_day:{school}"  # each school purges on its own local day
LAST_TIDY = "last_tidy_day"  # what belongs to no school, once a day on the board's clock
SESSION_DAYS = 30  # a conversation untouched this long is forgotten
# A closed case past its retention stays while its follow-up question is to come, and this many
# days after it went out, so that the reporter's answer still finds it.
ANSWER_DAYS = 7
DELIVERY_DAYS = 7  # Telegram redelivers for at most a day; a week is plenty


def purge_due(stores: Stores, schools: Schools, now: datetime) -> int:
    """Purge each school once per its local day (removed schools too: their old cases still
    go when their time comes); returns how many cases were deleted."""
    purged = 0
    for school in schools.by_id.values():
        today = now.astimezone(school.zone).date().isoformat()
        key = LAST_PURGE.format(school=school.id)
        last = stores.meta.get(key)
        if last and last >= today:
            continue
        with stores.db.transaction():
            purged += purge(stores, school, now)
            stores.meta.put(key, today)
    today = now.astimezone(schools.defaults.zone).date().isoformat()
    last = stores.meta.get(LAST_TIDY)
    if not last or last < today:
        with stores.db.transaction():
            tidy(stores, now)
            stores.meta.put(LAST_TIDY, today)
    return purged


def purge(stores: Stores, school: School, now: datetime) -> int:
    """Delete a school's closed cases older than its retention period, keeping only their
    counts; one whose follow-up question is still to come waits for it."""
    limit = (now - timedelta(days=school.retention_days)).isoformat(timespec="seconds")
    at = now.isoformat(timespec="seconds")
    held = (now - timedelta(days=ANSWER_DAYS)).isoformat(timespec="seconds")
    cases = stores.reports.closed_before(school.id, limit, held)
    for case in cases:
        stores.counts.add_case(school.id, case.created[:7], case.role, case.kind, case.place or "")
        # Photos kept here go with their case.
        for token in stores.reports.evidence(case.code, school.id):
            stores.web.forget_photo(Media.from_token(token).file_id)
        stores.reports.purge(case.id)
        audit.record(stores.db, at, SYSTEM, "case_purged", case.code, school.id)
    if cases:
        log.info("retention_purge school=%s cases=%s", school.id, len(cases))
    return len(cases)


def tidy(stores: Stores, now: datetime) -> None:
    """What belongs to nobody's case: half-typed answers of people who went away, web photos
    of reports never sent, and the record of handled update ids."""
    idle = (now - timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds")
    stores.sessions.forget_idle(idle)
    # Web photos of reports never sent: their drafts were just forgotten with the sessions.
    stores.web.forget_loose_photos(idle, stores.reports.all_evidence_files())
    stores.deliveries.forget_before(
        (now - timedelta(days=DELIVERY_DAYS)).isoformat(timespec="seconds")
    )
