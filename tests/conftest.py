"""Shared fixtures: a fake Bot API on 127.0.0.1 and the real bot (python-telegram-bot) on it."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakebotapi import FakeBotApi  # noqa: E402
from people import Person  # noqa: E402

from bot.app import App, build  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.clock import Clock, system_clock  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402


def clean_environ() -> dict[str, str]:
    """This process's environment without any of the bot's own settings, for a child process."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ANTIPEST_"))}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ANTIPEST_DB": str(tmp_path / "data" / "antipest.db"),
        "ANTIPEST_SECRET_KEY_FILE": str(tmp_path / "keys" / "secret.key"),
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(env)


@pytest.fixture
def app(settings: Settings) -> App:
    return build(settings)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
    assert server.violations == [], server.violations


class FakeClock:
    """A clock tests move by hand; it starts on a Monday morning in term time."""

    def __init__(self, start: str = "2026-11-23T08:00:00+00:00") -> None:
        self.now = datetime.fromisoformat(start)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: str) -> None:
        self.now = datetime.fromisoformat(moment)


class Running:
    """The bot process in miniature: one app, one Telegram channel, restartable."""

    def __init__(self, fake: FakeBotApi, env: dict[str, str], clock: Clock = system_clock) -> None:
        self.fake = fake
        self.env = {**env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}
        self.clock = clock
        self.channel: TelegramChannel | None = None

    @property
    def app(self) -> App:
        assert self.channel is not None
        return self.channel.app

    async def start(self) -> None:
        self.channel = TelegramChannel(build(load_settings(self.env), self.clock))
        await self.channel.start(poll_timeout=1)
        await self.fake.wait_for(lambda c: c.method == "getUpdates")

    async def stop(self) -> None:
        if self.channel:
            await self.channel.stop()
            self.channel.app.stores.db.close()
            self.channel = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


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
