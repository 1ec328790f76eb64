"""Telegram's webhook as one POST route on the process's HTTP server (bot/channels/http.py).

A request is Telegram's only when it carries the secret token given to setWebhook in the
X-Telegram-Bot-Api-Secret-Token header: any other is answered 403 before its body is read. An
update is put on python-telegram-bot's update queue, where it is handled as a polled one is, and
answered 200 at once, so that none of Telegram's connections to the bot (40 at most, by
setWebhook's default) waits while an update is worked out.

What Telegram does with each answer decides the rest. Anything but 2xx makes it send the update
again later, so 503 is the answer while the channel takes no updates (starting, stopping), and
nothing answered 200 is ever dropped. An update that cannot be read (a field PTB does not expect)
would come back forever on an error, so it is answered 200 and skipped with a log line, as
polling skips it (polling.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable

from aiohttp import web
from telegram import Update
from telegram.ext import ExtBot
from yarl import URL

from bot.channels.base import StartError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is a few KB (a message holds at most 4096 characters); 1 MB bounds what a request
# may make the server hold, far above any real one.
MAX_UPDATE_BYTES = 1024 * 1024


def webhook_path(url: str) -> str:
    """The path the route answers on: the URL's, as aiohttp matches requests ("/" for none)."""
    return URL(url).path_safe or "/"


class WebhookRoute:
    """Receives Telegram's updates for one bot and hands them to its update queue."""

    def __init__(
        self,
        secret_token: str,
        bot: ExtBot,
        queue: asyncio.Queue[object],
        accepting: Callable[[], bool],
    ) -> None:
        if not secret_token:
            # Without one, anyone who learns the address could post forged updates.
            raise ValueError("A webhook needs a secret token.")
        self.secret = secret_token.encode()
        self.bot, self.queue, self.accepting = bot, queue, accepting
        self.receiving = 0  # requests let in whose update is not on the queue yet

    def add_to(self, app: web.Application, url: str) -> None:
        """Adds the route; raises StartError when the server already takes POSTs there."""
        path = webhook_path(url)
        for route in app.router.routes():
            taken = route.resource is not None and route.resource.canonical == path
            if taken and route.method in ("POST", "*"):
                raise StartError(
                    "The path of the webhook address is one the web chat uses: choose another."
                )
        # A plain resource: braces in the path are characters, not aiohttp's variables.
        resource = web.PlainResource(path)
        app.router.register_resource(resource)
        resource.add_route("POST", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            log.debug("webhook_refused")  # not above debug: anyone can make these lines
            return web.Response(status=403)
        if not self.accepting():
            return web.Response(status=503)
        self.receiving += 1
        try:
            return await self._receive(request)
        finally:
            self.receiving -= 1

    async def _receive(self, request: web.Request) -> web.Response:
        body = bytearray()
        async for chunk in request.content.iter_any():
            body += chunk
            if len(body) > MAX_UPDATE_BYTES:  # read no further, whatever Content-Length says
                return web.Response(status=413)
        try:
            data = json.loads(body)
        except ValueError:  # UnicodeDecodeError included
            return web.Response(status=400)
        if not isinstance(data, dict):
            return web.Response(status=400)
        try:
            update = Update.de_json(data, self.bot)
            self.bot.insert_callback_data(update)
        except Exception as error:  # what PTB raises for a field it cannot read varies
            # Only the error's type: its text may quote what the user sent.
            log.warning("update_skipped error=%s", type(error).__name__)
            return web.Response(status=200)
        # Checked again after reading: a queue the application stopped taking from (it is
        # stopping) would drop the update, though Telegram was told it arrived.
        if not self.accepting():
            return web.Response(status=503)
        self.queue.put_nowait(update)
        return web.Response(status=200)
