"""Two-way contact through a case: the coordinator and an anonymous pupil never see each other."""

from __future__ import annotations

import logging
from pathlib import Path

from support.canary import assert_absent, canary_pupil, stored_bytes
from support.walks import report_as_pupil

from bot.core.ratelimit import FloodGate
from bot.logs import configure_logging


async def test_three_messages_each_way_and_no_trace_of_the_pupil(
    bot, fake, person, coordinator, caplog, env
):
    configure_logging(logging.INFO)
    caplog.set_level(logging.INFO)
    bot.app.service.flood = FloodGate(burst=10**6)  # three rounds faster than any child taps
    anna = coordinator(501, "Juf Anna")
    pupil, canaries = canary_pupil(person, 8080123456, "Zoraid")
    code = await report_as_pupil(pupil, "Ze sturen nare berichten.")
    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")

    for n in range(1, 4):
        await anna.press("message")
        await anna.say(f"Vraag {n} van de coördinator.")
        # The pupil's phone shows only "you have a new message"; the text comes with a tap.
        await fake.wait_for(
            lambda c: (
                c.method == "sendMessage"
                and c.params["chat_id"] == pupil.id
                and "read_message" in str(c.params.get("reply_markup"))
            )
        )
        await fake.wait_idle()
        delivered = "\n".join(await pupil.press("read_message"))
        assert f"Vraag {n} van de coördinator." in delivered and code in delivered
        await pupil.press("write")
        await pupil.say(f"Antwoord {n} van het kind.")
        await anna.press_data(f"*:open:{code}")

    case_text = "\n".join(fake.texts(anna.id)[-3:])
    positions = [case_text.index(f"Vraag {n}") for n in range(1, 4)]
    positions += [case_text.index(f"Antwoord {n}") for n in range(1, 4)]
    assert sorted(positions[:3]) == positions[:3] and sorted(positions[3:]) == positions[3:]
    thread = bot.app.stores.threads.of(code, 1)
    assert [m["direction"] for m in thread] == ["to_reporter", "from_reporter"] * 3

    # The pupil sees no coordinator account; the coordinator sees nothing of the pupil.
    assert not any("Juf Anna" in text for text in fake.texts(pupil.id))
    seen_by_coordinator = "\n".join(fake.texts(anna.id))
    stored = stored_bytes(Path(env["ANTIPEST_DB"]))
    assert_absent(canaries, coordinator=seen_by_coordinator, database=stored, logs=caplog.text)
    said = {f"Antwoord {n}" for n in range(1, 4)} | {f"Vraag {n}" for n in range(1, 4)}
    assert_absent(said, database=stored, logs=caplog.text)


async def test_a_pupil_adds_information_and_a_photo_from_my_reports(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Het begon vorige week.")
    await pupil.press("menu")
    await pupil.press("my_reports")
    await pupil.press("write")
    await pupil.photo("extra-shot")
    await pupil.press("write_more")
    await pupil.say("En vandaag weer.")
    await anna.press_data(f"*:open:{code}")
    assert "extra-shot" in [c.params["photo"] for c in fake.sent(anna.id, "sendPhoto")]
    assert any("En vandaag weer." in text for text in fake.texts(anna.id))


async def test_nobody_can_write_into_someone_elses_case(bot, fake, person, coordinator):
    coordinator(501, "Juf Anna")
    code = await report_as_pupil(person(9001), "Mijn eigen melding.")
    other = person(9002)
    await other.start()
    replies = await other.press_data(f"*:write:{code}")
    assert bot.app.stores.threads.of(code, 1) == []
    assert other.buttons() and all(":contact" not in d for _l, d in other.buttons())
    assert replies
