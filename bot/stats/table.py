"""A table of figures as every view builds it and every export renders it: a title, column
headings and rows of cells, untranslated (a `Text` is rendered in the reader's language)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.model import Text

Cell = str | int | float | Text | None  # None: nothing to show (an empty cell)


@dataclass(frozen=True)
class Table:
    title: Text
    columns: tuple[Text, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # Lines under the table: what a figure means, what was suppressed and why.
    notes: tuple[Text, ...] = field(default_factory=tuple)
    # A chart the PDF may draw of it: "bars" (first column as labels, second as values) or None.
    chart: str | None = None
    # The last row is a total: a chart leaves it out (it would dwarf every other bar).
    total_row: bool = False
