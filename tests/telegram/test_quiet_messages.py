"""What the school sends a reporter by itself shows nothing on a lock screen: a neutral first
line and a button; the content is read at the tap. Reporters choose sound and hours."""

from __future__ import annotations

from support.casefiles import file_report, nl
from support.running import add_coordinator, run_jobs
from support.walks import report_as_pupil

from bot.cases.notifications import NEW_MESSAGE
from bot.cases.relay import GONE

QUESTION = "Wie zitten er in de groepsapp?"


def _to(fake, chat: int) -> list:
    return [c for c in fake.sent(chat) if c.method in ("sendMessage", "sendPhoto")]


async def _message_from(coordinator, code: str, text: str = QUESTION) -> None:
    await coordinator.press_data(f"*:open:{code}")
    await coordinator.press("message")
    await coordinator.say(text)


async def test_a_coordinators_message_shows_only_a_neutral_line_until_tapped(
    bot, fake, person, coordinator
):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze sturen nare berichten in de app.")
    mark = len(_to(fake, pupil.id))

    await _message_from(anna, code)
    await fake.wait_for(lambda c: c.params.get("chat_id") == pupil.id and "📬" in c.params["text"])
    await fake.wait_idle()

    (teaser,) = _to(fake, pupil.id)[mark:]
    assert teaser.params["text"] == nl(bot.app, NEW_MESSAGE)
    assert code not in teaser.params["text"] and "anti-pest" not in teaser.params["text"]
    assert "disable_notification" not in teaser.params  # sound, as the pupil never chose
    # The case and the message's number within it: never a row id that counts board-wide.
    assert [d for _l, d in pupil.buttons()] == [f"*:read_message:{code}.1"]

    replies = "\n".join(await pupil.press("read_message"))
    assert QUESTION in replies and code in replies
    assert pupil.data_for("write") == f"*:write:{code}"


def teaser_message(bot, code: str) -> int:
    return bot.app.stores.db.row(
        "SELECT m.id FROM messages m JOIN reports r ON r.id = m.report WHERE r.code = ?", (code,)
    )["id"]


async def test_the_follow_up_question_waits_behind_a_neutral_line(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze schelden me uit op het plein.")
    await anna.press_data(f"*:open:{code}")
    await anna.walk("close", "outcome_resolved", "skip", "close_yes")
    mark = len(_to(fake, pupil.id))

    clock.set("2026-12-07T09:00:00+00:00")  # Monday 10:00, ten school days later
    await run_jobs(timed_bot, fake)

    (teaser,) = _to(fake, pupil.id)[mark:]
    assert teaser.params["text"] == nl(timed_bot.app, NEW_MESSAGE)
    assert [d for _l, d in pupil.buttons()] == [f"*:read_followup:{code}"]
    replies = "\n".join(await pupil.press("read_followup"))
    assert code in replies and "pesten" in replies
    assert [d.split(":")[1] for _l, d in pupil.buttons()] == [
        "followup_yes",
        "followup_bit",
        "followup_no",
    ]


async def test_quiet_messages_only_after_school(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze pakken mijn spullen af.")  # Monday 09:00 local
    await pupil.press("delivery")
    await pupil.press("sound_off")
    await pupil.press("hours_after_school")
    chosen = [label for label, d in pupil.buttons() if label.startswith("✅") and "done" not in d]
    assert chosen == ["✅ 🔕 Zonder geluid", "✅ 🏠 Alleen tussen 15:00 en 19:00"]
    await pupil.press("delivery_done")
    mark = len(_to(fake, pupil.id))

    await _message_from(anna, code)  # Monday 09:00 local: in school
    await timed_bot.app.outboxes["telegram"].deliver_due()
    await fake.wait_idle()
    assert _to(fake, pupil.id)[mark:] == []

    clock.set("2026-11-23T13:59:00+00:00")  # 14:59: school is nearly out
    await timed_bot.app.outboxes["telegram"].deliver_due()
    assert _to(fake, pupil.id)[mark:] == []
    clock.set("2026-11-23T14:00:00+00:00")  # 15:00
    await timed_bot.app.outboxes["telegram"].deliver_due()
    await fake.wait_idle()

    (teaser,) = _to(fake, pupil.id)[mark:]
    assert teaser.params["text"] == nl(timed_bot.app, NEW_MESSAGE)
    assert teaser.params["disable_notification"] is True


async def test_an_old_read_button_after_forgetting_gets_a_kind_answer(
    bot, fake, person, coordinator
):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze lachen me steeds uit.")
    await pupil.press("delivery")
    await pupil.press("sound_off")
    await _message_from(anna, code)
    await fake.wait_for(lambda c: c.params.get("chat_id") == pupil.id and "📬" in c.params["text"])
    await fake.wait_idle()
    old = pupil.data_for("read_message")

    await pupil.say("/vergeet")
    await pupil.press("forget_yes")
    replies = "\n".join(await pupil.press_data(old))

    assert nl(bot.app, GONE) in replies and QUESTION not in replies
    assert pupil.buttons()  # a way forward
    assert bot.app.stores.db.rows("SELECT * FROM reporter_prefs") == []


async def test_an_old_read_button_after_the_purge_gets_a_kind_answer(timed_bot, fake, person):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze duwen me in de rij.")
    await _message_from(anna, code)
    await run_jobs(timed_bot, fake)
    old = pupil.data_for("read_message")
    stores = timed_bot.app.stores
    report_id = stores.db.row("SELECT id FROM reports WHERE code = ?", (code,))["id"]
    with stores.db.transaction():
        stores.reports.purge(report_id)

    replies = "\n".join(await pupil.press_data(old))
    assert nl(timed_bot.app, GONE) in replies and QUESTION not in replies
    # A forged button for someone else's message is the same kind answer, and shows nothing.
    other = file_report(timed_bot.app, 9002)
    await anna.press_data(f"*:open:{other}")
    await anna.press("message")
    await anna.say("Alleen voor de ander.")
    for forged in (f"{other}.1", str(teaser_message(timed_bot, other))):  # and an old-style id
        replies = "\n".join(await pupil.press_data(f"*:read_message:{forged}"))
        assert nl(timed_bot.app, GONE) in replies and "Alleen voor de ander." not in replies
