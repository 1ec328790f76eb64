"""Figures that outlive cases: counters per school, month, dimension and value.

A row never names a case, a person or anything typed: only what kind of thing happened, where,
and how long it took (as a bucket). Rows are only ever added to; deleting a case (the retention
purge, /vergeet) leaves them as they are. What the dimensions mean: bot/cases/figures.py.
"""

from __future__ import annotations

from typing import Any

from bot.storage.db import Database

# The dimensions, written once: bot/cases/figures.py records them, bot/stats/ reads them.
MADE = "reports"
KIND, PLACE, REPORTER, CHANNEL, HOTSPOT = "kind", "place", "reporter", "channel", "hotspot"
CLAIM, MESSAGE, CLOSE = "claim_halfhours", "message_halfhours", "close_halfhours"
OUTCOME, FOLLOWUP = "outcome", "followup"
FOLLOWUP_KIND, FOLLOWUP_PLACE = "followup_kind", "followup_place"
REOPENED, PHASE_REACHED, PHASE_DAYS, SERIOUS = "reopened", "phase_reached", "phase_days", "serious"
# The reopen rate per kind and per place: reopens over counted first closes of that kind or place.
REOPENED_KIND, REOPENED_PLACE = "reopened_kind", "reopened_place"
CLOSED_KIND, CLOSED_PLACE = "closed_kind", "closed_place"
NOT_COUNTED = ("test_or_duplicate",)  # outcomes left out of every rate and timing


class FigureStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, school: int, month: str, dimension: str, value: str, n: int = 1) -> None:
        self.db.execute(
            "INSERT INTO figures (school, month, dimension, value, n) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(school, month, dimension, value) DO UPDATE SET n = n + excluded.n",
            (school, month, dimension, value, n),
        )

    def counters(self, schools: frozenset[int], first: str, last: str) -> list[dict[str, Any]]:
        """The counters of `schools` for the months `first` to `last` (YYYY-MM, both included)."""
        marks = ", ".join("?" for _ in schools) or "NULL"
        return self.db.rows(
            "SELECT school, month, dimension, value, n FROM figures"
            f" WHERE school IN ({marks}) AND month >= ? AND month <= ?"
            " ORDER BY school, month, dimension, value",
            (*sorted(schools), first, last),
        )
