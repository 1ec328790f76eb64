"""A school: its name, promise, phases, hours, holidays and limits, and its clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

DEFAULT_PHASES = {
    "nl": ["Fase 1", "Fase 2", "Fase 3", "Fase 4", "Fase 5", "Fase 6"],
    "en": ["Phase 1", "Phase 2", "Phase 3", "Phase 4", "Phase 5", "Phase 6"],
}


@dataclass(frozen=True)
class School:
    """One school of the board: who it is (id, slug, entry code) and its rules.

    The board's defaults (the TOML file) are a School too; a school's own settings override
    them (`bot.schools.registry`).
    """

    id: int = 1
    slug: str = "school"  # its web address: /s/<slug>/
    entry_code: str = ""  # the short code on its poster and in its Telegram link
    name: str | None = None  # None: "our school" in the user's language
    promise: dict[str, str] = field(
        default_factory=lambda: {"nl": "binnen 1 schooldag", "en": "within 1 school day"}
    )
    phases: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_PHASES))
    timezone: str = "Europe/Amsterdam"
    hours: tuple[time, time] = (time(8, 30), time(15, 0))  # a school day, Monday to Friday
    promise_hours: float = 6.5  # school hours until a new case must be claimed
    followup_days: int = 10  # school days after closing until "Has the bullying stopped?"
    retention_days: int = 365  # days after closing until a case's content is deleted
    reports_per_hour: int = 3  # more reports from one person within an hour are refused kindly
    exit_url: str | None = None  # the web chat's quick exit (None: the server's ANTIPEST_EXIT_URL)
    pupils: int | None = None  # how many pupils, for figures per 100 pupils (None: not given)
    # Each holiday's first and last day, both inclusive, on the school's own calendar: no
    # school hours are counted in them (`bot.schools.schooltime`).
    holidays: tuple[tuple[date, date], ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def promise_in(self, locale: str) -> str:
        return self.promise.get(locale) or self.promise.get("nl") or ""

    def phases_in(self, locale: str) -> list[str]:
        return self.phases.get(locale) or self.phases.get("nl") or DEFAULT_PHASES["nl"]

    def local_time(self, iso: str) -> str:
        """A stored UTC moment as the school's clock reads it: 23-11-2026 09:00."""
        return datetime.fromisoformat(iso).astimezone(self.zone).strftime("%d-%m-%Y %H:%M")
