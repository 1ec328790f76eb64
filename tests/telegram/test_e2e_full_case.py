"""One whole case, in Dutch: a pupil and a parent report, two coordinators work it, follow-up."""

from __future__ import annotations

from support.running import add_coordinator, run_jobs
from support.texts import nl
from support.walks import report_as_pupil

from bot.core.model import Text


async def test_a_full_case_from_report_to_follow_up(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    bram = add_coordinator(timed_bot, person, 502, "Meester Bram")
    pupil, parent = person(9001), person(9002)
    stores = timed_bot.app.stores

    code = await report_as_pupil(
        pupil, "In de groepsapp noemen ze me steeds een loser.", photos=["app-screenshot"]
    )
    await parent.start("parent")
    await parent.walk("report", "my_child", "online", "kinds_done", "online", "daily", "weeks")
    await parent.say("Mijn zoon krijgt elke avond nare berichten in de klassenapp.")
    await parent.walk("story_done", "no_photo", "give_name")
    await parent.say("Mevrouw Jansen, moeder van Sam, groep 7")
    await parent.press("send")
    parent_code = stores.db.row("SELECT code FROM reports WHERE role = 'parent'")["code"]

    # Both coordinators hear of both reports; Anna takes the pupil's, Bram the parent's.
    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")
    await bram.press_data(f"*:open:{parent_code}")
    await bram.press("claim")
    await bram.press_data(f"*:open:{code}")
    replies = await bram.press_data(f"case:claim:{code}")  # from a screen before Anna took it
    taken = Text("Case {case} is already claimed by {name}.", {"case": code, "name": "Juf Anna"})
    assert replies[0] == timed_bot.app.renderer.text(taken, "nl")

    # Anna works the case: phase, the cyberbullying checklist, and a question to the pupil.
    await anna.press_data(f"*:open:{code}")
    await anna.walk("phase", "phase_2", "checklist", "tick_1", "tick_2", "tick_4", "back")
    await anna.press("message")
    await anna.say("Dank je voor je melding. Wie zitten er allemaal in die groepsapp?")
    await fake.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.params["chat_id"] == pupil.id
            and "read_message" in str(c.params.get("reply_markup"))
        )
    )
    await fake.wait_idle()
    # The phone shows only "you have a new message"; the question comes with a tap.
    assert any("groepsapp?" in text for text in await pupil.press("read_message"))
    await pupil.press("write")
    await pupil.say("De hele klas, maar vooral twee jongens uit groep 8.")
    replies = await anna.press_data(f"*:open:{code}")
    case = "\n".join(replies)
    assert "3/17" in case and "twee jongens uit groep 8" in case
    assert nl(timed_bot, "phase: {phase}").replace("{phase}", "Fase 2") in case

    # Closed on Wednesday 25 November; ten school days later, Wednesday 9 December, 10:00.
    clock.set("2026-11-25T10:00:00+00:00")
    await anna.press_data(f"*:open:{code}")
    await anna.walk("close", "outcome_resolved")
    await anna.say("Gesprek met de klas, de jongens hebben excuses aangeboden.")
    await anna.press("close_yes")
    clock.set("2026-12-09T09:00:00+00:00")
    await run_jobs(timed_bot, fake)
    await pupil.press("read_followup")
    assert f"*:followup_bit:{code}" in [d for _l, d in pupil.buttons()]
    await pupil.press("followup_bit")
    clock.set("2026-12-09T09:15:00+00:00")  # past the random delay of a reporter's activity
    await timed_bot.app.outboxes["telegram"].deliver_due()
    await fake.wait_idle()

    assert stores.reports.get(code, frozenset({1})).status == "claimed"
    assert any("🔁" in text and code in text for text in fake.texts(anna.id))
    assert not any("🔁" in text for text in fake.texts(bram.id))
    history = "\n".join(await anna.press_data(f"*:open:{code}"))
    for msgid in ("follow-up question sent", "follow-up: it has stopped a bit", "reopened"):
        assert nl(timed_bot, msgid) in history
    assert fake.violations == []
