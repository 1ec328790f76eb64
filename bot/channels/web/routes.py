"""The web chat's HTTP face: the page, its files, and a small JSON API (/api/...).

Cross-site requests are refused by construction: the API takes only JSON (or a photo's bytes)
with a tab's token in a header, which a form on another site cannot send, and every request
that changes something is also checked for the browser's own Origin and Sec-Fetch-Site. Each
answer the API cannot give still says something kind, with a way forward (answers.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.channels.web import answers, codes, page
from bot.channels.web.channel import CLOSED, Message, Visit, WebChannel
from bot.channels.web.limits import AddressCeiling, SessionRate
from bot.channels.web.photos import PhotoLimits, PhotoRefused, clean_photo
from bot.channels.web.schools import SLUG_CHARS
from bot.core.commands import command_trigger
from bot.core.i18n import LOCALES
from bot.core.model import Inbound, Text, parse_button_data
from bot.core.render import Renderer
from bot.core.throttle import CodeThrottle

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
JSON_BODY = 16 * 1024  # a turn is a few kilobytes at most; a photo has its own route
NO_STORE = {"Cache-Control": "no-store"}
PING = 15  # seconds between comments on an idle stream, so proxies keep the line open
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class WebOptions:
    """The web chat's settings (bot/settings.py reads them from the environment)."""

    exit_url: str = "https://www.google.com/"
    frame_origins: tuple[str, ...] = ()  # sites that may show the chat in an iframe; none
    public_url: str | None = None  # https://... behind a proxy: HSTS, and its Origin
    max_text: int = 4000  # characters in one typed message
    photos: PhotoLimits = PhotoLimits()


class Api:
    def __init__(self, channel: WebChannel, renderer: Renderer, options: WebOptions) -> None:
        self.channel = channel
        self.renderer = renderer
        self.options = options
        self.ceiling = AddressCeiling()
        self.rate = SessionRate()
        self.throttle = CodeThrottle()
        public = urlsplit(options.public_url) if options.public_url else None
        self.public_host = public.netloc if public else None
        self.https = bool(public and public.scheme == "https")

    # --- around every request --------------------------------------------------------------

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Headers for every answer; for the API, the address ceiling and the cross-site check."""
        api = request.path.startswith("/api/")
        try:
            if api:
                # The address is only ever a key in memory (a keyed hash in AddressCeiling).
                wait = self.ceiling.allow(self._address(request))
                if wait > 0:
                    raise self._error(request, 429, "slow", answers.SLOW, retry_after=wait)
                if request.method == "POST" and self._cross_site(request):
                    log.info("web_cross_site_refused")
                    raise self._error(request, 403, "elsewhere", answers.ELSEWHERE)
            response = await handler(request)
        except ApiError as error:
            response = error.response
        except web.HTTPException as exc:
            response = exc
        if api:
            response.headers.update(NO_STORE)
        if self.https or request.secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    def _address(self, request: web.Request) -> str:
        """Who is asking: behind the TLS proxy (a public URL is set) the address the proxy
        appended last, which a client cannot forge; else the connection's own."""
        forwarded = request.headers.get("X-Forwarded-For")
        if self.public_host and forwarded:
            return forwarded.split(",")[-1].strip()
        return request.remote or ""

    def _cross_site(self, request: web.Request) -> bool:
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site not in ("same-origin", "none"):
            return True
        origin = request.headers.get("Origin")
        if origin is None:
            return False  # not a browser's cross-site request (a browser always sends Origin)
        return urlsplit(origin).netloc not in {request.host, self.public_host}

    # --- the page ---------------------------------------------------------------------------

    async def chat_page(self, request: web.Request) -> web.Response:
        """A school's chat at /s/<slug>/; at the bare address the board's one school, or, when
        it has several, the chat without a school (it asks for the poster's code)."""
        locale = page.page_locale(request.query.get("lang"), request.headers.get("Accept-Language"))
        slug = request.match_info.get("school")
        school = await self.channel.page_school(slug) if len(slug or "") <= SLUG_CHARS else None
        if slug is not None and school is None:
            log.info("web_page_unknown_school")
            missing = page.render_missing(self.renderer, locale, exit_url=self.options.exit_url)
            return self._page(missing, status=404)
        html = page.render_page(
            self.renderer,
            locale,
            exit_url=(school and school.exit_url) or self.options.exit_url,
            max_photo_bytes=self.options.photos.max_bytes,
            school=school.name if school else "",
            # The bare address stays bare: a new tab there finds the board's one school itself.
            slug=school.slug if school and slug is not None else "",
        )
        return self._page(html)

    async def to_school_page(self, request: web.Request) -> web.Response:
        """/s/<slug> typed without its last slash: the school's page all the same."""
        path = f"/s/{quote(request.match_info['school'], safe='')}/"
        query = f"?{request.query_string}" if request.query_string else ""
        return web.Response(status=302, headers={"Location": path + query, **NO_STORE})

    def _page(self, html: str, status: int = 200) -> web.Response:
        ancestors = " ".join(self.options.frame_origins) or "'none'"
        headers = {
            **NO_STORE,
            "Content-Security-Policy": (
                "default-src 'none'; script-src 'self'; style-src 'self'; "
                "img-src 'self' blob: data:; connect-src 'self'; form-action 'none'; "
                "base-uri 'none'; manifest-src 'self'; "
                f"frame-ancestors {ancestors}"
            ),
            "Permissions-Policy": (
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                "interest-cohort=(), browsing-topics=()"
            ),
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if not self.options.frame_origins:
            headers["X-Frame-Options"] = "DENY"
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=headers
        )

    async def widget(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(
            HERE / "static" / "widget.js", headers={"Cache-Control": "no-cache"}
        )

    # --- the API ----------------------------------------------------------------------------

    async def new_session(self, request: web.Request) -> web.Response:
        body = await self._json(request, required=(), optional=("lang", "school"))
        lang = body.get("lang")
        lang = lang if lang in LOCALES else "nl"
        slug = body.get("school") or None  # the page's school; none: the bare address
        if slug is not None and not (isinstance(slug, str) and len(slug) <= SLUG_CHARS):
            raise self._error(request, 400, "request", answers.REQUEST)
        token = await self.channel.new_tab(lang, slug)
        if token is None:  # that school's page is gone (removed since it was shown)
            raise self._error(request, 404, "school", page.NOT_FOUND)
        times = self.channel.times
        reply = {"token": token, "idle": int(times.idle), "warn": int(times.warn)}
        return web.json_response(reply, status=201)

    async def end(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        await self.channel.end(visit)
        return web.json_response({})

    async def turn(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        kinds = ("start", "text", "button", "command")
        body = await self._json(request, required=("id",), optional=(*kinds, "label"))
        client_id = self._client_id(request, body.get("id"))
        given = [kind for kind in kinds if kind in body]
        if len(given) != 1:
            raise self._error(request, 400, "request", answers.REQUEST, visit)
        inbound, echo = self._inbound(request, visit, given[0], body)
        messages = await self.channel.turn(visit, client_id, inbound, echo)
        return web.json_response({"messages": messages})

    async def photo(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        client_id = self._client_id(request, request.headers.get("X-Client-Id"))
        limit = self.options.photos.max_bytes
        if (request.content_length or 0) > limit:
            raise self._error(request, 413, "too_big", answers.PHOTO_TOO_BIG, visit)
        data = await request.content.read(limit + 1)
        if len(data) > limit:
            raise self._error(request, 413, "too_big", answers.PHOTO_TOO_BIG, visit)
        try:  # decoding is CPU work: off the event loop
            clean = await asyncio.to_thread(clean_photo, data, self.options.photos)
        except PhotoRefused as refused:
            log.info("web_photo_refused reason=%s", refused.reason)
            status, msgid = (
                (413, answers.PHOTO_TOO_BIG)
                if refused.reason == "too_big"
                else (
                    415,
                    answers.NOT_A_PHOTO,
                )
            )
            raise self._error(request, status, "photo", msgid, visit) from None
        photo_id = await self.channel.keep_photo(clean.data)
        inbound = Inbound(kind="photo", file_id=photo_id, file_size=len(clean.data))
        note = self.renderer.text(Text(answers.PHOTO_CLEANED), visit.lang)
        messages = await self.channel.turn(visit, client_id, inbound, "📷", note=note)
        return web.json_response({"messages": messages})

    async def code(self, request: web.Request) -> web.Response:
        visit = await self._visit(request)
        body = await self._json(request, required=("id", "code"), optional=())
        client_id = self._client_id(request, body["id"])
        if not isinstance(body["code"], str) or len(body["code"]) > 200:
            raise self._error(request, 400, "request", answers.REQUEST, visit)
        wait = self.throttle.wait(visit.chat)
        if wait > 0:
            raise self._error(request, 429, "slow", answers.CODE_SLOW, visit, retry_after=wait)
        code = codes.normalize(body["code"])
        messages = await self.channel.redeem(visit, client_id, code) if code else None
        if messages is None:
            self.throttle.failed(visit.chat)
            log.info("web_code_wrong")
            raise self._error(request, 404, "code", answers.NO_CODE, visit)
        self.throttle.succeeded(visit.chat)
        return web.json_response({"messages": messages})

    async def events(self, request: web.Request) -> web.StreamResponse:
        visit = await self._visit(request, active=request.query.get("wait") == "0")
        try:
            after = max(0, int(request.query.get("after", "0")))
        except ValueError:
            raise self._error(request, 400, "request", answers.REQUEST, visit) from None
        if request.query.get("wait") == "0":
            return web.json_response({"messages": await self.channel.since(visit, after)})
        return await self._stream(request, visit, after)

    async def _stream(self, request: web.Request, visit: Visit, after: int) -> web.StreamResponse:
        """Server-sent events: what is new now, then each message as it comes; a comment every
        15 s keeps proxies from closing the line. Ends when the tab closes or the server stops."""
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "X-Accel-Buffering": "no",  # a proxy must pass each event on at once
                **NO_STORE,
            }
        )
        await response.prepare(request)
        # The page may go away at any time (Klaar, quick exit, a closed tab): that ends it too.
        with contextlib.suppress(ConnectionResetError):
            await self._follow(response, visit, after)
        return response

    async def _follow(self, response: web.StreamResponse, visit: Visit, after: int) -> None:
        channel = self.channel
        with channel.wakers.listen(visit.chat) as inbox:
            news: list[Message] | None = None  # None: read the log (first, and after a gap)
            while not channel.closing:
                if news is None or (news and news[0]["seq"] > after + 1):
                    news = await channel.since(visit, after)
                for message in news:
                    if message["seq"] > after:
                        after = message["seq"]
                        data = json.dumps(message, ensure_ascii=False)
                        event = f"id: {after}\nevent: message\ndata: {data}\n\n"
                        await response.write(event.encode())
                try:
                    news = await asyncio.wait_for(inbox.get(), PING)
                except TimeoutError:
                    news = []
                    await response.write(b": ping\n\n")
                    if await channel.visit(visit.token, active=False) is None:
                        news = CLOSED  # idle too long: the sweep closes it
                if news is CLOSED:
                    await response.write(b"event: end\ndata: {}\n\n")
                    return

    # --- reading a request ------------------------------------------------------------------

    async def _visit(self, request: web.Request, *, active: bool = True) -> Visit:
        token = request.headers.get("X-Session", "")
        visit = await self.channel.visit(token, active=active) if 20 <= len(token) <= 100 else None
        if visit is None:
            raise self._error(request, 401, "session", answers.GONE)
        wait = self.rate.allow(visit.chat)
        if wait > 0:
            raise self._error(request, 429, "slow", answers.SLOW, visit, retry_after=wait)
        return visit

    async def _json(
        self, request: web.Request, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise self._error(request, 415, "request", answers.REQUEST)
        raw = await request.content.read(JSON_BODY + 1)
        if len(raw) > JSON_BODY:
            raise self._error(request, 413, "too_long", answers.TOO_LONG)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            body = None
        fields = set(body) if isinstance(body, dict) else None
        if fields is None or not set(required) <= fields <= {*required, *optional}:
            raise self._error(request, 400, "request", answers.REQUEST)
        return body  # type: ignore[no-any-return]

    def _client_id(self, request: web.Request, given: object) -> str:
        if not isinstance(given, str) or not CLIENT_ID.match(given):
            raise self._error(request, 400, "request", answers.REQUEST)
        return given

    def _inbound(
        self, request: web.Request, visit: Visit, kind: str, body: dict[str, Any]
    ) -> tuple[Inbound, str | None]:
        """The page's request as the conversation's Inbound, and what the user's side of the
        transcript shows of it."""
        value, label = body[kind], body.get("label")
        if kind == "start":
            return Inbound(kind="command", trigger="start"), None
        if not isinstance(value, str) or (label is not None and not isinstance(label, str)):
            raise self._error(request, 400, "request", answers.REQUEST, visit)
        if kind == "text" and len(value) > self.options.max_text:
            raise self._error(request, 413, "too_long", answers.TOO_LONG, visit)
        if kind == "button":
            pressed = parse_button_data(value[:200]) or Inbound(kind="unsupported")
            return pressed, (label or "")[:200] or None
        if kind == "command" or value.startswith("/"):
            name, _, arg = value.removeprefix("/").partition(" ")
            command = Inbound(
                kind="command", trigger=command_trigger(name), arg=arg.strip() or None
            )
            return command, value if kind == "text" else None
        return Inbound(kind="text", text=value), value

    def _error(
        self,
        request: web.Request,
        status: int,
        error: str,
        msgid: str,
        visit: Visit | None = None,
        retry_after: float | None = None,
    ) -> ApiError:
        locale = (
            visit.lang if visit else page.page_locale(None, request.headers.get("Accept-Language"))
        )
        said = self.renderer.text(Text(msgid), locale)
        hint = self.renderer.text(Text(answers.HELP_HINT), locale)
        body: dict[str, Any] = {"error": error, "message": f"{said}\n{hint}"}
        headers = dict(NO_STORE)
        if retry_after is not None:
            body["retry_after"] = max(1, math.ceil(retry_after))
            headers["Retry-After"] = str(body["retry_after"])
        return ApiError(web.json_response(body, status=status, headers=headers))


class ApiError(Exception):
    """A request the API answers with an error (its JSON says why, kindly)."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def add_routes(app: web.Application, api: Api) -> None:
    app.middlewares.append(api.guard)
    app.router.add_get("/", api.chat_page)
    app.router.add_get("/s/{school}/", api.chat_page)
    app.router.add_get("/s/{school}", api.to_school_page)
    app.router.add_get("/widget.js", api.widget)
    app.router.add_static("/static/", HERE / "static", append_version=False)
    app.router.add_post("/api/session", api.new_session)
    app.router.add_post("/api/end", api.end)
    app.router.add_post("/api/turn", api.turn)
    app.router.add_post("/api/photo", api.photo)
    app.router.add_post("/api/code", api.code)
    app.router.add_get("/api/events", api.events)
