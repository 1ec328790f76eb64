"""Turn untranslated `Screen`s into `Outbound` messages in one locale, within a channel's limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.support import NullTranslations

from bot.core.model import Limits, Outbound, Screen, Text
from bot.core.textsafety import split_text

TELEGRAM_SIZED = Limits()  # when a caller names no channel: the smallest limits in use


class _Keep(dict):
    """format_map helper: an unknown placeholder stays visible instead of crashing a reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Renderer:
    def __init__(self, catalogs: Mapping[str, NullTranslations]) -> None:
        self.catalogs = catalogs

    def text(self, text: Text, locale: str, audience: str | None = None) -> str:
        """`text` in `locale`; the audience's own translation (msgctxt) wins where it has one.

        One English msgid can need two Dutch texts: "je" for a child, "u" for a parent.
        """
        catalog = self.catalogs[locale]
        translated = catalog.pgettext(audience, text.msgid) if audience else text.msgid
        if translated is text.msgid:  # pgettext hands the msgid itself back when it has none
            translated = catalog.gettext(text.msgid)
        params: dict[str, Any] = {
            name: self.text(value, locale, audience) if isinstance(value, Text) else value
            for name, value in text.params.items()
        }
        return translated.format_map(_Keep(params))

    def render(
        self,
        screens: list[Screen],
        locale: str,
        audience: str | None = None,
        limits: Limits = TELEGRAM_SIZED,
    ) -> list[Outbound]:
        """Translate screens for one reader: `audience` is their flow (pupil, parent, ...); a
        text longer than the channel's limit is split, a caption too long goes on its own.

        Screens with a photo come after the others (in their own order): what can be read and
        pressed never waits for a file, nor fails with one (a case opens even when a photo of
        it cannot be sent)."""
        out: list[Outbound] = []
        ordered = [s for s in screens if not s.photo] + [s for s in screens if s.photo]
        for screen in ordered:
            body = "\n\n".join(self.text(t, locale, audience) for t in screen.texts)
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
            out.extend(Outbound(text=part, quiet=screen.quiet) for part in parts[:-1])
            out.append(
                Outbound(text=parts[-1], rows=rows, quiet=screen.quiet, secret=screen.secret)
            )
        return out
