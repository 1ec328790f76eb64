"""How a reporter wants the messages the bot starts itself: with or without sound, and when.

Keyed by the reporter's pseudonym, so one choice holds for all their reports. It holds no
content; /vergeet deletes it with the rest of what links the user to their reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.storage.db import Database

Hours = Literal["any", "after_school"]
HOURS: tuple[Hours, ...] = ("any", "after_school")


@dataclass(frozen=True, slots=True)
class ReporterPrefs:
    quiet: bool = False  # without sound or vibration
    hours: Hours = "any"  # "after_school": only from the end of the school day to the evening


class ReporterPrefStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, reporter: str) -> ReporterPrefs:
        """The reporter's choice; the defaults (sound, any time) when they never chose."""
        row = self.db.row("SELECT quiet, hours FROM reporter_prefs WHERE reporter = ?", (reporter,))
        if row is None or row["hours"] not in HOURS:
            return ReporterPrefs(quiet=bool(row and row["quiet"]))
        return ReporterPrefs(quiet=bool(row["quiet"]), hours=row["hours"])

    def put(self, reporter: str, prefs: ReporterPrefs, now: str) -> None:
        self.db.execute(
            "INSERT INTO reporter_prefs (reporter, quiet, hours, updated) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(reporter) DO UPDATE SET quiet = excluded.quiet,"
            " hours = excluded.hours, updated = excluded.updated",
            (reporter, int(prefs.quiet), prefs.hours, now),
        )

    def forget(self, reporter: str) -> None:
        self.db.execute("DELETE FROM reporter_prefs WHERE reporter = ?", (reporter,))
