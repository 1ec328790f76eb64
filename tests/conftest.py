"""Shared fixtures: a fake Bot API on 127.0.0.1 and the real bot (python-telegram-bot) on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
from support.clocks import FakeClock
from support.commandline import Run, command_line
from support.fakebotapi import FakeBotApi
from support.people import Person
from support.running import Running

from bot.app import App, build
from bot.settings import Settings, load_settings


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ANTIPEST_DB": str(tmp_path / "data" / "antipest.db"),
        "ANTIPEST_SECRET_KEY_FILE": str(tmp_path / "keys" / "secret.key"),
    }


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client for the web chat's API (a browser tab without the browser)."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def app(settings: Settings) -> App:
    return build(settings)


@pytest.fixture
def timed_app(settings: Settings, clock: FakeClock) -> Iterator[App]:
    """The app with no channel at all, on a clock the test moves (for the case verbs)."""
    app = build(settings, clock)
    yield app
    app.stores.db.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
    assert server.violations == [], server.violations


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def timed_bot(
    fake: FakeBotApi, env: dict[str, str], clock: FakeClock
) -> AsyncIterator[Running]:
    """The bot on a clock the test moves; its background loops still run."""
    running = Running(fake, env, clock)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def bot(fake: FakeBotApi, env: dict[str, str]) -> AsyncIterator[Running]:
    running = Running(fake, env)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def person(fake: FakeBotApi) -> Callable[..., Person]:
    return lambda user_id, **kw: Person(fake, user_id, **kw)


@pytest.fixture
def coordinator(bot: Running, person: Callable[..., Person]) -> Callable[[int, str], Person]:
    def make(user_id: int, name: str) -> Person:
        with bot.app.stores.db.transaction():
            bot.app.stores.coordinators.add(user_id, name, "2026-11-23T08:00:00+00:00")
        return person(user_id)

    return make


@pytest.fixture
def cli(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Run]:
    """`antipestbot ARGS` in this process, on the test's `env` (tests/support/commandline.py)."""
    with command_line(env, tmp_path / "cwd", monkeypatch, capsys) as run:
        yield run
