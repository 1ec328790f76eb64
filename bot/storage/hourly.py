"""When each person sent a report within the last hour, for the school's `reports_per_hour`.

Kept apart from the reports on purpose: /vergeet cuts the link between a person and their
reports, and the hourly count must survive that without restoring the link. So a row holds only
a keyed hash of the reporter's pseudonym (a key of its own, so it matches nothing else in the
database) and a time, and rows older than an hour are deleted whenever the table is written or
read. For that hour, someone holding both the database and the secret key could match a time
to a report's; after it nothing is left.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.crypto import Vault
from bot.storage.db import Database

KEPT = timedelta(hours=1)  # the window of `reports_per_hour`; nothing older is needed


class HourlyStore:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def _sender(self, reporter: str) -> str:
        return self.vault.derived(f"reports per hour:{reporter}")

    def record(self, reporter: str, at: str) -> None:
        """Count a report this reporter sent at `at`."""
        self._forget_old(at)
        self.db.execute(
            "INSERT INTO hourly_reports (sender, at) VALUES (?, ?)", (self._sender(reporter), at)
        )

    def within_hour(self, reporter: str, now: str) -> list[str]:
        """When this reporter sent reports in the hour before `now`, newest first."""
        since = self._forget_old(now)
        rows = self.db.rows(
            "SELECT at FROM hourly_reports WHERE sender = ? AND at > ? ORDER BY at DESC",
            (self._sender(reporter), since),
        )
        return [row["at"] for row in rows]

    def _forget_old(self, now: str) -> str:
        """Delete every row older than an hour; returns where the hour starts."""
        since = (datetime.fromisoformat(now) - KEPT).isoformat(timespec="seconds")
        self.db.execute("DELETE FROM hourly_reports WHERE at <= ?", (since,))
        return since
