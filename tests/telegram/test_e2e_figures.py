"""The coordinators' figures end to end through python-telegram-bot and the fake Bot API (issue 14):
/cijfers, the Monday digest and the pattern alerts.

The clock starts on Monday 23 November 2026, 09:00 in Amsterdam (school hours 08:30-15:00, the
promise 6.5 school hours). Figures are tables in a fixed-width font: plain text with one `pre`
entity over the whole message, never a parse mode.
"""

from __future__ import annotations

import pytest
from support.canary import assert_absent, canary_pupil
from support.running import add_coordinator, run_jobs
from support.texts import nl
from support.walks import CASE_CODE, report_as

from bot.cases.notifications import DIGEST_HEADING, PATTERN_TEXT
from bot.cases.patterns import WINDOW_DAYS
from bot.chat.figures import HEADING
from bot.core.fixedwidth import fit
from bot.core.model import Limits, Text
from bot.core.ratelimit import FloodGate

NOW = "2026-11-23T08:00:00+00:00"
PLAYGROUND = ("report", "me", "names", "kinds_done", "playground", "daily", "months")
ONLINE = ("report", "me", "online", "kinds_done", "online", "daily", "months")
WAITING = "Waiting longer than the promise"  # a table's title in bot/stats/views.py
LAST_WEEK = "Last week"
A_ENTRY, B_ENTRY = "PRW4KA", "KMP7QX"  # the posters' codes of the two schools


@pytest.fixture(autouse=True)
def unhurried(timed_bot):
    timed_bot.app.service.flood = FloodGate(burst=10**6)


def figure_messages(fake, chat_id: int, after: int = 0) -> list:
    """The sendMessage calls to a chat that carry the monospace entity."""
    return [
        c
        for c in fake.sent(chat_id, "sendMessage")[after:]
        if c.ok and any(e.get("type") == "pre" for e in c.params.get("entities") or [])
    ]


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def heading(bot, msgid: str, school: str, date: str, locale: str = "nl") -> str:
    """A figures message's heading as it is sent: wrapped to fit a phone."""
    text = bot.app.renderer.text(Text(msgid, {"school": school, "date": date}), locale)
    return fit(text, Limits().monospace_width)


def two_schools(bot) -> dict[str, int]:
    """School 1 becomes De Pirouette (Amsterdam, 08:30); Het Kompas (London, 09:00) joins.
    Returns slug -> id; `ENTRY` has their posters' codes."""
    stores = bot.app.stores
    with stores.db.transaction():
        stores.schools.update(1, NOW, name="De Pirouette", slug="pirouette", entry_code=A_ENTRY)
        kompas = stores.schools.add("kompas", "Het Kompas", B_ENTRY, NOW)
        stores.schools.update(
            kompas, NOW, settings={"hours": "09:00-15:30", "timezone": "Europe/London"}
        )
    return {"pirouette": 1, "kompas": kompas}


def coordinator_of(bot, person, user_id: int, name: str, *schools: int):
    with bot.app.stores.db.transaction():
        for school in schools:
            bot.app.stores.coordinators.add(user_id, name, NOW, school)
    return person(user_id)


async def report_at(pupil, path: tuple[str, ...], story: str, entry: str | None = None) -> str:
    if entry is not None:  # a poster's link: the pupil belongs to that school from now on
        await pupil.say(f"/start {entry}")
    return await report_as(pupil, "pupil", path, story)


async def test_cijfers_shows_the_weeks_tables_in_dutch_in_one_monospace_message(
    timed_bot, fake, person, clock
):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    code = await report_at(person(9001), ONLINE, "Ze sturen nare berichten in de groepsapp.")
    clock.set("2026-11-24T09:00:00+00:00")  # Tuesday 10:00: the promise has passed

    mark = len(fake.sent(anna.id, "sendMessage"))
    replies = await anna.say("/cijfers")
    assert len(replies) == 1  # the whole week in one message
    (message,) = figure_messages(fake, anna.id, mark)
    text = message.params["text"]
    assert text == replies[0] and len(text) <= 4096
    # One pre entity over all of it, counted in UTF-16 units (the emoji in the heading is two).
    assert message.params["entities"] == [{"type": "pre", "offset": 0, "length": utf16(text)}]
    assert "parse_mode" not in message.params
    assert text.startswith(heading(timed_bot, HEADING, "onze school", "24-11-2026"))
    for title in (WAITING, LAST_WEEK):
        assert nl(timed_bot, title) in text and nl(timed_bot, title) != title  # Dutch
    waiting = text.split(nl(timed_bot, WAITING))[1]
    assert code in waiting.split("\n\n")[0]  # named by its code, under the overdue cases
    # The year's overview as a file (tests/telegram/test_e2e_figure_files.py), and the queue and
    # the start are one tap away.
    assert [data for _label, data in anna.buttons()] == [
        "figures:figures_pdf",
        "figures:figures_csv",
        "*:queue",
        "*:home",
    ]

    # In English (the coordinator's app speaks English), /figures; a pupil gets no figures.
    english = person(501, language_code="en")
    replies = await english.say("/figures")
    assert len(replies) == 1
    assert replies[0].startswith(heading(timed_bot, HEADING, "our school", "24-11-2026", "en"))
    assert WAITING in replies[0] and code in replies[0]
    pupil = "\n".join(await person(9002).say("/cijfers"))
    assert code not in pupil and nl(timed_bot, WAITING) not in pupil
    assert not figure_messages(fake, 9002)

    # The coordinator's menu offers it, in both languages.
    await timed_bot.restart()
    await fake.wait_until(lambda: len(menus(fake, anna.id)) == 2, what="Anna's menu")
    assert "cijfers" in menus(fake, anna.id)[""] and "figures" in menus(fake, anna.id)["en"]


def menus(fake, chat_id: int) -> dict[str, set[str]]:
    """The command menus the bot set for one chat, by language ("" is Dutch)."""
    return {
        c.params.get("language_code", ""): {cmd["command"] for cmd in c.params["commands"]}
        for c in fake.sent(method="setMyCommands")
        if c.params.get("scope") == {"type": "chat", "chat_id": chat_id}
    }


async def test_a_coordinator_of_school_b_never_sees_the_figures_of_school_a(
    timed_bot, fake, person, clock
):
    ids = two_schools(timed_bot)
    a1 = coordinator_of(timed_bot, person, 1001, "Juf Anna", ids["pirouette"])
    b1 = coordinator_of(timed_bot, person, 2001, "Meester Bas", ids["kompas"])
    ab = coordinator_of(timed_bot, person, 3001, "Mevrouw Ada", ids["pirouette"], ids["kompas"])
    a_code = await report_at(person(5001), ONLINE, "Ze lachen me uit.", entry=A_ENTRY)
    clock.set("2026-11-24T10:00:00+00:00")  # Tuesday: A's case waits longer than the promise

    a_text = "\n".join(await a1.say("/cijfers"))
    assert a_code in a_text and "De Pirouette" in a_text
    b_text = "\n".join(await b1.say("/cijfers"))
    assert CASE_CODE.findall(b_text) == []
    assert "Het Kompas" in b_text and "Pirouette" not in b_text
    assert b_text != a_text.replace("De Pirouette", "Het Kompas")  # not A's figures, renamed
    # A coordinator of both reads one block per school, in one message.
    both = await ab.say("/cijfers")
    assert len(both) == 1
    pirouette, kompas = both[0].split(heading(timed_bot, HEADING, "Het Kompas", "24-11-2026"))
    assert a_code in pirouette and "De Pirouette" in pirouette
    assert CASE_CODE.findall(kompas) == []


async def test_the_digest_comes_on_monday_at_each_schools_start_and_only_once(
    timed_bot, fake, person, clock
):
    ids = two_schools(timed_bot)
    a1 = coordinator_of(timed_bot, person, 1001, "Juf Anna", ids["pirouette"])
    b1 = coordinator_of(timed_bot, person, 2001, "Meester Bas", ids["kompas"])
    sanne, canaries = canary_pupil(person, 5001, "Sanne")
    story, note = "Ze lachen me uit, zegt Sanne-kanarie.", "Notitie-kanarie: ouders gebeld."
    a_code = await report_at(sanne, ONLINE, story, entry=A_ENTRY)
    b_code = await report_at(person(6001), ONLINE, "Ze pakken mijn tas.", entry=B_ENTRY)
    await a1.press_data(f"*:open:{a_code}")
    await a1.press("note")
    await a1.say(note)

    # This Monday's may have gone out already (the job loop runs from the start): from now on.
    await run_jobs(timed_bot, fake)
    seen = {c.id: len(figure_messages(fake, c.id)) for c in (a1, b1)}

    def digests(coordinator) -> list[str]:
        return [c.params["text"] for c in figure_messages(fake, coordinator.id)][
            seen[coordinator.id] :
        ]

    clock.set("2026-11-29T20:00:00+00:00")  # Sunday evening: no digest
    await run_jobs(timed_bot, fake)
    clock.set("2026-11-30T07:29:00+00:00")  # Monday 08:29 in Amsterdam, 07:29 in London
    await run_jobs(timed_bot, fake)
    assert digests(a1) == digests(b1) == []
    clock.set("2026-11-30T07:30:00+00:00")  # 08:30 in Amsterdam: De Pirouette's day begins
    await run_jobs(timed_bot, fake)
    (a_digest,) = digests(a1)
    assert a_digest.startswith(heading(timed_bot, DIGEST_HEADING, "De Pirouette", "30-11-2026"))
    waiting = a_digest.split(nl(timed_bot, WAITING))[1].split("\n\n")[0]
    assert a_code in waiting and b_code not in a_digest
    assert_absent(canaries | {story, note, "kanarie"}, digest=a_digest)  # codes, never who or what
    assert digests(b1) == []  # 07:30 in London: Het Kompas starts at nine
    clock.set("2026-11-30T09:00:00+00:00")
    await run_jobs(timed_bot, fake)
    (b_digest,) = digests(b1)
    assert b_code in b_digest and a_code not in b_digest and "Pirouette" not in b_digest
    assert b_digest.startswith(heading(timed_bot, DIGEST_HEADING, "Het Kompas", "30-11-2026"))

    # Not twice: not in a later round, not after a restart, not later that week.
    await run_jobs(timed_bot, fake)
    await timed_bot.restart()
    clock.set("2026-12-02T09:00:00+00:00")
    await run_jobs(timed_bot, fake)
    assert digests(a1) == [a_digest] and digests(b1) == [b_digest]
    # The next Monday brings the next one.
    clock.set("2026-12-07T09:00:00+00:00")
    await run_jobs(timed_bot, fake)
    assert len(digests(a1)) == len(digests(b1)) == 2


def alerts(fake, chat_id: int) -> list:
    return [c for c in fake.sent(chat_id, "sendMessage") if c.ok and "🔎" in c.params["text"]]


def alert_text(bot, codes: list[str]) -> str:
    params = {"cases": ", ".join(codes), "count": len(codes), "days": WINDOW_DAYS}
    params["place"] = Text("playground")
    return bot.app.renderer.text(Text(PATTERN_TEXT, params), "nl")


async def test_the_third_report_about_one_place_within_14_school_days_alerts_the_coordinators(
    timed_bot, fake, person, clock
):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    bram = add_coordinator(timed_bot, person, 502, "Meester Bram")
    canaries: set[str] = set()
    codes: list[str] = []

    async def report(user_id: int, name: str, when: str, path=PLAYGROUND) -> str:
        clock.set(when)
        pupil, names = canary_pupil(person, user_id, name)
        story = f"Op het plein pakken ze mijn bal, zegt {name}-kanarie."
        canaries.update(names | {story, f"{name}-kanarie"})
        return await report_at(pupil, path, story)

    codes.append(await report(9101, "Sanne", "2026-11-23T09:00:00+00:00"))
    await report(9102, "Daan", "2026-11-24T09:00:00+00:00", ONLINE)  # another place
    codes.append(await report(9103, "Fenna", "2026-11-25T09:00:00+00:00"))
    assert alerts(fake, anna.id) == []  # two about the playground: no pattern yet

    # Friday 4 December: the tenth school day since the first one (weekends do not count).
    codes.append(await report(9104, "Gijs", "2026-12-04T09:00:00+00:00"))
    for coordinator in (anna, bram):
        (alert,) = alerts(fake, coordinator.id)
        assert alert.params["text"] == alert_text(timed_bot, codes)
        keyboard = alert.params["reply_markup"]["inline_keyboard"]
        assert [row[0]["callback_data"] for row in keyboard] == [f"*:open:{c}" for c in codes]
        assert_absent(canaries, alert=str(alert.params))  # codes and the place, never who

    # A fourth within the same window is no news.
    await report(9105, "Hanna", "2026-12-07T09:00:00+00:00")
    assert len(alerts(fake, anna.id)) == len(alerts(fake, bram.id)) == 1
    # Not counted, not exported: the figures know of no alert.
    rows = timed_bot.app.stores.figures.counters(frozenset({1}), "2026-01", "2027-12")
    assert not [r for r in rows if "pattern" in r["dimension"] or "pattern" in r["value"]]


async def test_reports_twenty_school_days_apart_make_no_pattern(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")

    async def report(user_id: int, when: str) -> str:
        clock.set(when)
        return await report_at(person(user_id), PLAYGROUND, "Ze duwen me op het plein.")

    await report(9201, "2026-11-23T09:00:00+00:00")  # Monday
    second = await report(9202, "2026-12-07T09:00:00+00:00")  # ten school days later
    third = await report(9203, "2026-12-21T09:00:00+00:00")  # twenty after the first
    assert alerts(fake, anna.id) == []  # within any 14 school days, two at most
    # The window slides: the next one makes three within 14 school days again.
    fourth = await report(9204, "2026-12-22T09:00:00+00:00")
    (alert,) = alerts(fake, anna.id)
    assert alert.params["text"] == alert_text(timed_bot, [second, third, fourth])


async def test_a_bot_started_on_a_monday_afternoon_waits_for_the_next_monday(
    timed_bot, fake, person, clock
):
    """The first digest only for a week the bot saw begin: a new installation (or one started
    mid-Monday) says nothing that Monday, and the next Monday it does."""
    ids = two_schools(timed_bot)
    a1 = coordinator_of(timed_bot, person, 1001, "Juf Anna", ids["pirouette"])
    clock.set("2026-11-30T13:00:00+00:00")  # Monday 14:00 in Amsterdam: the day began unseen
    await run_jobs(timed_bot, fake)
    assert figure_messages(fake, a1.id) == []
    clock.set("2026-12-07T07:00:00+00:00")  # next Monday 08:00: before the day begins
    await run_jobs(timed_bot, fake)
    clock.set("2026-12-07T07:30:00+00:00")  # 08:30: now it comes
    await run_jobs(timed_bot, fake)
    (digest,) = [c.params["text"] for c in figure_messages(fake, a1.id)]
    assert digest.startswith(heading(timed_bot, DIGEST_HEADING, "De Pirouette", "07-12-2026"))
