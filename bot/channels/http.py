"""The one HTTP server of a process: the web chat and Telegram's webhook share its port.

Channels that take requests add their routes when they are built (`server.app.router`), before
the root starts anything; `App.start` binds the port first, so a port that is taken stops the
start before Telegram is told a webhook address, and every route answers from its first request.
Headers that every answer needs (no sniffing, no referrer) are set here once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ListenError(OSError):
    """The port cannot be bound: one sentence for the operator."""


@web.middleware
async def _common_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


class HttpServer:
    """An aiohttp application bound to `host:port` while the app runs."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.host, self.port = host, port
        # No access log: it would hold every visitor's address (the design's rule: none kept).
        self.app = web.Application(middlewares=[_common_headers])
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        """Where it listens, e.g. http://127.0.0.1:8080 (the bound port when 0 was asked)."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            reason = exc.strerror or type(exc).__name__
            raise ListenError(f"Cannot listen on {self.host}:{self.port}: {reason}.") from exc
        if self.port == 0:  # a test's free port: read back which one
            sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
            self.port = sockets[0].getsockname()[1]
        self._runner = runner
        log.info("http_started port=%s", self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
