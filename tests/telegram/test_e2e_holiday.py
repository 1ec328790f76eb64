"""A report made in the school's holiday, end to end: the pupil is told when the school opens
again (not "within 1 school day", which a child would read as tomorrow), and the coordinators
get no reminder before the promise has counted on the first school day after the holiday.

The board's TOML gives the Christmas holiday: Saturday 19-12-2026 to Sunday 03-01-2027.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.running import add_coordinator, run_jobs
from support.texts import event_text, texts_with
from support.walks import report_as_pupil

HOLIDAY_TOML = '[school]\nname = "De Linde"\nholidays = [["2026-12-19", "2027-01-03"]]\n'


@pytest.fixture
def env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "board.toml"
    config.write_text(HOLIDAY_TOML, encoding="utf-8")
    return {**env, "ANTIPEST_CONFIG": str(config)}


@pytest.fixture
def clock(clock):
    clock.set("2026-12-23T09:00:00+00:00")  # Wednesday 23 December, 10:00: the holiday
    return clock


async def test_a_report_in_the_holiday_says_when_the_school_opens_again(
    timed_bot, fake, person, clock
):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    pupil = person(9001)
    code = await report_as_pupil(pupil, "Ze sturen me nare berichten in de groepsapp.")

    told = texts_with(fake, pupil.id, "Wat gebeurt er nu?")
    assert len(told) == 1
    assert "leest hem na de vakantie, vanaf maandag 4 januari." in told[0]
    assert "binnen 1 schooldag" not in told[0]

    clock.set("2027-01-04T13:59:00+00:00")  # Monday 14:59, the first school day: in time
    assert await run_jobs(timed_bot, fake) == 0
    clock.set("2027-01-05T08:01:00+00:00")  # Tuesday 09:01: 6.5 school hours have passed
    assert await run_jobs(timed_bot, fake) == 1
    reminder = event_text(timed_bot, "remind", code)
    assert texts_with(fake, anna.id, reminder) == [reminder]


async def test_after_the_holiday_the_promise_is_the_schools_own_again(
    timed_bot, fake, person, clock
):
    clock.set("2027-01-04T09:00:00+00:00")  # Monday 4 January, 10:00
    pupil = person(9002)
    await report_as_pupil(pupil, "Ze lachen me uit in de gymles.")
    (told,) = texts_with(fake, pupil.id, "Wat gebeurt er nu?")
    assert "leest hem binnen 1 schooldag." in told
