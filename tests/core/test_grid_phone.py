"""Tables in a fixed-width font laid out for a phone (bot/core/fixedwidth.py): no line wider than
the screen, figures first where a row is a label and a figure, columns where they fit, a
record per row where they do not; an emoji takes two columns."""

from __future__ import annotations

from pathlib import Path

from bot.core.fixedwidth import width
from bot.core.i18n import load_catalogs
from bot.core.model import Grid, Limits, Screen, Text
from bot.core.render import Renderer

ROOT = Path(__file__).resolve().parents[2]
RENDERER = Renderer(load_catalogs(ROOT / "locales"))
PHONE = Limits().monospace_width


def test_a_label_and_a_figure_read_figure_first_and_a_long_label_wraps_under_itself() -> None:
    grid = Grid(
        (
            ("what", "cases"),
            ("open now", 4),
            ("follow-up questions still to go out this week", 12),
            ("📱" * 14, None),  # 28 columns: two more than there is room for
        )
    )
    assert RENDERER.grid(grid, "en", width=PHONE).split("\n") == [
        "   4  open now",
        "  12  follow-up questions still",
        "      to go out this week",
        "   –  " + "📱" * 13,  # no figure: a dash, not a gap
        "      📱",
    ]


def test_columns_stay_columns_where_they_fit_a_long_heading_over_two_lines() -> None:
    grid = Grid(
        (
            ("code", "reported at", "school hours waiting"),
            ("FDFJ-PV", "18-11 10:00", 20),
            ("K7QX-2M", "19-11 09:15", 6.5),
        )
    )
    assert RENDERER.grid(grid, "en", width=PHONE).split("\n") == [
        "                       school",
        "                        hours",
        "code     reported at  waiting",  # wrapped to its longest word, as narrow as it can
        "-------  -----------  -------",
        "FDFJ-PV  18-11 10:00       20",
        "K7QX-2M  19-11 09:15      6.5",
    ]
    # Without a width, one line per row as before: as wide as it takes.
    assert max(map(width, RENDERER.grid(grid, "en").split("\n"))) > PHONE


def test_rows_too_wide_for_columns_become_records() -> None:
    grid = Grid(
        (
            ("how long", "median", "cases"),
            ("until a coordinator claimed the case", 1.25, 6),
            ("until the first message", None, 0),
        )
    )
    assert RENDERER.grid(grid, "nl", width=PHONE).split("\n") == [
        "until a coordinator claimed the",
        "case",
        "  1,2  median",
        "    6  cases",
        "until the first message",
        "    –  median",
        "    0  cases",
    ]


def test_every_line_of_a_monospace_screen_fits_the_channels_width() -> None:
    long_code = "KMPQ-XY7A-CDEF-GH2J-K34-AAAA-BBBB"
    grid = Grid((("case code", "reported at"), (long_code, "18-11-2026 10:00")))
    note = Text("A note under the table that is much longer than a phone is wide, 📊📊📊📊.")
    screen = Screen((Text("📊 {title}\n{grid}", {"title": note, "grid": grid}),), monospace=True)
    (message,) = RENDERER.render([screen], "en")
    lines = message.text.split("\n")
    assert max(map(width, lines)) <= PHONE
    assert "".join(lines).count("KMPQ") == 1 and long_code in "".join(lines)  # cut, not lost
    # A screen that is not monospace is left to the reader's app to wrap.
    (plain,) = RENDERER.render([Screen((note,))], "en")
    assert "\n" not in plain.text
