"""The bot process in miniature, for tests: one app, one Telegram channel, restartable."""

from __future__ import annotations

from bot.app import App, build
from bot.channels.base import Channel
from bot.channels.http import HttpServer
from bot.clock import Clock, system_clock
from bot.settings import load_settings
from support.fakebotapi import FakeBotApi


class Running:
    """The bot process in miniature: one app, one Telegram channel, restartable."""

    def __init__(
        self,
        fake: FakeBotApi,
        env: dict[str, str],
        clock: Clock = system_clock,
        *,
        web: bool = False,
    ) -> None:
        self.fake = fake
        self.env = {**env, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}
        self.clock = clock
        self.web = web  # also the web chat, on a free port of 127.0.0.1 (`web_url`)
        self._app: App | None = None
        self.channel: Channel | None = None
        self.web_channel: Channel | None = None
        self.web_url = ""

    @property
    def app(self) -> App:
        assert self._app is not None
        return self._app

    async def start(self) -> None:
        self._app = build(load_settings(self.env), self.clock)
        self.channel = self._app.telegram(poll_timeout=1)
        if self.web:
            http = HttpServer("127.0.0.1", 0)
            self.web_channel = self._app.web(http)
            await self._app.start([self.channel, self.web_channel], http)
            self.web_url = http.address
        else:
            await self._app.start([self.channel])
        self.fake.settled = self.channel.settled
        await self.fake.wait_for(lambda c: c.method == "getUpdates")

    async def stop(self) -> None:
        if self._app:
            await self._app.stop()
            self._app.stores.db.close()
            self._app = self.channel = self.web_channel = None
            self.fake.settled = lambda: True

    async def restart(self) -> None:
        await self.stop()
        await self.start()


def add_coordinator(running, person, user_id: int, name: str):
    with running.app.stores.db.transaction():
        running.app.stores.coordinators.add(user_id, name, "2026-11-23T08:00:00+00:00")
    return person(user_id)


async def run_jobs(running, fake) -> int:
    done = running.app.jobs.run_due()
    await running.app.outboxes["telegram"].deliver_due()
    await fake.wait_idle()
    return done
