"""Time travel with an injectable clock: reminders, follow-ups, restarts. Nothing lost or doubled.

The clock starts on Monday 23 November 2026, 09:00 in Amsterdam; the promise is 6.5 school
hours (08:30-15:00, Monday to Friday) and the follow-up comes 10 school days after closing.
"""

from __future__ import annotations

from support.running import add_coordinator, run_jobs
from support.texts import event_text, nl, texts_with
from support.walks import report_as_pupil

from bot.cases.labels import STATUS_FOR_REPORTER


async def test_an_unclaimed_case_gets_one_reminder_then_one_overdue_notice(
    timed_bot, fake, person, clock
):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    bram = add_coordinator(timed_bot, person, 502, "Meester Bram")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze lachen me uit in de klas.")

    clock.set("2026-11-23T13:59:00+00:00")  # Monday 14:59: the promise still holds
    assert await run_jobs(timed_bot, fake) == 0
    clock.set("2026-11-24T08:01:00+00:00")  # Tuesday 09:01: 6.5 school hours have passed
    assert await run_jobs(timed_bot, fake) == 1
    reminder = event_text(timed_bot, "remind", code)
    for coordinator in (anna, bram):
        assert texts_with(fake, coordinator.id, reminder) == [reminder]

    # The pupil is told the truth: not read yet, as soon as possible.
    await pupil.press_data("*:menu")
    replies = await pupil.press("my_reports")
    late = nl(
        timed_bot, "not read yet; an anti-bullying coordinator will look at it as soon as possible"
    )
    assert any(late in text for text in replies)
    assert not any(nl(timed_bot, STATUS_FOR_REPORTER["new"]) in text for text in replies)

    await timed_bot.restart()
    assert await run_jobs(timed_bot, fake) == 0
    assert texts_with(fake, anna.id, reminder) == [reminder]

    clock.set("2026-11-25T08:01:00+00:00")  # Wednesday: overdue
    assert await run_jobs(timed_bot, fake) == 1
    overdue = event_text(timed_bot, "overdue", code)
    assert texts_with(fake, anna.id, overdue) == [overdue]
    assert texts_with(fake, bram.id, overdue) == [overdue]
    assert await run_jobs(timed_bot, fake) == 0


async def test_a_claimed_case_gets_no_reminder(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    code = await report_as_pupil(person(9001), "Iemand pakt steeds mijn spullen.")
    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")
    clock.set("2026-11-26T08:01:00+00:00")
    assert await run_jobs(timed_bot, fake) == 2  # both jobs ran, and did nothing
    assert not texts_with(fake, anna.id, "⏰") and not texts_with(fake, anna.id, "⚠️")


async def test_follow_up_after_ten_school_days_and_no_reopens(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    pupil = person(9001)
    clock.set("2026-11-27T13:00:00+00:00")  # Friday 14:00
    code = await report_as_pupil(pupil, "Ze schelden me uit op het plein.")
    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")
    await anna.walk("close", "outcome_resolved")
    await anna.say("Gesprekken gevoerd, afspraken gemaakt.")
    await anna.press("close_yes")

    clock.set("2026-12-10T11:00:00+00:00")  # Thursday 10 Dec: nine school days later
    await run_jobs(timed_bot, fake)
    assert pupil.buttons()[0][1] != f"*:followup_no:{code}"
    await timed_bot.restart()
    clock.set("2026-12-11T09:00:00+00:00")  # Friday 11 Dec 10:00: ten school days, weekends skipped
    assert await run_jobs(timed_bot, fake) >= 1
    # The phone shows only "you have a new message"; the question comes with a tap.
    assert [data for _l, data in pupil.buttons()] == [f"*:read_followup:{code}"]
    await pupil.press("read_followup")
    assert [data for _l, data in pupil.buttons()] == [
        f"*:followup_yes:{code}",
        f"*:followup_bit:{code}",
        f"*:followup_no:{code}",
    ]
    assert await run_jobs(timed_bot, fake) == 0  # asked once

    await pupil.press("followup_no")
    report = timed_bot.app.stores.reports.get(code, frozenset({1}))
    assert (report.status, report.closed) == ("claimed", None)
    clock.set("2026-12-11T09:15:00+00:00")  # past the random delay of a reporter's activity
    await timed_bot.app.outboxes["telegram"].deliver_due()
    await fake.wait_idle()
    assert any(code in text and "🔁" in text for text in fake.texts(anna.id))
    replies = await anna.press_data(f"*:open:{code}")
    no_answer = nl(timed_bot, "follow-up: it has not stopped")
    assert any(no_answer in text for text in replies)
    # A second press of the old buttons changes nothing.
    replies = await pupil.press_data(f"*:followup_yes:{code}")
    assert timed_bot.app.stores.reports.get(code, frozenset({1})).status == "claimed"
