"""A photo sent on the web chat reaches a coordinator on Telegram like any other evidence.

Telegram has never seen it, so there is no file id to send again: the bot uploads the cleaned
bytes it keeps (multipart). What goes up is the cleaned photo (no EXIF, no GPS), and a photo
that is gone meanwhile says so in one line, as a photo Telegram no longer has does.
"""

from __future__ import annotations

import io

from PIL import Image
from support import images
from support.casefiles import file_report, nl
from support.fakebotapi import Upload

from bot.channels.web.photos import clean_photo
from bot.chat.caseview import EVIDENCE_UNSENT
from bot.clock import stamp
from bot.core import replies
from bot.core.model import Outbound

PHOTO_ID = "web-3f9a0c1d2e3f4a5b6c7d8e9f00112233"
CAPTION = "Case {case}: photo {n} of {total}"


def keep(bot, photo_id: str, data: bytes) -> None:
    """What the web chat does with an upload it has cleaned (sealed at rest)."""
    with bot.app.stores.db.transaction():
        bot.app.stores.web.keep_photo(photo_id, data, stamp(bot.app.clock))


async def opened_case(bot, fake, anna, photos: tuple[str, ...]) -> tuple[str, list[str]]:
    code = file_report(bot.app, 9001, photos=photos)
    await bot.app.outboxes["telegram"].deliver_due()  # the new-report notice first
    await fake.wait_idle()
    return code, await anna.press_data(f"*:open:{code}")


async def test_a_web_photo_is_uploaded_clean_to_the_coordinator(bot, fake, coordinator):
    anna = coordinator(501, "Juf Anna")
    clean = clean_photo(images.phone_jpeg((120, 60)))
    keep(bot, PHOTO_ID, clean.data)

    code, said = await opened_case(bot, fake, anna, (PHOTO_ID, "telegram-shot"))

    assert nl(bot.app, replies.FAILED) not in said
    sent = fake.delivered(anna.id, "sendPhoto")
    assert [c.params["caption"] for c in sent] == [
        nl(bot.app, CAPTION, case=code, n=n, total=2) for n in (1, 2)
    ]
    upload = sent[0].params["photo"]
    assert isinstance(upload, Upload) and upload.filename == "photo.jpg"
    assert upload.data == clean.data
    assert b"Exif" not in upload.data and images.MAKE.encode() not in upload.data
    assert not Image.open(io.BytesIO(upload.data)).getexif()
    assert PHOTO_ID not in str(sent[0].params)  # our own id never goes to Telegram
    assert sent[1].params["photo"] == "telegram-shot"  # a Telegram photo still goes by its id


async def test_a_web_screenshot_goes_up_as_a_png(bot, fake, coordinator):
    anna = coordinator(501, "Juf Anna")
    clean = clean_photo(images.screenshot_png((90, 40)))
    keep(bot, PHOTO_ID, clean.data)

    await opened_case(bot, fake, anna, (PHOTO_ID,))

    (sent,) = fake.delivered(anna.id, "sendPhoto")
    upload = sent.params["photo"]
    assert isinstance(upload, Upload) and upload.filename == "photo.png"
    assert upload.data == clean.data


async def test_a_web_photo_that_is_gone_says_so_and_the_rest_arrive(bot, fake, coordinator):
    anna = coordinator(501, "Juf Anna")

    code, said = await opened_case(bot, fake, anna, (PHOTO_ID, "telegram-shot"))

    assert nl(bot.app, replies.FAILED) not in said
    assert "claim" in [data.split(":")[1] for _label, data in anna.buttons()]
    assert said.count(nl(bot.app, EVIDENCE_UNSENT, case=code, n=1, total=2)) == 1
    shown = [c.params["photo"] for c in fake.delivered(anna.id, "sendPhoto")]
    assert shown == ["telegram-shot"]


async def test_an_upload_keeps_its_buttons_and_quiet(bot, fake, coordinator):
    anna = coordinator(501, "Juf Anna")
    clean = clean_photo(images.webp((40, 20)))
    keep(bot, PHOTO_ID, clean.data)
    rows = ((("Bekijk", "*:open:AB12"),),)

    await bot.channel.send(str(anna.id), Outbound("Foto", rows, photo=PHOTO_ID, quiet=True))

    (sent,) = fake.delivered(anna.id, "sendPhoto")
    assert sent.params["photo"].data == clean.data
    assert sent.params["caption"] == "Foto" and sent.params["disable_notification"] is True
    button = sent.params["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Bekijk", "callback_data": "*:open:AB12"}
