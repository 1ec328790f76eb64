"""The poster as a PDF to print: Helvetica text and the QR codes as vector shapes.

Helvetica is built into every PDF reader, so nothing is embedded; it prints Windows-1252 (all
Dutch letters). A letter outside it loses its accent (Ş -> S); anything else becomes "?".
"""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF

from bot.schools.poster_layout import PAGE_H, PAGE_W, Box, Item, Line, Qr, runs
from bot.schools.poster_text import fold, helvetica_width

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # the same poster gives the same bytes
ENCODING = "cp1252"


def measure(text: str, size: float, bold: bool) -> float:
    return helvetica_width(printable(text), size, bold)


def paint(items: list[Item]) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format=(PAGE_W, PAGE_H))
    pdf.core_fonts_encoding = ENCODING
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    for item in items:
        if isinstance(item, Box):
            pdf.set_fill_color(item.fill)
            if item.stroke:
                pdf.set_draw_color(item.stroke)
                pdf.set_line_width(0.8)
            pdf.rect(item.x, item.y, item.w, item.h, "DF" if item.stroke else "F", True, 3)
        elif isinstance(item, Line):
            text = printable(item.text)
            pdf.set_font("Helvetica", "B" if item.bold else "", item.size)
            pdf.set_text_color(item.color)
            pdf.text(item.x - measure(text, item.size, item.bold) / 2, item.y, text)
        else:
            _qr(pdf, item)
    return bytes(pdf.output())


def _qr(pdf: FPDF, qr: Qr) -> None:
    """Dark modules as one filled path, a rectangle per run in a row: one shape, so readers
    draw no hairline seams between the modules."""
    step = qr.size / len(qr.modules)
    with pdf.new_path() as path:
        path.style.fill_color = "#000000"
        path.style.stroke_color = None
        for r, row in enumerate(qr.modules):
            for start, length in runs(row):
                path.rectangle(qr.x + start * step, qr.y + r * step, length * step, step)


def printable(text: str) -> str:
    """`text` in what Helvetica can print."""
    return fold(text, ENCODING)
