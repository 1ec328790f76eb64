"""An export as an XLSX workbook (XlsxWriter): one sheet per table.

Each sheet stands on its own: what the export is and whose (its opening lines), the table's
title, headings, rows and notes, and the sentence that this is not the safety monitor. Numbers
are written as numbers, every text with `write_string` (never as a formula, whatever it starts
with) and through `spreadsheet_safe` too, so that editing a cell later cannot turn it into one.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bot.stats.render import Document, Sheet, spreadsheet_safe

MAX_SHEET_NAME = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
OPTIONS = {
    "in_memory": True,  # no temporary files beside the database
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
# As the poster's: the same figures give the same bytes; the day it was made is on its face.
FIXED_DATE = datetime(2026, 1, 1)
LABEL_WIDTH, FIGURE_WIDTH, MAX_LABEL_WIDTH = 28, 12, 60  # characters


def to_xlsx(doc: Document) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, OPTIONS)
    book.set_properties({"title": f"{doc.heading} {doc.scope}", "created": FIXED_DATE})
    styles = Styles(
        bold=book.add_format({"bold": True}),
        title=book.add_format({"bold": True, "font_size": 13}),
        small=book.add_format({"italic": True, "font_color": "#555555"}),
    )
    taken: set[str] = set()
    for sheet in doc.sheets or (Sheet(doc.heading, (), (), (), None),):
        _write(book.add_worksheet(_sheet_name(sheet.title, taken)), sheet, doc, styles)
    book.close()
    return out.getvalue()


@dataclass(frozen=True)
class Styles:
    bold: Format
    title: Format
    small: Format


def _write(page: Worksheet, sheet: Sheet, doc: Document, styles: Styles) -> None:
    def put(r: int, c: int, text: str, style: Format | None = None) -> None:
        page.write_string(r, c, spreadsheet_safe(text), style)

    put(0, 0, " · ".join(doc.lead()), styles.small)
    put(2, 0, sheet.title, styles.title)
    for c, column in enumerate(sheet.columns):
        put(3, c, column, styles.bold)
    row = 4
    for cells in sheet.rows:
        for c, value in enumerate(cells):
            if not isinstance(value, str):
                page.write_number(row, c, value)
            elif value:
                put(row, c, value)
        row += 1
    for note in sheet.notes:
        put(row, 0, note, styles.small)
        row += 1
    put(row + 1, 0, doc.disclaimer, styles.small)
    labels = [len(str(cells[0])) for cells in sheet.rows if cells] + [LABEL_WIDTH]
    page.set_column(0, 0, min(max(labels), MAX_LABEL_WIDTH))
    if len(sheet.columns) > 1:
        page.set_column(1, len(sheet.columns) - 1, FIGURE_WIDTH)


def _sheet_name(title: str, taken: set[str]) -> str:
    """`title` as Excel allows a sheet's name: no []:*?/\\, no apostrophe at either end, at most
    31 characters, unique regardless of case ("Fasen", "Fasen (2)")."""
    base = _NOT_IN_SHEET_NAMES.sub(" ", title).strip().strip("'").strip() or "Sheet"
    name, n = base[:MAX_SHEET_NAME], 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name.lower())
    return name
