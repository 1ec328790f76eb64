"""Background work survives a database that another process keeps locked.

SQLite waits `busy_timeout` (5 s) for a write lock; another process (a backup tool, an operator's
sqlite3 shell, a CLI command) can hold one longer. Before, the first error in the outbox sender or
the job runner ended that loop without a word: nothing was delivered until a restart, and the
message in flight went out twice after it. Now each loop is supervised: the error is logged by its
type, the round is tried again after a backoff, a message Telegram took is never sent again
because its "sent" mark had to wait, and `App.health()` shows each loop alive.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from support.botprocess import BotProcess, ProcessPerson
from support.fakebotapi import Call, FakeBotApi
from support.running import add_coordinator
from support.texts import event_text, texts_with
from support.walks import CASE_CODE, report_as_pupil

from bot.app import App

COORDINATOR = 701
PUPILS = (32_001, 32_002)
BUSY_TIMEOUT = 5.0  # bot/storage/db.py: PRAGMA busy_timeout=5000
LOCK = 10.0  # seconds the other process holds the write lock: twice the busy timeout
FAILED = "background_failed loop=outbox:telegram error=OperationalError"


@pytest.fixture
async def process(fake: FakeBotApi, env: dict[str, str], tmp_path: Path) -> AsyncIterator:
    bot = BotProcess(fake, env, tmp_path)
    try:
        yield bot
    finally:
        bot.kill_now()
        if bot.process is not None:
            await bot.process.wait()
    for n in range(len(bot.logs)):
        assert "Traceback" not in bot.log(n), bot.log(n)


def to(chat: int, ok: bool | None = None) -> Callable[[Call], bool]:
    return lambda c: (
        c.method == "sendMessage" and c.params.get("chat_id") == chat and (ok is None or c.ok is ok)
    )


def notifications(fake: FakeBotApi) -> Counter[str]:
    """Case codes in the messages the coordinator received, each counted per message."""
    return Counter(
        code
        for call in fake.delivered(COORDINATOR, "sendMessage")
        for code in set(CASE_CODE.findall(call.params["text"]))
    )


def hold_write_lock(path: str, seconds: float) -> sqlite3.Connection:
    """What another process does: BEGIN IMMEDIATE and a write, kept open for `seconds`."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('held_by_test', 'yes')")
    return other


async def test_a_lock_held_past_the_busy_timeout_delays_but_never_loses_or_doubles(
    process, fake, app: App, env
):
    with app.stores.db.transaction():
        app.stores.coordinators.add(COORDINATOR, "Juf Anna", "2026-11-23T08:00:00+00:00")
    await process.start()
    first, second = (ProcessPerson(fake, pupil) for pupil in PUPILS)

    # The first notification fails once (500), so the outbox tries it again a moment later.
    fake.fail_next("sendMessage", status=500, chat_id=COORDINATOR)
    code1 = await report_as_pupil(first, "Ze duwen me elke pauze tegen het hek.")
    await fake.wait_for(to(COORDINATOR, ok=False), timeout=10)
    await fake.wait_until(
        lambda: app.stores.db.row("SELECT attempts FROM outbox")["attempts"] == 1,
        what="the retry is planned",
    )

    # Another process takes the write lock; the retry goes out to Telegram while it is held,
    # and its "sent" mark waits longer than the busy timeout.
    mark = len(fake.calls)
    other = hold_write_lock(env["ANTIPEST_DB"], LOCK)
    taken = time.monotonic()
    await fake.wait_for(to(COORDINATOR, ok=True), after=mark, timeout=LOCK - 1)
    await asyncio.sleep(LOCK - (time.monotonic() - taken))
    other.execute("ROLLBACK")
    other.close()

    # After the lock: the sender goes on, and a second report is notified too.
    code2 = await report_as_pupil(second, "Ze pakken mijn telefoon af en lezen mijn berichten.")
    await fake.wait_until(
        lambda: notifications(fake)[code2] >= 1, timeout=15, what="the second notification"
    )
    await fake.wait_idle(quiet=3.0, timeout=30)  # time for a wrong second try of the first
    await process.stop()

    # Each report reached the coordinator exactly once, and the outbox knows it.
    assert notifications(fake) == {code1: 1, code2: 1}
    statuses = Counter(row["status"] for row in app.stores.db.rows("SELECT status FROM outbox"))
    assert statuses == {"sent": 2}
    log = process.log()
    assert FAILED in log, log
    assert "background_recovered loop=outbox:telegram" in log, log


async def test_the_job_runner_lives_through_a_lock_and_its_health_says_so(
    timed_bot, fake, person, clock, env, caplog
):
    """In process: the reminder job meets a lock held longer than the busy timeout by another
    connection; the loop stays alive, `health()` counts the failed rounds and then the good
    one, and the reminder arrives once."""
    caplog.set_level("INFO")
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    code = await report_as_pupil(person(9001), "Ze lachen me uit in de klas.")
    health = timed_bot.app.health()
    assert set(health) == {"jobs", "outbox:telegram"}
    assert all(loop.alive and loop.errors == 0 for loop in health.values()), health

    held = threading.Event()

    def another_process() -> None:
        other = hold_write_lock(env["ANTIPEST_DB"], BUSY_TIMEOUT + 2)
        held.set()
        time.sleep(BUSY_TIMEOUT + 2)
        other.execute("ROLLBACK")
        other.close()

    locker = threading.Thread(target=another_process)
    locker.start()
    held.wait(5)
    clock.set("2026-11-24T08:01:00+00:00")  # Tuesday 09:01: the reminder is due
    timed_bot.app.jobs.waker.wake()
    for _ in range(200):
        if timed_bot.app.health()["jobs"].errors:
            break
        await asyncio.sleep(0.05)
    during = timed_bot.app.health()["jobs"]
    assert during.alive and during.errors >= 1, during
    await asyncio.to_thread(locker.join)

    reminder = event_text(timed_bot, "remind", code)
    await fake.wait_until(
        lambda: bool(texts_with(fake, anna.id, reminder)), timeout=20, what="the reminder"
    )
    await fake.wait_idle(quiet=0.5)
    assert texts_with(fake, anna.id, reminder) == [reminder]
    after = timed_bot.app.health()["jobs"]
    assert after.alive and after.errors == 0 and after.last_round == "2026-11-24T08:01:00+00:00"
    events = [record.getMessage() for record in caplog.records]
    assert "background_failed loop=jobs error=OperationalError errors=1" in events, events
