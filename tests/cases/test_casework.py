"""A coordinator's case verbs, called with no channel and no Turn, on a real database.

Each test acts the way a console page or the command line would: a Context with the acting
person and the time, the case code, and what they chose or typed.
"""

from __future__ import annotations

import pytest
from support.acting import acting, audited, coordinator, reporter
from support.casefiles import file_report

from bot.cases import casework
from bot.cases.context import ONLY_COORDINATORS, Actor
from bot.core.model import Refused
from bot.storage.threads import TO_REPORTER

MONDAY = "2026-11-23T09:00:00+00:00"  # 10:00 in Amsterdam
TEN_SCHOOL_DAYS_LATER = "2026-12-07T09:00:00+00:00"  # mid-morning, two weeks on


def refusal(excinfo: pytest.ExceptionInfo[Refused]) -> tuple[str, dict]:
    return excinfo.value.text.msgid, excinfo.value.text.params


def followups(app, code: str, until: str) -> list[dict]:
    return [
        job
        for job in app.stores.jobs.due(until)
        if job["kind"] == "followup" and job["code"] == code
    ]


def test_claiming_gives_the_case_to_the_acting_coordinator_once(timed_app):
    code = file_report(timed_app, 7)
    anna, bert = coordinator(timed_app, 101, "Anna"), coordinator(timed_app, 102, "Bert")

    casework.claim(acting(timed_app, anna), code)

    case = timed_app.stores.reports.get(code, frozenset({1}))
    assert (case.assignee, case.assignee_name, case.status) == (
        anna.coordinator_id,
        "Anna",
        "claimed",
    )
    with pytest.raises(Refused) as again:
        casework.claim(acting(timed_app, anna), code)
    assert refusal(again) == ("You already have {case}.", {"case": code})
    with pytest.raises(Refused) as taken:
        casework.claim(acting(timed_app, bert), code)
    assert refusal(taken) == (
        "Case {case} is already claimed by {name}.",
        {"case": code, "name": "Anna"},
    )
    assert timed_app.stores.reports.get(code, frozenset({1})).assignee == anna.coordinator_id


def test_closing_plans_the_follow_up_ten_school_days_later(timed_app, clock):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    clock.set(MONDAY)

    closing = casework.close(acting(timed_app, anna), code, "resolved", "Gesprek gevoerd.")

    assert closing == ("followup_planned", 1)
    case = timed_app.stores.reports.get(code, frozenset({1}))
    assert (case.status, case.outcome_code, case.outcome) == (
        "closed",
        "resolved",
        "Gesprek gevoerd.",
    )
    assert followups(timed_app, code, "2026-12-07T08:59:59+00:00") == []
    assert len(followups(timed_app, code, TEN_SCHOOL_DAYS_LATER)) == 1
    # Closed by someone else meanwhile: nothing changes, and no second question is planned.
    assert casework.close(acting(timed_app, anna), code, "referred", "") == ("already_closed", 1)
    assert timed_app.stores.reports.get(code, frozenset({1})).outcome_code == "resolved"
    assert len(followups(timed_app, code, "9999")) == 1


def test_closing_plans_no_follow_up_for_a_reporter_who_cannot_be_reached(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    timed_app.stores.reports.forget_reporter(reporter(timed_app, 7).reporter_key)

    assert casework.close(acting(timed_app, anna), code, "not_confirmed", "") == ("closed", 1)

    assert timed_app.stores.reports.get(code, frozenset({1})).status == "closed"
    assert followups(timed_app, code, "9999") == []


def test_closing_needs_an_outcome_from_the_list(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")

    with pytest.raises(Refused) as refused:
        casework.close(acting(timed_app, anna), code, "expelled", "")

    assert refusal(refused) == ("Choose an outcome first.", {})
    assert timed_app.stores.reports.get(code, frozenset({1})).status == "new"


def test_reopening_cancels_the_follow_up_and_only_a_closed_case_reopens(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    casework.claim(acting(timed_app, anna), code)
    casework.close(acting(timed_app, anna), code, "resolved", "")

    casework.reopen(acting(timed_app, anna), code)

    case = timed_app.stores.reports.get(code, frozenset({1}))
    assert case.status == "claimed"  # it is still Anna's
    assert followups(timed_app, code, "9999") == []
    with pytest.raises(Refused) as refused:
        casework.reopen(acting(timed_app, anna), code)
    assert refusal(refused) == ("Case {case} is already open.", {"case": code})


def test_setting_a_phase_takes_only_the_protocols_six(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")

    casework.set_phase(acting(timed_app, anna), code, "3")

    assert timed_app.stores.reports.get(code, frozenset({1})).phase == 3
    for phase in ("0", "7", "", "3.0"):
        with pytest.raises(Refused) as refused:
            casework.set_phase(acting(timed_app, anna), code, phase)
        assert refusal(refused) == ("That phase does not exist.", {})
    assert timed_app.stores.reports.get(code, frozenset({1})).phase == 3


def test_a_note_is_kept_with_the_case_even_after_closing(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    casework.close(acting(timed_app, anna), code, "resolved", "")

    casework.add_note(acting(timed_app, anna), code, "Moeder belde: het gaat goed.")

    notes = timed_app.stores.reports.notes(code, 1)
    assert [(n["author"], n["text"]) for n in notes] == [("Anna", "Moeder belde: het gaat goed.")]


def test_a_message_to_the_reporter_is_a_thread_row_and_an_outbox_row(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    ctx = acting(timed_app, anna)

    assert casework.message_reporter(ctx, code, "Kun je morgen even langskomen?") is True

    thread = timed_app.stores.threads.of(code, 1)
    assert [(m["direction"], m["author"], m["text"]) for m in thread] == [
        (TO_REPORTER, "Anna", "Kun je morgen even langskomen?")
    ]
    to_reporter = [
        row
        for row in timed_app.stores.outbox.due(ctx.now, "telegram")
        if row["payload"]["event"] == "to_reporter"
    ]
    assert len(to_reporter) == 1
    assert to_reporter[0]["payload"]["code"] == code
    assert to_reporter[0]["coordinator"] is None  # it goes to the reporter, not to a coordinator
    message = timed_app.stores.threads.get(to_reporter[0]["payload"]["message"])
    assert message["text"] == "Kun je morgen even langskomen?"


def test_a_message_to_a_forgotten_reporter_is_kept_as_a_note_not_sent(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    timed_app.stores.reports.forget_reporter(reporter(timed_app, 7).reporter_key)
    ctx = acting(timed_app, anna)

    assert casework.message_reporter(ctx, code, "Hoe gaat het nu?") is False

    assert timed_app.stores.threads.of(code, 1) == []
    assert [n["text"] for n in timed_app.stores.reports.notes(code, 1)] == ["Hoe gaat het nu?"]
    events = [row["payload"]["event"] for row in timed_app.stores.outbox.due(ctx.now, "telegram")]
    assert "to_reporter" not in events
    assert (f"coordinator:{anna.coordinator_id}", "message_not_sent") in audited(timed_app, code)


def test_a_closed_case_refuses_work_until_it_is_reopened(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    casework.close(acting(timed_app, anna), code, "resolved", "")
    closed = ("Case {case} is closed. Reopen it first.", {"case": code})

    for verb, args in (
        (casework.claim, ()),
        (casework.set_status, ("in_progress",)),
        (casework.set_phase, ("2",)),
        (casework.require_reachable, ()),
    ):
        with pytest.raises(Refused) as refused:
            verb(acting(timed_app, anna), code, *args)
        assert refusal(refused) == closed, verb.__name__
    case = timed_app.stores.reports.get(code, frozenset({1}))
    assert (case.status, case.assignee, case.phase) == ("closed", None, None)


def test_a_forged_case_code_is_refused(timed_app):
    file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")

    with pytest.raises(Refused) as refused:
        casework.claim(acting(timed_app, anna), "ZZZ-999")

    assert refusal(refused) == ("I cannot find case {case}.", {"case": "ZZZ-999"})


@pytest.mark.parametrize(
    "actor", [Actor.reporter("someone"), Actor.system()], ids=["reporter", "system"]
)
def test_only_a_coordinator_does_casework(timed_app, actor):
    code = file_report(timed_app, 7)
    for verb, args in (
        (casework.claim, ()),
        (casework.add_note, ("Ik ben geen coördinator.",)),
        (casework.message_reporter, ("Hallo",)),
        (casework.close, ("resolved", "")),
        (casework.reopen, ()),
    ):
        with pytest.raises(Refused) as refused:
            verb(acting(timed_app, actor), code, *args)
        assert refusal(refused) == (ONLY_COORDINATORS, {}), verb.__name__
    case = timed_app.stores.reports.get(code, frozenset({1}))
    assert (case.status, case.assignee) == ("new", None)
    assert timed_app.stores.reports.notes(code, 1) == []
    assert audited(timed_app, code) == []


def test_the_audit_names_the_coordinator_who_acted(timed_app):
    code = file_report(timed_app, 7)
    anna, bert = coordinator(timed_app, 101, "Anna"), coordinator(timed_app, 102, "Bert")

    casework.claim(acting(timed_app, anna), code)
    casework.set_status(acting(timed_app, bert), code, "in_progress")
    casework.set_phase(acting(timed_app, anna), code, "2")
    casework.add_note(acting(timed_app, bert), code, "Gesprek met de klas.")
    casework.close(acting(timed_app, anna), code, "resolved", "")

    a, b = f"coordinator:{anna.coordinator_id}", f"coordinator:{bert.coordinator_id}"
    assert audited(timed_app, code) == [
        (a, "case_claimed"),
        (b, "status_in_progress"),
        (a, "phase_2"),
        (b, "note_added"),
        (a, "case_closed"),
    ]
