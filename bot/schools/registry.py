"""The board's schools: the board's defaults (the TOML file) and each school's own settings.

A school row overrides only what it says; everything else is the board's. Its retention may only
be made shorter: a board that promised parents to delete after a year cannot have one school keep
cases longer. Entry codes are short, from the case codes' alphabet (nothing a child reads two
ways), and typed back however a child writes them.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.casecode import ALPHABET
from bot.schools.config import SchoolConfigError, overrides
from bot.schools.school import School

log = logging.getLogger(__name__)

ENTRY_CODE_LENGTH = 6  # 26**6 = 3e8 codes for a board's few dozen schools: guessing one is futile
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_NOT_CODE = re.compile(r"[\s\-_.·/]+")


def new_entry_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(ENTRY_CODE_LENGTH))


def normalize_entry_code(typed: str) -> str | None:
    """A typed entry code as stored ("pir 4k7" -> "PIR4K7"), or None when it cannot be one."""
    if len(typed) > 40:
        return None
    code = _NOT_CODE.sub("", typed.strip().upper())
    if len(code) != ENTRY_CODE_LENGTH or not set(code) <= set(ALPHABET):
        return None
    return code


def shown_entry_code(code: str) -> str:
    """How a poster and the command line write it: two groups of three, easy to copy."""
    return f"{code[:3]}-{code[3:]}"


@dataclass(frozen=True, slots=True)
class SchoolRow:
    """A school as stored: who it is and what it overrides (validated when it is read)."""

    id: int
    slug: str
    entry_code: str
    name: str | None
    settings: Mapping[str, Any]
    removed: str | None = None


def school_from(defaults: School, row: SchoolRow) -> School:
    """The school a row describes: the board's defaults with the row's own settings.

    Raises SchoolConfigError (one sentence) for a setting the board's TOML would refuse, and for
    a retention longer than the board's.
    """
    own = overrides(row.settings)
    if own.get("retention_days", defaults.retention_days) > defaults.retention_days:
        raise SchoolConfigError(
            f"School {row.slug} may keep cases at most {defaults.retention_days} days, as the "
            "board does."
        )
    return _school(defaults, row, own)


def _school(defaults: School, row: SchoolRow, own: Mapping[str, Any]) -> School:
    return replace(
        defaults,
        id=row.id,
        slug=row.slug,
        entry_code=row.entry_code,
        name=row.name or defaults.name,
        **own,
    )


def _lenient(defaults: School, row: SchoolRow) -> School:
    try:
        return school_from(defaults, row)
    except SchoolConfigError:
        log.warning("school_settings_refused school=%s", row.id)
        return _school(defaults, row, {})


@dataclass(frozen=True)
class Schools:
    """A snapshot of the board's live schools (removed ones are kept for their old cases)."""

    defaults: School
    by_id: Mapping[int, School] = field(default_factory=dict)
    removed: frozenset[int] = frozenset()

    @classmethod
    def build(cls, defaults: School, rows: Iterable[SchoolRow]) -> Schools:
        """Every row as a school. A row the board's file has since made wrong (the board
        shortened its retention below a school's, say) never stops the bot for every school:
        that school keeps the board's settings, and the event is logged."""
        rows = list(rows)
        return cls(
            defaults,
            {row.id: _lenient(defaults, row) for row in rows},
            frozenset(row.id for row in rows if row.removed),
        )

    def __getitem__(self, school_id: int) -> School:
        """The school with this id; the board's defaults for one no longer known."""
        return self.by_id.get(school_id) or replace(self.defaults, id=school_id)

    @property
    def live(self) -> list[School]:
        return [s for i, s in sorted(self.by_id.items()) if i not in self.removed]

    @property
    def only(self) -> School | None:
        """The board's one school, when it has exactly one: nobody is ever asked which."""
        live = self.live
        return live[0] if len(live) == 1 else None

    def by_slug(self, slug: str | None) -> School | None:
        return next((s for s in self.live if slug and s.slug == slug.lower()), None)

    def by_entry_code(self, typed: str | None) -> School | None:
        code = normalize_entry_code(typed or "")
        return next((s for s in self.live if code and s.entry_code == code), None)

    def names(self, ids: Iterable[int]) -> list[str]:
        return [self[i].name or self[i].slug for i in sorted(ids)]
