"""A reporter who floods a case's thread: coordinators get one notice per case, and opening
the case shows the latest messages with a button for the earlier ones."""

from __future__ import annotations

from support.casefiles import file_report, nl
from support.running import add_coordinator

from bot.core.ratelimit import FloodGate

FLOOD = 40
LONG = 3050  # characters: forty of them are the 122,000 of the attack


def _line(n: int) -> str:
    return f"Bericht {n:02d}. " + "x" * (LONG - 12)


async def test_forty_long_messages_are_one_notice_and_a_short_case(timed_bot, fake, person, clock):
    timed_bot.app.service.flood = FloodGate(burst=10**6)  # faster than any child types
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    bram = add_coordinator(timed_bot, person, 502, "Meester Bram")
    pupil = person(9001)
    code = file_report(timed_bot.app, pupil.id)
    await timed_bot.app.outboxes["telegram"].deliver_due()
    await pupil.start()
    await pupil.press_data(f"*:write:{code}")
    for n in range(1, FLOOD + 1):
        await pupil.say(_line(n))
        await pupil.press("write_more")

    clock.set("2026-11-23T08:30:00+00:00")  # past the few minutes a reporter's notice waits
    await timed_bot.app.outboxes["telegram"].deliver_due()
    await fake.wait_idle()
    for coordinator in (anna, bram):  # nobody has claimed it: both hear of it, once
        notices = [t for t in fake.texts(coordinator.id) if t.startswith("✉️")]
        assert notices == [
            nl(
                timed_bot.app,
                "✉️ {case}: the reporter sent {count} new messages.",
                case=code,
                count=FLOOD,
            )
        ]

    opened = "\n".join(await anna.press_data(f"*:open:{code}"))
    assert len(opened) < 12_000, len(opened)
    assert f"Bericht {FLOOD}." in opened and "Bericht 01." not in opened
    earlier = anna.data_for("earlier")
    shown = [n for n in range(1, FLOOD + 1) if f"Bericht {n:02d}." in opened]
    seen = set(shown)
    while True:
        replies = "\n".join(await anna.press_data(earlier))
        more = [n for n in range(1, FLOOD + 1) if f"Bericht {n:02d}." in replies]
        assert more and max(more) < min(seen)  # each page the messages just before
        seen |= set(more)
        if not any(d == earlier for _l, d in anna.buttons()):
            break
    assert seen == set(range(1, FLOOD + 1))
