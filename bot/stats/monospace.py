"""Tables as a chat message shows them: the title, the columns lined up, the notes under it.

The columns are a `Grid`, laid out when the message is rendered in the reader's language (only
then are the widths known), for a screen shown in a fixed-width font (`Screen.monospace`): on
Telegram a `pre` entity, on the web a <pre>. The coordinator's /cijfers and the Monday digest
both show a school's week this way.
"""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.model import Grid, Text
from bot.schools.school import School
from bot.stats.table import Table
from bot.stats.views import coordinator_view
from bot.storage import Stores

NONE = N_("(none)")  # a table without rows: its headings alone would read as a mistake
OUR_SCHOOL = N_("our school")  # a school without a name, as the conversation says it


def school_name(school: School) -> str | Text:
    return school.name or Text(OUR_SCHOOL)


def table_text(table: Table) -> Text:
    """One table as one paragraph: its title, the grid of its columns and rows, its notes."""
    notes = {f"note{n}": note for n, note in enumerate(table.notes)}
    template = "\n".join(["{title}", "{grid}", *(f"{{{name}}}" for name in notes)])
    grid = Grid((table.columns, *table.rows)) if table.rows else Text(NONE)
    return Text(template, {"title": table.title, "grid": grid, **notes})


def week_texts(stores: Stores, school: School, now: str) -> list[Text]:
    """This week's figures of one school, exactly as its coordinators may see them."""
    return [table_text(table) for table in coordinator_view(stores, school, now)]
