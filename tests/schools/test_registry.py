"""A board's schools: the board's defaults, what each school sets itself, and how a child's
typed entry code finds its school."""

from __future__ import annotations

from datetime import time

import pytest

from bot.core.casecode import ALPHABET
from bot.schools.config import SchoolConfigError
from bot.schools.registry import (
    SchoolRow,
    Schools,
    new_entry_code,
    normalize_entry_code,
    school_from,
    shown_entry_code,
)
from bot.schools.school import School

BOARD = School(name="Stichting Voorbeeld", retention_days=365, reports_per_hour=3)


def row(school_id: int, slug: str, code: str, name: str | None = None, **settings) -> SchoolRow:
    return SchoolRow(school_id, slug, code, name, settings)


def test_a_school_without_settings_is_the_board_with_its_own_name_and_codes():
    school = school_from(BOARD, row(2, "pirouette", "KTR4M9", "De Pirouette"))
    assert (school.id, school.slug, school.entry_code, school.name) == (
        2,
        "pirouette",
        "KTR4M9",
        "De Pirouette",
    )
    assert school.retention_days == BOARD.retention_days
    assert school.promise == BOARD.promise


def test_school_one_of_an_upgraded_installation_is_the_toml_school():
    school = school_from(BOARD, row(1, "school", "KTR4M9"))  # name NULL, settings {}
    assert school.name == "Stichting Voorbeeld"
    assert school.hours == BOARD.hours


def test_a_school_overrides_what_it_sets_and_is_checked_like_the_toml():
    school = school_from(
        BOARD,
        row(
            2,
            "regenboog",
            "KTR4M9",
            "De Regenboog",
            hours="08:15-14:15",
            timezone="Europe/Brussels",
            promise_hours=3,
            followup_days=5,
            retention_days=200,
            reports_per_hour=5,
            promise={"nl": "dezelfde dag", "en": "the same day"},
            exit_url="https://www.regenboog.nl/",
        ),
    )
    assert school.hours == (time(8, 15), time(14, 15))
    assert school.timezone == "Europe/Brussels"
    assert (school.promise_hours, school.followup_days) == (3.0, 5)
    assert (school.retention_days, school.reports_per_hour) == (200, 5)
    assert school.promise_in("nl") == "dezelfde dag"
    assert school.exit_url == "https://www.regenboog.nl/"


@pytest.mark.parametrize(
    "settings",
    [
        {"retention_days": 366},  # longer than the board: refused
        {"retention_days": 30},  # shorter than any follow-up can wait
        {"followup_days": 2.5},
        {"promise_hours": float("nan")},
        {"hours": "15:00-08:00"},
        {"timezone": "Mars/Olympus"},
        {"phases": {"nl": ["een", "twee"]}},
        {"exit_url": "javascript:alert(1)"},
        {"name": "Andere naam"},  # the name is the row's own column
        {"colour": "blue"},
    ],
)
def test_a_school_setting_the_board_would_refuse_is_one_sentence(settings):
    with pytest.raises(SchoolConfigError) as refused:
        school_from(BOARD, SchoolRow(2, "x", "KTR4M9", "X", settings))
    assert "\n" not in str(refused.value)


def test_a_typed_entry_code_is_forgiven_how_a_child_writes_it():
    assert normalize_entry_code("ktr-4m9") == "KTR4M9"
    assert normalize_entry_code("  KTR 4M9 ") == "KTR4M9"
    assert normalize_entry_code("ktr.4m9") == "KTR4M9"
    assert normalize_entry_code("ABC-123") is None  # B and 1 are never in a code
    assert normalize_entry_code("KTR4M") is None
    assert normalize_entry_code("K" * 500) is None
    assert shown_entry_code("KTR4M9") == "KTR-4M9"


def test_new_entry_codes_use_only_letters_a_child_cannot_read_two_ways():
    codes = {new_entry_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 6 and set(code) <= set(ALPHABET) for code in codes)
    assert all(normalize_entry_code(code) == code for code in codes)


def test_schools_are_found_by_slug_and_code_and_a_removed_one_is_not():
    rows = [
        row(1, "pirouette", "KTR4M9", "De Pirouette"),
        row(2, "regenboog", "QXA7CD", "De Regenboog"),
        SchoolRow(3, "oud", "HJK234", "De Oude School", {}, removed="2026-01-01T00:00:00+00:00"),
    ]
    schools = Schools.build(BOARD, rows)
    assert schools.by_slug("regenboog").id == 2
    assert schools.by_entry_code("qxa-7cd").id == 2
    assert schools.by_slug("oud") is None and schools.by_entry_code("HJK234") is None
    assert schools[3].name == "De Oude School"  # its old cases still name it
    assert [s.slug for s in schools.live] == ["pirouette", "regenboog"]
    assert schools.only is None
    assert Schools.build(BOARD, rows[:1]).only.slug == "pirouette"


def test_a_school_the_board_file_has_since_made_wrong_keeps_the_board_settings(caplog):
    """The board shortens its retention below what a school set: that school falls back to the
    board's settings (logged), and the other schools and the bot go on."""
    rows = [row(1, "pirouette", "KTR4M9", "De Pirouette", retention_days=300, followup_days=5)]
    stricter = School(retention_days=200)
    schools = Schools.build(stricter, rows)
    school = schools[1]
    assert (school.name, school.retention_days, school.followup_days) == ("De Pirouette", 200, 10)
    assert "school_settings_refused school=1" in caplog.text


def test_the_running_bot_sees_every_change_to_the_schools_even_two_in_one_second(app):
    from bot.cases.board import Board

    board = Board(app.stores, app.school)
    assert [s.slug for s in board.current().live] == ["school"]
    now = "2026-11-23T08:00:00+00:00"
    with app.stores.db.transaction():
        app.stores.schools.add("pirouette", "De Pirouette", "KTR4M9", now)
    assert [s.slug for s in board.current().live] == ["school", "pirouette"]
    with app.stores.db.transaction():
        app.stores.schools.update(2, now, name="De Pirouette 2")  # the same second
    assert board.current()[2].name == "De Pirouette 2"


def test_an_old_address_or_code_is_never_given_to_another_school(app):
    now = "2026-11-23T08:00:00+00:00"
    stores = app.stores
    with stores.db.transaction():
        school = stores.schools.add("pirouette", "De Pirouette", "KTR4M9", now)
        stores.schools.update(school, now, slug="de-pirouette", entry_code="QXA7CD")
    assert stores.schools.taken(slug="pirouette") and stores.schools.taken(entry_code="KTR4M9")
    assert stores.schools.taken(slug="de-pirouette") and not stores.schools.taken(slug="zee")
