"""A parent in real chromium, against the real server: the signals checklist ("Wordt mijn kind
gepest?"), then a report with a name. Parents are spoken to as "u", never as "je"."""

from __future__ import annotations

import re

from support.page import browsing, tap_faster_than_a_child
from support.walks import CASE_CODE

SIGNALS = ("reluctant", "sleep", "alone")
REPORT = ("report", "my_child", "names", "kinds_done", "playground", "weekly", "weeks")
INFORMAL = re.compile(r"\b(je|jij|jou|jouw)\b", re.IGNORECASE)


async def test_a_parent_ticks_signals_and_reports_with_a_name(bot, fake, coordinator, monkeypatch):
    tap_faster_than_a_child(bot.app, monkeypatch)
    coordinator(501, "Juf Anna")
    async with browsing(bot.web_url) as tabs:
        chat = await tabs.open()
        said = await chat.press("parent")
        assert "U hoeft uw naam niet te geven" in said[-1]["text"]
        await chat.press("signals")
        for signal in SIGNALS:
            await chat.press("toggle", signal)
        for signal in SIGNALS:  # the newest checklist shows the ticks
            ticked = await (await chat.button("toggle", signal)).inner_text()
            assert ticked.startswith("☑️"), ticked
        said = await chat.press("done")
        result = said[-1]["text"]
        assert result.startswith("U heeft aangevinkt:")
        assert "Slaapt slecht" in result and "Is vaak afwezig" not in result

        for trigger in REPORT:
            await chat.press(trigger)
        await chat.say("Mijn zoon wordt in de pauze steeds uitgescholden en geduwd.")
        await chat.walk("story_done", "no_photo", "give_name")
        await chat.say("Test Ouder, vader van een leerling uit groep 5")
        said = await chat.press("send")
        assert "Bedankt voor uw melding." in [m["text"] for m in said]
        (code,) = set(CASE_CODE.findall("\n".join(m["text"] for m in said)))

        texts = (await chat.texts())[1:]  # the welcome asks everyone "Wie ben jij?"
        informal = [t for t in texts if INFORMAL.search(t)]
        assert not informal, informal

    note = await fake.wait_for(lambda c: c.method == "sendMessage" and c.params["chat_id"] == 501)
    assert code in note.params["text"]
