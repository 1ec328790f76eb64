"""Text in a fixed-width font: how wide a string is, lines wrapped at a width, and a grid's
translated rows laid out in columns, or laid out to fit a narrow screen.

A phone shows about 32 columns of a Telegram `pre` block and wraps what is longer wherever it
must, which breaks a table's columns. Laid out for a width, every line fits:
- a label and a figure per row reads figure first, the label after it, wrapped under itself:
  "   4  open now" (on a phone the figures line up, however long a label is);
- other rows stay columns where they fit, a long heading over more than one line;
- rows that do not fit even so become records: the first cell, then each other cell as
  "figure  heading".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

GAP = "  "  # between the columns of a grid
FIGURE = 4  # the narrowest column of figures: the labels of every table start alike
INDENT = "  "  # a record's other cells, under its first
EMPTY = "–"  # a figure that is not there (no median yet): a blank would look like a mistake


def width(text: str) -> int:
    """How many columns `text` takes in a fixed-width font: wide (CJK, most emoji) take two,
    combining marks and format characters none."""
    return sum(
        0
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(ch) in "WF"
        else 1
        for ch in text
    )


def wrap(text: str, columns: int) -> list[str]:
    """`text` in lines of at most `columns`, broken at spaces; a word longer than a line is
    cut. An empty text is one empty line."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and width(line) + 1 + width(word) <= columns:
            line += " " + word
            continue
        if line:
            lines.append(line)
        line = ""
        while width(word) > columns:
            piece = _cut(word, columns)
            lines.append(piece)
            word = word[len(piece) :]
        line = word
    return [*lines, line] if line or not lines else lines


def fit(body: str, columns: int) -> str:
    """Every line of `body` at most `columns` wide: a longer line wraps, and its next lines are
    indented as it is."""
    out: list[str] = []
    for line in body.split("\n"):
        if width(line) <= columns:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        if width(indent) > columns // 2:
            indent = ""  # a line that starts that far right is no paragraph to keep in shape
        out += [indent + part for part in wrap(line, columns - width(indent))]
    return "\n".join(out)


def lay_out(
    cells: Sequence[Sequence[str]], header: bool, right: Sequence[bool], columns: int | None
) -> list[str]:
    """The lines of a grid of translated cells (every row as long as the first). `right`: the
    columns of figures. `columns`: the widest line the screen shows; None lays out the grid as
    wide as it takes, its first row (when `header`) over a line of dashes."""
    body = cells[1:] if header else cells
    if columns is None:
        return _columns(cells, header, right, None) or []
    if len(right) == 2 and right[1] and not right[0] and body:
        return _figures_first(body, columns)
    return _columns(cells, header, right, columns) or _records(cells, header, columns)


def _columns(
    cells: Sequence[Sequence[str]], header: bool, right: Sequence[bool], columns: int | None
) -> list[str] | None:
    """The grid in columns; None when it cannot fit in `columns`, even with each heading
    wrapped down to its longest word."""
    count = len(right)
    heads = list(cells[0]) if header else [""] * count
    body = cells[1:] if header else cells
    data = [max((width(row[i]) for row in body), default=0) for i in range(count)]
    full = [max(d, width(head)) for d, head in zip(data, heads, strict=True)]
    widths = full
    if columns is not None and _total(full) > columns:
        widths = [max([d, *map(width, head.split())]) for d, head in zip(data, heads, strict=True)]
        spare = columns - _total(widths)
        if spare < 0:
            return None
        for i in range(count):  # what room is left goes to the headings, to keep them short
            more = min(spare, full[i] - widths[i])
            widths[i] += more
            spare -= more
    parts = [wrap(head, w) for head, w in zip(heads, widths, strict=True)]
    # A wrapped heading needs only its longest line: "school" over "hours" takes six, not ten.
    widths = [max([d, *map(width, part)]) for d, part in zip(data, parts, strict=True)]
    lines = [_line(row, widths, right) for row in body]
    if not header:
        return lines
    depth = max(len(part) for part in parts)
    heading = [[""] * (depth - len(part)) + part for part in parts]  # headings sit on the dashes
    return [
        *(_line([part[n] for part in heading], widths, right) for n in range(depth)),
        GAP.join("-" * w for w in widths),
        *lines,
    ]


def _figures_first(body: Sequence[Sequence[str]], columns: int) -> list[str]:
    """Rows of a label and a figure: "   4  open now", a long label wrapped under itself."""
    figures = [figure or EMPTY for _label, figure in body]
    room = max(FIGURE, *map(width, figures))
    out: list[str] = []
    for (label, _), figure in zip(body, figures, strict=True):
        out += _hanging(" " * (room - width(figure)) + figure + GAP, label, columns)
    return out


def _records(cells: Sequence[Sequence[str]], header: bool, columns: int) -> list[str]:
    """One record per row: its first cell, then each other cell as "figure  heading"."""
    heads = list(cells[0]) if header else [""] * len(cells[0])
    body = cells[1:] if header else cells
    room = max((width(cell or EMPTY) for row in body for cell in row[1:]), default=0)
    out: list[str] = []
    for row in body:
        out += wrap(row[0], columns) if row[0] else []
        for cell, head in zip(row[1:], heads[1:], strict=True):
            value = cell or EMPTY
            lead = INDENT + " " * (room - width(value)) + value
            out += _hanging(lead + GAP, head, columns) if head else [lead]
    return out


def _hanging(lead: str, text: str, columns: int) -> list[str]:
    """`lead` then `text`, which wraps in the room that is left, under itself."""
    parts = wrap(text, max(columns - width(lead), 1))
    return [lead + parts[0], *(" " * width(lead) + part for part in parts[1:])]


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * (len(widths) - 1)


def _line(row: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    padded = [
        " " * (w - width(cell)) + cell if flush else cell + " " * (w - width(cell))
        for cell, w, flush in zip(row, widths, right, strict=True)
    ]
    return GAP.join(padded).rstrip()


def _cut(word: str, columns: int) -> str:
    """The longest start of `word` that fits in `columns` (at least one character)."""
    taken = 0
    for n, ch in enumerate(word):
        taken += width(ch)
        if taken > columns:
            return word[: max(n, 1)]
    return word
