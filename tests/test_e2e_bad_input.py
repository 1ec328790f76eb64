"""Wrong input never breaks a conversation: a kind re-ask, and nothing is lost."""

from __future__ import annotations

from test_e2e_report import REPORT_PATH
from test_e2e_safety import say

from bot.model import Text
from bot.service import PROBLEMS


def question(bot, msgid: str) -> str:
    return bot.app.renderer.text(Text(msgid), "nl")


async def test_wrong_input_gets_a_kind_reask_and_the_report_goes_on(bot, fake, person):
    pupil = person(9100)
    await pupil.start()
    await pupil.walk("report", "me")
    kind_question = question(bot, "What is happening?")

    for act, problem in (
        (lambda: pupil.say("ik weet het niet"), "unexpected_text"),
        (lambda: pupil.sticker(), "unsupported"),
        (lambda: pupil.photo("not-now"), "unexpected_photo"),
        (lambda: pupil.say("/onzin"), "unknown_command"),
        (lambda: pupil.press_data("check_fun:both_laugh"), "stale"),
        (lambda: pupil.press_data("x" * 64), "stale"),
    ):
        replies = await act()
        assert replies == [say(bot, PROBLEMS[problem]), kind_question], (problem, replies)

    await pupil.walk("names", "class", "weekly", "weeks")
    replies = await pupil.say("x" * 5000)
    assert replies[0] == say(bot, PROBLEMS["too_long"])
    await pupil.say("Ze roepen elke pauze scheldwoorden naar me.")
    await pupil.walk("story_done", "no_photo", "anonymous", "send")
    (row,) = bot.app.stores.db.rows("SELECT code FROM reports")
    report = bot.app.stores.reports.get(row["code"])
    assert (report.who, report.kind, report.place, report.often, report.since) == (
        "self",
        "names",
        "class",
        "weekly",
        "weeks",
    )
    assert report.story == "Ze roepen elke pauze scheldwoorden naar me."


async def test_stop_and_back_to_menu_leave_any_flow_and_send_nothing(bot, fake, person):
    pupil = person(9101)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Dit is nog niet af")
    replies = await pupil.say("/stop")
    assert replies[0] == question(bot, "Okay, I stopped. Nothing was sent. 👍")
    await pupil.walk(*REPORT_PATH)
    await pupil.press("menu")
    assert bot.app.stores.db.rows("SELECT * FROM reports") == []
    assert bot.app.stores.db.rows("SELECT * FROM outbox") == []


async def test_a_report_survives_a_restart_and_old_buttons_are_refused(bot, fake, person):
    pupil = person(9102)
    await pupil.start()
    await pupil.walk("report", "me")
    old_kind_button = pupil.data_for("names")
    await pupil.press("hitting")
    await bot.restart()

    replies = await pupil.press_data(old_kind_button)
    assert replies == [say(bot, PROBLEMS["stale"]), question(bot, "Where does it happen?")]
    await pupil.walk("playground", "daily", "this_week")
    await pupil.say("Hij duwt me elke dag om.")
    await pupil.walk("story_done", "no_photo", "anonymous", "send")
    (row,) = bot.app.stores.db.rows("SELECT kind, place FROM reports")
    assert (row["kind"], row["place"]) == ("hitting", "playground")


async def test_help_is_one_tap_away_and_keeps_the_place(bot, fake, person):
    pupil = person(9103)
    await pupil.start()
    await pupil.walk("report", "me", "names")
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
