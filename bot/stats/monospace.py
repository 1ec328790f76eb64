"""Tables as a chat message shows them: the title, the columns lined up, the notes under it.

The columns are a `Grid`, laid out when the message is rendered in the reader's language (only
then are the widths known), for a screen shown in a fixed-width font (`Screen.monospace`): on
Telegram a `pre` entity, on the web a <pre>. The coordinator's /cijfers and the Monday digest
both show a school's week this way.

Read on a phone, every line fits in about 32 columns (bot/core/fixedwidth.py lays the grid out).
To keep a list of cases in columns there, the chat says less than an export: "code" for "case
code", and a moment of this year without its year (a case still waiting since last December
keeps its year, so it never reads as a future date).
"""

from __future__ import annotations

import re

from bot.core.i18n import DEFAULT_LOCALE, N_
from bot.core.model import Grid, Text
from bot.schools.school import School
from bot.stats.table import Cell, Table
from bot.stats.views import coordinator_view
from bot.storage import Stores

NONE = N_("(none)")  # a table without rows: its headings alone would read as a mistake
OUR_SCHOOL = N_("our school")  # a school without a name, as the conversation says it
# Column headings the chat shortens (msgids of bot/stats/views.py): the export keeps them whole.
NARROW_HEADINGS = {"case code": N_("code"), "school hours waiting": N_("school hours")}
MOMENT = re.compile(r"(\d\d-\d\d)-(\d{4}) (\d\d:\d\d)")  # School.local_time: 23-11-2026 09:00


def school_name(school: School) -> str | Text:
    return school.name or Text(OUR_SCHOOL)


def table_text(table: Table, year: str | None = None) -> Text:
    """One table as one paragraph: its title, the grid of its columns and rows, its notes.
    `year` (the school's, "2026"): moments in it are shown without it."""
    notes = {f"note{n}": note for n, note in enumerate(table.notes)}
    template = "\n".join(["{title}", "{grid}", *(f"{{{name}}}" for name in notes)])
    rows = [tuple(_narrow(cell, year) for cell in row) for row in (table.columns, *table.rows)]
    grid = Grid(tuple(rows)) if table.rows else Text(NONE)
    return Text(template, {"title": table.title, "grid": grid, **notes})


def _narrow(cell: Cell, year: str | None) -> Cell:
    """A cell as the chat shows it on a phone: a shorter heading, a moment of `year` without
    its year."""
    if isinstance(cell, Text) and cell.msgid in NARROW_HEADINGS:
        return Text(NARROW_HEADINGS[cell.msgid])
    if isinstance(cell, str) and (moment := MOMENT.fullmatch(cell)) and moment[2] == year:
        return f"{moment[1]} {moment[3]}"
    return cell


def week_texts(
    stores: Stores, school: School, now: str, *, locale: str = DEFAULT_LOCALE
) -> list[Text]:
    """This week's figures of one school, exactly as its coordinators may see them; `locale`
    is the reader's (the school's own names of things are chosen by it)."""
    tables = coordinator_view(stores, school, now, locale=locale)
    year = school.local_time(now)[6:10]  # "23-11-2026 09:00"
    return [table_text(table, year) for table in tables]
