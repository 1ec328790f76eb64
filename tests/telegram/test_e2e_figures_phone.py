"""The coordinators' figures fit a phone (issue 14): a phone shows about 32 columns of a Telegram
`pre` block and wraps a longer line wherever it must, which breaks a table's columns. So no line
of /cijfers or of the Monday digest is wider than 32 columns, in Dutch and in English, measured
as a fixed-width font shows them (an emoji takes two), for a school with a long name, cases
waiting longer than the promise, a long case code and follow-up questions due this week.
"""

from __future__ import annotations

import pytest
from support.running import add_coordinator, run_jobs
from support.walks import report_as

from bot.core.fixedwidth import width
from bot.core.ratelimit import FloodGate

PHONE = 32  # columns of a `pre` block a phone shows without wrapping
ONLINE = ("report", "me", "online", "kinds_done", "online", "daily", "months")
LONG_NAME = "Openbare Basisschool De Regenboog-Zonnebloem"
# Codes are "K7QX-2M" today; one from elsewhere (an older system, a test) may be longer.
LONG_CODE = "KMPQ-XY7A-CDEF-GH2J-K34"
WAITING = {"nl": "Wacht langer dan beloofd", "en": "Waiting longer than the promise"}


@pytest.fixture(autouse=True)
def unhurried(timed_bot):
    timed_bot.app.service.flood = FloodGate(burst=10**6)


def figure_texts(fake, chat_id: int, after: int = 0) -> list[str]:
    """Texts sent to a chat as one `pre` entity over all of it."""
    return [
        c.params["text"]
        for c in fake.sent(chat_id, "sendMessage")[after:]
        if c.ok and any(e.get("type") == "pre" for e in c.params.get("entities") or [])
    ]


def too_wide(text: str) -> list[str]:
    return [line for line in text.split("\n") if width(line) > PHONE]


def section(text: str, title: str) -> str:
    """One table of a figures message: from its title to the blank line after it."""
    return text.split(title + "\n")[1].split("\n\n")[0]


async def test_every_line_of_the_figures_and_the_digest_fits_a_phone(
    timed_bot, fake, person, clock
):
    stores = timed_bot.app.stores
    with stores.db.transaction():
        stores.schools.update(1, "2026-11-23T08:00:00+00:00", name=LONG_NAME)
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    add_coordinator(timed_bot, person, 502, "Mr John")
    john = person(502, language_code="en")
    await john.say("/start")  # the outbox learns the language of his app

    # Monday 23 November: six reports. Two are closed that day, so their follow-up questions go
    # out ten school days later, on Monday 7 December; four are never claimed.
    codes = [
        await report_as(person(9000 + n), "pupil", ONLINE, "Ze sturen nare berichten.")
        for n in range(6)
    ]
    for code in codes[:2]:
        await anna.press_data(f"*:open:{code}")
        await anna.press("claim")
        await anna.walk("close", "outcome_resolved")
        await anna.say("Gesprek met de groep gehad.")
        await anna.press("close_yes")
    with stores.db.transaction():
        stores.db.execute("UPDATE reports SET code = ? WHERE code = ?", (LONG_CODE, codes[2]))
    waiting = [LONG_CODE, *codes[3:]]

    # Monday 7 December, 08:00 in Amsterdam: before school, and before the follow-ups go out.
    clock.set("2026-12-07T07:00:00+00:00")
    await run_jobs(timed_bot, fake)
    for coordinator, command, locale in ((anna, "/cijfers", "nl"), (john, "/figures", "en")):
        mark = len(fake.sent(coordinator.id, "sendMessage"))
        await coordinator.say(command)
        (text,) = figure_texts(fake, coordinator.id, mark)
        assert too_wide(text) == [], (locale, text)
        assert LONG_NAME.split()[-1] in text
        listed = section(text, WAITING[locale])
        assert all(code in listed for code in waiting), (locale, text)
        assert all(code in text.split(listed)[1] for code in codes[:2])  # the follow-ups

    # 08:30: the school day begins, and the digest comes, in each coordinator's language.
    marks = {c.id: len(fake.sent(c.id, "sendMessage")) for c in (anna, john)}
    clock.set("2026-12-07T07:30:00+00:00")
    await run_jobs(timed_bot, fake)
    for coordinator, locale in ((anna, "nl"), (john, "en")):
        (digest,) = figure_texts(fake, coordinator.id, marks[coordinator.id])
        assert too_wide(digest) == [], (locale, digest)
        assert all(code in section(digest, WAITING[locale]) for code in waiting)
