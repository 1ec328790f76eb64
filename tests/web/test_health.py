"""GET /healthz: 200 `{"status": "ok"}` while the database takes a write and the background loops
move, else 503 `{"status": "unhealthy"}`; never anything else (no counts, versions or reasons).

It is served by the process's one HTTP server, whichever channels run: Docker's HEALTHCHECK
asks it, also where only Telegram is set up.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import aiohttp
import pytest
from support.clocks import FakeClock
from support.fakebotapi import FakeBotApi
from support.running import Running

from bot.app import build
from bot.background.health import MAX_ERRORS, STALE
from bot.background.outbox import keep_replies
from bot.channels.http import HttpServer
from bot.clock import stamp
from bot.core.model import Identity, Outbound
from bot.settings import load_settings
from bot.storage.db import Database

OK = {"status": "ok"}
UNHEALTHY = {"status": "unhealthy"}


async def ask(http: aiohttp.ClientSession, base: str) -> tuple[int, dict, aiohttp.ClientResponse]:
    async with http.get(f"{base}/healthz") as response:
        return response.status, await response.json(), response


async def until(http: aiohttp.ClientSession, base: str, status: int, timeout: float = 10.0):
    """The first answer with `status` (verdicts are reused for two seconds, so it may take one
    more round); AssertionError with the last answer when none comes in time."""
    deadline = time.monotonic() + timeout
    while True:
        answer = await ask(http, base)
        if answer[0] == status or time.monotonic() > deadline:
            assert answer[0] == status, answer[:2]
            return answer
        await asyncio.sleep(0.2)


async def eventually(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


def read_only(db: Database, on: bool) -> None:
    """What a read-only file or a full disk does to the bot's writes: they are refused."""
    with db.lock:
        db.conn.execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")


async def test_a_running_bot_is_healthy_and_says_nothing_else(bot: Running, http):
    status, body, response = await until(http, bot.web_url, 200)
    assert body == OK
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Server"] == "antipestbot"  # no aiohttp or Python version
    assert "aiohttp" not in str(response.headers) and "Python" not in str(response.headers)
    # The verdict wrote to the database (the stamp of the last good check).
    assert bot.app.stores.meta.get("health_checked") is not None


async def test_a_database_that_refuses_writes_is_unhealthy_until_it_takes_them_again(
    bot: Running, http
):
    await until(http, bot.web_url, 200)
    read_only(bot.app.stores.db, True)
    try:
        status, body, response = await until(http, bot.web_url, 503)
        assert body == UNHEALTHY
        assert await response.text() == '{"status": "unhealthy"}'  # no error text, no path
    finally:
        read_only(bot.app.stores.db, False)
    assert (await until(http, bot.web_url, 200))[1] == OK


@pytest.fixture
async def timed_web_bot(fake: FakeBotApi, env, clock: FakeClock) -> AsyncIterator[Running]:
    """Telegram and the web chat on a clock the test moves; the loops still run."""
    running = Running(fake, env, clock, web=True)
    await running.start()
    yield running
    await running.stop()


async def test_an_outbox_round_that_hangs_is_unhealthy_once_it_is_stale(
    timed_web_bot: Running, clock: FakeClock, http
):
    app = timed_web_bot.app
    await until(http, timed_web_bot.web_url, 200)
    sender = app.outboxes["telegram"]
    release = asyncio.Event()
    sending = asyncio.Event()

    async def hanging_send(chat: str, outbound: Outbound) -> None:
        sending.set()
        await release.wait()  # a network call that never returns

    sender.send = hanging_send
    who = Identity("telegram", "4242", "4242", "nl")
    await asyncio.to_thread(keep_replies, app.stores, who, [Outbound("Hallo")], None, clock)
    sender.wake()
    await asyncio.wait_for(sending.wait(), 5)

    # Later than STALE: every other loop is woken and ends a round; the hanging one cannot.
    clock.now += timedelta(seconds=STALE + 60)
    for other in app.outboxes.values():
        other.wake()
    app.jobs.waker.wake()
    others = [name for name in app.health() if name != "outbox:telegram"]
    moved = lambda: all(app.health()[n].last_round == stamp(clock) for n in others)  # noqa: E731
    await eventually(moved, "the other loops end a round")
    status, body, _ = await until(http, timed_web_bot.web_url, 503)
    assert body == UNHEALTHY

    # The send returns: the round ends at the new time, and the verdict is good again.
    release.set()
    assert (await until(http, timed_web_bot.web_url, 200))[1] == OK


async def test_rounds_that_fail_again_and_again_are_unhealthy(bot: Running, http, monkeypatch):
    app = bot.app
    await until(http, bot.web_url, 200)
    sender = app.outboxes["telegram"]
    monkeypatch.setattr(sender.supervised, "first_wait", 0.01)
    monkeypatch.setattr(sender.supervised, "max_wait", 0.01)

    def locked(*args: object) -> list:
        raise sqlite3.OperationalError("database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(app.stores.outbox, "due", locked)
        sender.wake()
        failing = lambda: app.health()["outbox:telegram"].errors >= MAX_ERRORS  # noqa: E731
        await eventually(failing, "rounds fail in a row")
        status, body, _ = await until(http, bot.web_url, 503)
        assert body == UNHEALTHY
    sender.wake()
    assert (await until(http, bot.web_url, 200))[1] == OK


async def test_with_only_telegram_the_endpoint_answers_all_the_same(fake: FakeBotApi, env, http):
    """No web chat on the server: the endpoint is the server's own, not the web chat's."""
    app = build(
        load_settings({**env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url})
    )
    server = HttpServer("127.0.0.1", 0)
    await app.start([app.telegram(poll_timeout=1)], server)
    try:
        assert (await until(http, server.address, 200))[1] == OK
        async with http.get(f"{server.address}/") as page:
            assert page.status == 404  # the web chat is off
    finally:
        await app.stop()
        app.stores.db.close()


async def test_a_server_no_app_started_is_unhealthy(http):
    server = HttpServer("127.0.0.1", 0)
    await server.start()
    try:
        status, body, _ = await ask(http, server.address)
        assert (status, body) == (503, UNHEALTHY)
    finally:
        await server.stop()
