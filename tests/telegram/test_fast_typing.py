"""A flood slows the bot's answers, never what a child typed (issue 11, item 10).

The flood gate runs on a clock the test moves, so the half-minute pause ends without waiting.
"""

from __future__ import annotations

from support.texts import nl
from support.walks import CASE_CODE, REPORT_PATH

from bot.core import replies
from bot.core.model import Text
from bot.core.ratelimit import FloodGate


class Ticks:
    """A stand-in for time.monotonic that only moves when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _send_report(pupil) -> str:
    await pupil.press("no_photo")
    await pupil.press("anonymous")
    sent = await pupil.press("send")
    return CASE_CODE.findall("\n".join(sent))[0]


async def test_a_child_who_types_25_lines_fast_finds_all_of_them_in_the_report(
    bot, fake, person, coordinator
):
    ticks = Ticks()
    bot.app.service.flood = FloodGate(clock=ticks)  # the real limits: 20 updates in 10 s
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    lines = [f"Regel {n}: ze pakten mijn pet af." for n in range(1, 26)]
    mark = len(fake.texts(pupil.id))
    for line in lines:  # faster than the gate allows: the 12th line is the 21st update
        fake.push_text(pupil.id, line)
    await fake.wait_idle(quiet=0.3)
    said = fake.texts(pupil.id)[mark:]
    slow_down = nl(bot, replies.SLOW_DOWN)
    assert said.count(slow_down) == 1
    assert said[-1] == slow_down  # then quiet: no answer to lines 13-25
    assert "bewaar wat je typt" in slow_down

    stuck = await pupil.press("story_done")  # inside the pause: does nothing, as it said
    assert stuck == []
    ticks.now += 31
    done = await pupil.press("story_done")
    assert done[0] == nl(bot, replies.FLOOD_KEPT) + "\n\n" + nl(bot, replies.FLOOD_IGNORED)
    code = await _send_report(pupil)

    story = bot.app.stores.reports.get(code, frozenset({1})).story
    assert story.splitlines() == lines
    opened = "\n".join(await anna.press_data(f"*:open:{code}"))
    assert all(line in opened for line in lines)


async def test_a_real_flood_costs_few_answers_and_says_truthfully_what_was_not_kept(
    bot, fake, person
):
    ticks = Ticks()
    bot.app.service.flood = FloodGate(keep=40, clock=ticks)
    pupil = person(9002)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    mark = len(fake.sent(pupil.id))
    for n in range(1, 301):  # hundreds of updates: texts with button presses between them
        if n <= 11 or n % 5:  # a press before the pause would end the story
            fake.push_text(pupil.id, f"spam {n}")
        else:
            fake.push_callback(pupil.id, "report_story_more:story_done")
    await fake.wait_idle(quiet=0.5, timeout=120)
    answered = [c for c in fake.sent(pupil.id)[mark:] if c.method == "sendMessage"]
    assert len(answered) <= 20 + 1  # up to the burst, one "slow down", then quiet

    ticks.now += 31
    after = await pupil.say("Nog één ding.")
    # 9 updates before, 11 answered, the 21st slowed down; then the pause handled 40 texts of
    # which the first is the one that started it.
    texts_in_pause = sum(1 for n in range(12, 301) if n % 5)
    said = Text(replies.FLOOD_LOST, {"kept": 40, "lost": texts_in_pause - 40})
    assert after[0].startswith(bot.app.renderer.text(said, "nl"))
    assert nl(bot, replies.FLOOD_IGNORED) in after[0]
    story = bot.app.service.sessions.load(bot.app.stores.vault.subject("telegram", "9002"))
    kept = story.answers["story"].splitlines()
    assert len(kept) == 11 + 40 + 1  # answered, kept in the pause, and the last one
