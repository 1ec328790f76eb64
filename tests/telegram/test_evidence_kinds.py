"""Evidence goes back the way it came: a screenshot sent as a file opens with its case (issue 11,
item 2).

Telegram refuses a file's id in sendPhoto ("type of file mismatch"; the fake Bot API does the
same), so a file goes out with sendDocument. The case's text and buttons come first and never
wait for a photo, and one photo that cannot be sent says so in one line while the rest arrive.
"""

from __future__ import annotations

from support.casefiles import file_report, nl
from support.media import send_file
from support.walks import CASE_CODE, REPORT_PATH

from bot.chat.caseview import EVIDENCE_UNSENT
from bot.core import replies


def triggers(person) -> list[str]:
    return [data.split(":")[1] for _label, data in person.buttons()]


async def test_a_screenshot_sent_as_a_file_opens_with_its_case(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze zetten mijn foto in de groepsapp.")
    await pupil.press("story_done")
    await send_file(pupil, "png-as-file")
    await pupil.walk("photos_done", "anonymous")
    code = CASE_CODE.findall("\n".join(await pupil.press("send")))[0]

    for open_it in (lambda: anna.press_data(f"*:open:{code}"), lambda: anna.press("evidence")):
        mark = len(fake.calls)
        replies_ = await open_it()
        assert nl(bot.app, replies.FAILED) not in replies_
        assert "claim" in triggers(anna)  # the case's buttons arrived
        sent = [c for c in fake.calls[mark:] if c.params.get("chat_id") == anna.id]
        files = [c for c in sent if c.method == "sendDocument"]
        assert [(c.params["document"], c.ok) for c in files] == [("png-as-file", True)]
        assert not [c for c in sent if c.method == "sendPhoto"]
        # The text and buttons came before the file: they never wait for it.
        header = next(n for n, c in enumerate(sent) if "reply_markup" in c.params)
        assert header < sent.index(files[0])
    assert not fake.violations


async def test_one_photo_that_cannot_be_sent_says_so_and_the_rest_arrive(
    bot, fake, person, coordinator
):
    anna = coordinator(501, "Juf Anna")
    # A report stored before kinds were kept: a file's id among the photos' ids.
    fake.add_document("old-file")
    code = file_report(bot.app, 9001, photos=("shot-1", "old-file", "shot-3"))
    await bot.app.outboxes["telegram"].deliver_due()  # the new-report notice first
    await fake.wait_idle()

    replies_ = await anna.press_data(f"*:open:{code}")

    assert nl(bot.app, replies.FAILED) not in replies_
    assert "claim" in triggers(anna)
    shown = [c.params["photo"] for c in fake.delivered(anna.id, "sendPhoto")]
    assert shown == ["shot-1", "shot-3"]
    unsent = nl(bot.app, EVIDENCE_UNSENT, case=code, n=2, total=3)
    assert unsent == f"Melding {code}: foto 2 van 3 kan ik helaas niet laten zien."
    assert replies_.count(unsent) == 1
    assert replies_.index(unsent) > replies_.index(
        nl(bot.app, "Case {case}: photo {n} of {total}", case=code, n=1, total=3)
    )
