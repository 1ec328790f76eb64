"""The text typed under a photo reaches the school (issue 11, item 9).

A photo with a caption is a photo plus a text: in a report the text joins the story, in a
message about my case it is the message, and anywhere else it is kept like typed text until
"tell the school" puts it into a report.
"""

from __future__ import annotations

from support.casefiles import nl
from support.media import send_photo
from support.walks import CASE_CODE, REPORT_PATH, report_as_pupil

from bot.core import replies
from bot.core.engine import CAPTION_SAID

STORY = "Ze schelden me uit in de groepsapp."
CAPTION = "Dit stuurde Bram gisteren om negen uur."


async def test_a_caption_in_the_reports_photo_step_joins_the_story(bot, fake, person):
    pupil = person(9001)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say(STORY)
    await pupil.press("story_done")

    said = await send_photo(pupil, "groepsapp-1", CAPTION)

    assert nl(bot.app, CAPTION_SAID["story"]) in said
    await pupil.walk("photos_done", "anonymous")
    code = CASE_CODE.findall("\n".join(await pupil.press("send")))[0]
    report = bot.app.stores.reports.get(code, frozenset({1}))
    assert report.story == f"{STORY}\n{CAPTION}"
    assert bot.app.stores.reports.evidence(code, 1) == ["groepsapp-1"]


async def test_a_caption_sent_to_my_case_reaches_the_coordinator(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, STORY)
    await pupil.walk("menu", "my_reports", "write")

    await send_photo(pupil, "extra-1", CAPTION)

    assert bot.app.stores.reports.evidence(code, 1) == ["extra-1"]
    assert [m["text"] for m in bot.app.stores.threads.of(code, 1)] == [CAPTION]
    await anna.press_data(f"*:open:{code}")
    assert any(CAPTION in text for text in fake.texts(anna.id))


async def test_a_caption_outside_a_report_is_kept_and_can_be_told(bot, fake, person):
    pupil = person(9001)
    await pupil.start()

    said = await send_photo(pupil, "te-vroeg", CAPTION)

    assert said[0].startswith(
        "\n\n".join([nl(bot.app, replies.KEPT_PHOTO), nl(bot.app, replies.KEPT_TEXT)])
    )
    await pupil.press_data("*:tell_school")  # what was kept starts a report
    await pupil.walk(*REPORT_PATH[1:], "story_done", "no_photo", "anonymous")
    code = CASE_CODE.findall("\n".join(await pupil.press("send")))[0]
    assert bot.app.stores.reports.get(code, frozenset({1})).story == CAPTION
    assert bot.app.stores.reports.evidence(code, 1) == ["te-vroeg"]


async def test_danger_typed_under_a_photo_gets_help_first(bot, fake, person):
    pupil = person(9001)
    await pupil.start()

    said = await send_photo(pupil, "nacht-1", "Ik wil niet meer leven.")

    assert said[0].startswith(nl(bot.app, replies.CRISIS[0]))
