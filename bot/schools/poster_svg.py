"""The poster as an SVG document, in millimetres (the viewBox is the A4 page).

The reader's own fonts draw the text, so lines are measured with Helvetica's widths, which
Arial and Liberation Sans share. Every text is escaped: a school's name is never markup.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from bot.schools.poster_layout import PAGE_H, PAGE_W, Box, Item, Line, runs
from bot.schools.poster_text import MM_PER_PT, helvetica_width

FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"


def measure(text: str, size: float, bold: bool) -> float:
    return helvetica_width(text, size, bold)


def paint(items: list[Item]) -> bytes:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{PAGE_W:g}mm" height="{PAGE_H:g}mm" viewBox="0 0 {PAGE_W:g} {PAGE_H:g}">',
        f'<rect width="{PAGE_W:g}" height="{PAGE_H:g}" fill="#ffffff"/>',
    ]
    for item in items:
        if isinstance(item, Box):
            stroke = f' stroke="{item.stroke}" stroke-width="0.8"' if item.stroke else ""
            parts.append(
                f'<rect x="{item.x:.2f}" y="{item.y:.2f}" width="{item.w:.2f}" '
                f'height="{item.h:.2f}" rx="3" fill="{item.fill}"{stroke}/>'
            )
        elif isinstance(item, Line):
            weight = ' font-weight="bold"' if item.bold else ""
            parts.append(
                f'<text x="{item.x:.2f}" y="{item.y:.2f}" font-size="{item.size * MM_PER_PT:.2f}" '
                f'font-family={quoteattr(FONT)}{weight} fill="{item.color}" '
                f'text-anchor="middle">{escape(item.text)}</text>'
            )
        else:
            # In module units, scaled into place: a rectangle per run of dark modules.
            path = "".join(
                f"M{start} {r}h{length}v1h-{length}z"
                for r, row in enumerate(item.modules)
                for start, length in runs(row)
            )
            scale = item.size / len(item.modules)
            parts.append(
                f'<path transform="translate({item.x:.3f} {item.y:.3f}) scale({scale:.5f})" '
                f'd="{path}" fill="#000000" shape-rendering="crispEdges"/>'
            )
    parts.append("</svg>\n")
    return "\n".join(parts).encode()
