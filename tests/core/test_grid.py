"""Tables in a fixed-width font (`Grid`): laid out in the reader's language, columns lined up,
numbers to the right, nothing in a cell that hides or reorders text."""

from __future__ import annotations

from pathlib import Path

from bot.core.i18n import load_catalogs
from bot.core.model import Grid, Screen, Text
from bot.core.render import Renderer

ROOT = Path(__file__).resolve().parents[2]
RENDERER = Renderer(load_catalogs(ROOT / "locales"))


def test_columns_line_up_in_the_readers_language_with_numbers_to_the_right() -> None:
    grid = Grid(
        (
            (Text("what"), Text("cases")),
            (Text("open"), 12),
            (Text("claimed"), 2.5),
            (Text("closed"), None),
            ("📱📱📱📱", "< 5"),
        )
    )
    # Each emoji takes two columns, as a fixed-width font shows it.
    assert RENDERER.grid(grid, "en").split("\n") == [
        "what      cases",
        "--------  -----",
        "open         12",
        "claimed     2.5",
        "closed",
        "📱📱📱📱    < 5",
    ]
    dutch = RENDERER.grid(grid, "nl").split("\n")
    widths = {len(line) for line in dutch[:4]}
    assert len(widths) == 1 and dutch[3].endswith(" 2,5")  # a decimal comma, still aligned


def test_a_cell_cannot_reorder_or_break_the_table() -> None:
    grid = Grid((("place", "n"), ("plein\u202egnirb\u202c\nextra", 3)), header=False)
    assert RENDERER.grid(grid, "nl").split("\n") == [
        "place             n",
        "pleingnirb extra  3",
    ]


def test_a_monospace_screen_renders_monospace_messages_even_when_split() -> None:
    rows = tuple((f"K{n:03d}", n) for n in range(1000))
    screen = Screen((Text("{grid}", {"grid": Grid((("case", "n"), *rows))}),), monospace=True)
    parts = RENDERER.render([screen], "nl")
    assert len(parts) > 1 and all(part.monospace for part in parts)
    assert not any(part.monospace for part in RENDERER.render([Screen((Text("hoi"),))], "nl"))
