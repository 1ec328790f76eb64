"""An export's tables in one language, as plain strings and numbers: what every export file
(CSV, XLSX, PDF) and the terminal writes out, so that none of them translates anything itself.

Every string is made safe to show: characters that hide or reorder text are dropped, because a
school's name, a phase or a place label is configuration and can be any text. A spreadsheet
needs one more rule (`spreadsheet_safe`): a cell that could start a formula never does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from bot.core.i18n import DEFAULT_LOCALE, N_
from bot.core.model import Text
from bot.core.render import Renderer
from bot.core.textsafety import neutralise
from bot.stats.table import Cell, Table

# What an export calls itself, on its face and as its file's first line.
YEARLY = N_("Yearly overview")  # a whole school year, August to July
OVERVIEW = N_("Overview")  # any other months
THIS_WEEK = N_("This week")  # the coordinator's view: now, not a period
ALL_SCHOOLS = N_("All schools of the board")
MADE_ON = N_("Made on {date}")
# Said on the face of every export: a school leader must not mistake these counts for the
# yearly monitoring of social safety that the Inspectorate asks for (a survey of pupils).
NOT_THE_MONITOR = N_(
    "These figures count the reports made to the anti-bullying helper. This is not the "
    "yearly social-safety monitor: the school runs that with its own instrument."
)

# OWASP's list for CSV injection (= + - @ tab CR), with LF and the full-width forms that some
# spreadsheets read as the same signs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

Value = str | int | float  # a rendered cell: text, or a number a spreadsheet can add up


@dataclass(frozen=True)
class Export:
    """What an export shows: its kind (`heading`), whose figures (`scope`: a school's name from
    configuration, or a Text), which months (None: no period, the coordinator's week), its
    tables, and the day it was made on the school's clock."""

    heading: str
    scope: str | Text
    first: str | None
    last: str | None
    tables: tuple[Table, ...]
    made: date


@dataclass(frozen=True)
class Sheet:
    """A table rendered: every row as long as the columns; an empty cell is ""."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    notes: tuple[str, ...]
    chart: str | None
    total_row: bool = False  # the last row is a total (left out of a chart)


@dataclass(frozen=True)
class Document:
    locale: str
    heading: str
    scope: str
    period: str  # "augustus 2026 – juli 2027"; "" when there is none
    made: str  # "Gemaakt op 5 december 2026"
    disclaimer: str
    sheets: tuple[Sheet, ...]

    def lead(self) -> list[str]:
        """The lines an export opens with, in order (an empty period left out)."""
        return [s for s in (self.heading, self.scope, self.period, self.made) if s]


def heading_for(first: str | None, last: str | None) -> str:
    """YEARLY for one whole school year (August to July), else OVERVIEW; THIS_WEEK without
    months."""
    if first is None or last is None:
        return THIS_WEEK
    year, month = map(int, first.split("-"))
    return YEARLY if month == 8 and last == f"{year + 1}-07" else OVERVIEW


def render(export: Export, renderer: Renderer, locale: str = DEFAULT_LOCALE) -> Document:
    def say(text: str | Text) -> str:
        return safe(renderer.text(text if isinstance(text, Text) else Text(text), locale))

    scope = say(export.scope) if isinstance(export.scope, Text) else safe(export.scope)
    made = format_date(export.made, "long", locale=locale)
    return Document(
        locale=locale,
        heading=say(export.heading),
        scope=scope,
        period=period_text(export.first, export.last, locale),
        made=say(Text(MADE_ON, {"date": made})),
        disclaimer=say(NOT_THE_MONITOR),
        sheets=tuple(_sheet(table, say) for table in export.tables),
    )


def _sheet(table: Table, say: Callable[[str | Text], str]) -> Sheet:
    width = len(table.columns)

    def value(cell: Cell) -> Value:
        if cell is None:
            return ""
        if isinstance(cell, Text):
            return say(cell)
        if isinstance(cell, str):
            return safe(cell)
        return cell  # int or float: stays a number

    rows = []
    for row in table.rows:
        cells = tuple(value(cell) for cell in row)
        rows.append(cells + ("",) * (width - len(cells)))  # a short row is padded, never cut
    return Sheet(
        title=say(table.title),
        columns=tuple(say(column) for column in table.columns),
        rows=tuple(rows),
        notes=tuple(say(note) for note in table.notes),
        chart=table.chart,
        total_row=table.total_row,
    )


def period_text(first: str | None, last: str | None, locale: str) -> str:
    """ "augustus 2026 – juli 2027", "augustus 2026" for one month, "" for none."""
    if first is None or last is None:
        return ""
    names = [format_date(_month(m), "MMMM y", locale=locale) for m in (first, last)]
    return names[0] if first == last else f"{names[0]} – {names[1]}"


def _month(yyyy_mm: str) -> date:
    year, month = map(int, yyyy_mm.split("-"))
    return date(year, month, 1)


def number_text(value: int | float, locale: str) -> str:
    """A number as the reader writes it: 12,5 in Dutch, 12.5 in English."""
    return format_decimal(value, locale=locale)


def text_of(value: Value, locale: str) -> str:
    return value if isinstance(value, str) else number_text(value, locale)


def safe(text: str) -> str:
    """`text` without what hides or reorders it (bidi overrides, zero-width characters)."""
    return neutralise(text)


def spreadsheet_safe(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it: an apostrophe before a text that
    could start a formula (also after leading spaces, which some spreadsheets skip)."""
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_START) else text
