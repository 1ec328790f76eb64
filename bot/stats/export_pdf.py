"""An export as a PDF to print (fpdf2): the yearly overview (jaaroverzicht) a school leader reads.

The first page opens with what it is, the school's name, the months and the day it was made,
then a shaded box saying that it is not the yearly social-safety monitor; the tables follow, each
with its notes, and a bar chart under each table that asks for one (`Table.chart == "bars"`),
drawn with fpdf2's own rectangles: no chart library, no browser. Every page's foot repeats what
and whose it is, with the page number.

Set in Helvetica, as the poster is (`bot/schools/poster_pdf.py`): built into every PDF reader,
nothing embedded, Windows-1252 (every Dutch letter). Signs outside it that the figures use
(≤ ≥) are written out as <= and >=; a letter loses its accent, emoji are left out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fpdf import FPDF, FontFace, XPos, YPos

from bot.schools.poster import plain
from bot.schools.poster_text import fold
from bot.stats.render import Document, Sheet, Value, text_of

ENCODING = "cp1252"
FONT = "Helvetica"
MARGIN = 18  # mm
PAGE_W = 210  # A4
WIDTH = PAGE_W - 2 * MARGIN
INK, GREY, SHADE, BAR = "#1a1a1a", "#555555", "#eef2f6", "#3b6ea5"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # as the poster's: the day made is on its face
KEEP_WITH_TITLE = 35  # mm: a table's title never ends a page without its first rows
BAR_ROW = 6  # mm per bar
PADDING = 1  # mm around a table's text
FIGURE_W = 25  # mm: a column of figures is this wide where the page has room
# pt: a table's type, smaller for one line per cell (a year of months is thirteen columns)
LARGEST, FITTING, SMALLEST = 9, 7.5, 6
LABEL_W, VALUE_W = 55, 22  # mm: the chart's labels, and the figure after each bar
SIGNS = str.maketrans({"≤": "<=", "≥": ">=", "−": "-", "→": "->", "\u202f": " ", "\u00a0": " "})
# A figure a bar can be drawn for: "12", "12,5", "67 %" (a suppressed "< 5" gets none).
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)\s*%?")
_FIGURE = re.compile(r"(?:[<>≤≥]=?\s*)?\d+(?:[.,]\d+)?\s*%?|x|")  # "" too: an empty cell
_NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}  # a multi_cell ends on a new line


def to_pdf(doc: Document) -> bytes:
    pdf = _Pages(doc)
    pdf.core_fonts_encoding = ENCODING
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(printable(f"{doc.heading} {doc.scope}"))
    pdf.set_lang(doc.locale)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_page()
    _front(pdf, doc)
    for sheet in doc.sheets:
        _sheet(pdf, sheet, doc.locale)
    return bytes(pdf.output())


class _Pages(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(GREY)
        foot = _fitted(self, f"{self.doc.heading} · {self.doc.scope}", WIDTH - 22)
        self.cell(WIDTH - 20, 5, foot, align="L")
        self.cell(20, 5, f"{self.page_no()}/{self.str_alias_nb_pages}", align="R")


def _front(pdf: FPDF, doc: Document) -> None:
    def line(text: str, size: float, style: str = "", color: str = INK, after: float = 1) -> None:
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(color)
        pdf.multi_cell(WIDTH, size * 0.45, printable(text), align="L", **_NEXT_LINE)
        pdf.ln(after)

    line(doc.heading, 22, "B", after=2)
    line(doc.scope, 16, "B", after=1)
    if doc.period:
        line(doc.period, 12)
    line(doc.made, 9, color=GREY, after=5)
    pdf.set_font(FONT, "", 10)
    pdf.set_fill_color(SHADE)
    pdf.set_text_color(INK)
    pdf.multi_cell(
        WIDTH, 5, printable(doc.disclaimer), align="L", fill=True, padding=3, **_NEXT_LINE
    )
    pdf.ln(6)


def _sheet(pdf: FPDF, sheet: Sheet, locale: str) -> None:
    # A table with its title and chart stays on one page where one page can hold it.
    needed = min(_height(sheet), pdf.page_break_trigger - pdf.t_margin)
    if pdf.get_y() + max(needed, KEEP_WITH_TITLE) > pdf.page_break_trigger:
        pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(INK)
    pdf.multi_cell(WIDTH, 6, printable(sheet.title), align="L", **_NEXT_LINE)
    pdf.ln(1)
    if sheet.columns:
        _table(pdf, sheet, locale)
    if sheet.chart == "bars" and len(sheet.columns) >= 2:
        _bars(pdf, sheet, locale)
    pdf.set_font(FONT, "I", 8)
    pdf.set_text_color(GREY)
    for note in sheet.notes:
        pdf.multi_cell(WIDTH, 4, printable(note), align="L", **_NEXT_LINE)
    pdf.ln(6)


def _height(sheet: Sheet) -> float:
    """About how tall (mm) a table is drawn with its title, chart and notes: its rows of one
    line, headings of two."""
    row = LARGEST * 0.5 + 2 * PADDING
    table = (len(sheet.rows) + 2) * row if sheet.columns else 0
    bars = len(sheet.rows) * BAR_ROW + 2 if sheet.chart == "bars" else 0
    return 7 + table + 2 + bars + 4 * len(sheet.notes) + 6


def _table(pdf: FPDF, sheet: Sheet, locale: str) -> None:
    n = len(sheet.columns)
    rows = [
        [printable(column) for column in sheet.columns],
        *([printable(text_of(value, locale)) for value in row] for row in sheet.rows),
    ]
    size, widths = _widths(pdf, rows)
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(INK)
    pdf.set_draw_color("#b0b0b0")
    pdf.set_fill_color("#ffffff")  # the table fills its cells with it (else the bars' colour)
    with pdf.table(
        rows,
        width=WIDTH,
        align="LEFT",
        col_widths=widths,
        text_align=tuple("RIGHT" if c and _figures(sheet, c) else "LEFT" for c in range(n)),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=SHADE),
        line_height=size * 0.5,
        padding=PADDING,
    ):
        pass  # the rows are given whole: the table draws them as its block ends
    pdf.ln(2)


def _widths(pdf: FPDF, rows: list[list[str]]) -> tuple[float, list[float]]:
    """A type size and column widths (mm) at which no word is broken: each column as wide as
    its longest word at least, the room left shared by how much more each would like (its
    longest cell). The type shrinks to FITTING for every cell to fit on one line, and on to
    SMALLEST before a word is broken after all."""
    size = LARGEST
    while True:
        least, liked = [], []
        for c in range(len(rows[0])):
            words, cells = [], []
            for r, row in enumerate(rows):
                pdf.set_font(FONT, "B" if r == 0 else "", size)  # the headings are bold
                words += [pdf.get_string_width(word) for word in row[c].split()]
                cells.append(pdf.get_string_width(row[c]))
            least.append(max(words, default=0) + 2 * PADDING + 0.5)
            liked.append(max(cells) + 2 * PADDING + 0.5)
        if sum(liked) <= WIDTH or size <= SMALLEST:
            break
        if sum(least) <= WIDTH and size <= FITTING:
            break
        size -= 0.5
    if sum(liked) <= WIDTH:  # each cell on one line: figures get room, the labels the rest
        slack = WIDTH - sum(liked)
        wants = [max(FIGURE_W - w, 0) for w in liked[1:]]
        given = [want * min(1, slack / (sum(wants) or 1)) for want in wants]
        return size, [WIDTH - sum(liked[1:]) - sum(given)] + [
            w + g for w, g in zip(liked[1:], given, strict=True)
        ]
    more = [b - a for a, b in zip(least, liked, strict=True)]
    room = max(WIDTH - sum(least), 0)
    return size, [a + room * m / (sum(more) or 1) for a, m in zip(least, more, strict=True)]


def _bars(pdf: FPDF, sheet: Sheet, locale: str) -> None:
    """Horizontal bars of the second column against the first, longest bar full width."""
    charted = sheet.rows[:-1] if sheet.total_row else sheet.rows
    figures = [(row[0], row[1], _amount(row[1])) for row in charted]
    largest = max((amount for _, _, amount in figures if amount is not None), default=0.0)
    if largest <= 0:
        return
    room = WIDTH - LABEL_W - VALUE_W
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(INK)
    pdf.set_fill_color(BAR)
    for label, value, amount in figures:
        if pdf.get_y() + BAR_ROW > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_x(MARGIN)
        pdf.cell(LABEL_W - 2, BAR_ROW, _fitted(pdf, text_of(label, locale), LABEL_W - 2), align="R")
        length = room * amount / largest if amount else 0.0
        if length > 0:
            pdf.rect(MARGIN + LABEL_W, y + 1, max(length, 0.5), BAR_ROW - 2, "F")
        pdf.set_xy(MARGIN + LABEL_W + length + 1.5, y)
        pdf.cell(VALUE_W, BAR_ROW, printable(text_of(value, locale)))
        pdf.set_xy(MARGIN, y + BAR_ROW)
    pdf.ln(2)


def _figures(sheet: Sheet, column: int) -> bool:
    """Whether a column holds only figures (right-aligned): numbers, "67 %", "< 5", "x"."""
    return all(
        isinstance(v, int | float) or _FIGURE.fullmatch(v.strip())
        for v in (row[column] for row in sheet.rows)
    )


def _amount(value: Value) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    match = _NUMBER.fullmatch(value.strip())
    return float(match.group(1).replace(",", ".")) if match else None


def _fitted(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut short with "…" where it is wider than `width` mm (a bar's label)."""
    shown = printable(text)
    if pdf.get_string_width(shown) <= width:
        return shown
    while shown and pdf.get_string_width(shown + "…") > width:
        shown = shown[:-1]
    return shown.rstrip() + "…"


def printable(text: str) -> str:
    """`text` in what Helvetica can print: no emoji or hidden characters, ≤ as <=."""
    return fold(plain(text.translate(SIGNS)), ENCODING)
