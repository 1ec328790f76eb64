"""Two channels in one process: Telegram (over HTTP to the fake Bot API) and a channel in
memory. The root starts the background work once for both: an outbox sender per channel and
one job runner, and every notification is delivered once, over the channel it belongs to.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from support.memory_channel import MemoryChannel, MemoryUser
from support.walks import CASE_CODE, REPORT_PATH

from bot.app import App, build
from bot.core.model import ChannelTraits, Limits
from bot.settings import load_settings

# Words no catalog has: they reach the user exactly as the channel gave them.
MEMORY = ChannelTraits(
    name="memory",
    limits=Limits(text=300, caption=100),
    notes={"*": "This chat runs in memory."},
    privacy=("Memory keeps this chat for {days} days.",),
)
COORDINATOR = 501


@pytest.fixture
async def both(fake, env) -> AsyncIterator[tuple[App, MemoryChannel]]:
    app = build(
        load_settings({**env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url})
    )
    with app.stores.db.transaction():
        app.stores.coordinators.add(COORDINATOR, "Juf Anna", "2026-11-23T08:00:00+00:00")
    memory = MemoryChannel(MEMORY)
    await app.start([app.telegram(poll_timeout=1), memory])
    await fake.wait_for(lambda c: c.method == "getUpdates")
    yield app, memory
    await app.stop()
    app.stores.db.close()


async def _report(pupil: MemoryUser, story: str) -> str:
    await pupil.command("start")
    await pupil.press("pupil")
    await pupil.walk(*REPORT_PATH)
    await pupil.say(story)
    await pupil.walk("story_done", "no_photo", "anonymous")
    (code,) = set(CASE_CODE.findall("\n".join(await pupil.press("send"))))
    return code


async def _until(condition, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_the_background_work_runs_once_for_both_channels(both):
    app, _memory = both
    running = sorted(
        task.get_name()
        for task in asyncio.all_tasks()
        if task.get_name() == "jobs" or task.get_name().startswith("outbox:")
    )
    assert running == ["jobs", "outbox:memory", "outbox:telegram"]
    with pytest.raises(RuntimeError):
        await app.start([MemoryChannel(MEMORY)])  # a second start would run it all twice


async def test_a_report_on_one_channel_reaches_the_coordinator_on_the_other_once(
    both, fake, person
):
    _app, memory = both
    pupil, anna = MemoryUser(memory, "p1"), person(COORDINATOR)
    code = await _report(pupil, "Ze sturen nare berichten in de groepsapp.")

    await fake.wait_until(
        lambda: any(code in text for text in fake.texts(COORDINATOR)), what="the notification"
    )
    await fake.wait_idle(quiet=0.5)
    assert sum(f"🔔 {code}" in text for text in fake.texts(COORDINATOR)) == 1

    # The coordinator answers on Telegram; the pupil reads it on the memory channel, once.
    await anna.press_data(f"*:open:{code}")
    await anna.press("message")
    await anna.say("Dank je wel. Wie doet het?")
    await _until(lambda: "p1" in memory.sent, "the message at the pupil")
    await asyncio.sleep(0.3)
    assert len(memory.sent["p1"]) == 1  # one neutral line; the message itself at the tap
    pupil.last = memory.sent["p1"]
    assert sum("Wie doet het?" in text for text in await pupil.press("read_message")) == 1
    assert not any("Wie doet het?" in text for text in fake.texts(COORDINATOR))


async def test_limits_and_honesty_come_from_the_channel(both):
    _app, memory = both
    pupil = MemoryUser(memory, "p2")
    await _report(pupil, "Ze lachen me elke dag uit. " * 40)
    await pupil.press("my_reports")
    replies = memory.replies["p2"]
    assert all(len(o.text) <= MEMORY.limits.text for o in replies)
    assert len(replies) > 20  # long texts were split for this channel, not sent whole

    welcome = "\n".join(await pupil.command("start"))
    assert "This chat runs in memory." in welcome and "Telegram" not in welcome
    assert await pupil.command("privacy") == ["Memory keeps this chat for 365 days."]
