"""The web tests' bot runs the web chat beside Telegram (coordinators stay on Telegram)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from support.fakebotapi import FakeBotApi
from support.running import Running
from support.visitor import Visitor


@pytest.fixture
async def bot(fake: FakeBotApi, env: dict[str, str]) -> AsyncIterator[Running]:
    running = Running(fake, env, web=True)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def visitor(bot: Running, http: aiohttp.ClientSession) -> Callable[..., Visitor]:
    """A new browser tab on the web chat (each call: another tab)."""
    return lambda lang="nl", school=None: Visitor(bot.web_url, http, lang, school)
