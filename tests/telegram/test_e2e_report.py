"""A whole report, end to end: a pupil on Telegram, two coordinators, the real PTB stack."""

from __future__ import annotations

from support.walks import report_as_pupil


async def test_pupil_reports_with_photo_and_coordinators_work_the_case(
    bot, fake, person, coordinator
):
    anna, bram = coordinator(501, "Juf Anna"), coordinator(502, "Meester Bram")
    pupil = person(9001)

    code = await report_as_pupil(
        pupil, "Ze sturen gemene berichten in de groepsapp.", photos=["screenshot-1"]
    )

    # Every active coordinator gets one notification with the case code and an open button.
    for coord in (anna, bram):
        note = await fake.wait_for(
            lambda c, cid=coord.id: c.method == "sendMessage" and c.params["chat_id"] == cid
        )
        assert code in note.params["text"]
        assert [data for _label, data in coord.buttons()] == [f"*:open:{code}"]
    replies = await anna.press("open")
    photo = fake.sent(anna.id, "sendPhoto")
    assert [c.params["photo"] for c in photo] == ["screenshot-1"]
    assert any("Ze sturen gemene berichten in de groepsapp." in text for text in replies)

    replies = await anna.press("claim")
    assert any(code in text and "Juf Anna" in text for text in replies)
    # Bram's old notification still opens the case, but he cannot claim it any more.
    await bram.press_data(f"*:open:{code}")
    assert "claim" not in [d.split(":")[1] for _l, d in bram.buttons()]
    replies = await bram.press_data(f"case:claim:{code}")  # pressed on an older screen
    assert any("Juf Anna" in text for text in replies)

    await anna.walk("close", "outcome_resolved")
    await anna.say("Gesprek gevoerd met de groep; het pesten is gestopt.")
    await anna.press("close_yes")
    report = bot.app.stores.reports.get(code, frozenset({1}))
    assert report is not None
    assert (report.status, report.assignee_name) == ("closed", "Juf Anna")
    assert (report.outcome_code, report.outcome) == (
        "resolved",
        "Gesprek gevoerd met de groep; het pesten is gestopt.",
    )

    actions = [
        r["action"]
        for r in bot.app.stores.db.rows("SELECT action FROM audit WHERE report = ?", (code,))
    ]
    assert actions == ["case_opened", "case_claimed", "case_opened", "case_closed"]
    # The pupil sees the outcome of their own report as finished.
    await pupil.press_data("*:menu")
    replies = await pupil.press("my_reports")
    assert any(code in text for text in replies)


async def test_commands_are_registered_in_both_languages(bot, fake):
    calls = fake.sent(method="setMyCommands")
    languages = sorted(c.params.get("language_code", "") for c in calls)
    assert languages == ["", "en"]
    names = {cmd["command"] for c in calls for cmd in c.params["commands"]}
    assert {"start", "hulp", "help", "taal", "language", "stop"} <= names
