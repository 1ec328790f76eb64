"""The one HTTP server of a process: the web chat and Telegram's webhook share its port.

Channels that take requests add their routes when they are built (`server.app.router`), before
the root starts anything; `App.start` binds the port first, so a port that is taken stops the
start before Telegram is told a webhook address, and every route answers from its first request.
Headers that every answer needs (no sniffing, no referrer, no software versions) are set here
once, and the health endpoint (`GET /healthz`) is served here, whichever channels run: it
answers with the root's verdict alone, 200 `{"status": "ok"}` or 503 `{"status": "unhealthy"}`,
and nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HealthCheck = Callable[[], Awaitable[bool]]
HEALTH_PATH = "/healthz"


class ListenError(OSError):
    """The port cannot be bound: one sentence for the operator."""


@web.middleware
async def _common_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


async def _no_versions(request: web.Request, response: web.StreamResponse) -> None:
    """aiohttp would name itself and Python with their versions; also for a stream, whose
    headers go out before any middleware sees them."""
    response.headers["Server"] = "antipestbot"


class HttpServer:
    """An aiohttp application bound to `host:port` while the app runs."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.host, self.port = host, port
        # No access log: it would hold every visitor's address (the design's rule: none kept).
        self.app = web.Application(middlewares=[_common_headers])
        self.app.on_response_prepare.append(_no_versions)
        # Set by the root when it starts; until then (and without a root) the answer is 503.
        self.health: HealthCheck | None = None
        self.app.router.add_get(HEALTH_PATH, self._health)
        self._runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        """Where it listens, e.g. http://127.0.0.1:8080 (the bound port when 0 was asked)."""
        return f"http://{self.host}:{self.port}"

    async def _health(self, request: web.Request) -> web.Response:
        try:
            healthy = self.health is not None and await self.health()
        except Exception as error:  # a bug in the check is an unhealthy process, not a 500 page
            log.error("health_failed error=%s", type(error).__name__)
            healthy = False
        return web.json_response(
            {"status": "ok" if healthy else "unhealthy"},
            status=200 if healthy else 503,
            headers={"Cache-Control": "no-store"},
        )

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
