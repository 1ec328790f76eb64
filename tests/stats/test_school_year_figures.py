"""A scripted term through the real case verbs (tests/support/schoolyear.py), and the figures it
must give: the counters, the three views, and that deleting cases on time changes none of them.
Every expected figure is worked out by hand in the script's docstring."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from support.casefiles import file_report
from support.figuretables import rows, shown, titled
from support.schoolyear import CANARIES, NOW, SchoolYear, play

from bot.background.retention import purge
from bot.stats import views
from bot.stats.suppress import HIDDEN as X
from bot.stats.suppress import SUPPRESSED as S
from bot.stats.tally import tally

YEAR = ("2026-08", "2027-07")
COUNTED = {
    ("reports", "all"): 7,
    ("kind", "names"): 3,  # A, B (with hitting), F
    ("kind", "hitting"): 1,
    ("kind", "online"): 1,
    ("kind", "other"): 1,
    ("kind", "excluding"): 1,
    ("kind", "taking"): 1,
    ("place", "playground"): 2,
    ("place", "class"): 2,
    ("place", "online"): 1,
    ("place", "elsewhere"): 1,
    ("place", "on_the_way"): 1,
    ("reporter", "self"): 5,
    ("reporter", "other"): 1,
    ("reporter", "parent"): 1,
    ("channel", "telegram"): 6,
    ("channel", "web"): 1,
    ("hotspot", "playground|morning"): 2,
    ("hotspot", "class|afternoon"): 1,  # B, Friday 14:00
    ("hotspot", "class|morning"): 1,
    ("hotspot", "online|weekend"): 1,  # C, Saturday
    ("hotspot", "elsewhere|before_school"): 1,  # D, 07:00
    ("hotspot", "on_the_way|after_school"): 1,  # F, 16:00
    # first claims, in half school hours: A 1 h, B and C 1.5 h over the weekend, D 0.25 h
    # before school, F 1 h after a night, G 1 h
    ("claim_halfhours", "2"): 3,
    ("claim_halfhours", "3"): 2,
    ("claim_halfhours", "0"): 1,
    ("message_halfhours", "5"): 1,  # A 2.5 h
    ("message_halfhours", "4"): 1,  # F 2 h
    # first closes: A 28.5 h, B 2.5 h, C 8 h, G 6.5 h; D (a test) is not timed
    ("close_halfhours", "57"): 1,
    ("close_halfhours", "5"): 1,
    ("close_halfhours", "16"): 1,
    ("close_halfhours", "13"): 1,
    # B and C were closed twice: each counts once, with its first outcome
    ("outcome", "resolved"): 2,
    ("outcome", "referred"): 1,
    ("outcome", "not_bullying"): 1,
    ("outcome", "test_or_duplicate"): 1,
    ("followup", "yes"): 1,
    ("followup", "no"): 1,
    ("followup", "a_bit"): 1,
    ("followup_kind", "names|yes"): 1,
    ("followup_kind", "hitting|no"): 1,
    ("followup_kind", "names|no"): 1,
    ("followup_kind", "online|a_bit"): 1,
    ("followup_place", "playground|yes"): 1,
    ("followup_place", "class|no"): 1,
    ("followup_place", "online|a_bit"): 1,
    ("reopened", "followup"): 2,
    ("reopened", "coordinator"): 1,
    # per kind and place: B (hitting and names, class) once, C (online, online) twice
    ("reopened_kind", "hitting"): 1,
    ("reopened_kind", "names"): 1,
    ("reopened_kind", "online"): 2,
    ("reopened_place", "class"): 1,
    ("reopened_place", "online"): 2,
    # the first closes the reopen rates divide by: A, B, C and G (D, a test, is left out)
    ("closed_kind", "names"): 2,  # A, B
    ("closed_kind", "hitting"): 1,
    ("closed_kind", "online"): 1,
    ("closed_kind", "excluding"): 1,
    ("closed_place", "playground"): 2,  # A, G
    ("closed_place", "class"): 1,
    ("closed_place", "online"): 1,
    ("phase_reached", "1"): 2,
    ("phase_reached", "2"): 1,
    ("phase_reached", "3"): 1,
    ("phase_days", "1|2"): 1,  # A: Monday to Wednesday
    ("phase_days", "2|2"): 1,  # A: Wednesday to Friday's close
    ("phase_days", "1|1"): 1,  # F: Thursday to Friday
    ("serious", "names"): 2,  # A; B (names and hitting)
    ("serious", "hitting"): 1,
}


@pytest.fixture
def year(timed_app, clock) -> SchoolYear:
    return play(timed_app, clock)


def test_the_counters_are_the_terms_figures(year: SchoolYear) -> None:
    figures = tally(year.app.stores, frozenset({1}), *YEAR)
    assert dict(figures.counts) == COUNTED
    per_month = tally(year.app.stores, frozenset({1}), "2026-11", "2026-11")
    assert per_month.reports == 3  # A, B, C
    assert per_month.by_value("serious") == {"names": 1}  # A in November; B in December


def test_the_coordinators_week_names_cases_by_code(year: SchoolYear) -> None:
    app, codes = year.app, year.codes
    tables = views.coordinator_view(app.stores, app.school, NOW)

    assert rows(app, titled(app, tables, "Right now")) == [
        ("open now", 3),  # C (reopened by its follow-up), F, E
        ("not claimed yet", 1),
        ("waiting longer than the promise", 1),
        ("follow-up questions still to go out this week", 1),
    ]
    # E was due on Tuesday 09:00; by Wednesday 11:00 it has waited 6 + 6.5 + 2.5 school hours.
    assert rows(app, titled(app, tables, "Waiting longer than the promise")) == [
        (codes["E"], "14-12-2026 09:00", 15.0)
    ]
    # B, closed again on Thursday 3-12, is asked ten school days later.
    assert rows(app, titled(app, tables, "Follow-up questions this week")) == [
        (codes["B"], "17-12-2026 10:00")
    ]
    assert rows(app, titled(app, tables, "Last week")) == [
        ("new reports", 1),  # G
        ("claimed", 1),
        ("first message to the reporter", 0),
        ("closed (the first time)", 1),
    ]
    assert rows(app, titled(app, tables, "This school year: is it stopped?")) == [
        ("yes, it stopped", "33 %"),
        ("a bit", "33 %"),
        ("no", "33 %"),
        ("answers", 3),
        ("reopened", "75 %"),  # three reopens of four counted first closes (D left out)
    ]


def test_an_export_of_the_coordinators_week_names_no_case(year: SchoolYear) -> None:
    app, codes = year.app, year.codes
    in_the_chat = views.coordinator_view(app.stores, app.school, NOW)
    exported = views.coordinator_view(app.stores, app.school, NOW, codes=False)

    assert codes["E"] in shown(app, in_the_chat) and codes["B"] in shown(app, in_the_chat)
    assert not any(code in shown(app, exported) for code in codes.values())
    # What goes is the two lists; their counts stay.
    assert [t for t in in_the_chat if t not in exported] == [
        titled(app, in_the_chat, "Waiting longer than the promise"),
        titled(app, in_the_chat, "Follow-up questions this week"),
    ]
    assert rows(app, titled(app, exported, "Right now"))[2:] == [
        ("waiting longer than the promise", 1),
        ("follow-up questions still to go out this week", 1),
    ]


def test_the_leaders_overview_beside_last_year(year: SchoolYear) -> None:
    app = year.app
    for dimension, value, n in (
        ("reports", "all", 2),
        ("followup", "yes", 1),
        ("followup", "no", 1),
    ):
        app.stores.figures.add(1, "2025-11", dimension, value, n)
    school = replace(app.school, pupils=200)

    tables = views.leader_view(app.stores, school, *YEAR)

    assert rows(app, titled(app, tables, "Is it stopped?")) == [
        ("yes, it stopped", "33 %", "50 %"),
        ("a bit", "33 %", "0 %"),
        ("no", "33 %", "50 %"),
        ("answers", 3, 2),
        ("reopened", "75 %", None),
    ]
    assert rows(app, titled(app, tables, "Reports")) == [
        ("reports", 7, 2),
        ("reports per 100 pupils", 3.5, 1.0),
    ]
    assert rows(app, titled(app, tables, "How fast (median, in school hours)")) == [
        ("until a coordinator claimed it", 1.25, 6, None),  # buckets 0 2 2 2 3 3: 1 to 1.5 h
        ("until the first message to the reporter", 2.5, 2, None),  # 2.25 and 2.75
        ("until it was closed", 7.5, 4, None),  # buckets 5 13 16 57: 6.75 and 8.25
    ]
    assert rows(app, titled(app, tables, "Phases of the protocol")) == [
        ("Fase 1", 2, 1.5),  # the school's own names, in the default language
        ("Fase 2", 1, 2),
        ("Fase 3", 1, None),  # F is still in it
        ("Fase 4", 0, None),
        ("Fase 5", 0, None),
        ("Fase 6", 0, None),
    ]
    assert rows(app, titled(app, tables, "Serious incidents")) == [
        ("2026-11", "calling names, laughing at", 1),
        ("2026-12", "calling names, laughing at", 1),
        ("2026-12", "hitting, kicking", 1),
    ]
    assert rows(app, titled(app, tables, "How cases were closed")) == [
        ("solved", 2),
        ("referred", 1),
        ("not confirmed", 0),
        ("not bullying", 1),
        ("test or duplicate", 1),
    ]
    # kind, reports, answers, yes, a bit, no, reopened (reopens per counted first close)
    assert rows(app, titled(app, tables, "By kind of bullying")) == [
        ("calling names, laughing at", 3, 2, "50 %", "0 %", "50 %", "50 %"),  # B of A, B
        ("leaving out", 1, 0, None, None, None, "0 %"),  # G: closed, nobody answered yet
        ("hitting, kicking", 1, 1, "0 %", "0 %", "100 %", "100 %"),  # B
        ("taking or breaking things", 1, 0, None, None, None, None),  # E: never closed
        ("online (cyberbullying)", 1, 1, "0 %", "100 %", "0 %", "200 %"),  # C, twice
        ("something else", 1, 0, None, None, None, None),  # D: a test, not in the rates
    ]
    assert rows(app, titled(app, tables, "By place")) == [
        ("in class", 2, 1, "0 %", "0 %", "100 %", "100 %"),  # B; E never closed
        ("playground", 2, 1, "100 %", "0 %", "0 %", "0 %"),  # A and G
        ("on the way to or from school", 1, 0, None, None, None, None),  # F: open
        ("online", 1, 1, "0 %", "100 %", "0 %", "200 %"),  # C
        ("elsewhere", 1, 0, None, None, None, None),  # D: a test
    ]
    where = rows(app, titled(app, tables, "Where and when"))
    assert where[1] == (
        "playground",
        0,
        2,
        0,
        0,
        0,
        2,
    )  # before, morning, afternoon, after, weekend
    assert len(where) == 5  # no row of zeros for reports without a place
    per_month = rows(app, titled(app, tables, "Reports per month"))
    assert per_month[3] == ("2026-11", 3, 2)
    assert per_month[4] == ("2026-12", 4, 0)


def test_the_leader_reads_the_phases_by_the_schools_own_names_in_their_language(
    year: SchoolYear,
) -> None:
    app = year.app
    school = replace(
        app.school,
        phases={
            "nl": ["Signaleren", "Gesprek", "Aanpak", "Ouders", "Nazorg", "Evaluatie \u202eSTOP"],
            "en": ["Noticing", "Talking", "Approach", "Parents", "Aftercare", "Review"],
        },
    )
    english = views.leader_view(app.stores, school, *YEAR, locale="en")
    dutch = views.leader_view(app.stores, school, *YEAR)  # the default language

    assert [row[0] for row in rows(app, titled(app, english, "Phases of the protocol"))] == [
        "Noticing",
        "Talking",
        "Approach",
        "Parents",
        "Aftercare",
        "Review",
    ]
    assert rows(app, titled(app, dutch, "Phases of the protocol"))[:2] == [
        ("Signaleren", 2, 1.5),
        ("Gesprek", 1, 2),
    ]
    # A configured name is text someone typed: the chat shows it without its hidden characters.
    shown_dutch = shown(app, [titled(app, dutch, "Phases of the protocol")], "nl")
    assert "Evaluatie" in shown_dutch
    assert "\u202e" not in shown_dutch


def test_a_board_with_a_school_of_three_reports_sees_no_small_number(year: SchoolYear) -> None:
    app, stores = year.app, year.app.stores
    with stores.db.transaction():
        stores.schools.update(1, NOW, name="De Linde")
        kompas = stores.schools.add("kompas", "Het Kompas", "KMP7QX", NOW)
    for user in (21, 22, 23):
        file_report(app, user, school=kompas)  # names, in class

    counts, shares, months = views.board_view(stores, app.board.current(), *YEAR, "kind")

    assert rows(app, counts)[0][0] == "De Linde"
    # names, excluding, hitting, taking, online, other, total, per 100 pupils
    assert [row[1:] for row in rows(app, counts)] == [
        (S, S, S, S, S, S, S, None),  # 8 is hidden: with 11 it would give Het Kompas's 3 away
        (S, S, S, S, S, S, S, None),
        (6, S, S, S, S, S, 11, None),
    ]
    assert [row[1:] for row in rows(app, shares)] == [
        (X, X, X, X, X, X),
        (X, X, X, X, X, X),
        ("55 %", X, X, X, X, X),
    ]
    month_rows = rows(app, months)
    assert month_rows[3:5] == [("2026-11", S), ("2026-12", 7)]
    assert month_rows[-1] == ("total", 10)
    # The zeros are hidden too: otherwise 10 - 7 would give November's 3 away.
    assert month_rows[0] == ("2026-08", S)


def test_per_100_pupils_on_the_board_only_where_the_count_shows(year: SchoolYear) -> None:
    app, stores = year.app, year.app.stores
    with stores.db.transaction():
        stores.schools.update(1, NOW, settings={"pupils": 140})
        kompas = stores.schools.add("kompas", "Het Kompas", "KMP7QX", NOW)
        horizon = stores.schools.add("horizon", "De Horizon", "HRZ4MK", NOW)
        stores.schools.update(kompas, NOW, settings={"pupils": 90})
        stores.schools.update(horizon, NOW, settings={"pupils": 200})
    for user in (21, 22, 23):
        file_report(app, user, school=kompas)
    for user in (31, 32, 33, 34, 35, 36):
        file_report(app, user, school=horizon)

    counts, *_ = views.board_view(stores, app.board.current(), *YEAR, "reporter")

    # pupil about themselves, bystander, parent, total, per 100 pupils
    assert [row[1:] for row in rows(app, counts)] == [
        (S, S, S, 7, 5.0),  # 5 goes, or 14 - 6 would give Het Kompas's 3 away
        (S, S, S, S, X),  # 3 reports of 90 pupils would read 3.3 per 100: the 3 again
        (6, S, S, S, X),  # 6 goes, or 16 - 7 would give the 3 away; so its rate goes too
        (14, S, S, 16, None),
    ]


def test_deleting_cases_on_time_and_forgetting_reporters_keep_every_figure(
    year: SchoolYear,
) -> None:
    app, stores = year.app, year.app.stores
    counters = stores.figures.counters(frozenset({1}), "2000-01", "2100-12")

    def figures() -> tuple[object, ...]:
        return (
            stores.figures.counters(frozenset({1}), "2000-01", "2100-12"),
            views.leader_view(stores, app.school, *YEAR),
            views.board_view(stores, app.board.current(), *YEAR, "outcome"),
            views.coordinator_view(stores, app.school, NOW),
        )

    before = figures()
    with stores.db.transaction():
        for key in year.reporter_keys():  # /vergeet, by every reporter
            stores.reports.forget_reporter(key)
    assert figures() == before

    with stores.db.transaction():
        purged = purge(stores, app.school, datetime(2028, 1, 1, tzinfo=UTC))

    assert purged == 4  # A, B, D and G were closed; C, E and F are open
    for letter in "ABDG":
        assert stores.reports.get(year.codes[letter], frozenset({1})) is None
    after = figures()
    assert after[0] == counters
    assert after[1:3] == before[1:3]
    # The reopen rates per kind and place are sums of counters too: C (online) went twice.
    assert [row[-1] for row in rows(app, titled(app, after[1], "By kind of bullying"))] == [
        "50 %",
        "0 %",
        "100 %",
        None,
        "200 %",
        None,
    ]
    assert rows(app, titled(app, after[1], "By place"))[3][-1] == "200 %"
    # The coordinators' week is about cases that exist: B's follow-up question went with B, and
    # last week's counts with G. The school year's figures stay.
    assert after[3][-2:] == before[3][-2:]
    assert rows(app, after[3][0]) == [
        ("open now", 3),
        ("not claimed yet", 1),
        ("waiting longer than the promise", 1),
        ("follow-up questions still to go out this week", 0),
    ]


def test_no_figure_shows_a_story_a_note_a_name_or_who_reported(year: SchoolYear) -> None:
    app, stores = year.app, year.app.stores
    codes = set(year.codes.values())
    leader = views.leader_view(stores, app.school, *YEAR)
    board = [
        table
        for breakdown in ("kind", "place", "reporter", "channel", "followup", "outcome")
        for table in views.board_view(stores, app.board.current(), *YEAR, breakdown)
    ]
    week = views.coordinator_view(stores, app.school, NOW)
    for locale in ("nl", "en"):
        everything = shown(app, leader + board + week, locale)
        for canary in CANARIES.values():
            assert canary not in everything
        for case_code in codes:
            assert case_code not in shown(app, leader + board, locale)
        # The coordinators' own week names the cases they must act on, by code only.
        assert {code for code in codes if code in shown(app, week, locale)} == {
            year.codes["E"],
            year.codes["B"],
        }
