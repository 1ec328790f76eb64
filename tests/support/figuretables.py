"""Figure tables (bot/stats/views.py) as a reader gets them, to assert on and to print."""

from __future__ import annotations

from bot.app import App
from bot.core.model import Text
from bot.stats.monospace import table_text
from bot.stats.table import Cell, Table


def cell(app: App, value: Cell, locale: str = "en") -> str | int | float | None:
    """A cell with its Text translated; numbers stay numbers."""
    return app.renderer.text(value, locale) if isinstance(value, Text) else value


def rows(app: App, table: Table, locale: str = "en") -> list[tuple[str | int | float | None, ...]]:
    return [tuple(cell(app, value, locale) for value in row) for row in table.rows]


def titled(app: App, tables: list[Table], title: str) -> Table:
    """The table whose English title is `title`."""
    found = [t for t in tables if app.renderer.text(t.title, "en") == title]
    assert len(found) == 1, [app.renderer.text(t.title, "en") for t in tables]
    return found[0]


def shown(app: App, tables: list[Table], locale: str = "nl") -> str:
    """Every table as the chat shows it (title, lined-up columns, notes), one after another."""
    return "\n\n".join(app.renderer.text(table_text(table), locale) for table in tables)
