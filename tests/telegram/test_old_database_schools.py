"""A one-school database from before schools shared an installation (issue 13) works on, end to
end: everyone finds what they left, what was pending happens, and nobody is asked for a school.

`tests/system/data/before-schools/` was made with the code of commit e5d253f (`made-by.py.txt`);
`facts.json` says what is in it. The bot runs on a fake clock a few minutes after the last thing
that happened there (Monday 23 November 2026, 09:30 UTC): the coordinators' notice of pupil 4242's
report still waits in the outbox, reminders are due on the 24th and 25th, the closed case's
follow-up on 7 December. The installation's TOML names the school; the migrated school 1 has no
name of its own, so the TOML's is the one users read. `tests/system/test_schools_migration.py`
compares the migrated rows with the facts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.clocks import FakeClock
from support.fakebotapi import FakeBotApi
from support.old_databases import copy_old_database, facts
from support.running import Running, run_jobs
from support.texts import event_text, texts_with
from support.visitor import Visitor
from support.walks import report_as_pupil

from bot.chat import entry, schooling
from bot.core.model import Text

BEFORE = "before-schools"
FACTS = facts(BEFORE)
SCHOOL = "De Linde"  # the installation's TOML ([school] name)
ONE = frozenset({1})
ANNA = FACTS["coordinator"]["telegram_id"]
PUPIL, PARENT, CLOSED = (FACTS[who] for who in ("open_pupil", "parent", "closed_pupil"))
WEB = FACTS["web"]
STARTED = "2026-11-23T09:35:00+00:00"  # five minutes after the last thing in the database
WELCOME = "Hi! 👋 I am the anti-bullying helper of {school}."


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(STARTED)


@pytest.fixture
async def old_bot(
    fake: FakeBotApi, env: dict[str, str], clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Running]:
    """The bot (Telegram and the web chat) on a copy of the old database and its key."""
    copy_old_database(BEFORE, env)
    config = tmp_path / "school.toml"
    config.write_text(f'[school]\nname = "{SCHOOL}"\n', encoding="utf-8")
    running = Running(fake, {**env, "ANTIPEST_CONFIG": str(config)}, clock, web=True)
    await running.start()
    yield running
    await running.stop()


def nl(running: Running, msgid: str, **params: object) -> str:
    return running.app.renderer.text(Text(msgid, dict(params)), "nl")


async def waiting_notice(running: Running, fake: FakeBotApi) -> str:
    """The coordinators' notice of the last report, waiting in the outbox since before the
    migration: the outbox sender delivers it to Anna once the bot runs."""
    code = PUPIL["code"]
    await fake.wait_until(
        lambda: bool(texts_with(fake, ANNA, code)), timeout=10, what="the waiting notice"
    )
    await fake.wait_idle()
    assert running.app.stores.outbox.pending_count() == 0
    return code


def assert_no_school_was_asked(running: Running, fake: FakeBotApi, *tabs: Visitor) -> None:
    """Nobody met the entry flow: its question, its answers to a wrong code, or a switch."""
    flow = running.app.service.engine.flows[schooling.ENTRY_FLOW]
    msgids = [msgid for state in flow.states.values() for msgid in state.say]
    msgids += [schooling.UNKNOWN_CODE, schooling.WAIT, entry.KEPT_UNTIL_SCHOOL, schooling.SWITCHED]
    # A placeholder's value is unknown here: the longest fixed part of each text stands for it.
    marks = [
        max(nl(running, msgid, school="\0", seconds="\0").split("\0"), key=len) for msgid in msgids
    ]
    chats = {call.params.get("chat_id") for call in fake.sent()} - {None}
    said = [text for chat in chats for text in fake.texts(chat)]
    said += [text for tab in tabs for text in tab.texts()]
    assert said, "nothing was said at all"
    for mark in marks:
        assert not [text for text in said if mark in text], mark
    in_entry = running.app.stores.db.rows("SELECT key FROM sessions WHERE flow = 'entry'")
    assert in_entry == []
    assert running.app.stores.db.rows("SELECT key FROM sessions WHERE school IS NOT 1") == []


async def test_anna_gets_the_waiting_notice_and_answers_the_pupil_who_reads_it(
    old_bot, fake, person, clock
):
    code = await waiting_notice(old_bot, fake)
    anna, pupil = person(ANNA), person(PUPIL["telegram_id"])

    case = "\n".join(await anna.press_data(f"*:open:{code}"))
    assert FACTS["reports"][code]["story"] in case
    shown = len(fake.delivered(ANNA, "sendPhoto"))
    await anna.press("evidence")
    photos = [call.params["photo"] for call in fake.delivered(ANNA, "sendPhoto")[shown:]]
    assert photos == [PUPIL["photo_file_id"]]

    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")
    report = old_bot.app.stores.reports.get(code, ONE)
    assert (report.status, report.assignee_name, report.school) == ("claimed", "Anna", 1)
    await anna.press("message")
    await anna.say("Dank je wel dat je het vertelt. Wie stuurt die berichten?")
    await fake.wait_until(
        lambda: any("read_message" in data for _label, data in pupil.buttons()),
        timeout=10,
        what="the neutral line at the pupil",
    )
    await pupil.press("read_message")
    assert len(texts_with(fake, pupil.id, "Wie stuurt die berichten?")) == 1

    # Claimed before its promise passed: its reminder and overdue notice stay away.
    clock.set("2026-11-25T09:35:00+00:00")
    await run_jobs(old_bot, fake)
    assert old_bot.app.stores.jobs.due(clock.now.isoformat()) == []
    for event in ("remind", "overdue"):
        for case_code in FACTS["reports"]:
            assert texts_with(fake, ANNA, event_text(old_bot, event, case_code)) == []
    assert_no_school_was_asked(old_bot, fake)


async def test_the_unclaimed_case_is_reminded_when_its_promise_passes(old_bot, fake, clock):
    code = await waiting_notice(old_bot, fake)
    reminder = event_text(old_bot, "remind", code)

    clock.set("2026-11-24T09:29:00+00:00")  # the other cases' reminders are due: all claimed
    await run_jobs(old_bot, fake)
    assert texts_with(fake, ANNA, reminder) == []
    clock.set("2026-11-24T09:31:00+00:00")  # past V4AR-KV's promise (09:30)
    await run_jobs(old_bot, fake)
    await fake.wait_until(
        lambda: bool(texts_with(fake, ANNA, reminder)), timeout=10, what="the reminder"
    )
    assert texts_with(fake, ANNA, reminder) == [reminder]
    for other in set(FACTS["reports"]) - {code}:
        assert texts_with(fake, ANNA, event_text(old_bot, "remind", other)) == []
    assert_no_school_was_asked(old_bot, fake)


async def test_the_parents_old_button_still_shows_annas_message(old_bot, fake, person):
    parent = person(PARENT["telegram_id"])
    (message,) = FACTS["reports"][PARENT["code"]]["thread"]
    replies = await parent.press_data(f"*:read_message:{message['id']}")
    assert any(message["text"] in text for text in replies), replies
    assert_no_school_was_asked(old_bot, fake)


async def test_the_closed_case_asks_its_follow_up_question_when_it_is_due(
    old_bot, fake, person, clock
):
    pupil, code = person(CLOSED["telegram_id"]), CLOSED["code"]
    clock.set("2026-12-07T08:59:00+00:00")
    await run_jobs(old_bot, fake)
    assert f"*:read_followup:{code}" not in [data for _l, data in pupil.buttons()]
    clock.set("2026-12-07T09:01:00+00:00")
    await run_jobs(old_bot, fake)
    await fake.wait_until(
        lambda: [data for _l, data in pupil.buttons()] == [f"*:read_followup:{code}"],
        timeout=10,
        what="the follow-up at the pupil",
    )
    await pupil.press("read_followup")
    assert [data for _l, data in pupil.buttons()] == [
        f"*:followup_yes:{code}",
        f"*:followup_bit:{code}",
        f"*:followup_no:{code}",
    ]
    assert_no_school_was_asked(old_bot, fake)


async def test_the_web_reporter_reads_annas_answer_with_the_old_secret_code(old_bot, fake, http):
    async with http.get(old_bot.web_url + "/") as page:  # the bare address, no school's
        assert page.status == 200
    tab = Visitor(old_bot.web_url, http)
    opened = await tab.open()
    assert any(nl(old_bot, WELCOME, school=SCHOOL) in m["text"] for m in opened), opened
    status, body = await tab.code(WEB["secret_code"])
    assert status == 200, body
    news = body["messages"][0]
    assert news["from"] == "bot" and "read_message" in str(news["buttons"])
    assert any(WEB["code"] in m["text"] for m in body["messages"][1:])  # then "My reports"
    read = await tab.press("read_message")
    (answer,) = FACTS["reports"][WEB["code"]]["thread"]
    assert any(answer["text"] in m["text"] for m in read), read
    assert old_bot.app.stores.web.unseen_notices(WEB["pseudonym"]) == []
    assert_no_school_was_asked(old_bot, fake, tab)


async def test_the_pending_invite_makes_a_coordinator_of_school_1(old_bot, fake, person):
    bram = person(502)
    invite = FACTS["pending_invite"]
    await bram.say(f"/start {invite['code']}")
    joined = old_bot.app.stores.coordinators.by_telegram_id(bram.id)
    assert joined is not None
    assert (joined.name, joined.active, joined.schools) == (invite["name"], True, ONE)
    invites = old_bot.app.stores.coordinators.invites(school=1)
    assert [(i.name, bool(i.used)) for i in invites] == [("Anna", True), (invite["name"], True)]
    case = "\n".join(await bram.press_data(f"*:open:{PUPIL['code']}"))
    assert FACTS["reports"][PUPIL["code"]]["story"] in case
    assert_no_school_was_asked(old_bot, fake)


async def test_pupils_are_welcomed_by_the_school_and_report_to_it(old_bot, fake, person):
    await waiting_notice(old_bot, fake)
    welcome = nl(old_bot, WELCOME, school=SCHOOL)
    known, new = person(PUPIL["telegram_id"]), person(4747)
    # One who reported before comes back to the pupil's menu, their report under "My reports".
    assert any(welcome in text for text in await known.say("/start"))
    mine = "\n".join(await known.press("my_reports"))
    assert PUPIL["code"] in mine
    # Someone new is welcomed by the school and asked who they are, not which school.
    assert any(welcome in text for text in await new.say("/start"))
    assert {data.split(":")[1] for _l, data in new.buttons()} >= {"pupil", "parent"}

    code = await report_as_pupil(person(4747), "Ze pakken steeds mijn tas af.")
    assert old_bot.app.stores.reports.get(code, ONE).school == 1
    await fake.wait_until(
        lambda: bool(texts_with(fake, ANNA, code)), timeout=10, what="Anna's notice"
    )
    assert_no_school_was_asked(old_bot, fake)
