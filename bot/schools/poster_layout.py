"""Where everything goes on the A4 poster, in millimetres, whatever format draws it.

One layout serves PDF, PNG and SVG, so the three show the same things in the same places. Only
line breaks can differ a little: each format measures text in the font it draws with.
Blocks stack from top to bottom; spare room is shared out evenly between them. On a crowded
page the web QR code gives way first, never below 6 cm; what still does not fit is a PosterError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.schools.poster_text import MM_PER_PT, Measure, PosterError, Style, fit

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait
MARGIN = 15.0  # office printers cannot print the outer 5 mm; more reads calmer
COLUMN = PAGE_W - 2 * MARGIN
INK, ACCENT, PANEL, WHITE = "#1a1a1a", "#17406d", "#e6eef6", "#ffffff"
QR_LARGEST = 100.0  # the web code with its quiet zone
QR_SYMBOL = 60.0  # the least width of the web code itself: a tablet reads it from a step away
QUIET_ZONE = 4  # modules of white around a QR code, as the standard asks
PARENTS_QR = 44.0  # read by a parent's phone from close by
GAP = 6.0  # the least room between two blocks
PAD = 5.0  # inside the code's box

# Sizes in pt: the name and the code read from across a classroom, the rest from a step away.
_NAME = Style(44, 26, 2, bold=True, prose=False, cut=True)
_PITCH = Style(24, 16, 3)
_ADDRESS = Style(18, 10, 3, prose=False)
_TYPE_CODE = Style(20, 14, 2)
_CODE = Style(56, 18, 1, bold=True, prose=False)
_PARENTS = Style(15, 11, 2, bold=True)
_HELP = Style(18, 12, 3)
_DANGER = Style(18, 12, 3, bold=True)

Matrix = tuple[tuple[bool, ...], ...]  # a QR code with its quiet zone, True = dark


@dataclass(frozen=True)
class Line:
    text: str
    x: float  # the middle of the line
    y: float  # its baseline
    size: float  # pt
    bold: bool = False
    color: str = INK


@dataclass(frozen=True)
class Qr:
    modules: Matrix
    x: float  # top left corner of the quiet zone
    y: float
    size: float  # width of the whole square, quiet zone included


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str | None = None


Item = Line | Qr | Box


@dataclass(frozen=True)
class Sheet:
    """What the poster shows, translated and ready to lay out."""

    school: str
    pitch: str
    web_qr: Matrix
    address: str
    type_code: str
    code: str
    parents: str
    parents_qr: Matrix | None
    help: str
    danger: str


@dataclass(frozen=True)
class _Block:
    height: float
    place: Callable[[float], list[Item]]  # top -> items


def lay_out(sheet: Sheet, measure: Measure) -> list[Item]:
    """Everything on the page, top to bottom, in drawing order."""
    blocks = [
        _text(sheet.school, _NAME, measure, ACCENT),
        _text(sheet.pitch, _PITCH, measure),
        _code_row(sheet, measure),
        _help(sheet, measure),
    ]
    address = _text(sheet.address, _ADDRESS, measure)
    others = sum(b.height for b in blocks) + address.height + GAP * len(blocks)
    modules = len(sheet.web_qr)
    smallest = QR_SYMBOL * modules / (modules - 2 * QUIET_ZONE)
    qr = max(smallest, min(QR_LARGEST, PAGE_H - 2 * MARGIN - others))

    def web(top: float) -> list[Item]:
        return [Qr(sheet.web_qr, (PAGE_W - qr) / 2, top, qr), *address.place(top + qr)]

    blocks.insert(2, _Block(qr + address.height, web))
    spare = PAGE_H - 2 * MARGIN - sum(b.height for b in blocks)
    if spare < GAP * (len(blocks) - 1):
        raise PosterError("The poster's texts do not fit on one A4 page.")
    gap = spare / (len(blocks) - 1)
    items: list[Item] = []
    top = MARGIN
    for block in blocks:
        items += block.place(top)
        top += block.height + gap
    return items


def _text(
    text: str,
    style: Style,
    measure: Measure,
    color: str = INK,
    x: float = PAGE_W / 2,
    width: float = COLUMN,
) -> _Block:
    """`text` centred on `x`, in lines no wider than `width`."""
    size, lines = fit(text, style, measure, width)
    lead = 1.2 * size * MM_PER_PT

    def place(top: float) -> list[Item]:
        first = top + 0.9 * size * MM_PER_PT
        return [
            Line(line, x, first + i * lead, size, style.bold, color) for i, line in enumerate(lines)
        ]

    return _Block(len(lines) * lead, place)


def _code_row(sheet: Sheet, measure: Measure) -> _Block:
    """The entry code in a box; beside it, when there is one, the parents' Telegram code."""
    split = MARGIN + COLUMN * 0.55
    code_x, code_w = (MARGIN + split) / 2, split - MARGIN
    if not sheet.parents_qr:
        code_x, code_w = PAGE_W / 2, COLUMN
    label = _text(sheet.type_code, _TYPE_CODE, measure, x=code_x, width=code_w)
    size, (code,) = fit(sheet.code, _CODE, measure, code_w - 4 * PAD)
    box_w, box_h = measure(code, size, True) + 4 * PAD, size * MM_PER_PT + 2 * PAD
    code_h = label.height + 3 + box_h
    parents_x, parents_w = (split + PAGE_W - MARGIN) / 2, PAGE_W - MARGIN - split
    parents = _text(sheet.parents, _PARENTS, measure, ACCENT, parents_x, parents_w)
    parents_h = parents.height + PARENTS_QR if sheet.parents_qr else 0.0
    height = max(code_h, parents_h)

    def place(top: float) -> list[Item]:
        at = top + (height - code_h) / 2
        box_top = at + label.height + 3
        items = [
            *label.place(at),
            Box(code_x - box_w / 2, box_top, box_w, box_h, WHITE, ACCENT),
            Line(code, code_x, box_top + PAD + 0.72 * size * MM_PER_PT, size, True),  # caps
        ]
        if sheet.parents_qr:
            at = top + (height - parents_h) / 2
            corner = parents_x - PARENTS_QR / 2
            items += [
                *parents.place(at),
                Qr(sheet.parents_qr, corner, at + parents.height, PARENTS_QR),
            ]
        return items

    return _Block(height, place)


def _help(sheet: Sheet, measure: Measure) -> _Block:
    """The help lines on a calm panel at the foot of the page; the danger line in bold."""
    pad, between = 7.0, 2.0
    help_now = _text(sheet.help, _HELP, measure, width=COLUMN - 2 * pad)
    danger = _text(sheet.danger, _DANGER, measure, width=COLUMN - 2 * pad)
    height = pad + help_now.height + between + danger.height + pad

    def place(top: float) -> list[Item]:
        return [
            Box(MARGIN, top, COLUMN, height, PANEL),
            *help_now.place(top + pad),
            *danger.place(top + pad + help_now.height + between),
        ]

    return _Block(height, place)


def runs(row: tuple[bool, ...]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row: one rectangle each."""
    found: list[tuple[int, int]] = []
    for i, dark in enumerate(row):
        if dark and (i == 0 or not row[i - 1]):
            found.append((i, 1))
        elif dark:
            found[-1] = (found[-1][0], found[-1][1] + 1)
    return found
