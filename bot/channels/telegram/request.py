"""python-telegram-bot's HTTP layer on aiohttp instead of httpx.

PTB hands every Bot API call to a `telegram.request.BaseRequest`. Its default, `HTTPXRequest`,
is where a plain echo bot spends most of its CPU; aiohttp (a C-accelerated HTTP parser and a
connection pool without per-request trio/anyio layers) does the same work for a fraction of it.
Behaviour follows `HTTPXRequest` so PTB's error handling and retries work unchanged:

- the same defaults (pool of 256 connections, 5 s read/write/connect, 1 s pool, 20 s for
  writing uploads) and the same values (strings as they are, everything else JSON-encoded),
  sent as an `application/json` body (one of the Bot API's documented ways; percent-encoding a
  form cost more CPU than the JSON encoder), or `multipart/form-data` when the request carries
  files;
- `read_timeout` is what PTB adds the long-polling `timeout` to for `getUpdates`;
- a timeout raises `telegram.error.TimedOut`, any other transport failure `NetworkError`
  (PTB turns HTTP error statuses into `BadRequest`, `Forbidden`, `RetryAfter` ... itself).

Timeouts map onto aiohttp's: `connect_timeout` bounds opening a socket, `pool_timeout` plus
`connect_timeout` bounds getting a connection (waiting for a free one included) and
`read_timeout` bounds every wait for response data. aiohttp has no timeout per socket write, so
`write_timeout` only takes part in a ceiling on the whole request (the sum of all four), which
keeps a stalled upload from hanging forever. Proxies from the environment are not used.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import aiohttp
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData

_DEFAULT = type(BaseRequest.DEFAULT_NONE)
_JSON = {"Content-Type": "application/json"}


def _pick(value: object, default: float | None) -> float | None:
    """A timeout argument PTB passed, or this request's default when it passed none."""
    if isinstance(value, _DEFAULT):
        return default
    return value  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one `aiohttp.ClientSession`, created in `initialize()`."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1.")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        timeout = _timeout(
            _pick(pool_timeout, self._pool_timeout),
            _pick(connect_timeout, self._connect_timeout),
            _pick(write_timeout, self._media_write_timeout if files else self._write_timeout),
            _pick(read_timeout, self._read_timeout),
        )
        body: Any = None
        headers: dict[str, str] | None = None
        if files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            body = form
        elif request_data is not None and request_data.parameters:
            body, headers = request_data.json_payload, _JSON
        return await self._send(method, url, body, headers, timeout)

    async def call(self, url: str, parameters: dict[str, Any]) -> Any:
        """POST `parameters` as one JSON object and return the Bot API's `result`.

        The bot's replies take this way instead of `BaseRequest.post`, which JSON-encodes each
        nested value and then the whole payload again (a tenth of a millisecond per call, most
        of the CPU a reply costs besides the HTTP itself). Errors are PTB's: the same exception
        types `BaseRequest.post` raises, so callers handle both ways alike.
        """
        body = json.dumps(parameters).encode()
        timeout = _timeout(
            self._pool_timeout, self._connect_timeout, self._write_timeout, self._read_timeout
        )
        status, payload = await self._send("POST", url, body, _JSON, timeout)
        if 200 <= status <= 299:
            return self.parse_json_payload(payload)["result"]
        raise api_error(status, payload)

    async def _send(
        self,
        method: str,
        url: str,
        body: Any,
        headers: dict[str, str] | None,
        timeout: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's own timeout errors are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


@functools.lru_cache(maxsize=32)
def _timeout(
    pool: float | None, connect: float | None, write: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for PTB's four (see the module docstring); a handful ever exist."""
    parts = (pool, connect, write, read)
    return aiohttp.ClientTimeout(
        total=None if None in parts else sum(parts),  # type: ignore[arg-type]
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


_ERRORS: dict[int, type[TelegramError]] = {
    400: BadRequest,
    401: InvalidToken,
    403: Forbidden,
    404: InvalidToken,
    409: Conflict,
}


def api_error(status: int, payload: bytes) -> TelegramError:
    """The error PTB's `BaseRequest.post` raises for this Bot API error answer."""
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = {}
    answer = answer if isinstance(answer, dict) else {}
    parameters = answer.get("parameters") or {}
    if parameters.get("migrate_to_chat_id"):
        return ChatMigrated(parameters["migrate_to_chat_id"])
    if parameters.get("retry_after"):
        return RetryAfter(parameters["retry_after"])
    message = answer.get("description") or f"HTTP error {status}"
    return _ERRORS.get(status, NetworkError)(message)
