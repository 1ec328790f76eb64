"""The board's suppression rules, as pure functions: small cells, the cells a total would give
away, percentages at the ends and on small bases, whole months and one breakdown at a time."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.stats.suppress import (
    HIDDEN,
    SUPPRESSED,
    BoardRequestError,
    check_request,
    coded_percent,
    hidden_cells,
    suppressed,
    suppressed_percents,
    with_totals,
)

S, X = SUPPRESSED, HIDDEN


def revealed(cells: list[list[int]]) -> set[tuple[int, int]]:
    """Hidden cells that the shown figures pin down by differencing: a hidden cell (a total
    too) is worked out when the equations "a row's or a column's cells add up to its total",
    with every shown figure filled in, fix its value (its unit vector lies in their row space)."""
    full = with_totals(cells)
    hidden = sorted(hidden_cells(full))
    last_row, last_col = len(full) - 1, len(full[0]) - 1
    lines = [([(i, j) for j in range(last_col)], (i, last_col)) for i in range(last_row + 1)]
    lines += [([(i, j) for i in range(last_row)], (last_row, j)) for j in range(last_col + 1)]
    equations = [
        [Fraction((cell in parts) - (cell == total)) for cell in hidden] for parts, total in lines
    ]
    known = rank(equations)
    return {
        cell
        for n, cell in enumerate(hidden)
        if rank([*equations, [Fraction(m == n) for m in range(len(hidden))]]) == known
    }


def rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix if any(row)]
    found = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column]:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found


def test_a_school_of_three_reports_shows_no_number_at_all() -> None:
    # One school, three reports: two about names, one about hitting, none of the rest.
    assert suppressed([[2, 1, 0, 0]]) == [[S, S, S, S, S], [S, S, S, S, S]]
    assert suppressed_percents([[2, 1, 0, 0]]) == [[X, X, X, X], [X, X, X, X]]


def test_a_count_under_five_is_hidden_and_five_is_shown() -> None:
    assert suppressed([[5, 9], [6, 7]]) == [[5, 9, 14], [6, 7, 13], [11, 16, 27]]
    assert suppressed([[4]])[0] == [S, S]


def test_a_total_never_gives_a_single_hidden_cell_away() -> None:
    # 3 is hidden; with the total 20 shown, 20 - 10 - 7 would be 3: 7 goes too, 10 stays.
    assert suppressed([[10, 3, 7]]) == [[10, S, S, 20], [10, S, S, 20]]


def test_the_complement_is_the_next_smallest_cell_in_rows_and_columns() -> None:
    shown = suppressed([[12, 2, 9, 30], [8, 11, 6, 25], [20, 14, 18, 40]])
    assert shown == [
        [12, S, S, 30, 53],  # 2 is small; the row's total would give it away: 9 goes too
        [8, S, S, 25, 50],  # the columns' totals would give 2 and 9 away: 11 and 6 go too
        [20, 14, 18, 40, 92],  # larger than 11 and 6: shown
        [40, 27, 33, 95, 195],
    ]
    assert revealed([[12, 2, 9, 30], [8, 11, 6, 25], [20, 14, 18, 40]]) == set()


def test_a_hidden_total_is_not_given_away_by_the_cells_beside_it() -> None:
    # The first school's total (3) is hidden. The totals column would give it away unless the
    # next smallest total (12) is hidden too, and 12 is 7 + 5 unless one of those goes as well.
    cells = [[1, 2], [1, 20], [7, 5]]
    assert suppressed(cells) == [[S, S, S], [S, S, 21], [7, S, S], [9, 27, 36]]
    assert revealed(cells) == set()


@pytest.mark.parametrize(
    "cells",
    [
        [[2, 1, 0]],
        [[10, 3, 7]],
        [[1, 2], [1, 20], [7, 5]],
        [[6, 6], [6, 1]],
        [[5, 0, 9], [3, 8, 8]],
        [[7], [3], [9]],  # months: one column
    ],
)
def test_no_hidden_cell_can_be_worked_out_from_what_is_shown(cells: list[list[int]]) -> None:
    assert revealed(cells) == set()


def test_months_of_one_column_hide_a_second_month() -> None:
    # 3 reports in one month: with the total shown, the next smallest month (7) is hidden too.
    assert suppressed([[7], [3], [9]]) == [[S, S], [S, S], [9, 9], [19, 19]]


@pytest.mark.parametrize(
    ("n", "base", "shown"),
    [
        (3, 4, X),  # a base under 5
        (0, 4, X),
        (1, 40, "≤ 5 %"),
        (2, 40, "≤ 5 %"),  # exactly 5 %
        (3, 40, "8 %"),
        (20, 40, "50 %"),
        (38, 40, "≥ 95 %"),  # exactly 95 %
        (40, 40, "≥ 95 %"),
        (37, 40, "93 %"),
        (0, 5, "≤ 5 %"),
        (5, 5, "≥ 95 %"),
    ],
)
def test_percentages_are_coded_at_the_ends_and_hidden_on_a_small_base(
    n: int, base: int, shown: str
) -> None:
    assert coded_percent(n, base) == shown


def test_a_percentage_of_a_hidden_count_is_hidden() -> None:
    # 8 % of 40 is 3 again: a shown share would give the hidden count back.
    assert suppressed_percents([[3, 17, 20], [10, 10, 10]]) == [
        [X, X, "50 %"],
        [X, X, "33 %"],
        ["19 %", "39 %", "43 %"],
    ]


@pytest.mark.parametrize(
    ("first", "last", "breakdown"),
    [
        ("2026-11-03", "2026-12", "kind"),  # a day: the board sees months
        ("2026-11", "2026-W49", "kind"),  # a week
        ("2026-13", "2027-01", "kind"),
        ("2027-01", "2026-12", "kind"),  # backwards
        ("2026-08", "2027-07", "kind,place"),  # two breakdowns at once
        ("2026-08", "2027-07", "groep"),  # no figure per groep leaves the coordinators
        ("2026-08", "2027-07", "hotspot"),
    ],
)
def test_the_board_asks_for_months_and_one_breakdown(first: str, last: str, breakdown: str) -> None:
    with pytest.raises(BoardRequestError):
        check_request(first, last, breakdown)


def test_a_whole_school_year_by_one_breakdown_is_fine() -> None:
    check_request("2026-08", "2027-07", "kind")
    check_request("2026-11", "2026-11", "outcome")
