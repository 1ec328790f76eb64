"""/vergeet neither resets the hourly report limit nor lets an old "Yes, forget me" button work
(issue 11, item 13)."""

from __future__ import annotations

from support.texts import nl
from support.walks import CASE_CODE, REPORT_PATH, report_as_pupil

from bot.cases.reports import RATE_LIMITED
from bot.chat.privacy import FORGOTTEN
from bot.core import replies
from bot.core.model import Text
from bot.core.ratelimit import FloodGate

QUESTION = (
    "Do you want the bot to forget you? Then it deletes what you were doing here, and nobody can "
    "connect you to your reports any more. Your reports stay with the school, so it can still "
    "help, but the school cannot send you answers or questions about them."
)


def _key(running, pupil) -> str:
    return running.app.stores.vault.subject("telegram", str(pupil.id))


async def test_forgetting_does_not_start_the_hourly_count_again(timed_bot, fake, person, clock):
    timed_bot.app.service.flood = FloodGate(burst=10**6)  # three reports in a few seconds
    pupil = person(9001)
    codes = [await report_as_pupil(pupil, "Melding 1.")]
    for story in ("Melding 2.", "Melding 3."):
        await pupil.press("menu")
        await pupil.walk(*REPORT_PATH)
        await pupil.say(story)
        sent = await pupil.walk("story_done", "no_photo", "anonymous", "send")
        codes += CASE_CODE.findall("\n".join(sent))[:1]
    assert len(set(codes)) == 3
    await pupil.say("/vergeet")
    assert nl(timed_bot, FORGOTTEN) in await pupil.press("forget_yes")

    await pupil.start()
    refused = await pupil.press("report")
    limited = timed_bot.app.renderer.text(Text(RATE_LIMITED, {"time": "10:00"}), "nl")
    assert refused[0].startswith(limited)
    # The count kept no link: the reports stay cut loose from the pupil.
    stores = timed_bot.app.stores
    assert all(stores.reports.reporter(code, 1)["reporter"] is None for code in codes)
    rows = stores.db.rows("SELECT * FROM hourly_reports")
    assert len(rows) == 3 and _key(timed_bot, pupil) not in {row["sender"] for row in rows}

    clock.set("2026-11-23T09:00:01+00:00")  # an hour later there is room, and nothing is kept
    assert await pupil.press_data("*:menu")
    await pupil.press("report")
    assert stores.db.rows("SELECT * FROM hourly_reports") == []
    assert pupil.data_for("me")


async def test_an_old_yes_after_no_gets_the_stale_answer_and_the_question(bot, fake, person):
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze verstoppen mijn jas.")
    await pupil.say("/vergeet")
    old_yes = pupil.data_for("forget_yes")
    await pupil.press("forget_no")
    said = await pupil.press_data(old_yes)
    assert said == [nl(bot, replies.STALE), nl(bot, QUESTION)]
    stores = bot.app.stores
    assert stores.reports.reporter(code, 1)["reporter"] == _key(bot, pupil)  # nobody was forgotten
    assert stores.sessions.load(_key(bot, pupil)) is not None
    # Asked again, "Yes" works right after the question.
    assert nl(bot, FORGOTTEN) in await pupil.press("forget_yes")


async def test_a_yes_days_later_or_after_doing_something_else_is_stale(
    timed_bot, fake, person, clock
):
    pupil = person(9002)
    await pupil.start()
    await pupil.say("/vergeet")
    old_yes = pupil.data_for("forget_yes")
    await pupil.press_data("*:menu")  # something else happened since the question
    assert (await pupil.press_data(old_yes))[0] == nl(timed_bot, replies.STALE)

    clock.set("2026-11-26T08:00:00+00:00")  # three days later, nothing else happened
    assert (await pupil.press_data(old_yes))[0] == nl(timed_bot, replies.STALE)
    assert timed_bot.app.stores.sessions.load(_key(timed_bot, pupil)) is not None
