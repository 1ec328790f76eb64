"""The board administrator's command line: `antipestbot school ...` and `--school` on the
coordinator commands, run for real (`bot.cli.main`, and once as `python -m bot`).

What they print is checked, and what they leave in the database is read back as the running
bot reads it (a fresh App's board). No command prints a case's content; every mistake is one
sentence and exit code 2.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from support.commandline import Run
from support.processes import antipestbot, one_sentence, succeeded

from bot.app import App, build
from bot.clock import stamp, system_clock
from bot.schools.registry import shown_entry_code
from bot.settings import load_settings

PUBLIC = "https://meld.bestuur.nl"
STORY = "Zij pakken elke dag mijn tas af bij het hek"  # a case's content: never printed


@pytest.fixture
def env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """An installation that is one school already (its TOML names it): the board's first
    `school add` adds a second school beside it."""
    config = tmp_path / "board.toml"
    config.write_text('[school]\nname = "Basisschool De Linde"\n', encoding="utf-8")
    return {**env, "ANTIPEST_CONFIG": str(config)}


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, (code, err)
    return out


def refused(result: tuple[int, str, str], *mentions: str) -> str:
    code, _out, err = result
    return one_sentence(code, err, *mentions)


@contextmanager
def bot_view(env: dict[str, str]) -> Iterator[App]:
    """The database as a freshly started bot sees it."""
    app = build(load_settings(env))
    try:
        yield app
    finally:
        app.stores.db.close()


def open_case(env: dict[str, str], slug: str) -> str:
    """A pupil's open case in the school `slug`, with content the board must never see."""
    with bot_view(env) as app:
        school = app.board.current().by_slug(slug)
        assert school is not None
        with app.stores.db.transaction():
            return app.stores.reports.create(
                "reporter-1",
                "contact-1",
                {"kind": "physical", "story": STORY, "who": "me"},
                stamp(system_clock),
                school=school.id,
            )


def close_case(env: dict[str, str], slug: str, code: str) -> None:
    with bot_view(env) as app:
        school = app.board.current().by_slug(slug)
        assert school is not None
        with app.stores.db.transaction():
            assert app.stores.reports.close(code, school.id, "stopped", "", stamp(system_clock))


def audited(env: dict[str, str]) -> list[tuple[str, str, int | None]]:
    with bot_view(env) as app:
        rows = app.stores.db.rows("SELECT actor, action, school FROM audit ORDER BY id")
    return [(row["actor"], row["action"], row["school"]) for row in rows]


def school_id(env: dict[str, str], slug: str) -> int:
    with bot_view(env) as app:
        school = app.board.current().by_slug(slug)
        assert school is not None
        return school.id


# --- school add --------------------------------------------------------------------------------


def test_add_prints_the_slug_code_address_widget_and_telegram_link(
    env: dict[str, str], tmp_path: Path
) -> None:
    """As a board administrator runs it: the real `python -m bot`."""
    settings = {**env, "ANTIPEST_PUBLIC_URL": PUBLIC}
    add = ["school", "add", "--name", "De Pirouette", "--bot-username", "@AntiPestTestBot"]
    out = succeeded(antipestbot(settings, tmp_path, *add))

    with bot_view(env) as app:
        school = app.board.current().by_slug("de-pirouette")  # the slug made from the name
        assert school is not None and school.name == "De Pirouette" and school.id != 1
        code = school.entry_code
        assert app.board.current().by_entry_code(code) == school
    assert "de-pirouette" in out.splitlines()[0]
    assert shown_entry_code(code) in out
    assert f"{PUBLIC}/s/de-pirouette/" in out
    assert f'<script src="{PUBLIC}/widget.js" data-school="de-pirouette" defer></script>' in out
    assert f"https://t.me/AntiPestTestBot?start={code}" in out
    assert ("operator", "school_added", school.id) in audited(env)


def test_add_without_a_public_url_or_telegram_still_adds_and_says_what_is_missing(
    cli: Run, env: dict[str, str]
) -> None:
    out = ok(cli("school", "add", "--name", "Het Kompas", "--slug", "kompas"))
    assert "http://127.0.0.1:8080/s/kompas/" in out
    assert "ANTIPEST_PUBLIC_URL" in out and "only" in out
    assert "t.me/" not in out and "--bot-username" in out
    assert school_id(env, "kompas") > 1


def test_a_slug_is_made_from_any_name_and_a_bad_one_is_refused(
    cli: Run, env: dict[str, str]
) -> None:
    ok(cli("school", "add", "--name", "Één & Twee, 't Kompas!"))
    assert school_id(env, "een-twee-t-kompas")
    refused(cli("school", "add", "--name", "😀 🌈"), "--slug")
    refused(cli("school", "add", "--name", "X", "--slug", "Not_A_Slug"), "--slug")
    refused(cli("school", "add", "--name", "   "), "--name")


def test_a_taken_slug_is_refused_kindly_also_a_removed_schools(cli: Run) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    refused(cli("school", "add", "--name", "Pirouette Twee", "--slug", "pirouette"), "pirouette")
    ok(cli("school", "remove", "pirouette"))
    # An old poster must never lead to another school.
    refused(cli("school", "add", "--name", "Pirouette", "--slug", "pirouette"), "--slug")


def test_a_new_boards_first_school_becomes_school_one_instead_of_an_empty_school_beside_it(
    cli: Run, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTIPEST_CONFIG")  # a fresh installation: no school named anywhere
    env = {k: v for k, v in env.items() if k != "ANTIPEST_CONFIG"}
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    ok(cli("school", "add", "--name", "De Regenboog", "--slug", "regenboog"))
    assert (school_id(env, "pirouette"), school_id(env, "regenboog")) == (1, 2)
    listed = ok(cli("school", "list"))
    assert [line.split("\t")[0] for line in listed.splitlines()] == ["pirouette", "regenboog"]


def test_a_used_nameless_school_one_is_kept_when_a_second_school_is_added(
    cli: Run, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTIPEST_CONFIG")
    env = {k: v for k, v in env.items() if k != "ANTIPEST_CONFIG"}
    open_case(env, "school")  # an installation in use, its school never named
    ok(cli("school", "add", "--name", "De Regenboog", "--slug", "regenboog"))
    assert (school_id(env, "school"), school_id(env, "regenboog")) == (1, 2)


# --- school list -------------------------------------------------------------------------------


def test_list_shows_counts_and_never_a_cases_content(cli: Run, env: dict[str, str]) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    ok(
        cli(
            "coordinator", "add", "--telegram-id", "101", "--name", "Juf A", "--school", "pirouette"
        )
    )
    case = open_case(env, "pirouette")

    out = ok(cli("school", "list"))
    (row,) = [line.split("\t") for line in out.splitlines() if line.startswith("pirouette\t")]
    with bot_view(env) as app:
        code = app.board.current().by_slug("pirouette").entry_code  # type: ignore[union-attr]
    assert row == [
        "pirouette",
        "De Pirouette",
        f"code {shown_entry_code(code)}",
        "coordinators 1",
        "open cases 1",
    ]
    (first,) = [line for line in out.splitlines() if line.startswith("school\t")]
    assert first.endswith("coordinators 0\topen cases 0")  # school 1's counts are its own
    assert STORY not in out and case not in out


# --- school set --------------------------------------------------------------------------------


def test_set_changes_what_the_bot_reads_and_reset_gives_the_boards_back(
    cli: Run, env: dict[str, str]
) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    out = ok(
        cli(
            *("school", "set", "pirouette", "--name", "Pirouette Noord"),
            *("--retention-days", "120", "--hours", "08:15-14:45", "--timezone", "Europe/London"),
            *("--promise-nl", "binnen 2 schooldagen", "--promise-en", "within 2 school days"),
            *("--followup-days", "5", "--reports-per-hour", "2", "--promise-hours", "3.5"),
            *("--exit-url", "https://www.example.org/", "--phases-nl", "a | b|c|d|e|f"),
            *("--pupils", "240"),
        )
    )
    assert "retention-days" in out and "name" in out
    with bot_view(env) as app:
        school = app.board.current().by_slug("pirouette")
        board = app.school
    assert school is not None
    assert school.name == "Pirouette Noord"
    assert (school.retention_days, school.followup_days, school.reports_per_hour) == (120, 5, 2)
    assert school.promise_hours == 3.5 and school.timezone == "Europe/London"
    assert str(school.hours[0]) == "08:15:00" and school.exit_url == "https://www.example.org/"
    assert school.promise == {"nl": "binnen 2 schooldagen", "en": "within 2 school days"}
    assert school.phases["nl"] == ["a", "b", "c", "d", "e", "f"]
    assert school.pupils == 240  # figures per 100 pupils (issue 14)
    refused(cli("school", "set", "pirouette", "--pupils", "0"), "pupils")

    ok(cli("school", "set", "pirouette", "--promise-en", "in 2 days"))  # Dutch one kept
    with bot_view(env) as app:
        assert app.board.current().by_slug("pirouette").promise == {  # type: ignore[union-attr]
            "nl": "binnen 2 schooldagen",
            "en": "in 2 days",
        }
    ok(cli("school", "set", "pirouette", "--reset", "promise", "--reset", "retention-days"))
    with bot_view(env) as app:
        school = app.board.current().by_slug("pirouette")
    assert school is not None
    assert school.promise == board.promise and school.retention_days == board.retention_days
    assert school.followup_days == 5  # what was not reset stays
    changed = [a for a in audited(env) if a[1] == "school_changed"]
    assert changed == [("operator", "school_changed", school.id)] * 3


def test_set_holidays_round_trip_clear_and_reset(cli: Run, env: dict[str, str]) -> None:
    board_file = Path(env["ANTIPEST_CONFIG"])
    board_file.write_text(
        '[school]\nname = "Basisschool De Linde"\nholidays = [["2026-10-17", "2026-10-25"]]\n',
        encoding="utf-8",
    )
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))

    def holidays() -> tuple[tuple[date, date], ...]:
        with bot_view(env) as app:
            school = app.board.current().by_slug("pirouette")
            assert school is not None
            return school.holidays

    assert holidays() == ((date(2026, 10, 17), date(2026, 10, 25)),)  # the board's
    out = ok(
        cli(
            *("school", "set", "pirouette"),
            *("--holidays", " 2026-12-19..2027-01-03, 2027-04-27..2027-04-27"),
        )
    )
    assert "holidays" in out
    assert holidays() == (
        (date(2026, 12, 19), date(2027, 1, 3)),
        (date(2027, 4, 27), date(2027, 4, 27)),
    )
    ok(cli("school", "set", "pirouette", "--holidays", ""))  # this school has none
    assert holidays() == ()
    ok(cli("school", "set", "pirouette", "--reset", "holidays"))
    assert holidays() == ((date(2026, 10, 17), date(2026, 10, 25)),)


BAD_SETS = {
    "longer retention than the board": (["--retention-days", "400"], "365"),
    "retention below the minimum": (["--retention-days", "30"], "60"),
    "unknown timezone": (["--timezone", "Mars/Olympus_Mons"], "timezone"),
    "hours backwards": (["--hours", "15:00-08:30"], "hours"),
    "hours not hours": (["--hours", "morning"], "hours"),
    "five phases": (["--phases-en", "a|b|c|d|e"], "six"),
    "an empty phase": (["--phases-nl", "a||c|d|e|f"], "phases"),
    "exit url without https": (["--exit-url", "javascript:alert(1)"], "exit_url"),
    "a holiday of one date": (["--holidays", "2026-12-19"], "--holidays"),
    "holidays with a trailing comma": (["--holidays", "2026-12-19..2027-01-03,"], "--holidays"),
    "a holiday backwards": (["--holidays", "2027-01-03..2026-12-19"], "holiday 1 ends"),
    "a holiday of 71 days": (["--holidays", "2027-07-01..2027-09-09"], "more than 70"),
    "a holiday on no such day": (["--holidays", "2027-02-30..2027-03-01"], "holiday 1"),
    "holidays and their reset": (["--holidays", "", "--reset", "holidays"], "holidays"),
    "follow-up days zero": (["--followup-days", "0"], "followup_days"),
    "promise hours infinite": (["--promise-hours", "inf"], "promise_hours"),
    "nothing to change": ([], "change"),
    "set and reset at once": (["--timezone", "Europe/London", "--reset", "timezone"], "timezone"),
    "a bad new slug": (["--slug", "Pirouette!"], "--slug"),
    "a taken new slug": (["--slug", "school"], "/s/school/"),
    "an empty name": (["--name", ""], "--name"),
}


@pytest.mark.parametrize("case", BAD_SETS)
def test_a_bad_setting_is_one_sentence_and_changes_nothing(
    case: str, cli: Run, env: dict[str, str]
) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    with bot_view(env) as app:
        before = app.board.current().by_slug("pirouette")
    flags, mention = BAD_SETS[case]
    refused(cli("school", "set", "pirouette", *flags), mention)
    with bot_view(env) as app:
        assert app.board.current().by_slug("pirouette") == before
    assert "school_changed" not in [action for _, action, _ in audited(env)]


def test_a_new_code_and_slug_replace_the_old_ones(cli: Run, env: dict[str, str]) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    with bot_view(env) as app:
        old = app.board.current().by_slug("pirouette")
    assert old is not None
    out = ok(cli("school", "set", "pirouette", "--new-code", "--slug", "pirouette-noord"))
    with bot_view(env) as app:
        schools = app.board.current()
        new = schools.by_slug("pirouette-noord")
        assert new is not None and new.id == old.id
        assert schools.by_slug("pirouette") is None
        assert schools.by_entry_code(old.entry_code) is None
        assert schools.by_entry_code(new.entry_code) == new
    assert shown_entry_code(new.entry_code) in out and "/s/pirouette-noord/" in out


# --- school remove -----------------------------------------------------------------------------


def test_remove_is_refused_while_a_case_is_open_and_allowed_once_it_is_closed(
    cli: Run, env: dict[str, str]
) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    case = open_case(env, "pirouette")
    said = refused(cli("school", "remove", "pirouette"), "1 open case")
    assert case not in said and STORY not in said
    with bot_view(env) as app:
        assert app.board.current().by_slug("pirouette") is not None

    close_case(env, "pirouette", case)
    ok(cli("school", "remove", "pirouette"))
    with bot_view(env) as app:
        schools = app.board.current()
        assert schools.by_slug("pirouette") is None
        removed = [s for s in schools.by_id.values() if s.slug == "pirouette"]
        assert len(removed) == 1 and removed[0].id in schools.removed  # its row is kept
        assert app.stores.schools.taken(slug="pirouette")
    line = next(row for row in ok(cli("school", "list")).splitlines() if "pirouette" in row)
    assert line.endswith("\tremoved")
    assert ("operator", "school_removed", removed[0].id) in audited(env)
    refused(cli("school", "remove", "pirouette"), "removed")


def test_the_boards_only_school_cannot_be_removed(cli: Run) -> None:
    refused(cli("school", "remove", "school"), "only")


# --- school poster -----------------------------------------------------------------------------


def test_the_posters_qr_codes_scan_to_the_schools_address_and_telegram_link(
    cli: Run, env: dict[str, str], tmp_path: Path
) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    png = tmp_path / "poster.png"
    poster = ["school", "poster", "pirouette", "--out", str(png)]
    ok(cli(*poster, "--telegram", "--bot-username", "AntiPestTestBot", ANTIPEST_PUBLIC_URL=PUBLIC))
    with bot_view(env) as app:
        code = app.board.current().by_slug("pirouette").entry_code  # type: ignore[union-attr]
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.read_bytes())))
    assert sorted(b.text for b in found) == sorted(
        [f"{PUBLIC}/s/pirouette/", f"https://t.me/AntiPestTestBot?start={code}"]
    )

    ok(cli(*poster, ANTIPEST_PUBLIC_URL=PUBLIC))  # no --telegram: the web code alone
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.read_bytes())))
    assert [b.text for b in found] == [f"{PUBLIC}/s/pirouette/"]
    for suffix, start in ((".pdf", b"%PDF-"), (".svg", b"<")):
        out = tmp_path / f"poster{suffix}"
        ok(cli("school", "poster", "pirouette", "--out", str(out), "--lang", "en"))
        assert out.read_bytes().startswith(start)


def test_poster_mistakes_are_one_sentence(cli: Run, env: dict[str, str], tmp_path: Path) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    out = tmp_path / "poster.png"
    # No public address: a printed code would lead to this computer's own address.
    refused(cli("school", "poster", "pirouette", "--out", str(out)), "ANTIPEST_PUBLIC_URL")
    text = str(tmp_path / "p.txt")
    refused(cli("school", "poster", "pirouette", "--out", text, ANTIPEST_PUBLIC_URL=PUBLIC), ".pdf")
    refused(cli("school", "poster", "pirouette", "--out", str(out), "--telegram"), "bot")
    refused(cli("school", "poster", "nowhere", "--out", str(out)), "nowhere")
    refused(cli("school", "poster", "pirouette", "--out", str(tmp_path / "no" / "p.png")), "p.png")
    assert not out.exists()


# --- coordinators per school -------------------------------------------------------------------


def test_with_two_schools_invite_and_add_need_the_school(cli: Run, env: dict[str, str]) -> None:
    invite = ["coordinator", "invite", "--name", "Juf A", "--bot-username", "b"]
    add = ["coordinator", "add", "--telegram-id", "101", "--name", "Juf A"]
    ok(cli(*invite))  # one school: no --school needed, as before
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    refused(cli(*invite), "--school")
    refused(cli(*add), "--school")
    refused(cli(*add, "--school", "kompas"), "kompas")
    with bot_view(env) as app:
        assert app.stores.coordinators.all() == []
        assert len(app.stores.coordinators.invites()) == 1


def test_invite_and_add_give_a_role_in_the_named_school(cli: Run, env: dict[str, str]) -> None:
    ok(cli("school", "add", "--name", "De Pirouette", "--slug", "pirouette"))
    ok(cli("school", "add", "--name", "Het Kompas", "--slug", "kompas"))
    pirouette, kompas = school_id(env, "pirouette"), school_id(env, "kompas")

    out = ok(
        cli(
            *("coordinator", "invite", "--name", "Meester B", "--bot-username", "b"),
            *("--school", "kompas"),
        )
    )
    assert "Het Kompas" in out
    link = re.search(r"https://t\.me/b\?start=(\S+)", out)
    assert link
    with bot_view(env) as app:
        (invite,) = app.stores.coordinators.invites()
        assert invite.school == kompas
        with app.stores.db.transaction():
            person = app.stores.coordinators.redeem(link.group(1), 202, stamp(system_clock))
        assert person is not None and person.schools == {kompas}

    add = ["coordinator", "add", "--telegram-id", "101", "--name", "Juf A"]
    ok(cli(*add, "--school", "pirouette"))
    ok(cli(*add, "--school", "kompas"))
    listing = ok(cli("coordinator", "list"))
    (row,) = [line.split("\t") for line in listing.splitlines() if "Juf A" in line]
    assert row[3] == "schools pirouette, kompas" and row[-1] == "active"
    only = ok(cli("coordinator", "list", "--school", "pirouette"))
    assert "Juf A" in only and "Meester B" not in only
    assert "kompas" in ok(cli("coordinator", "invites"))

    with bot_view(env) as app:
        juf = app.stores.coordinators.by_telegram_id(101)
    assert juf is not None
    ok(cli("coordinator", "remove", "--id", str(juf.id), "--school", "pirouette"))
    with bot_view(env) as app:
        juf = app.stores.coordinators.by_telegram_id(101)
        assert juf is not None and juf.schools == {kompas}  # one role ended, the other kept
    ok(cli("coordinator", "remove", "--id", str(juf.id)))
    with bot_view(env) as app:
        juf = app.stores.coordinators.by_telegram_id(101)
        assert juf is not None and juf.schools == frozenset() and not juf.active

    actions = audited(env)
    assert ("operator", "invite_created", kompas) in actions
    assert ("operator", "coordinator_added", pirouette) in actions
    assert ("operator", "coordinator_added", kompas) in actions
    assert ("operator", "coordinator_removed", pirouette) in actions
    assert ("operator", "coordinator_removed", None) in actions  # every role at once


def test_a_one_school_board_reads_as_before(cli: Run) -> None:
    ok(cli("coordinator", "add", "--telegram-id", "101", "--name", "Juf A"))
    (row,) = [line.split("\t") for line in ok(cli("coordinator", "list")).splitlines()]
    assert row[1:] == ["Juf A", "telegram id 101", "active"]
    out = ok(cli("coordinator", "invite", "--name", "Meester B", "--bot-username", "b"))
    assert out.startswith("Invite ") and " for Meester B, valid until" in out
    (row,) = [line.split("\t") for line in ok(cli("coordinator", "invites")).splitlines()]
    assert row[1] == "Meester B" and row[2].startswith("made ")


def test_chat_for_an_unknown_school_is_one_sentence(cli: Run) -> None:
    refused(cli("chat", "--school", "nowhere"), "nowhere")
