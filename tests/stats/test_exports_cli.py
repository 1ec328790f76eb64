"""`antipestbot stats`, run for real (`bot.cli.main`) on a database whose cases were made by the
case verbs: claimed, messaged, noted, closed, followed up, reopened, flagged serious.

Every format is written and read back. No export holds a story, a note, a reporter's or a
coordinator's name, nor a case code; every export is in the audit log, without
its content; every mistake is one sentence and exit code 2.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from support.acting import acting, coordinator, reporter
from support.casefiles import file_report
from support.commandline import Run
from support.processes import one_sentence

from bot.app import build
from bot.cases import casework, relay
from bot.settings import load_settings
from bot.stats.tally import school_year

SCHOOL = "Basisschool De Linde"
STORY = "Canaryverhaal: zij pakken elke dag mijn tas af bij het hek"
NOTE = "Canarynotitie: gesprek met de ouders van Bram gepland"
MESSAGE = "Canarybericht: dank je, we gaan je helpen"
REPORTER_NAME = "Canarynaam Pietersen"
COORDINATOR_NAME = "Juf Canarina"
FORMATS = ("table", "csv", "xlsx", "pdf")


@pytest.fixture
def env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "board.toml"
    config.write_text(f'[school]\nname = "{SCHOOL}"\n', encoding="utf-8")
    return {**env, "ANTIPEST_CONFIG": str(config)}


@pytest.fixture
def codes(env: dict[str, str]) -> list[str]:
    """Four cases of school 1, made now: two followed up (yes; no, which reopens it)."""
    app = build(load_settings(env))
    try:
        made = [
            file_report(app, 7, STORY, kind="names", place="class"),
            file_report(app, 8, STORY, kind="hitting", place="playground"),
            file_report(app, 9, STORY, anonymous=False, name=REPORTER_NAME),
            file_report(app, 10, STORY, role="parent", place="online", kind="online"),
        ]
        juf = acting(app, coordinator(app, 101, COORDINATOR_NAME))
        for code in made:
            casework.claim(juf, code)
        with app.stores.db.transaction():
            casework.message_reporter(juf, made[0], MESSAGE)
            casework.add_note(juf, made[0], NOTE)
            casework.set_phase(juf, made[1], "2")
            casework.mark_serious(juf, made[1])
            for code in made[:3]:
                casework.close(juf, code, "resolved", NOTE)
            relay.answer_followup(acting(app, reporter(app, 7)), made[0], "yes")
            relay.answer_followup(acting(app, reporter(app, 8)), made[1], "no")
        return made
    finally:
        app.stores.db.close()


def export(cli: Run, tmp_path: Path, fmt: str, *args: str) -> str:
    """`stats --format FMT ARGS` written to a file (table: to the screen); what it says, as
    text: the CSV, the table, the PDF's text, or every part of the XLSX."""
    if fmt == "table":
        code, out, err = cli("stats", "--format", fmt, *args)
        assert code == 0, err
        return out
    path = tmp_path / f"figures-{len(list(tmp_path.iterdir()))}.{fmt}"
    code, out, err = cli("stats", "--format", fmt, "--out", str(path), *args)
    assert code == 0, err
    assert out.strip().endswith(f" written to {path.resolve()}."), out
    data = path.read_bytes()
    if fmt == "csv":
        return data.decode("utf-8-sig").replace("\r\n", "\n")  # CSV lines end in CRLF
    if fmt == "xlsx":
        book = zipfile.ZipFile(io.BytesIO(data))
        return "\n".join(book.read(name).decode() for name in book.namelist())
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def exported(env: dict[str, str]) -> list[tuple[str, str, int | None, str | None]]:
    with sqlite3.connect(env["ANTIPEST_DB"]) as db:
        return db.execute(
            "SELECT actor, action, school, report FROM audit WHERE action = 'stats_exported'"
        ).fetchall()


def this_school_year() -> str:
    first, last = (date.fromisoformat(f"{month}-01") for month in school_year(date.today()))
    return " – ".join(format_date(d, "MMMM y", locale="nl") for d in (first, last))


def test_the_jaaroverzicht_pdf_shows_the_school_the_year_and_is_het_gestopt(cli, tmp_path, codes):
    text = export(cli, tmp_path, "pdf")

    first_page = text[: text.index("1/")]
    assert first_page.startswith(f"Jaaroverzicht\n{SCHOOL}\n{this_school_year()}\n")
    assert "monitor sociale veiligheid" in " ".join(first_page.split())
    assert "Is het gestopt?" in first_page
    # One follow-up answered yes and one no: half and half.
    assert "ja, gestopt 50 %" in " ".join(text.split())


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_export_holds_content_names_or_codes_of_cases(cli, tmp_path, env, codes, fmt):
    canaries = [STORY, NOTE, MESSAGE, REPORTER_NAME, COORDINATOR_NAME, "Canary"]
    views = {
        "leader": export(cli, tmp_path, fmt),
        "board": export(cli, tmp_path, fmt, "--view", "board"),
        "coordinator": export(cli, tmp_path, fmt, "--view", "coordinator"),
    }

    for view, shown in views.items():
        text = " ".join(shown.split())  # a name wrapped in a table cell is still found
        assert SCHOOL in text, view
        for canary in canaries:
            assert canary not in text, (view, canary)
        for code in codes:  # the coordinators' week too: its lists of cases stay in the chat
            assert code not in text, (view, code)
    assert exported(env) == [
        ("operator", "stats_exported", 1, None),
        ("operator", "stats_exported", None, None),
        ("operator", "stats_exported", 1, None),
    ]


def test_the_table_goes_to_the_screen_and_a_file_when_asked(cli, tmp_path, codes):
    code, out, _ = cli("stats", "--lang", "en")

    assert code == 0
    assert out.startswith(f"Yearly overview\n{SCHOOL}\n")
    assert "These figures count the reports made to the anti-bullying helper." in out
    path = tmp_path / "figures.txt"
    assert cli("stats", "--out", str(path))[0] == 0
    assert path.read_text(encoding="utf-8").startswith(f"Jaaroverzicht\n{SCHOOL}\n")


def test_another_period_is_named_an_overview(cli, tmp_path, codes):
    text = export(cli, tmp_path, "csv", "--from", "2026-09", "--to", "2026-12")

    assert text.startswith(f"Overzicht\n{SCHOOL}\nseptember 2026 – december 2026\n")


def test_with_several_schools_a_school_view_needs_the_school(cli, tmp_path, codes):
    assert cli("school", "add", "--name", "Het Kompas", "--slug", "kompas")[0] == 0

    one_sentence(*cli("stats")[::2], "--school")
    board = export(cli, tmp_path, "csv", "--view", "board", "--breakdown", "place")
    assert SCHOOL in board and "Het Kompas" in board
    assert "Kompas" in export(cli, tmp_path, "csv", "--school", "kompas").splitlines()[1]


@pytest.mark.parametrize(
    ("args", "mention"),
    [
        (("--format", "pdf"), "--out"),
        (("--from", "2026-08"), "--to"),
        (("--from", "2026-8", "--to", "2027-07"), "YYYY-MM"),
        (("--from", "2027-08", "--to", "2027-07"), "--from"),
        (("--view", "coordinator", "--from", "2026-08", "--to", "2026-09"), "--from"),
        (("--breakdown", "kind"), "--view board"),
        (("--view", "board", "--school", "school"), "--school"),
        (("--school", "nergens"), "nergens"),
    ],
)
def test_a_mistake_is_one_sentence(cli, env, args, mention):
    one_sentence(*cli("stats", *args)[::2], mention)
    assert exported(env) == []
