"""`antipestbot stats`: a school's figures (or the board's) as a table on the screen, or as a CSV,
XLSX or PDF file; the PDF of a school year is the school's jaaroverzicht.

Three views, as issue 14 gives them: `leader` (a school's months, exact; the default),
`coordinator` (a school's week now, naming cases by code only) and `board` (every school,
suppressed, one breakdown at a time). No view holds a story, a note or a name: figures are sums of
counters. Each export is audit-logged (who, what, when; never its content).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from bot import cli_schools
from bot.clock import stamp
from bot.core.i18n import DEFAULT_LOCALE, LOCALES
from bot.core.model import Text
from bot.settings import SettingsError
from bot.stats import files, views
from bot.stats.render import ALL_SCHOOLS, Document, render, text_of
from bot.stats.suppress import BREAKDOWNS, MONTH, BoardRequestError
from bot.stats.tally import school_year

if TYPE_CHECKING:
    from bot.app import App

VIEWS = ("leader", "coordinator", "board")
SCHOOL_HELP = "the school's slug; may be left out when there is one school, and with --view board"


def add_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `stats` command, added to the CLI's parser."""
    stats = commands.add_parser(
        "stats",
        help="figures as a table, CSV, XLSX or PDF (the jaaroverzicht); never a case's content",
    )
    stats.add_argument("--school", help=SCHOOL_HELP)
    stats.add_argument("--from", dest="first", metavar="YYYY-MM", help="first month")
    stats.add_argument(
        "--to", dest="last", metavar="YYYY-MM", help="last month (default: this school year)"
    )
    stats.add_argument(
        "--view",
        choices=VIEWS,
        default="leader",
        help="leader: a school's months (default); coordinator: this week, with case codes; "
        "board: every school, small numbers hidden",
    )
    stats.add_argument(
        "--breakdown", choices=BREAKDOWNS, help="the board view's one breakdown (default kind)"
    )
    stats.add_argument("--format", choices=("table", *files.FORMATS), default="table")
    stats.add_argument("--out", type=Path, help="the file to write (table: default the screen)")
    stats.add_argument("--lang", choices=LOCALES, default=DEFAULT_LOCALE)


def run(app: App, args: argparse.Namespace) -> int:
    """`antipestbot stats ...`; every operator's mistake is one SettingsError sentence."""
    _check(args)
    schools = cli_schools.board(app)
    school = None if args.view == "board" else cli_schools.school_for(schools, args.school)
    now = stamp(app.clock)
    today = app.clock().astimezone(school.zone if school else app.school.zone).date()
    months: tuple[str, str] = (args.first, args.last) if args.first else school_year(today)
    if school is None:
        try:
            tables = views.board_view(app.stores, schools, *months, args.breakdown or "kind")
        except BoardRequestError as exc:
            raise SettingsError(str(exc)) from exc
        export = files.export_of(tables, Text(ALL_SCHOOLS), *months, today)
    elif args.view == "coordinator":
        tables = views.coordinator_view(app.stores, school, now, locale=args.lang, codes=False)
        # a week has no months
        export = files.export_of(tables, school.name or school.slug, None, None, today)
    else:
        export = files.leader_export(app.stores, school, *months, today, args.lang)
    if args.format == "table":
        made = as_text(render(export, app.renderer, args.lang)).encode()
    else:
        made = files.file_bytes(export, app.renderer, args.lang, args.format)
    if args.out is None:
        sys.stdout.write(made.decode())
    else:
        _write(args.out, made)
    with app.stores.db.transaction():
        files.record_export(app.stores.db, now, "operator", school.id if school else None)
    if args.out is not None:
        print(f"Figures ({args.view}, {args.format}) written to {args.out.resolve()}.")
    return 0


def _check(args: argparse.Namespace) -> None:
    """Mistakes in the options, found before anything is read."""
    for flag, month in (("--from", args.first), ("--to", args.last)):
        if month is not None and not MONTH.match(month):
            raise SettingsError(f"{flag} must be a month as YYYY-MM, e.g. 2026-08.")
    if (args.first is None) != (args.last is None):
        raise SettingsError("--from and --to go together (leave both out for this school year).")
    if args.first is not None and args.first > args.last:
        raise SettingsError("--from must not come after --to.")
    if args.view == "coordinator" and args.first is not None:
        raise SettingsError("The coordinator view is this week's: leave out --from and --to.")
    if args.view == "board" and args.school is not None:
        raise SettingsError("The board view covers every school: leave out --school.")
    if args.breakdown is not None and args.view != "board":
        raise SettingsError("--breakdown is for the board view (--view board).")
    if args.format != "table" and args.out is None:
        raise SettingsError(f"--format {args.format} needs a file: --out FILE.")


def _write(path: Path, made: bytes) -> None:
    try:
        path.write_bytes(made)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SettingsError(f"The figures cannot be written to {path}: {reason}.") from exc


def as_text(doc: Document) -> str:
    """The export for a terminal: its opening lines, then each table in columns (text to the
    left, figures to the right), its notes under it."""
    out = [*doc.lead(), doc.disclaimer, ""]
    for sheet in doc.sheets:
        rows = [list(sheet.columns)] + [[text_of(v, doc.locale) for v in r] for r in sheet.rows]
        widths = [max(_width(row[c]) for row in rows) for c in range(len(sheet.columns))]
        out += [sheet.title, "=" * _width(sheet.title)]
        for n, row in enumerate(rows):
            cells = [_pad(cell, widths[c], right=c > 0 and n > 0) for c, cell in enumerate(row)]
            out.append("  ".join(cells).rstrip())
        out += [*sheet.notes, ""]
    return "\n".join(out)


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: a wide (East Asian) letter two, a combining mark none."""
    wide = ("W", "F")
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in wide else 1
        for ch in text
    )


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap
