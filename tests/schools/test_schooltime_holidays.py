"""School holidays in the school's clock: no school hours are counted in them, so the promise,
its reminders, the overdue flag and follow-ups skip them; and how `[school] holidays` is read.

The Christmas holiday of 2026 runs from Saturday 19-12-2026 to Sunday 03-01-2027; Friday
18-12-2026 is its last school day before it, Monday 04-01-2027 the first after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support.acting import acting, coordinator
from support.casefiles import file_report
from support.figuretables import rows, titled

from bot.app import build
from bot.background.retention import purge_due
from bot.cases import casework
from bot.schools.config import SchoolConfigError, load_school, overrides
from bot.schools.school import School
from bot.schools.schooltime import add_school_days, add_school_hours, school_hours_between
from bot.settings import load_settings
from bot.stats import views

CHRISTMAS = (date(2026, 12, 19), date(2027, 1, 3))
KINGS_DAY = (date(2027, 4, 27), date(2027, 4, 27))  # a Tuesday
SCHOOL = School(holidays=(CHRISTMAS, KINGS_DAY))  # 08:30-15:00 in Amsterdam (UTC+1 in winter)
BOARD_TOML = '[school]\nname = "De Linde"\nholidays = [["2026-12-19", "2027-01-03"]]\n'


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- the clock ---------------------------------------------------------------------------------


def test_a_report_on_the_friday_before_the_holiday_is_due_on_the_first_school_day_after():
    friday = utc("2026-12-18T14:00:00+01:00")  # one school hour left that day
    due = add_school_hours(friday, 6.5, SCHOOL)
    assert due == utc("2027-01-04T14:00:00+01:00")  # 1 hour on Friday, 5.5 on Monday
    # Without holidays the same promise ends on the Monday of the holiday's first week.
    assert add_school_hours(friday, 6.5, School()) == utc("2026-12-21T14:00:00+01:00")


def test_a_report_made_in_the_holiday_counts_from_the_first_school_day():
    christmas_day = utc("2026-12-25T11:00:00+01:00")
    assert add_school_hours(christmas_day, 1, SCHOOL) == utc("2027-01-04T09:30:00+01:00")


def test_follow_up_days_skip_the_holiday():
    thursday = utc("2026-12-17T16:00:00+01:00")
    # Friday is the first school day after it; the second is after the holiday, mid-morning.
    assert add_school_days(thursday, 1, SCHOOL) == utc("2026-12-18T10:00:00+01:00")
    assert add_school_days(thursday, 2, SCHOOL) == utc("2027-01-04T10:00:00+01:00")
    assert add_school_days(utc("2026-12-23T12:00:00+01:00"), 1, SCHOOL) == utc(
        "2027-01-04T10:00:00+01:00"
    )


def test_no_school_hour_of_the_holiday_is_counted():
    after_school = utc("2026-12-18T15:00:00+01:00")
    assert school_hours_between(after_school, utc("2027-01-04T08:30:00+01:00"), SCHOOL) == 0
    friday = utc("2026-12-18T14:00:00+01:00")
    assert school_hours_between(friday, utc("2027-01-04T09:30:00+01:00"), SCHOOL) == 2.0
    assert school_hours_between(friday, utc("2027-01-04T09:30:00+01:00"), School()) == 67.0


def test_a_one_day_holiday_is_skipped_and_the_days_around_it_are_not():
    monday = utc("2027-04-26T14:00:00+02:00")
    assert add_school_hours(monday, 6.5, SCHOOL) == utc("2027-04-28T14:00:00+02:00")
    assert add_school_days(monday, 1, SCHOOL) == utc("2027-04-28T10:00:00+02:00")
    wednesday = utc("2027-04-28T08:30:00+02:00")
    assert school_hours_between(monday, wednesday, SCHOOL) == 1.0
    assert school_hours_between(monday, wednesday, School()) == 7.5


def test_holidays_that_cover_every_day_still_give_an_answer_soon():
    # Eleven holidays of 67 days each (as the TOML may give them) cover two whole years.
    first = date(2027, 1, 1)
    covered = tuple(
        (first + timedelta(days=67 * n), first + timedelta(days=67 * n + 66)) for n in range(11)
    )
    start = utc("2027-01-04T09:00:00+01:00")
    for school in (School(holidays=covered), School(holidays=((date.min, date.max),))):
        # The search gives up after 400 days and takes the next day as a school day: the promise
        # comes due within days, not after the years of holidays.
        assert add_school_hours(start, 6.5, school) - start < timedelta(days=5)
        assert add_school_days(start, 10, school) - start < timedelta(days=15)
        assert school_hours_between(start, start + timedelta(days=30), school) == 0


# --- [school] holidays in the board's TOML ------------------------------------------------------


def school_file(tmp_path: Path, holidays: str) -> Path:
    path = tmp_path / "school.toml"
    path.write_text(f'[school]\nname = "De Linde"\n\nholidays = {holidays}\n', encoding="utf-8")
    return path


def test_the_toml_gives_each_holiday_as_its_first_and_last_day(tmp_path: Path):
    school = load_school(
        school_file(tmp_path, '[["2026-12-19", "2027-01-03"], ["2027-04-27", "2027-04-27"]]')
    )
    assert school.holidays == (CHRISTMAS, KINGS_DAY)
    # TOML's own dates are dates too.
    assert load_school(school_file(tmp_path, "[[2026-12-19, 2027-01-03]]")).holidays == (CHRISTMAS,)
    assert load_school(school_file(tmp_path, "[]")).holidays == ()
    # The limits themselves pass: 30 holidays, one of 70 days.
    longest = '["2027-07-01", "2027-09-08"]'
    many = ", ".join([longest] + ['["2028-01-01", "2028-01-01"]'] * 29)
    assert len(load_school(school_file(tmp_path, f"[{many}]")).holidays) == 30


def test_a_school_without_holidays_has_none(tmp_path: Path):
    path = tmp_path / "school.toml"
    path.write_text('[school]\nname = "De Linde"\n', encoding="utf-8")
    assert load_school(path).holidays == ()


BAD = {
    "not a list": ('"2026-12-19..2027-01-03"', "must be a list of holidays"),
    "a list of dates, not of holidays": ('["2026-12-19", "2027-01-03"]', "holiday 1 must be two"),
    "one date": ('[["2026-12-19", "2027-01-03"], ["2027-04-27"]]', "holiday 2 must be two"),
    "three dates": ('[["2026-12-19", "2027-01-01", "2027-01-03"]]', "holiday 1 must be two"),
    "no such day": ('[["2027-02-30", "2027-03-01"]]', "holiday 1 must be two dates"),
    "not ISO": ('[["19-12-2026", "03-01-2027"]]', "holiday 1 must be two dates"),
    "compact ISO": ('[["20261219", "20270103"]]', "holiday 1 must be two dates"),
    "a moment, not a day": ("[[2026-12-19T08:00:00, 2027-01-03]]", "holiday 1 must be two"),
    "a number": ("[[20261219, 20270103]]", "holiday 1 must be two dates"),
    "backwards": ('[["2027-01-03", "2026-12-19"]]', "ends (2026-12-19) before it starts"),
    "71 days": ('[["2027-07-01", "2027-09-09"]]', "71 days long, more than 70"),
    "31 holidays": ("[" + ", ".join(['["2028-01-01", "2028-01-01"]'] * 31) + "]", "at most 30"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_wrong_holiday_is_one_sentence_naming_the_key_and_line(case: str, tmp_path: Path):
    holidays, mention = BAD[case]
    path = school_file(tmp_path, holidays)
    with pytest.raises(SchoolConfigError) as refused:
        load_school(path)
    message = str(refused.value)
    assert message.startswith(f"school.holidays (line 4 of {path})"), message
    assert mention in message, message
    assert message.endswith(".") and ". " not in message and "\n" not in message, message


def test_a_schools_own_holidays_are_checked_as_the_toml_is():
    own = overrides({"holidays": [["2026-12-19", "2027-01-03"]]})
    assert own == {"holidays": (CHRISTMAS,)}
    assert overrides({"holidays": []}) == {"holidays": ()}
    with pytest.raises(SchoolConfigError, match=r"^school\.holidays in the school's settings"):
        overrides({"holidays": [["2027-01-03", "2026-12-19"]]})


# --- through the case verbs ---------------------------------------------------------------------


@pytest.fixture
def env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The board's TOML knows the Christmas holiday."""
    config = tmp_path / "board.toml"
    config.write_text(BOARD_TOML, encoding="utf-8")
    return {**env, "ANTIPEST_CONFIG": str(config)}


def waiting(app, now: str) -> tuple[list[bool], list[tuple[object, ...]]]:
    """The queue's overdue flags, and the coordinators' week's "waiting longer" rows."""
    flags = [case.overdue for case in app.stores.reports.open_cases(frozenset({1}), now, 50)]
    week = views.coordinator_view(app.stores, app.board.current()[1], now)
    return flags, rows(app, titled(app, week, "Waiting longer than the promise"))


def test_a_report_before_the_holiday_waits_past_the_promise_only_after_it(timed_app, clock):
    clock.set("2026-12-18T13:00:00+00:00")  # Friday 14:00 at school, the last hour before it
    code = file_report(timed_app, 7)

    for now in (
        "2026-12-21T14:00:00+00:00",  # the Monday the promise would end without the holiday
        "2027-01-01T12:00:00+00:00",
        "2027-01-04T12:59:00+00:00",  # Monday after it, 13:59: a minute of the promise left
    ):
        assert waiting(timed_app, now) == ([False], []), now

    flags, late = waiting(timed_app, "2027-01-04T13:30:00+00:00")  # 14:30: half an hour late
    assert flags == [True]
    assert late == [(code, "18-12-2026 14:00", 7.0)]  # 1 school hour on Friday, 6 on Monday


def test_a_case_is_not_deleted_before_its_follow_up_question_went_out(env, tmp_path, clock):
    """40 school days across the summer holiday outlast 60 days of retention: the purge waits
    for the "Is het gestopt?" question and a week for its answer, then deletes the case."""
    config = tmp_path / "summer.toml"
    config.write_text(
        "[school]\nretention_days = 60\nfollowup_days = 40\n"
        'holidays = [["2027-07-10", "2027-08-22"]]\n',
        encoding="utf-8",
    )
    app = build(load_settings({**env, "ANTIPEST_CONFIG": str(config)}), clock)
    try:
        clock.set("2027-06-30T08:00:00+00:00")
        code = file_report(app, 7)
        juf = acting(app, coordinator(app, 101, "Juf Anna"))
        with app.stores.db.transaction():
            casework.claim(juf, code)
            casework.close(juf, code, "resolved", "Afgerond.")

        clock.set("2027-09-01T08:00:00+00:00")  # 63 days after closing; the question is in October
        assert purge_due(app.stores, app.board.current(), clock()) == 0
        assert app.stores.reports.get(code, frozenset({1})) is not None

        clock.set("2027-10-08T08:00:00+00:00")
        assert app.jobs.run_due() >= 1  # the question goes out
        clock.set("2027-10-09T08:00:00+00:00")  # the reporter may still answer it
        assert purge_due(app.stores, app.board.current(), clock()) == 0
        clock.set("2027-10-16T08:00:00+00:00")  # a week after the question
        assert purge_due(app.stores, app.board.current(), clock()) == 1
        assert app.stores.reports.get(code, frozenset({1})) is None
    finally:
        app.stores.db.close()
