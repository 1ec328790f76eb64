"""A pupil in real chromium, against the real server: the check, a report with a photo, a secret
code, a message from the school arriving live, and the answer from another device. And the same
page in English."""

from __future__ import annotations

import io

from PIL import Image
from support import images
from support.fakebotapi import FakeBotApi, Upload
from support.page import Chat, browsing, tap_faster_than_a_child
from support.people import Person
from support.walks import CASE_CODE

CHECK = ("check", "not_funny", "often", "long", "same", "power", "on_purpose")
# From the check's outcome: who, what (a toggle, then next), where, how often, since when.
REPORT = ("report", "me", "online", "kinds_done", "online", "daily", "months")
FIRST = "Dank je wel voor je melding. Kom je morgen even bij mij?"
SECOND = "Ik ben er morgen om tien uur, in lokaal 3."
ANSWER = "Ja, dat is goed. Na de gym?"


async def report_with_a_photo(chat: Chat) -> tuple[str, str]:
    """The check, then a report with a phone's photo; its case code and the secret code."""
    await chat.press("pupil")
    said = await chat.walk(*CHECK)
    assert "Dit klinkt als pesten" in said[-1]["text"]
    await chat.walk(*REPORT)
    await chat.say("Ze sturen elke dag gemene berichten in de groepsapp.")
    await chat.press("story_done")
    said = await chat.photo(images.phone_jpeg((120, 60)))
    assert said[0]["from"] == "you"
    assert said[1]["text"].startswith("We hebben weggehaald waar je foto is gemaakt.")
    shown = chat.page.locator(f'[data-seq="{said[1]["seq"]}"] .text')
    assert (await shown.inner_text()).startswith("We hebben weggehaald waar je foto is gemaakt.")
    await chat.walk("photos_done", "anonymous")
    said = await chat.press("send")
    (code,) = set(CASE_CODE.findall("\n".join(m["text"] for m in said)))
    await chat.press("secret_code")
    secret = await chat.page.locator("[data-testid=secret] code.secret-code").last.inner_text()
    assert len(secret.split()) == 5
    return code, secret


async def the_photo_came_up_clean(fake: FakeBotApi) -> None:
    (sent,) = fake.sent(501, "sendPhoto")
    upload = sent.params["photo"]
    assert isinstance(upload, Upload)
    assert b"Exif" not in upload.data and images.MAKE.encode() not in upload.data
    assert not Image.open(io.BytesIO(upload.data)).getexif()
    assert images.close(images.average(upload.data, (0, 0, 0.5, 1)), images.RED)


async def write_to_the_reporter(anna: Person, code: str, text: str) -> None:
    await anna.press_data(f"*:open:{code}")
    await anna.press("message")
    await anna.say(text)


async def test_a_pupil_checks_reports_with_a_photo_and_hears_back_live_and_later(
    bot, fake, coordinator, monkeypatch
):
    tap_faster_than_a_child(bot.app, monkeypatch)
    anna = coordinator(501, "Juf Anna")
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open()
        assert await chat.page.get_attribute("html", "lang") == "nl"
        code, secret = await report_with_a_photo(chat)

        # The coordinator hears of it on Telegram, opens the case (the photo comes up clean),
        # claims it, and writes to the child.
        note = await fake.wait_for(
            lambda c: c.method == "sendMessage" and c.params["chat_id"] == 501
        )
        assert code in note.params["text"]
        await anna.press_data(f"*:open:{code}")
        await the_photo_came_up_clean(fake)
        await anna.press("claim")
        await chat.page.evaluate("window.notReloaded = true")
        await write_to_the_reporter(anna, code, FIRST)

        # The open page shows it without a reload: first only "📬", the text once tapped.
        await chat.wait_for_button("read_message")
        await chat.check("a message from the school")
        assert await chat.page.evaluate("window.notReloaded === true")
        assert (await chat.texts())[-1].startswith("📬")
        assert FIRST not in await chat.page.locator("#log").inner_text()
        await chat.press("read_message")
        assert FIRST in "\n".join(await chat.texts())

        # The child closes the tab, and the school writes again.
        await chat.page.locator("#done").click()
        await chat.page.locator("#ended").wait_for()
        await write_to_the_reporter(anna, code, SECOND)

        # Another device: the code brings the conversation back, the news first.
        later = await tabs.open()
        assert await later.page.locator("#code-open").inner_text() == "🔑 Ik heb een geheime code"
        words = secret.split()
        status, body = await later.use_code(" ".join(words[1:] + words[:1]))  # mixed up
        assert status == 404
        said = await later.page.locator("#code-status").inner_text()
        assert said.startswith("Die code ken ik niet.") and "0800-0432" in said, said
        assert await later.page.locator("#log .msg").count() == 1  # still the welcome
        status, body = await later.use_code(secret)
        assert status == 200, body
        assert await later.page.locator("#code-open").get_attribute("aria-expanded") == "false"
        news = await later.page.locator("#log .msg").first.locator("button.choice").all()
        assert [(await b.get_attribute("data-button") or "").split(":")[1] for b in news] == [
            "read_message"
        ]
        await later.press("read_message")
        assert SECOND in "\n".join(await later.texts())
        await later.press("write")
        await later.say(ANSWER)
        assert (await later.texts())[-1].startswith("Verstuurd ✅")

    await anna.press_data(f"*:open:{code}")
    assert any(ANSWER in text for text in fake.texts(501))


async def test_an_english_pupil_sees_english_everywhere_also_in_dark_mode(bot):
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open(locale="en-GB", color_scheme="dark")
        page = chat.page
        assert await page.get_attribute("html", "lang") == "en"
        assert await page.locator("#quick-exit").inner_text() == "Quick exit"
        assert await page.locator("#done").inner_text() == "✅ Done"
        assert await page.locator("#code-open").inner_text() == "🔑 I have a secret code"
        assert (await chat.texts())[0].endswith("Who are you?")
        await chat.press("pupil")
        said = await chat.walk("check", "both_laugh", "stops")
        assert said[-1]["text"].startswith("This sounds like teasing (plagen).")
        said = await chat.say("They laugh at me, but I do not laugh.")
        assert said[0]["from"] == "you"
        assert said[1]["text"].startswith("I have kept what you typed. ✅")
        said = await chat.press("help")
        assert "Call 112" in "\n".join(m["text"] for m in said)
