"""How a pupil or parent reaches the right school of a board, end to end on Telegram (issue 13).

A poster's link (`/start <code>`), or the code typed by hand when someone arrives with a bare
/start while the board has several schools; never a list of schools. A one-school installation
never asks. Wrong codes are answered kindly and slowed down; a user switches school only with
another school's code, and is told so.
"""

from __future__ import annotations

import pytest
from support.walks import REPORT_PATH, report_as_pupil

from bot.clock import stamp, system_clock
from bot.core.ratelimit import FloodGate

NOW = "2026-11-23T08:00:00+00:00"
ASKS_CODE = "Typ de code van de poster op jouw school"
UNKNOWN = "Die code ken ik niet"
WAIT = "Wacht"


@pytest.fixture(autouse=True)
def unhurried(bot):
    bot.app.service.flood = FloodGate(burst=10**6)


def two_schools(bot) -> dict[str, str]:
    """School 1 becomes De Pirouette; De Regenboog joins. Returns slug -> entry code."""
    stores = bot.app.stores
    with stores.db.transaction():
        stores.schools.update(1, NOW, name="De Pirouette", slug="pirouette")
        stores.schools.add("regenboog", "De Regenboog", "KTR4M9", NOW)
    return {row["slug"]: row["entry_code"] for row in stores.schools.listed()}


def school_of_report(bot, code: str) -> int:
    (row,) = bot.app.stores.db.rows("SELECT school FROM reports WHERE code = ?", (code,))
    return row["school"]


async def test_a_one_school_installation_never_asks_for_a_code(bot, person):
    pupil = person(7001)
    replies = "\n".join(await pupil.say("/start"))
    assert "Hoi! 👋 Ik ben de anti-pesthelper van" in replies
    assert ASKS_CODE not in replies
    code = await report_as_pupil(pupil, "Ze lachen me uit in de gymles.")
    assert school_of_report(bot, code) == 1


async def test_with_several_schools_a_bare_start_asks_for_the_poster_code_and_names_none(
    bot, person
):
    two_schools(bot)
    pupil = person(7002)
    replies = "\n".join(await pupil.say("/start"))
    assert ASKS_CODE in replies
    for name in ("Pirouette", "Regenboog", "pirouette", "regenboog"):
        assert name not in replies  # never a list, and no hint which schools there are
    data = [data for _label, data in pupil.buttons()]
    assert any(":help" in d for d in data)  # help right now, before any school is known


async def test_a_code_typed_by_hand_leads_to_that_school_and_the_report_stays_there(bot, person):
    two_schools(bot)
    pupil = person(7003)
    await pupil.say("/start")
    welcome = "\n".join(await pupil.say("ktr 4m9"))  # as a child copies it off the poster
    assert "anti-pesthelper van De Regenboog" in welcome
    await pupil.press("pupil")
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze pakken steeds mijn tas af.")
    await pupil.press("story_done")
    await pupil.press("no_photo")
    await pupil.press("anonymous")
    sent = "\n".join(await pupil.press("send"))
    assert "Je melding is naar De Regenboog gegaan" in sent
    (row,) = bot.app.stores.db.rows("SELECT code, school FROM reports")
    assert row["school"] == 2


async def test_a_posters_telegram_link_goes_straight_to_its_school(bot, person):
    codes = two_schools(bot)
    parent = person(7004)
    replies = "\n".join(await parent.say(f"/start {codes['pirouette']}"))
    assert "anti-pesthelper van De Pirouette" in replies
    assert ASKS_CODE not in replies


async def test_a_wrong_code_gets_a_kind_answer_with_help_and_guessing_is_slowed(bot, person):
    codes = two_schools(bot)
    pupil = person(7005)
    await pupil.say("/start")
    first = "\n".join(await pupil.say("ACD-234"))
    assert UNKNOWN in first and "Nu hulp nodig" in first
    assert ASKS_CODE in first  # the question again: a way forward
    await pupil.say("ACD-235")
    guessing = "\n".join(await pupil.say("ACD-236"))
    assert WAIT in guessing and UNKNOWN not in guessing
    # While the wait lasts even the right code is not tried: guessing gains nothing.
    right = "\n".join(await pupil.say(codes["regenboog"]))
    assert WAIT in right and "De Regenboog" not in right
    session = bot.app.stores.db.rows("SELECT school FROM sessions")
    assert [row["school"] for row in session] == [None]


async def test_a_story_typed_before_the_school_is_known_is_kept_for_the_report(bot, person):
    codes = two_schools(bot)
    pupil = person(7006)
    await pupil.say("/start")
    kept = "\n".join(await pupil.say("Ze schelden mij uit in de pauze, elke dag weer."))
    assert "Ik heb bewaard wat je typte" in kept
    await pupil.say(codes["regenboog"])
    await pupil.press("pupil")
    await pupil.walk(*REPORT_PATH)
    await pupil.press("story_done")
    await pupil.press("no_photo")
    await pupil.press("anonymous")
    await pupil.press("send")
    (row,) = bot.app.stores.db.rows("SELECT code FROM reports")
    report = bot.app.stores.reports.get(row["code"], frozenset({2}))
    assert report is not None and "Ze schelden mij uit in de pauze" in report.story


async def test_switching_school_needs_another_code_and_is_said_plainly(bot, person):
    codes = two_schools(bot)
    pupil = person(7007)
    await pupil.say(f"/start {codes['pirouette']}")
    first = await report_as_pupil(pupil, "Ze duwen mij in de rij.")
    assert school_of_report(bot, first) == 1
    switched = "\n".join(await pupil.say(f"/start {codes['regenboog']}"))
    assert "Je praat nu met de anti-pesthelper van De Regenboog" in switched
    # The earlier report stays the pupil's own, and says whose it is.
    mine = "\n".join(await pupil.press("my_reports"))
    assert first in mine and "🏫 De Pirouette" in mine
    # A bare /start keeps the school: nothing switches without a code.
    again = "\n".join(await pupil.say("/start"))
    assert "De Regenboog" in again and ASKS_CODE not in again


async def test_a_coordinator_of_one_school_joins_another_with_its_invite(bot, person):
    two_schools(bot)
    stores = bot.app.stores
    with stores.db.transaction():
        stores.coordinators.add(501, "Juf Anna", NOW, school=1)
        invite = stores.coordinators.invite("Anna", stamp(system_clock), school=2)
    anna = person(501)
    hello = "\n".join(await anna.say(f"/start {invite}"))
    assert "De Pirouette & De Regenboog" in hello  # her schools, by name
    found = stores.coordinators.by_telegram_id(501)
    assert found is not None and found.schools == {1, 2} and found.name == "Juf Anna"
    # An invite is used once; for a school she is in already it does nothing.
    with stores.db.transaction():
        again = stores.coordinators.invite("Anna", stamp(system_clock), school=2)
    await anna.say(f"/start {again}")
    assert [i.used is None for i in stores.coordinators.invites() if i.school == 2] == [False, True]
