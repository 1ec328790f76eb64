"""Several photos sent at once (an album) are all kept (issue 11, item 4).

Telegram delivers an album as one update per photo with the same `media_group_id`. The first
photo moves the conversation on ("Verstuurd ✅", back to the summary); the others belong to the
same move, so they go where the first one went instead of being called out of place.
"""

from __future__ import annotations

from support.casefiles import nl
from support.media import send_album
from support.walks import CASE_CODE, REPORT_PATH, report_as_pupil

from bot.core import replies


async def test_an_album_added_to_my_case_reaches_the_case_whole(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Het begon vorige week.")
    await pupil.walk("menu", "my_reports", "write")

    said = await send_album(pupil, "album-1", "shot-a", "shot-b", "shot-c")

    assert bot.app.stores.reports.evidence(code, 1) == ["shot-a", "shot-b", "shot-c"]
    assert nl(bot.app, replies.KEPT_PHOTO) not in said
    assert not any(nl(bot.app, replies.OFFER_REPORT) in text for text in said)
    await anna.press_data(f"*:open:{code}")
    shown = [c.params["photo"] for c in fake.delivered(anna.id, "sendPhoto")]
    assert shown == ["shot-a", "shot-b", "shot-c"]


async def test_an_album_sent_while_changing_the_reports_photos_joins_the_report(bot, fake, person):
    pupil = person(9001)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze pakken steeds mijn telefoon af.")
    await pupil.walk("story_done", "no_photo", "anonymous", "change", "edit_photos", "photo_add")

    said = await send_album(pupil, "album-2", "edit-1", "edit-2", "edit-3")

    assert nl(bot.app, replies.KEPT_PHOTO) not in said
    assert "Foto's: 3" in said[-1]  # the summary, with all three
    code = CASE_CODE.findall("\n".join(await pupil.press("send")))[0]
    assert bot.app.stores.reports.evidence(code, 1) == ["edit-1", "edit-2", "edit-3"]
