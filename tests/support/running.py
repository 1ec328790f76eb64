"""The bot process in miniature, for tests: one app, one Telegram channel, restartable."""

from __future__ import annotations

from bot.app import App, build
from bot.channels.telegram import TelegramChannel
from bot.clock import Clock, system_clock
from bot.settings import load_settings
from support.fakebotapi import FakeBotApi


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


def add_coordinator(running, person, user_id: int, name: str):
    with running.app.stores.db.transaction():
        running.app.stores.coordinators.add(user_id, name, "2026-11-23T08:00:00+00:00")
    return person(user_id)


async def run_jobs(running, fake) -> int:
    done = running.app.jobs.run_due()
    await running.channel.outbox.deliver_due()
    await fake.wait_idle()
    return done
