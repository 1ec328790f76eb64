"""Wrong input never breaks a conversation: a kind re-ask, and nothing is lost."""

from __future__ import annotations

from support.texts import say
from support.walks import REPORT_PATH

from bot.core import replies
from bot.core.model import Text
from bot.core.ratelimit import FloodGate


def question(bot, msgid: str) -> str:
    return bot.app.renderer.text(Text(msgid), "nl")


async def test_wrong_input_gets_a_kind_answer_and_the_report_goes_on(bot, fake, person):
    bot.app.service.flood = FloodGate(burst=10**6)  # faster than any child taps
    pupil = person(9100)
    await pupil.start()
    await pupil.walk("report", "me")
    kind_question = question(
        bot, "What is happening? You may choose more than one. Then tap ➡️ Next."
    )

    for act, first in (
        (lambda: pupil.say("ik weet het niet"), replies.KEPT_TEXT),
        (lambda: pupil.sticker(), replies.UNSUPPORTED),
        (lambda: pupil.photo("not-now"), replies.KEPT_PHOTO),
        (lambda: pupil.say("/onzin"), replies.UNKNOWN_COMMAND),
        (lambda: pupil.press_data("check_fun:both_laugh"), replies.STALE),
        (lambda: pupil.press_data("x" * 64), replies.STALE),
    ):
        said = await act()
        assert said[0].startswith(say(bot, first)) and said[-1] == kind_question, (first, said)

    await pupil.walk("names", "kinds_done", "class", "weekly", "weeks")
    # What was typed and sent before is already in the story: "anything to add?".
    await pupil.say("Ze roepen elke pauze scheldwoorden naar me.")
    await pupil.walk("story_done", "no_photo", "anonymous")
    await pupil.press_data("*:tell_school")  # the kept text and photo join the report
    await pupil.press("send")
    (row,) = bot.app.stores.db.rows("SELECT code FROM reports")
    report = bot.app.stores.reports.get(row["code"], frozenset({1}))
    assert (report.who, report.kind, report.place, report.often, report.since) == (
        "self",
        "names",
        "class",
        "weekly",
        "weeks",
    )
    assert report.story == "Ze roepen elke pauze scheldwoorden naar me.\nik weet het niet"
    assert bot.app.stores.reports.evidence(row["code"], 1) == ["not-now"]


async def test_stop_and_back_to_menu_leave_any_flow_and_send_nothing(bot, fake, person):
    pupil = person(9101)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Dit is nog niet af")
    said = await pupil.say("/stop")
    assert said[0] == question(bot, "Okay, I stopped. 👍 Your report was not sent.")
    await pupil.walk(*REPORT_PATH)
    await pupil.press("menu")  # nothing typed yet in this report: no question
    assert bot.app.stores.db.rows("SELECT * FROM reports") == []
    assert bot.app.stores.db.rows("SELECT * FROM outbox") == []


async def test_a_report_survives_a_restart_and_old_buttons_are_refused(bot, fake, person):
    pupil = person(9102)
    await pupil.start()
    await pupil.walk("report", "me")
    old_kind_button = pupil.data_for("names")
    await pupil.press("hitting")
    await pupil.press("kinds_done")
    await bot.restart()

    said = await pupil.press_data(old_kind_button)
    assert said == [say(bot, replies.STALE), question(bot, "Where does it happen?")]
    await pupil.walk("playground", "daily", "this_week")
    await pupil.say("Hij duwt me elke dag om.")
    await pupil.walk("story_done", "no_photo", "anonymous", "send")
    (row,) = bot.app.stores.db.rows("SELECT kind, place FROM reports")
    assert (row["kind"], row["place"]) == ("hitting", "playground")


async def test_help_is_one_tap_away_and_keeps_the_place(bot, fake, person):
    pupil = person(9103)
    await pupil.start()
    await pupil.walk("report", "me", "names", "kinds_done")
    for state_buttons in (pupil.buttons(),):
        assert "*:help" in [data for _label, data in state_buttons]
    replies = await pupil.press("help")
    help_text = "\n".join(replies)
    for number in ("112", "0800-0432", "0800-2000", "0800-0113"):
        assert number in help_text
    assert replies[-1] == question(bot, "Where does it happen?")
    replies = await pupil.say("/hulp")
    assert replies[-1] == question(bot, "Where does it happen?")


async def test_language_follows_telegram_then_the_users_choice(bot, fake, person):
    english = person(9104, language_code="en-GB")
    replies = await english.start()
    assert replies[-1] == "What would you like to do? Tap a button. 👇"
    await english.say("/taal")
    replies = await english.press_data("*:set_language:nl")
    dutch_menu = question(bot, "What would you like to do? Tap a button. 👇")
    assert dutch_menu != "What would you like to do? Tap a button. 👇"
    assert replies[-1] == dutch_menu
    replies = await english.press_data("*:set_language:xx")
    assert replies[-1] == dutch_menu
