"""Crash tests: the real `python -m bot run` process, killed with SIGKILL, started again.

Nothing is shut down cleanly: no transaction is finished, no request completed. What the fake
Bot API holds when the process dies was never delivered (see tests/support/fakebotapi.py), like
a request Telegram never received. After a restart on the same database the pupil goes on where
they were, a report exists once, and a coordinator gets its notification exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from support.botprocess import BotProcess
from support.botprocess import ProcessPerson as Pupil
from support.fakebotapi import Call, FakeBotApi
from support.walks import CASE_CODE, REPORT_PATH

from bot.app import App
from bot.core.engine import Session
from bot.core.model import Text
from bot.storage.sessions import SessionStore

HOLD = 60.0  # seconds the fake holds a call: far longer than any test waits
PUPIL = 31_001
COORDINATORS = (601, 602)


@pytest.fixture
async def process(fake: FakeBotApi, env: dict[str, str], tmp_path: Path) -> AsyncIterator:
    bot = BotProcess(fake, env, tmp_path)
    try:
        yield bot
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
    for n in range(len(bot.logs)):
        assert "Traceback" not in bot.log(n), bot.log(n)
        assert fake.token not in bot.log(n)


def say(app: App, msgid: str) -> str:
    return app.renderer.text(Text(msgid), "nl")


def session_of(app: App, user_id: int) -> Session | None:
    store = SessionStore(app.stores.db, app.stores.vault)
    return store.load(app.stores.vault.subject("telegram", user_id))


def to(chat: int) -> Callable[[Call], bool]:
    return lambda c: c.method == "sendMessage" and c.params.get("chat_id") == chat


STORY_MORE = (
    "I have it ✅. Do you want to tell more? Just type it.",
    "Are you finished? Then tap ✅ Done telling.",
)
EVIDENCE = (
    "Do you have a screenshot or photo of what happened? Send it here. You don't have to.",
    "Is someone (half) naked in it? Then do not send that photo. Only write down where you saw it.",
)


def says(app, msgids: tuple[str, ...]) -> str:
    """One message of several paragraphs, as the bot sends a state's texts."""
    return "\n\n".join(say(app, msgid) for msgid in msgids)


async def test_a_pupil_goes_on_after_a_kill_in_the_middle_of_a_report(process, fake, app):
    await process.start()
    pupil = Pupil(fake, PUPIL)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze pakken elke dag mijn pet af.")
    before = session_of(app, PUPIL)
    assert before is not None and before.state == "report_story_more"

    await process.kill()
    await process.start()

    # The next text and button go on from where the pupil was, with nothing lost.
    assert await pupil.say("En ze gooien hem over het hek.") == [says(app, STORY_MORE)]
    assert await pupil.press("story_done") == [says(app, EVIDENCE)]
    await pupil.walk("no_photo", "anonymous")
    replies = await pupil.press("send")
    (code,) = set(CASE_CODE.findall("\n".join(replies)))
    await process.stop()

    (row,) = app.stores.db.rows("SELECT code FROM reports")
    report = app.stores.reports.get(row["code"], frozenset({1}))
    assert report is not None and report.code == code
    assert report.story == "Ze pakken elke dag mijn pet af.\nEn ze gooien hem over het hek."
    assert (report.kind, report.place, report.often, report.since) == (
        "online",
        "online",
        "daily",
        "months",
    )


async def test_a_notification_in_flight_at_the_kill_arrives_once_after_the_restart(
    process, fake, app
):
    first, second = COORDINATORS
    with app.stores.db.transaction():
        for n, chat in enumerate(COORDINATORS):
            app.stores.coordinators.add(chat, f"Coördinator {n + 1}", "2026-11-23T08:00:00+00:00")
    await process.start()
    pupil = Pupil(fake, PUPIL)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze sturen gemene filmpjes over mij rond.")
    await pupil.walk("story_done", "no_photo", "anonymous")

    # The second coordinator's notification is held by the "network" until the process dies.
    fake.fail_next("sendMessage", status=200, delay=HOLD, chat_id=second)
    mark = len(fake.calls)
    fake.push_callback(PUPIL, pupil.data_for("send"))
    reply = await fake.wait_for(
        lambda c: to(PUPIL)(c) and bool(CASE_CODE.search(c.params["text"])), after=mark
    )
    (code,) = set(CASE_CODE.findall(reply.params["text"]))
    await fake.wait_for(to(first), after=mark)
    held = await fake.wait_for(to(second), after=mark)
    assert held.fault == "delay"
    outbox = {
        row["telegram_id"]: row["status"]
        for row in app.stores.db.rows(
            "SELECT c.telegram_id, o.status FROM outbox o JOIN coordinators c"
            " ON c.id = o.coordinator"
        )
    }
    assert outbox == {first: "sent", second: "pending"}  # committed, one of two delivered

    await process.kill()
    await fake.wait_until(lambda: held.abandoned, what="the held call abandoned")
    assert fake.delivered(second) == []
    restart = len(fake.calls)
    await process.start()
    await fake.wait_for(to(second), after=restart, timeout=10)
    await fake.wait_idle(quiet=0.5)
    await process.stop()

    for chat in COORDINATORS:
        notes = [c for c in fake.delivered(chat) if code in c.params["text"]]
        assert len(notes) == 1, (chat, fake.dump())
    assert [r["code"] for r in app.stores.db.rows("SELECT code FROM reports")] == [code]
    statuses = [r["status"] for r in app.stores.db.rows("SELECT status FROM outbox")]
    assert statuses == ["sent", "sent"]
    assert "outbox_delivered" in process.log()


async def test_an_update_redelivered_after_a_kill_changes_nothing_and_sends_nothing(
    process, fake, app
):
    await process.start()
    pupil = Pupil(fake, PUPIL)
    await pupil.start()
    await pupil.walk(*REPORT_PATH)
    await pupil.say("Ze lachen me uit in de klas.")

    # The poll that would confirm the next update is held, then the process dies: Telegram
    # never hears that the update was handled, and sends it again to the next process.
    fake.fail_next("getUpdates", status=200, delay=HOLD)
    mark = len(fake.calls)
    update_id = fake.push_text(PUPIL, "En op het plein ook.", language_code="nl")
    reply = await fake.wait_for(to(PUPIL), after=mark)
    assert reply.params["text"] == says(app, STORY_MORE)
    await fake.wait_for(lambda c: c.method == "getUpdates" and c.fault == "delay", after=mark)
    handled = session_of(app, PUPIL)
    assert handled is not None and handled.state == "report_story_more"
    assert handled.answers["story"] == "Ze lachen me uit in de klas.\nEn op het plein ook."

    await process.kill()
    assert update_id in fake.pending_update_ids()
    restart = len(fake.calls)
    await process.start()
    await fake.wait_until(lambda: fake.fetches[update_id] == 2, what="the update fetched again")
    await fake.wait_idle(quiet=0.5)

    # Nothing was sent again: not to the pupil, and no message at all.
    assert fake.sent(PUPIL)[-1] is reply
    assert [c for c in fake.calls[restart:] if c.method == "sendMessage"] == []
    again = session_of(app, PUPIL)
    assert again is not None
    assert (again.state, again.answers) == (handled.state, handled.answers)
    deliveries = app.stores.db.rows(
        "SELECT id FROM deliveries WHERE id = ?", (f"telegram:{update_id}",)
    )
    assert len(deliveries) == 1

    assert await pupil.press("story_done") == [says(app, EVIDENCE)]
    await pupil.walk("no_photo", "anonymous", "send")
    await process.stop()
    assert "delivery_repeated" in process.log()
    (row,) = app.stores.db.rows("SELECT code FROM reports")
    report = app.stores.reports.get(row["code"], frozenset({1}))
    assert report is not None
    assert report.story == "Ze lachen me uit in de klas.\nEn op het plein ook."
    assert process.kills == 1
