"""A whole report, end to end: a pupil on Telegram, two coordinators, the real PTB stack."""

from __future__ import annotations

import re

CASE_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{2}\b")
REPORT_PATH = ("report", "me", "online", "kinds_done", "online", "daily", "months")


async def report_as_pupil(pupil, story: str, *, photos=(), name: str | None = None) -> str:
    """Walk a full report and return the case code the bot gave."""
    return await report_as(pupil, "pupil", REPORT_PATH, story, photos=photos, name=name)


async def report_as(
    person, role: str, path: tuple[str, ...], story: str, *, photos=(), name: str | None = None
) -> str:
    """Start in `role`, walk `path` to the story, report to the end; return the case code."""
    await person.start(role)
    await person.walk(*path)
    await person.say(story)
    await person.press("story_done")
    for file_id in photos:
        await person.photo(file_id)
    await person.press("photos_done" if photos else "no_photo")
    if name is None:
        await person.press("anonymous")
    else:
        await person.press("give_name")
        await person.say(name)
    replies = await person.press("send")
    codes = CASE_CODE.findall("\n".join(replies))
    assert len(set(codes)) == 1, replies
    return codes[0]


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
    report = bot.app.stores.reports.get(code)
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
