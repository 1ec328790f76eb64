"""An export as one CSV file: its opening lines, then each table (title, headings, rows, notes)
with an empty line between.

Written as a spreadsheet on the reader's computer opens it by double-click: UTF-8 with a byte
order mark (else Excel reads "ë" as two letters), and in Dutch ";" between cells and a decimal
comma, as Dutch Excel expects; in English "," and a decimal point. Every text cell goes through
`spreadsheet_safe`, labels and names from configuration included.
"""

from __future__ import annotations

import csv
import io

from bot.stats.render import Document, Value, number_text, spreadsheet_safe

DELIMITERS = {"nl": ";"}  # the list separator of Dutch regional settings; else ","


def to_csv(doc: Document) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITERS.get(doc.locale, ","), lineterminator="\r\n")

    def line(cells: list[Value] | tuple[Value, ...]) -> None:
        writer.writerow([_cell(cell, doc.locale) for cell in cells])

    for text in [*doc.lead(), doc.disclaimer]:
        line([text])
    for sheet in doc.sheets:
        writer.writerow([])
        line([sheet.title])
        line(sheet.columns)
        for row in sheet.rows:
            line(row)
        for note in sheet.notes:
            line([note])
    return out.getvalue().encode("utf-8-sig")


def _cell(value: Value, locale: str) -> str:
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return number_text(value, locale)  # a number, never a formula: digits and a separator
