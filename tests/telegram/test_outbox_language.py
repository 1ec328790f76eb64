"""Messages the bot starts itself speak the language its replies speak.

The rule for replies (`pick_locale`): the language a user chose, else the language of their
Telegram app, else Dutch. Before, the outbox knew only the chosen one, so an English pupil or
coordinator who never chose got Dutch notifications. Now the session keeps the app's language
(sealed, with the answers), and the outbox uses the same rule.
"""

from __future__ import annotations

from support.walks import report_as_pupil

APP_ENGLISH, CHOSE_ENGLISH = 9001, 9002


async def test_an_english_app_gets_english_notifications_without_choosing(
    bot, fake, person, coordinator
):
    anna = coordinator(501, "Juf Anna")
    coordinator(502, "Mr John")
    john = person(502, language_code="en")
    await john.say("/start")  # the bot learns the language of his app
    english = person(APP_ENGLISH, language_code="en")
    chose = person(CHOSE_ENGLISH)  # a Dutch app, and English chosen in the bot
    await chose.say("/start")
    await chose.press_data("*:set_language:en")

    codes = {
        pupil.id: await report_as_pupil(pupil, "They take my cap every day.")
        for pupil in (english, chose)
    }

    # The coordinator with an English app reads his notifications in English, Anna in Dutch.
    for code in codes.values():
        assert any(text.startswith(f"🔔 {code}: new report") for text in fake.texts(john.id))
        assert not any(text.startswith(f"🔔 {code}: new report") for text in fake.texts(anna.id))
        assert any(text.startswith(f"🔔 {code}: nieuwe melding") for text in fake.texts(anna.id))

    # A message from the coordinator reaches the pupil with an English app exactly as it reaches
    # the one who chose English.
    received = {}
    for pupil in (english, chose):
        code = codes[pupil.id]
        mark = len(fake.texts(pupil.id))
        await anna.press_data(f"*:open:{code}")
        await anna.press("message")
        await anna.say("Thank you for telling us. Who does it?")
        await fake.wait_until(lambda p=pupil, m=mark: len(fake.texts(p.id)) > m, what="a message")
        await fake.wait_idle(quiet=0.3)
        received[pupil.id] = [t.replace(code, "CODE") for t in fake.texts(pupil.id)[mark:]]
        received[pupil.id] += [label for label, _data in pupil.buttons()]
    assert received[APP_ENGLISH] == received[CHOSE_ENGLISH]
