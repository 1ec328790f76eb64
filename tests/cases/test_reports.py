"""Reports and timed case work, called with no channel and no Turn: the hourly limit, the
reporter's own list, reminders, the follow-up question, and how the history names who acted."""

from __future__ import annotations

import pytest
from support.acting import acting, audited, coordinator, queued, reporter
from support.casefiles import file_report

from bot.cases import casework, events, relay, reports
from bot.cases.context import Actor
from bot.core.model import Refused, Text

MONDAY = "2026-11-23T09:00:00+00:00"  # 10:00 in Amsterdam


def test_a_reminder_goes_out_only_while_nobody_has_claimed_the_case(timed_app):
    waiting, claimed = file_report(timed_app, 7), file_report(timed_app, 8)
    anna, bert = coordinator(timed_app, 101, "Anna"), coordinator(timed_app, 102, "Bert")
    casework.claim(acting(timed_app, anna), claimed)
    ctx = acting(timed_app, Actor.system())

    for code in (waiting, claimed):
        reports.remind(ctx, code, "overdue")

    overdue = [entry for entry in queued(timed_app, ctx.now) if entry[1] == "overdue"]
    assert sorted(overdue) == [
        (anna.coordinator_id, "overdue", waiting),
        (bert.coordinator_id, "overdue", waiting),
    ]
    assert audited(timed_app, waiting) == [("system", "overdue_sent")]
    assert ("system", "overdue_sent") not in audited(timed_app, claimed)


def test_the_follow_up_is_asked_once_and_recorded_as_the_system(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    casework.close(acting(timed_app, anna), code, "resolved", "")
    ctx = acting(timed_app, Actor.system())

    reports.ask_followup(ctx, code, "followup:1")
    reports.ask_followup(ctx, code, "followup:1")  # the same job again: still one question

    assert queued(timed_app, ctx.now).count((None, "followup", code)) == 1
    assert audited(timed_app, code)[-1] == ("system", "followup_asked")


def test_the_hourly_limit_refuses_one_more_report(timed_app, clock):
    clock.set(MONDAY)
    for _ in range(timed_app.school.reports_per_hour):
        file_report(timed_app, 7)
    with pytest.raises(Refused) as refused:
        reports.check_hourly_limit(acting(timed_app, reporter(timed_app, 7)))
    assert refused.value.text.params["line0"].params == {"time": "11:00"}  # 10:00 local + 1 hour
    reports.check_hourly_limit(acting(timed_app, reporter(timed_app, 8)))  # someone else may


def test_a_reporter_lists_only_their_own_reports(timed_app, clock):
    clock.set(MONDAY)
    mine, theirs = file_report(timed_app, 7), file_report(timed_app, 8)
    anna = coordinator(timed_app, 101, "Anna")
    casework.claim(acting(timed_app, anna), mine)

    listed = reports.own_reports(acting(timed_app, reporter(timed_app, 7)))

    assert [(r.code, r.status, r.reads) for r in listed] == [
        (mine, "claimed", "an anti-bullying coordinator is working on it")
    ]
    assert theirs not in {r.code for r in listed}


def test_the_history_says_who_acted(timed_app):
    code = file_report(timed_app, 7)
    anna = coordinator(timed_app, 101, "Anna")
    reports.remind(acting(timed_app, Actor.system()), code, "remind")
    casework.claim(acting(timed_app, anna), code)
    relay.send_to_case(acting(timed_app, reporter(timed_app, 7)), code, "Nog steeds.")

    history = events.history(timed_app.stores, timed_app.school, "nl", code)

    assert [(entry.params["who"], entry.params["what"].msgid) for entry in history] == [
        (Text("the bot"), "reminder: not claimed in time"),
        ("Anna", "claimed"),
        (Text("the reporter"), "message from the reporter"),
    ]
