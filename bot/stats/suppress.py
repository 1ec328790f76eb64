"""Small-cell suppression for the board's figures, so that no figure points at a child.

A board sees several schools, but a school with three reports in a month is three children that
a teacher may know. The rules, as statistics offices apply them:
- a count under 5 is shown as "< 5" (a 0 too: "nobody" can say as much as "one");
- complementary suppression: where a total is shown and exactly one cell of its row or column is
  hidden, the next smallest cell is hidden too, or the total would give the hidden one away (and
  a hidden total whose cells all show is given away by their sum, so one of them goes);
- percentages are coded at the ends (≤ 5 %, ≥ 95 %: "almost nobody" and "almost everybody" are
  as telling as the count), and hidden where their base is under 5 or their count is hidden (a
  percentage and its base give the count back);
- whole months only, and one breakdown at a time (kind × place × month would make every cell
  small).
Pure functions of counts; the views decide what a row and a column are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SMALL = 5  # a count under this is hidden
SUPPRESSED = "< 5"  # how a hidden count reads
HIDDEN = "x"  # how a hidden percentage reads (as in the tables of statistics offices)
LOW, HIGH = 5, 95  # percentages at or beyond these are shown as "≤ 5 %" and "≥ 95 %"
BREAKDOWNS = ("kind", "place", "reporter", "channel", "followup", "outcome")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

Position = tuple[int, int]


class BoardRequestError(ValueError):
    """The board asked for figures its rules do not give; the message is one sentence."""


def check_request(first: str, last: str, breakdown: str) -> None:
    """Whole months (YYYY-MM), in order, and one breakdown of BREAKDOWNS."""
    if not (MONTH.match(first) and MONTH.match(last)):
        raise BoardRequestError("The board's figures are given per month: use YYYY-MM.")
    if first > last:
        raise BoardRequestError("The first month must come before the last.")
    if breakdown not in BREAKDOWNS:
        raise BoardRequestError(f"Break the figures down by one of: {', '.join(BREAKDOWNS)}.")


def with_totals(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with a total column on the right and a total row below."""
    rows = [[*row, sum(row)] for row in cells]
    width = len(rows[0]) if rows else 1
    return [*rows, [sum(row[j] for row in rows) for j in range(width)]]


def hidden_cells(full: Sequence[Sequence[int]]) -> frozenset[Position]:
    """Which cells of a table WITH its totals (`with_totals`) must be hidden.

    Every count under SMALL, then, until nothing changes, per row and per column: a shown total
    with exactly one hidden cell hides the smallest shown cell beside it (the total itself when
    there is none), and a hidden total with no hidden cell hides the smallest cell.
    """
    hidden = {(i, j) for i, row in enumerate(full) for j, value in enumerate(row) if value < SMALL}
    lines = _lines(full)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            missing = sum(cell in hidden for cell in cells)
            if (total not in hidden and missing == 1) or (total in hidden and missing == 0):
                shown = [cell for cell in cells if cell not in hidden]
                pick = min(shown, key=lambda c: (full[c[0]][c[1]], c)) if shown else total
                hidden.add(pick)
                changed = True
    return frozenset(hidden)


def _lines(full: Sequence[Sequence[int]]) -> list[tuple[list[Position], Position]]:
    """Each row and each column of the table with totals, as (its cells, its total)."""
    last_row, last_col = len(full) - 1, len(full[0]) - 1
    rows = [([(i, j) for j in range(last_col)], (i, last_col)) for i in range(last_row + 1)]
    cols = [([(i, j) for i in range(last_row)], (last_row, j)) for j in range(last_col + 1)]
    return [line for line in rows + cols if line[0]]


def suppressed(cells: Sequence[Sequence[int]]) -> list[list[int | str]]:
    """The table with its totals (last column, last row), hidden counts reading "< 5"."""
    full = with_totals(cells)
    hidden = hidden_cells(full)
    return [
        [SUPPRESSED if (i, j) in hidden else value for j, value in enumerate(row)]
        for i, row in enumerate(full)
    ]


def coded_percent(n: int, base: int) -> str:
    """`n` of `base` as a percentage, coded at the ends; HIDDEN when the base is under SMALL."""
    if base < SMALL:
        return HIDDEN
    percent = int(100 * n / base + 0.5)
    if percent <= LOW:
        return f"≤ {LOW} %"
    if percent >= HIGH:
        return f"≥ {HIGH} %"
    return f"{percent} %"


def suppressed_percents(cells: Sequence[Sequence[int]]) -> list[list[str]]:
    """Each cell as a percentage of its row's total (the total row's too), coded; HIDDEN where
    the count or the row's total is hidden in `suppressed(cells)`."""
    full = with_totals(cells)
    hidden = hidden_cells(full)
    last = len(full[0]) - 1
    return [
        [
            HIDDEN if {(i, j), (i, last)} & hidden else coded_percent(row[j], row[last])
            for j in range(last)
        ]
        for i, row in enumerate(full)
    ]
