"""Each web conversation numbers its messages 1, 2, 3 ... on its own (issue 13).

One counter over the whole board would let a visitor on one school's page watch every school's
chat traffic in the jumps between their own numbers. Whatever other pages do, a page sees its
conversation counted from 1 without gaps: in the turns' answers, the replay (`after=`), the
live stream's event ids, after a secret code moved the tab, and after old messages were deleted.
"""

from __future__ import annotations

import asyncio

import aiohttp
from support.clocks import FakeClock
from support.running import Running
from support.visitor import Message, Visitor
from support.walks import REPORT_PATH

from bot.app import App

NOW = "2026-11-23T08:00:00+00:00"


def numbers(messages: list[Message]) -> list[int]:
    return [m["seq"] for m in messages]


def add_schools(bot: Running) -> None:
    """Schools a and b join the board, each with its own page."""
    stores = bot.app.stores
    with stores.db.transaction():
        stores.schools.add("a", "De Appelgaard", "PRW4KA", NOW)
        stores.schools.add("b", "Het Zeepaard", "KMP7QX", NOW)


async def replay(tab: Visitor, http: aiohttp.ClientSession, after: int) -> list[Message]:
    """What a reload (long polling) gets after `after`."""
    url = f"{tab.base}/api/events?after={after}&wait=0"
    async with http.get(url, headers=tab.headers) as response:
        assert response.status == 200
        return (await response.json())["messages"]


async def stream_ids(
    tab: Visitor, http: aiohttp.ClientSession, after: int, count: int
) -> list[int]:
    """The ids of the first `count` events the live stream sends after `after`."""
    ids: list[int] = []
    url = f"{tab.base}/api/events?after={after}"
    async with http.get(url, headers=tab.headers) as stream:
        while len(ids) < count:
            line = await asyncio.wait_for(stream.content.readline(), 10)
            if line.startswith(b"id: "):
                ids.append(int(line[4:]))
    return ids


async def test_two_visitors_count_their_own_messages_whatever_the_other_does(bot, visitor, http):
    add_schools(bot)
    quiet, busy = visitor(school="a"), visitor(school="b")
    await quiet.open()
    await busy.open()
    await busy.press("pupil")
    await busy.walk(*REPORT_PATH)  # many messages on the other school's page meanwhile
    await quiet.press("pupil")
    await busy.say("Ze lachen me uit.")
    await quiet.press("help")
    await busy.say("Elke dag.")

    for tab in (quiet, busy):
        assert numbers(tab.messages) == list(range(1, len(tab.messages) + 1))
        # A reload replays the same numbers, and `after=` counts in them too.
        again = Visitor(tab.base, http, school=tab.school)
        again.token = tab.token
        assert numbers(await again.catch_up()) == numbers(tab.messages)
        half = len(tab.messages) // 2
        assert numbers(await replay(tab, http, half)) == list(
            range(half + 1, len(tab.messages) + 1)
        )
        # The live stream's event ids are the same numbers.
        assert await stream_ids(tab, http, 0, len(tab.messages)) == numbers(tab.messages)


async def test_a_live_stream_gets_the_next_number_of_its_own_conversation(bot, visitor, http):
    tab, other = visitor(), visitor()
    await tab.open()
    last = max(numbers(tab.messages))
    listening = asyncio.create_task(stream_ids(tab, http, last, 2))
    await asyncio.sleep(0.2)  # the stream is open before the others talk
    await other.open()
    await other.press("pupil")
    await tab.say("hoi")  # the echo and the answer
    assert await asyncio.wait_for(listening, 10) == [last + 1, last + 2]


async def test_a_secret_code_moves_the_tab_into_that_conversations_numbering(bot, visitor, http):
    maker = visitor()
    await maker.open()
    await maker.press("pupil")
    await maker.walk(*REPORT_PATH)
    await maker.say("Ze pakken mijn tas af.")
    await maker.walk("story_done", "no_photo", "anonymous", "send", "secret_code")
    secret, made = maker.secret(), max(numbers(maker.messages))
    await maker.end()

    later = visitor()
    await later.open()
    status, body = await later.code(secret)
    assert status == 200, body
    moved = numbers(body["messages"])
    assert moved == list(range(made + 1, made + 1 + len(moved)))  # "My reports", next in line
    await later.say("hoi")
    assert numbers(later.messages) == list(range(made + 1, made + 1 + len(later.messages)))
    # A reload of the moved tab shows the conversation from the code on, in the same numbers.
    reloaded = Visitor(later.base, http)
    reloaded.token = later.token
    assert numbers(await reloaded.catch_up()) == numbers(later.messages)


async def test_forgetting_the_conversation_does_not_start_the_numbers_again(bot, visitor):
    tab = visitor()
    await tab.open()
    await tab.press("pupil")
    await tab.say("/vergeet")
    before = max(numbers(tab.messages))
    forgotten = await tab.press("forget_yes")
    assert numbers(forgotten) == list(range(before + 1, before + 1 + len(forgotten)))
    assert numbers(await tab.press("pupil"))[0] == before + len(forgotten) + 1


async def test_a_tab_kept_open_goes_on_counting_after_its_old_messages_are_deleted(
    fake, env, clock: FakeClock, http
):
    running = Running(fake, env, clock, web=True)
    await running.start()
    try:
        tab = Visitor(running.web_url, http)
        await tab.open()  # 08:00
        await tab.press("pupil")
        shown = max(numbers(tab.messages))
        for moment in ("08:50", "09:40"):  # "Are you still there?" "Yes": the tab lives on
            clock.set(f"2026-11-23T{moment}:00+00:00")
            await tab.catch_up()
        clock.set("2026-11-23T10:05:00+00:00")
        await running.web_channel.sweep()  # the answers from 08:00 are deleted now
        assert await replay(tab, http, 0) == []
        assert numbers(await tab.press("pupil"))[0] == shown + 1  # not 1: the page has that
    finally:
        await running.stop()


def test_the_numbering_outlives_deleted_messages_while_a_tab_shows_them(timed_app: App) -> None:
    web = timed_app.stores.web
    message: Message = {"from": "bot", "text": "hoi"}

    def post(chat: str, at: str) -> int:
        with web.transaction():
            return web.post(chat, "turn", message, at)

    assert [post("x", "2026-11-23T08:00:00+00:00") for _ in range(3)] == [1, 2, 3]
    assert post("y", "2026-11-23T08:00:00+00:00") == 1  # another conversation: its own count
    with web.transaction():
        web.touch_chat("x", "2026-11-23T10:30:00+00:00")  # a tab still shows x
        gone = web.forget_messages("2026-11-23T10:00:00+00:00", "2026-11-23T10:00:00+00:00")
    assert gone == 4 and web.messages("x", 0) == []
    assert post("x", "2026-11-23T10:31:00+00:00") == 4  # the open page goes on, never back to 1
    assert post("y", "2026-11-23T10:31:00+00:00") == 1  # no tab showed y: it starts again
    with web.transaction():  # nobody has shown x since, and its messages have gone
        web.forget_messages("2026-11-23T13:00:00+00:00", "2026-11-23T13:00:00+00:00")
    assert post("x", "2026-11-23T13:00:00+00:00") == 1
