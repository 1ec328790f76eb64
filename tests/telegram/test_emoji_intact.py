"""A coordinator reads a child's emoji and Persian spelling as typed, and no hidden reordering
(issue 11, item 14)."""

from __future__ import annotations

from support.walks import report_as_pupil

FAMILY = "👨\u200d👩\u200d👧"
RAINBOW = "🏳\ufe0f\u200d🌈"
PERSIAN = "می\u200cخواهم"


async def test_a_coordinator_sees_a_family_emoji_intact(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    story = f"Ze lachen om mijn tekening van ons gezin {FAMILY} en mijn vlag {RAINBOW}. {PERSIAN}"
    code = await report_as_pupil(pupil, story + "\u202e.kcen")
    opened = "\n".join(await anna.press_data(f"*:open:{code}"))
    assert story + ".kcen" in opened
    assert "\u202e" not in opened
