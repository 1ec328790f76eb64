"""Turn untranslated `Screen`s into `Outbound` messages in one locale, within a channel's limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal
from babel.support import NullTranslations

from bot.core.fixedwidth import fit, lay_out
from bot.core.model import Grid, Limits, Outbound, Screen, Text
from bot.core.textsafety import neutralise, split_text

TELEGRAM_SIZED = Limits()  # when a caller names no channel: the smallest limits in use
# A cell that reads as a number ("12", "4,5", "< 5", "≥ 95 %"): its column is right-aligned.
NUMERIC = re.compile(r"^[<>≤≥]?\s?[\d.,]+\s?%?$")


class _Keep(dict):
    """format_map helper: an unknown placeholder stays visible instead of crashing a reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Renderer:
    def __init__(self, catalogs: Mapping[str, NullTranslations]) -> None:
        self.catalogs = catalogs

    def text(
        self, text: Text, locale: str, audience: str | None = None, width: int | None = None
    ) -> str:
        """`text` in `locale`; the audience's own translation (msgctxt) wins where it has one.

        One English msgid can need two Dutch texts: "je" for a child, "u" for a parent. `width`:
        the widest line a `Grid` in it may take (see `grid`).
        """
        catalog = self.catalogs[locale]
        translated = catalog.pgettext(audience, text.msgid) if audience else text.msgid
        if translated is text.msgid:  # pgettext hands the msgid itself back when it has none
            translated = catalog.gettext(text.msgid)
        params: dict[str, Any] = {
            name: self._value(value, locale, audience, width) for name, value in text.params.items()
        }
        return translated.format_map(_Keep(params))

    def _value(self, value: Any, locale: str, audience: str | None, width: int | None) -> Any:
        if isinstance(value, Text):
            return self.text(value, locale, audience, width)
        if isinstance(value, Grid):
            return self.grid(value, locale, audience, width)
        return value

    def grid(
        self, grid: Grid, locale: str, audience: str | None = None, width: int | None = None
    ) -> str:
        """The grid's cells translated and padded into columns (for a fixed-width font); with a
        `width`, laid out so that no line is wider (bot/core/fixedwidth.py)."""
        cells = [[self._cell(cell, locale, audience) for cell in row] for row in grid.rows]
        if not cells:
            return ""
        columns = max(len(row) for row in cells)
        cells = [row + [""] * (columns - len(row)) for row in cells]
        body = cells[1:] if grid.header else cells
        right = [
            any(row[i] for row in body) and all(NUMERIC.match(row[i]) for row in body if row[i])
            for i in range(columns)
        ]
        return "\n".join(lay_out(cells, grid.header, right, width))

    def _cell(self, cell: Any, locale: str, audience: str | None) -> str:
        """One cell on one line; a configured label (a place, a phase) may hold anything, so
        what hides or reorders text goes, as everywhere coordinators read."""
        if cell is None:
            return ""
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            return " ".join(neutralise(str(self._value(cell, locale, audience, None))).split())
        return format_decimal(cell, format="#,##0.#", locale=locale)

    def render(
        self,
        screens: list[Screen],
        locale: str,
        audience: str | None = None,
        limits: Limits = TELEGRAM_SIZED,
    ) -> list[Outbound]:
        """Translate screens for one reader: `audience` is their flow (pupil, parent, ...); a
        text longer than the channel's limit is split, a caption too long goes on its own. A
        monospace screen is laid out for a phone: no line is wider than `limits.monospace_width`.

        Screens with a photo come after the others (in their own order): what can be read and
        pressed never waits for a file, nor fails with one (a case opens even when a photo of
        it cannot be sent)."""
        out: list[Outbound] = []
        ordered = [s for s in screens if not s.photo] + [s for s in screens if s.photo]
        for screen in ordered:
            width = limits.monospace_width if screen.monospace else None
            body = "\n\n".join(self.text(t, locale, audience, width) for t in screen.texts)
            if width is not None:
                body = fit(body, width)
            rows = tuple(
                tuple((self.text(c.label, locale, audience), c.data) for c in row)
                for row in screen.rows
            )
            if screen.photo:
                media = {
                    "photo": screen.photo,
                    "quiet": screen.quiet,
                    "photo_kind": screen.photo_kind,
                    "unsent": self.text(screen.unsent, locale, audience) if screen.unsent else None,
                }
                if len(body) <= limits.caption:
                    out.append(Outbound(body, rows, **media))
                    continue
                out.append(Outbound(text="", **media))
            parts = split_text(body, limits.text) or ["…"]
            look = {"quiet": screen.quiet, "monospace": screen.monospace}
            out.extend(Outbound(text=part, **look) for part in parts[:-1])
            out.append(Outbound(text=parts[-1], rows=rows, secret=screen.secret, **look))
        return out
