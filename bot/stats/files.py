"""A school's figures as a file: the `Export` of a view and months, rendered in the reader's
language and written as CSV, XLSX or PDF. `antipestbot stats` and the coordinators' chat
(/cijfers) both make their files here, and audit-log each one alike: who, what, when and for
which school, never its content.

The chat cannot hand a file to the outbox (an `Outbound` is kept there as JSON), so it asks for
one by an `Order`: format, school, months and language as a token (`MADE_FILE`), nothing
personal; the file is made when the channel sends it (`make`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.i18n import LOCALES
from bot.core.model import MADE_FILE, Text
from bot.core.render import Renderer
from bot.schools.school import School
from bot.stats import export_csv, export_pdf, export_xlsx, views
from bot.stats.render import Document, Export, heading_for, render
from bot.stats.suppress import MONTH
from bot.stats.table import Table
from bot.storage import Stores, audit
from bot.storage.db import Database

FORMATS: dict[str, Callable[[Document], bytes]] = {
    "csv": export_csv.to_csv,
    "xlsx": export_xlsx.to_xlsx,
    "pdf": export_pdf.to_pdf,
}
EXPORTED = "stats_exported"  # the audit action
FIGURES = "figures"  # what an order's token makes: the leader's view of a school (one kind yet)
_NOT_A_NAME = re.compile(r"[^a-z0-9]+")


def export_of(
    tables: Sequence[Table], scope: str | Text, first: str | None, last: str | None, made: date
) -> Export:
    """An export of these tables: `scope` is whose they are, `first`..`last` the months (None:
    the coordinator's week), `made` the day on the school's clock."""
    return Export(heading_for(first, last), scope, first, last, tuple(tables), made)


def leader_export(
    stores: Stores, school: School, first: str, last: str, made: date, locale: str
) -> Export:
    """The school leader's overview of one school's months (a whole school year: the
    jaaroverzicht): exact, and never a case code, a name, a note or a story."""
    tables = views.leader_view(stores, school, first, last, locale=locale)
    return export_of(tables, school.name or school.slug, first, last, made)


def file_bytes(export: Export, renderer: Renderer, locale: str, fmt: str) -> bytes:
    """The export in `locale`, written as `fmt` (a key of FORMATS)."""
    return FORMATS[fmt](render(export, renderer, locale))


def record_export(db: Database, at: str, actor: str, school: int | None) -> None:
    """The audit log's line for an export (`school` None: the board's); inside a transaction."""
    audit.record(db, at, actor, EXPORTED, school=school)


@dataclass(frozen=True)
class Order:
    """A file asked for in the chat: the leader's view of one school's months, as `fmt`, in
    `locale`. Its token crosses the outbox; every part is checked when it is read back."""

    fmt: str
    school: int
    first: str
    last: str
    locale: str

    @property
    def token(self) -> str:
        parts = (FIGURES, self.fmt, str(self.school), self.first, self.last, self.locale)
        return MADE_FILE + ":".join(parts)

    @classmethod
    def from_token(cls, token: str) -> Order | None:
        """The order a token holds; None when it is not one (or not one this version makes)."""
        if not token.startswith(MADE_FILE):
            return None
        parts = token.removeprefix(MADE_FILE).split(":")
        if len(parts) != 6 or parts[0] != FIGURES:
            return None
        _, fmt, school, first, last, locale = parts
        months = MONTH.match(first) and MONTH.match(last) and first <= last
        if fmt not in FORMATS or not school.isdigit() or not months or locale not in LOCALES:
            return None
        return cls(fmt, int(school), first, last, locale)


def ordered_export(stores: Stores, school: School, order: Order, now: datetime) -> Export:
    """What an order shows, read now (the database: the conversation's worker)."""
    made = now.astimezone(school.zone).date()
    return leader_export(stores, school, order.first, order.last, made, order.locale)


def make(export: Export, slug: str, order: Order, renderer: Renderer) -> tuple[str, bytes]:
    """The ordered file, its name and bytes: rendering a PDF takes a tenth of a second, so it is
    called off the event loop, and away from the worker that handles every user's updates."""
    doc = render(export, renderer, order.locale)
    return file_name(doc.heading, slug, order), FORMATS[order.fmt](doc)


def file_name(heading: str, slug: str, order: Order) -> str:
    """`jaaroverzicht-pirouette-2026-2027.pdf`: the export's heading in the reader's language,
    the school's slug and the years, in letters every file system and mail program keeps."""
    folded = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    words = _NOT_A_NAME.sub("-", folded.lower()).strip("-") or FIGURES
    start, end = order.first[:4], order.last[:4]
    years = start if start == end else f"{start}-{end}"
    return f"{words}-{slug}-{years}.{order.fmt}"
