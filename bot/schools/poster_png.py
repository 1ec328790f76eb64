"""The poster as a PNG: A4 at 150 dpi (1240 x 1754 pixels), drawn with Pillow.

Text is set in Liberation Sans where it is installed: it has Helvetica's widths, so lines break
where they do in the PDF. Else DejaVu Sans, else Pillow's own font, which has no bold and only
ASCII letters: é is drawn as e there (the python:3.11-slim image has no fonts at all).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.schools.poster_layout import PAGE_H, PAGE_W, Box, Item, Line, runs
from bot.schools.poster_text import fold

DPI = 150
PX_PER_MM = DPI / 25.4
FONTS = Path("/usr/share/fonts/truetype")
FACES = {
    False: (FONTS / "liberation/LiberationSans-Regular.ttf", FONTS / "dejavu/DejaVuSans.ttf"),
    True: (FONTS / "liberation/LiberationSans-Bold.ttf", FONTS / "dejavu/DejaVuSans-Bold.ttf"),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def measure(text: str, size: float, bold: bool) -> float:
    font, charset = _face(size, bold)
    return font.getlength(fold(text, charset)) / PX_PER_MM


def paint(items: list[Item]) -> bytes:
    image = Image.new("RGB", (_px(PAGE_W), _px(PAGE_H)), "white")
    draw = ImageDraw.Draw(image)
    for item in items:
        if isinstance(item, Box):
            corners = (_px(item.x), _px(item.y), _px(item.x + item.w), _px(item.y + item.h))
            width = round(0.8 * PX_PER_MM) if item.stroke else 0
            draw.rounded_rectangle(corners, _px(3), item.fill, item.stroke, width)
        elif isinstance(item, Line):
            font, charset = _face(item.size, item.bold)
            text = fold(item.text, charset)
            draw.text((_px(item.x), _px(item.y)), text, item.color, font, anchor="ms")
        else:
            step = item.size / len(item.modules)
            for r, row in enumerate(item.modules):
                top, bottom = _px(item.y + r * step), _px(item.y + (r + 1) * step) - 1
                for start, length in runs(row):
                    left = _px(item.x + start * step)
                    right = _px(item.x + (start + length) * step) - 1
                    draw.rectangle((left, top, right, bottom), "black")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def _px(mm: float) -> int:
    return round(mm * PX_PER_MM)


@cache
def _face(size: float, bold: bool) -> tuple[Font, str]:
    """The font for a size (pt) and weight, and the characters it can draw (an encoding)."""
    pixels = size / 72 * DPI
    for path in FACES[bold]:
        if path.exists():
            return ImageFont.truetype(str(path), pixels), "utf-8"
    return ImageFont.load_default(pixels), "ascii"
