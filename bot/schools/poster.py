"""A school's poster for the classroom or the hallway: how pupils (and parents) reach the chat.

An A4 page with the school's name, one line for children, a large QR code for the web chat with
its address under it, the school's entry code, optionally a smaller Telegram code for parents,
and the help lines. As PDF (to print), PNG or SVG; the three share one layout
(`poster_layout.py`, its texts fitted by `poster_text.py`) and each draws it (`poster_pdf.py`,
`poster_png.py`, `poster_svg.py`). The poster shows no emoji: the print fonts have none.
A text that cannot be shown whole (an entry code or address far too long) is a PosterError.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

import segno

from bot.core.i18n import DEFAULT_LOCALE, N_
from bot.core.model import Text
from bot.core.render import Renderer
from bot.core.textsafety import neutralise
from bot.schools import poster_pdf, poster_png, poster_svg
from bot.schools.poster_layout import QUIET_ZONE, Matrix, Sheet, lay_out
from bot.schools.poster_text import PosterError as PosterError  # what a caller catches

PITCH = N_("Are you being bullied, or do you see someone being bullied? You can tell it here.")
TYPE_CODE = N_("Or type this code:")
FOR_PARENTS = N_("For parents: via Telegram")
# The web chat's own help line, and the pupil flow's 112 line (its 🆘 is left off).
HELP_NOW = N_(
    "Need help now? Go to your teacher. Or call De Kindertelefoon: 0800-0432. It is free."
)
DANGER = N_("🆘 Are you in danger right now? Call 112.")

Format = Literal["pdf", "png", "svg"]
FORMATS = {"pdf": poster_pdf, "png": poster_png, "svg": poster_svg}


@dataclass(frozen=True)
class PosterContent:
    school_name: str
    web_url: str  # the school's own web chat address
    code: str  # the entry code a child can type instead, e.g. "PIROU7"
    telegram_url: str | None = None  # for parents: https://t.me/<bot>?start=<code>
    locale: str = DEFAULT_LOCALE


def poster(content: PosterContent, fmt: Format, renderer: Renderer) -> bytes:
    """The poster as a file of format `fmt`; the same content gives the same bytes."""
    painter = FORMATS[fmt]
    return painter.paint(lay_out(sheet(content, renderer), painter.measure))


def sheet(content: PosterContent, renderer: Renderer) -> Sheet:
    """What the poster says, in its locale, without emoji or invisible characters."""

    def say(msgid: str) -> str:
        return plain(renderer.text(Text(msgid), content.locale))

    return Sheet(
        school=plain(content.school_name),
        pitch=say(PITCH),
        web_qr=qr_matrix(content.web_url),
        address=plain(content.web_url.removeprefix("https://")),  # easier to type; browsers add it
        type_code=say(TYPE_CODE),
        code=plain(content.code),
        parents=say(FOR_PARENTS),
        parents_qr=qr_matrix(content.telegram_url) if content.telegram_url else None,
        help=say(HELP_NOW),
        danger=say(DANGER),
    )


def qr_matrix(url: str) -> Matrix:
    """`url` as a QR code with its quiet zone. Level Q survives a quarter of the code being
    dirty or torn, as a poster in a school hallway will be."""
    code = segno.make_qr(url, error="q", boost_error=False)
    return tuple(
        tuple(bool(module) for module in row)
        for row in code.matrix_iter(scale=1, border=QUIET_ZONE)
    )


def plain(text: str) -> str:
    """`text` without emoji, invisible characters or runs of spaces."""
    kept = "".join(ch for ch in neutralise(text) if not _emoji(ch))
    return " ".join(kept.split())


def _emoji(ch: str) -> bool:
    if ch in "\u200d\u20e3" or "\ufe00" <= ch <= "\ufe0f":  # joiner, keycap, variation selectors
        return True
    return ord(ch) > 0xFF and unicodedata.category(ch) in ("So", "Sk")  # pictographs, skin tones
