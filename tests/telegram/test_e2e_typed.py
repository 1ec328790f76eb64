"""Typed text always gets a way forward, and nothing a child typed is lost (issue 9, §1-§3).

End to end in Dutch through the real python-telegram-bot stack against the fake Bot API.
"""

from __future__ import annotations

import pytest
from support.walks import REPORT_PATH

from bot.chat.reporting import ONLINE_LINKS
from bot.core import replies
from bot.core.model import Text
from bot.core.ratelimit import FloodGate

OLD_REFUSAL = "Getypte berichten kan ik hier niet lezen"


@pytest.fixture(autouse=True)
def unhurried(bot):
    """These walks tap faster than a child can (over 20 updates in 10 s): no flood gate."""
    bot.app.service.flood = FloodGate(burst=10**6)


def nl(bot, msgid: str, **params) -> str:
    return bot.app.renderer.text(Text(msgid, params), "nl")


def keyboards_since(fake, user_id: int, mark: int) -> list[list[str]]:
    """The button data of every message with buttons sent to the user after `mark` calls."""
    boards = []
    for call in fake.sent(user_id)[mark:]:
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            boards.append([b["callback_data"] for row in markup["inline_keyboard"] for b in row])
    return boards


def session_of(bot, user_id: int):
    key = bot.app.stores.vault.subject("telegram", user_id)
    return bot.app.service.sessions.load(key)


async def test_crisis_text_in_the_menu_gets_help_first_and_can_become_a_report(bot, fake, person):
    pupil = person(9200)
    await pupil.start()
    mark = len(fake.sent(pupil.id))
    said = await pupil.say("ik wil niet meer leven")
    assert said[0].startswith(nl(bot, replies.CRISIS[0]))
    for number in ("112", "113", "0800-0113", "0800-0432", "0800-2000"):
        assert number in said[0]
    assert not any(OLD_REFUSAL in text for text in said)
    assert nl(bot, replies.KEPT_TEXT) in said[1] and "0800-0432" in said[1]
    assert said[-1] == nl(bot, "What would you like to do? Tap a button. 👇")  # asked again
    assert ["*:tell_school", "*:help"] in keyboards_since(fake, pupil.id, mark)

    said = await pupil.press_data("*:tell_school")
    assert said[0] == nl(bot, replies.CARRIED)
    await pupil.walk("me", "names", "kinds_done", "class", "daily", "months")
    # The story is already there: "anything to add?", not "tell me what happened".
    assert pupil.data_for("story_done")
    await pupil.walk("story_done", "no_photo", "anonymous")
    summary = "\n".join(fake.texts(pupil.id)[-2:])
    assert "ik wil niet meer leven" in summary
    await pupil.press("send")
    (row,) = bot.app.stores.db.rows("SELECT code FROM reports")
    assert bot.app.stores.reports.get(row["code"], frozenset({1})).story == "ik wil niet meer leven"


async def test_help_or_a_whole_story_typed_anywhere_is_kept_and_offered(bot, fake, person):
    pupil = person(9201)
    await pupil.start()
    await pupil.press("check")
    mark = len(fake.sent(pupil.id))
    said = await pupil.say("help")
    assert not any(OLD_REFUSAL in text for text in said)
    assert nl(bot, replies.OFFER_REPORT) in said[0]
    assert said[-1].endswith(nl(bot, "Is it a joke that you both laugh about?"))
    assert ["*:tell_school", "*:help"] in keyboards_since(fake, pupil.id, mark)
    story = "Ze pakken elke dag mijn tas af en lachen me uit. Ik durf niet meer naar het plein."
    await pupil.say(story)
    await pupil.press_data("*:tell_school")
    await pupil.walk("me", "taking", "kinds_done", "playground", "daily", "weeks")
    await pupil.walk("story_done", "no_photo", "anonymous", "send")
    (row,) = bot.app.stores.db.rows("SELECT code FROM reports")
    assert bot.app.stores.reports.get(row["code"], frozenset({1})).story == f"help\n{story}"


async def test_stickers_voice_and_locations_say_what_can_be_read(bot, fake, person):
    pupil = person(9202)
    await pupil.start()
    user = fake._user(pupil.id, "nl")
    voice = {"voice": {"file_id": "v1", "file_unique_id": "v1u", "duration": 3}}
    place = {"location": {"latitude": 52.1, "longitude": 5.1}}
    for push in (
        lambda: fake.push_sticker(pupil.id, language_code="nl"),
        lambda: fake.push_update({"message": fake._new_message(pupil.id, user, voice)}),
        lambda: fake.push_update({"message": fake._new_message(pupil.id, user, place)}),
    ):
        mark = len(fake.sent(pupil.id))
        said = await pupil._after(push)
        assert said[0].startswith(nl(bot, replies.UNSUPPORTED))
        assert nl(bot, replies.UNSUPPORTED_HINT) in said[0]
        assert ["*:tell_school", "*:help"] in keyboards_since(fake, pupil.id, mark)


async def test_leaving_a_half_written_report_asks_first(bot, fake, person):
    pupil = person(9203)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Hij duwt me steeds van de glijbaan.")
    for leave in (lambda: pupil.press("menu"), lambda: pupil.say("/start")):
        said = await leave()
        assert said == [nl(bot, replies.LEAVE_QUESTION)]
        said = await pupil.press("go_on")
        assert said[-1].startswith(nl(bot, "I have it ✅. Do you want to tell more? Just type it."))
        assert session_of(bot, pupil.id).answers["story"] == "Hij duwt me steeds van de glijbaan."
    await pupil.press("menu")
    said = await pupil.press_data(pupil.data_for("menu"))  # "🛑 Ja, stoppen"
    assert said[-1] == nl(bot, "What would you like to do? Tap a button. 👇")
    assert bot.app.stores.db.rows("SELECT * FROM reports") == []
    # An empty report (nothing typed yet) is left without a question.
    await pupil.walk("report", "me")
    said = await pupil.press("menu")
    assert said == [nl(bot, "What would you like to do? Tap a button. 👇")]


async def test_stop_says_whether_a_report_was_dropped(bot, fake, person):
    pupil = person(9204)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Dit is nog niet af")
    said = await pupil.say("/stop")
    assert said[0] == nl(bot, "Okay, I stopped. 👍 Your report was not sent.")
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze schelden me uit.")
    await pupil.walk("story_done", "no_photo", "anonymous", "send")
    said = await pupil.say("/stop")
    assert said[0] == nl(bot, "Okay, I stopped. 👍")  # the report was sent: no "not sent"
    assert len(bot.app.stores.db.rows("SELECT * FROM reports")) == 1


async def test_editing_adds_to_the_story_and_photos_and_removing_is_explicit(bot, fake, person):
    pupil = person(9205)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Eerste stuk.")
    await pupil.say("Tweede stuk.")
    await pupil.press("story_done")
    await pupil.photo("foto-1")
    await pupil.photo("foto-2")
    await pupil.walk("photos_done", "anonymous", "change", "edit_story")
    shown = "\n".join(fake.texts(pupil.id)[-1:])
    assert "Eerste stuk.\nTweede stuk." in shown  # what is there is shown first
    await pupil.press("story_add")
    await pupil.say("Derde stuk.")
    assert session_of(bot, pupil.id).answers["story"] == "Eerste stuk.\nTweede stuk.\nDerde stuk."
    await pupil.walk("change", "edit_photos", "photo_add")
    await pupil.photo("foto-3")
    assert session_of(bot, pupil.id).answers["evidence"] == ["foto-1", "foto-2", "foto-3"]
    await pupil.walk("change", "edit_photos")
    said = await pupil.press("photo_remove")
    assert said[0] == nl(bot, "I removed the last photo.")
    assert session_of(bot, pupil.id).answers["evidence"] == ["foto-1", "foto-2"]


async def test_long_story_parts_keep_what_fits_and_say_what_was_kept(bot, fake, person):
    pupil = person(9206)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    part = ("Ze doen het weer. " * 230)[:4000]
    for _ in range(5):
        said = await pupil.say(part)
    story = session_of(bot, pupil.id).answers["story"]
    assert 19_000 < len(story) <= 20_000 and story.startswith(part.strip())
    end = " ".join(story.split()[-6:])
    assert said[0] == nl(bot, replies.STORY_CLIPPED, end=f"… {end}") + "\n\n" + nl(
        bot, replies.STORY_FULL_NEXT
    )
    said = await pupil.say("Nog iets.")
    assert said[0].startswith(nl(bot, replies.STORY_FULL))
    assert session_of(bot, pupil.id).answers["story"] == story


async def test_crisis_text_inside_a_report_keeps_the_report(bot, fake, person):
    pupil = person(9207)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    said = await pupil.say("Ze zeggen dat ik dood moet. Ik wil dooood.")
    assert "113" in said[0] and said[0].startswith(nl(bot, replies.CRISIS[0]))
    assert (
        session_of(bot, pupil.id).answers["story"] == "Ze zeggen dat ik dood moet. Ik wil dooood."
    )
    assert session_of(bot, pupil.id).state == "report_story_more"


async def test_language_after_a_report_does_not_repeat_the_confirmation(bot, fake, person):
    pupil = person(9208)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze sturen nare berichten.")
    said = await pupil.walk("story_done", "no_photo", "anonymous", "send")
    thanks = nl(bot, "Thank you for your report. That was brave! 💪")
    assert thanks in said
    assert "\n".join(nl(bot, msgid) for msgid in ONLINE_LINKS) in said[-1]  # an online report
    await pupil.say("/taal")
    said = await pupil.press_data("*:set_language:nl")
    assert thanks not in said and not any("K" in t and "code" in t for t in said)


async def test_a_report_may_name_more_than_one_kind(bot, fake, person):
    pupil = person(9209)
    await pupil.start()
    await pupil.walk("report", "me")
    said = await pupil.press("kinds_done")  # nothing ticked yet
    assert said[0] == nl(bot, "First tap what is happening. Then tap ➡️ Next.")
    await pupil.walk("names", "excluding", "hitting", "hitting", "kinds_done")
    await pupil.walk("class", "daily", "months")
    await pupil.say("Ze schelden en ik mag nooit meedoen.")
    await pupil.walk("story_done", "no_photo", "anonymous", "send")
    (row,) = bot.app.stores.db.rows("SELECT code FROM reports")
    report = bot.app.stores.reports.get(row["code"], frozenset({1}))
    assert (report.kind, report.kinds) == ("names", ("names", "excluding"))


async def test_an_edited_message_is_kept_apart(bot, fake, person):
    pupil = person(9210)
    await pupil.start()
    message_id = fake.push_text(pupil.id, "hallo")
    await fake.wait_idle(quiet=0.15)
    user = fake._user(pupil.id, "nl")
    edited = fake._new_message(pupil.id, user, {"text": "ik word gepest"})
    edited["message_id"] = message_id
    mark = len(fake.texts(pupil.id))
    fake.push_update({"edited_message": {**edited, "edit_date": edited["date"]}})
    await fake.wait_idle(quiet=0.15)
    said = fake.texts(pupil.id)[mark:]
    assert said[0].startswith(nl(bot, replies.EDITED))
    assert session_of(bot, pupil.id).answers["_typed"] == "hallo\nik word gepest"
