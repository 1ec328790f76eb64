"""A reporter's activity reaches coordinators a random few minutes late, and their history shows
the reporter's times by the part of the day: a coordinator cannot watch whose phone is used."""

from __future__ import annotations

from support.acting import acting, coordinator, later, queued, reporter
from support.casefiles import file_report

from bot.cases import casework, events, relay
from bot.cases.notifications import ACTIVITY_DELAY
from bot.core.model import Text


def test_a_new_report_goes_out_at_once_and_a_reporters_message_minutes_later(timed_app):
    coordinator(timed_app, 101, "Anna")
    code = file_report(timed_app, 7)
    ctx = acting(timed_app, reporter(timed_app, 7))
    assert [e[1] for e in queued(timed_app, ctx.now)] == ["new_report"]

    relay.send_to_case(ctx, code, "Het gebeurde weer.")
    relay.add_evidence(ctx, code, ["photo-1"])

    assert [e[1] for e in queued(timed_app, later(ctx.now, ACTIVITY_DELAY[0] - 1))] == [
        "new_report"
    ]
    waiting = queued(timed_app, later(ctx.now, ACTIVITY_DELAY[1]))
    assert sorted(e[1] for e in waiting) == ["new_report", "reporter_evidence", "reporter_message"]


def test_more_messages_while_a_notice_waits_are_that_one_notice(timed_app):
    anna, bert = coordinator(timed_app, 101, "Anna"), coordinator(timed_app, 102, "Bert")
    code = file_report(timed_app, 7)
    ctx = acting(timed_app, reporter(timed_app, 7))
    for n in range(5):
        relay.send_to_case(ctx, code, f"Bericht {n}")

    waiting = [e for e in queued(timed_app, later(ctx.now, 3600)) if e[1] == "reporter_message"]
    assert sorted(waiting) == sorted(
        [(anna.coordinator_id, "reporter_message", code)]
        + [(bert.coordinator_id, "reporter_message", code)]
    )


def test_history_shows_the_reporters_times_by_part_of_the_day(timed_app, clock):
    anna = coordinator(timed_app, 101, "Anna")
    code = file_report(timed_app, 7)
    clock.set("2026-11-23T08:17:00+00:00")  # 09:17 at school
    casework.claim(acting(timed_app, anna), code)
    clock.set("2026-11-23T12:43:00+00:00")  # 13:43
    relay.send_to_case(acting(timed_app, reporter(timed_app, 7)), code, "Nog iets.")

    entries = [
        timed_app.renderer.text(entry, "nl")
        for entry in events.history(timed_app.stores, timed_app.school, "nl", code)
    ]
    assert entries[0].startswith("23-11-2026 09:17 · Anna")
    reporters = timed_app.renderer.text(Text(events.DAY_PARTS[2][1], {"date": "23-11-2026"}), "nl")
    assert entries[-1].startswith(f"{reporters} · ")
    assert "13:43" not in "\n".join(entries)
