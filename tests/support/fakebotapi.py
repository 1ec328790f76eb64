"""A fake Telegram Bot API server (aiohttp) for driving the real python-telegram-bot stack.

Point the bot at it with ``base_url=f"{fake.url}/bot"`` and
``base_file_url=f"{fake.url}/file/bot"``. Every call is recorded in ``fake.calls`` and checked
against the Bot API description (``botapi-spec.json``); problems end up in ``fake.violations``.

Faults: ``fail_next`` fails (or only delays) the next calls of a method, optionally for one chat;
``fault_rate`` makes a seeded share of calls fail with 429 (``retry_after``) or 500, or answer
slowly. The random policy decides per (method, chat, n-th call), so a chat meets the same faults
in every run however the chats interleave; ``limit`` bounds it and ``policy.off()`` stops it. With
``enforce_retry_after`` the fake behaves like Telegram's flood control: a call to a chat inside
the ``retry_after`` window of a 429 it answered gets another 429 and is recorded in ``fake.early``.

Delivered or not: the server runs with aiohttp's handler cancellation switched on (it is off by
default), so when a client disconnects while its request is still being held (an injected delay,
or a bot process killed with SIGKILL) the handler is cancelled at once. Such a call was never
carried out, like a request Telegram never received: it gets ``ok=False`` and ``abandoned=True``,
is listed in ``fake.abandoned``, and ``sent()``, ``delivered()`` and ``texts()`` leave it out.
Handler cancellation was chosen over checking ``request.transport`` after the delay because it
frees a held call the moment the client is gone, not when the delay ends. A call is carried out
(the message exists) once its method handler ran; the handlers are synchronous, so a
cancellation can only come before that point. Updates stay queued until a later ``getUpdates``
confirms them with its ``offset``, as on Telegram, so a bot that dies before confirming an update
is sent it again; ``fetches`` counts how often each update was handed out.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import random
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

SPEC_ENV = "ANTIPEST_BOTAPI_SPEC"
DEFAULT_SPEC = Path(__file__).resolve().parents[3] / "shared/telegram/botapi-spec.json"
# Calls that are plumbing rather than something the bot "did"; excluded from sent().
INFRA_METHODS = frozenset(
    {"getUpdates", "getMe", "deleteWebhook", "setWebhook", "getWebhookInfo", "close", "logOut"}
)
KEYBOARD_METHODS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument"}
)
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
FAULT_TEXT = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
}


@dataclass
class Call:
    """One API request the bot made, with decoded parameters."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True  # False when the fake answered with an error (fault, 400, 404, ...)
    abandoned: bool = False  # the client went away before the fake carried the call out
    fault: str | None = None  # what the fake injected: "429", "500", "slow", "delay", "flood"


@dataclass
class Upload:
    """A file part of a multipart request (the value of e.g. ``params["photo"]``)."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    delay: float
    description: str | None
    chat_id: int | str | None = None  # only calls to this chat (None: any call)
    kind: str = ""
    window: bool = False  # a 429 that opens a flood-control window for its chat


@dataclass
class FaultPolicy:
    """A seeded share of failing or slow calls; made by ``FakeBotApi.fault_rate``."""

    methods: frozenset[str]
    share: float
    kinds: tuple[str, ...]
    retry_after: int
    slow: float
    seed: int
    limit: int | None
    chats: frozenset[int | str] | None
    enforce_retry_after: bool
    injected: Counter[str] = field(default_factory=Counter)
    active: bool = True
    _seen: Counter[tuple[str, Any]] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.injected.values())

    def off(self) -> None:
        """Inject nothing more (open flood-control windows still run out)."""
        self.active = False

    def draw(self, method: str, chat: Any) -> _Fault | None:
        if not self.active or method not in self.methods:
            return None
        if self.chats is not None and chat not in self.chats:
            return None
        if self.limit is not None and self.total >= self.limit:
            return None
        n = self._seen[(method, chat)]
        self._seen[(method, chat)] += 1
        rng = random.Random(f"{self.seed}:{method}:{chat}:{n}")
        if rng.random() >= self.share:
            return None
        kind = rng.choice(self.kinds)
        self.injected[kind] += 1
        if kind == "slow":
            return _Fault(200, None, self.slow, None, kind=kind)
        status = int(kind)
        retry_after = self.retry_after if status == 429 else None
        window = status == 429 and self.enforce_retry_after
        return _Fault(status, retry_after, 0.0, None, kind=kind, window=window)


class ApiError(Exception):
    """Raised inside method handlers to answer with a Telegram-style error."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


def _decode(raw: str, types: list[str] | None) -> Any:
    """PTB sends str values as-is and everything else JSON-dumped; undo that using the spec."""
    if types and all(t == "String" for t in types):
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(value, str):
        return raw
    if (
        types
        and "Integer" not in types
        and "String" in types
        and not isinstance(value, dict | list)
    ):
        return raw  # e.g. a numeric-looking file_id for "InputFile or String"
    return value


def _file(file_id: str, **extra: Any) -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": f"u-{file_id}", **extra}


def _error(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class FakeBotApi:
    """In-process fake of the Telegram Bot API; see the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-fake-token",
        spec_path: Path | None = None,
        bot_username: str = "antipest_test_bot",
    ) -> None:
        self.token = token
        self.url = ""
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.abandoned: list[Call] = []  # calls whose client went away before they were done
        self.early: list[Call] = []  # calls inside a flood-control window (see fault_rate)
        self.fetches: Counter[int] = Counter()  # update_id -> times handed out by getUpdates
        self.policy: FaultPolicy | None = None
        self._flood: dict[Any, float] = {}  # chat_id -> monotonic time its 429 window ends
        path = spec_path or Path(os.environ.get(SPEC_ENV) or DEFAULT_SPEC)
        spec = json.loads(path.read_text("utf-8"))
        self._methods: dict[str, dict[str, Any]] = spec["methods"]
        # The entity types the spec lists ("pre", "bold", ...), quoted in its description.
        entity = {f["name"]: f for f in spec["types"]["MessageEntity"]["fields"]}
        self._entity_fields = entity
        self._entity_types = set(re.findall(r'"([a-z_]+)"', entity["type"]["description"]))
        self._by_lower = {name.lower(): name for name in self._methods}
        bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 1
        self.bot_user = dict(id=bot_id, is_bot=True, first_name="AntiPest", username=bot_username)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._last_pushed = self._last_fetched = 0
        self._changed = asyncio.Event()
        self._closing = False
        self._inflight = 0
        self._open: list[Call] = []  # calls being handled (getUpdates excepted)
        self._last_activity = time.monotonic()
        # Set by an in-process bot: True when it has no update in hand. Without it, a bot that
        # thinks longer than `quiet` after fetching (a loaded machine) would look idle.
        self.settled: Callable[[], bool] = lambda: True
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._next_message_id: dict[int | str, int] = defaultdict(lambda: 1)
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._files: dict[str, bytes] = {}
        self._documents: set[str] = set()  # file ids users sent as files (documents)
        self._serial = itertools.count(1)
        self._commands: dict[tuple[str, str], list[Any]] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._webhook_url = ""
        self._runner: web.AppRunner | None = None

    # ----------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port and set ``url``."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closing = False
        # handler_cancellation: a client that disconnects cancels its held call (see above).
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ---------------------------------------------------------- pushing updates
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update; assigns ``update_id`` if absent and returns it."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        else:
            self._update_ids = itertools.count(max(update["update_id"] + 1, self._last_pushed + 1))
        self._last_pushed = max(self._last_pushed, update["update_id"])
        self._updates.append(update)
        self._notify()
        return update["update_id"]

    def push_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "nl",
        first_name: str = "Kind",
        last_name: str | None = None,
        username: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        """A text message from ``user_id`` (in their private chat unless ``chat_id`` is given)."""
        names = dict(first_name=first_name, last_name=last_name, username=username)
        user = self._user(user_id, language_code, **names)
        chat_id = user_id if chat_id is None else chat_id
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", **{k: user[k] for k in names if k in user}}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": "Testgroep"}
        self._chats[chat_id] = chat
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self.push_update({"message": self._new_message(chat_id, user, content)})

    def push_command(self, user_id: int, text: str, **kwargs: Any) -> int:
        """Like push_text, plus the bot_command entity PTB's CommandHandler needs."""
        length = len(text.split(maxsplit=1)[0]) if text.strip() else 0
        entity = {"type": "bot_command", "offset": 0, "length": length}
        return self.push_text(user_id, text, entities=[entity], **kwargs)

    def push_photo(
        self,
        user_id: int,
        *,
        file_id: str | None = None,
        file_size: int = 50_000,
        caption: str | None = None,
        language_code: str | None = "nl",
        media_group_id: str | None = None,
    ) -> int:
        """A photo message (two PhotoSize entries; the big one has ``file_id``/``file_size``).

        Photos sent at once (an album) are one update each with the same ``media_group_id``.
        """
        file_id = file_id or f"photo-{next(self._serial)}"
        photo = [
            _file(f"{file_id}-thumb", width=90, height=90, file_size=min(file_size, 1_500)),
            _file(file_id, width=1280, height=960, file_size=file_size),
        ]
        content: dict[str, Any] = {"photo": photo}
        if caption is not None:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return self._push_private(user_id, language_code, content)

    def push_document(
        self,
        user_id: int,
        *,
        file_id: str | None = None,
        mime_type: str = "image/png",
        file_name: str = "screenshot.png",
        file_size: int = 2_000_000,
        caption: str | None = None,
        language_code: str | None = "nl",
    ) -> int:
        """A file message ("send as file": an uncompressed screenshot). Telegram will not send
        its ``file_id`` again with sendPhoto (see ``_m_sendPhoto``)."""
        file_id = file_id or f"doc-{next(self._serial)}"
        self._documents.add(file_id)
        document = _file(file_id, file_name=file_name, mime_type=mime_type, file_size=file_size)
        content: dict[str, Any] = {"document": document}
        if caption is not None:
            content["caption"] = caption
        return self._push_private(user_id, language_code, content)

    def push_sticker(
        self,
        user_id: int,
        *,
        file_id: str | None = None,
        emoji: str = "\N{GRINNING FACE}",
        language_code: str | None = "nl",
    ) -> int:
        """A (regular, static) sticker message."""
        file_id = file_id or f"sticker-{next(self._serial)}"
        sticker = _file(file_id, type="regular", width=512, height=512, emoji=emoji)
        sticker.update(is_animated=False, is_video=False)
        return self._push_private(user_id, language_code, {"sticker": sticker})

    def push_callback(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        language_code: str | None = "nl",
    ) -> int:
        """A button press on bot message ``message_id`` (default: the bot's latest message)."""
        user = self._user(user_id, language_code)
        bot_msgs = [
            m for (c, _), m in self._messages.items() if c == user_id and m["from"]["is_bot"]
        ]
        if message_id is None:
            message = bot_msgs[-1] if bot_msgs else None
        else:
            message = self._messages.get((user_id, message_id))
        if message is None:  # unknown message: a minimal stand-in
            message = {"message_id": message_id or 1, "date": int(time.time())}
            message.update({"chat": self._chat(user_id), "from": self.bot_user})
        query = {"id": f"cbq-{next(self._serial)}", "from": user, "data": data}
        query.update({"chat_instance": f"ci-{user_id}", "message": message})
        return self.push_update({"callback_query": query})

    def _push_private(self, user_id: int, language_code: str | None, content: dict) -> int:
        user = self._user(user_id, language_code)
        return self.push_update({"message": self._new_message(user_id, user, content)})

    def _user(self, user_id: int, language_code: str | None, **names: str | None) -> dict:
        """The user dict for ``user_id``; remembers names given earlier."""
        user = self._users.get(user_id) or dict(id=user_id, is_bot=False, first_name="Kind")
        user = {**user, **{k: v for k, v in names.items() if v is not None}}
        user.pop("language_code", None)
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        if chat_id not in self._chats:
            if isinstance(chat_id, int) and chat_id > 0:
                name = self._users.get(chat_id, {}).get("first_name", "Kind")
                self._chats[chat_id] = {"id": chat_id, "type": "private", "first_name": name}
            else:
                self._chats[chat_id] = {"id": chat_id, "type": "group", "title": "Testgroep"}
        return self._chats[chat_id]

    def _new_message(self, chat_id: int | str, sender: dict, content: dict) -> dict[str, Any]:
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] += 1
        message = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id)}
        message.update({"from": sender, **content})
        self._messages[(chat_id, message_id)] = message
        return message

    # ------------------------------------------------------------------ reading
    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Calls where the bot did something (no polling/getMe/webhook plumbing).

        Failed calls are included (``ok=False``); abandoned ones, which never reached the
        server's method handler, are not.
        """
        return [
            c
            for c in self.calls
            if c.method not in INFRA_METHODS
            and not c.abandoned
            and (chat_id is None or c.params.get("chat_id") == chat_id)
            and (method is None or c.method == method)
        ]

    def delivered(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """The calls Telegram would have carried out: answered with ok."""
        return [c for c in self.sent(chat_id, method) if c.ok]

    def pending_update_ids(self) -> list[int]:
        """Updates not yet confirmed by a getUpdates offset: a new poller gets them (again)."""
        return [u["update_id"] for u in self._updates]

    def texts(self, chat_id: int) -> list[str]:
        """Successfully sent/edited texts and captions (sendPhoto/sendDocument) for a chat."""
        out = []
        for call in self.sent(chat_id):
            key = {"sendMessage": "text", "editMessageText": "text"}.get(call.method, "caption")
            if call.ok and call.method in KEYBOARD_METHODS and key in call.params:
                out.append(call.params[key])
        return out

    def last_buttons(self, chat_id: int) -> list[tuple[str, str]]:
        """(label, callback_data or url) of the most recent inline keyboard sent to a chat."""
        for call in reversed(self.sent(chat_id)):
            if not call.ok or call.method not in KEYBOARD_METHODS:
                continue
            markup = call.params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                return [
                    (b.get("text", ""), b.get("callback_data") or b.get("url", ""))
                    for row in markup["inline_keyboard"]
                    for b in row
                ]
            if call.method.startswith("edit"):
                return []  # an edit without reply_markup removes the keyboard
        return []

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, timeout: float = 5.0, after: int = 0
    ) -> Call:
        """First call with index >= ``after`` matching ``predicate``; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        checked = after
        while True:
            for call in self.calls[checked:]:
                if predicate(call):
                    return call
            checked = max(checked, len(self.calls))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching call within {timeout}s\n{self.dump(after)}")
            await self._wait_change(remaining)

    async def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Until ``condition()`` holds; checked again after every change the fake sees."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{what}: not within {timeout}s\n{self.dump()}")
            await self._wait_change(remaining)

    async def wait_idle(self, *, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Until every pushed update was fetched and no bot call happened for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            quiet_left = self._last_activity + quiet - now
            fetched = self._last_fetched >= self._last_pushed
            if fetched and not self._inflight and quiet_left <= 0 and self.settled():
                return
            if now >= deadline:
                held = [f"{c.method}:{c.params.get('chat_id')}:{c.fault}" for c in self._open]
                state = f"fetched={fetched} inflight={self._inflight} {held}"
                raise AssertionError(f"not idle within {timeout}s ({state})\n{self.dump()}")
            await self._wait_change(min(deadline - now, max(quiet_left, 0.01)))

    async def _wait_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def dump(self, after: int = 0) -> str:
        """Human-readable summary of recent non-polling calls, for assertion messages."""
        lines = [
            f"  #{i} {c.method}{'' if c.ok else ' (abandoned)' if c.abandoned else ' (error)'} "
            f"{json.dumps(c.params, ensure_ascii=False, default=repr)[:200]}"
            for i, c in enumerate(self.calls)
            if i >= after and c.method != "getUpdates"
        ]
        pending = f"  pending updates: {len(self._updates)}; violations: {self.violations}"
        return "\n".join(["calls:", *lines[-25:], pending])

    # -------------------------------------------------------- files and faults
    def add_file(self, file_id: str, content: bytes) -> None:
        """Make getFile and the download URL work for ``file_id``."""
        self._files[file_id] = content

    def add_document(self, file_id: str) -> None:
        """Telegram knows ``file_id`` as a file (a document): sendPhoto refuses it."""
        self._documents.add(file_id)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        count: int = 1,
        delay: float = 0.0,
        description: str | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail (status < 300: only delay them).

        With ``chat_id``, only calls to that chat count; a held call (a long ``delay``) whose
        client disconnects is abandoned, never carried out.
        """
        kind = str(status) if status >= 300 else "delay"
        fault = _Fault(status, retry_after, delay, description, chat_id, kind)
        self._faults[method].extend([fault] * count)

    def fault_rate(
        self,
        methods: Iterable[str],
        *,
        share: float,
        statuses: Iterable[int] = (429, 500),
        retry_after: int = 1,
        slow: float = 0.3,
        seed: int = 0,
        limit: int | None = None,
        chats: Iterable[int | str] | None = None,
        enforce_retry_after: bool = True,
    ) -> FaultPolicy:
        """Fail a seeded ``share`` of the calls of ``methods`` (to ``chats``, if given).

        Each injected fault is one of ``statuses`` or, if ``slow`` > 0, a success after ``slow``
        seconds, chosen with equal odds. At most ``limit`` faults in all. Replaces an earlier
        policy; ``fail_next`` faults go first.
        """
        kinds = tuple(str(s) for s in statuses) + (("slow",) if slow > 0 else ())
        self.policy = FaultPolicy(
            methods=frozenset(methods),
            share=share,
            kinds=kinds,
            retry_after=retry_after,
            slow=slow,
            seed=seed,
            limit=limit,
            chats=None if chats is None else frozenset(chats),
            enforce_retry_after=enforce_retry_after,
        )
        return self.policy

    def _fault_for(self, call: Call) -> _Fault | None:
        chat = call.params.get("chat_id")
        until = self._flood.get(chat) if chat is not None else None
        if until is not None:
            left = until - time.monotonic()
            if left > 0:
                self.early.append(call)
                return _Fault(429, max(1, math.ceil(left)), 0.0, None, kind="flood")
            del self._flood[chat]
        queue = self._faults[call.method]
        for fault in queue:
            if fault.chat_id is None or fault.chat_id == chat:
                queue.remove(fault)
                return fault
        return self.policy.draw(call.method, chat) if self.policy else None

    # ------------------------------------------------------------------- HTTP
    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(_error(401, "Unauthorized"), status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self._files:
            return web.json_response(_error(404, "Not Found"), status=404)
        return web.Response(body=self._files[file_id], content_type="application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(_error(401, "Unauthorized"), status=401)
        method = self._by_lower.get(request.match_info["method"].lower())
        params = await self._read_params(request, method)
        call = Call(method or request.match_info["method"], params, time.monotonic())
        self.calls.append(call)
        polling = method == "getUpdates"
        if not polling:
            self._inflight += 1
            self._open.append(call)
            self._last_activity = time.monotonic()
        self._notify()
        fault: _Fault | None = None
        try:
            if method is None:
                self.violations.append(f"{call.method}: method not in the Bot API spec")
                raise ApiError(404, "Not Found: method not found")
            self._validate(call)
            fault = self._fault_for(call)
            if fault:
                call.fault = fault.kind or None
                await self._inject(fault)
            if polling:
                result: Any = await self._get_updates(params)
            else:  # methods without a _m_ handler just succeed
                result = getattr(self, f"_m_{method}", lambda _: True)(params)
            return web.json_response({"ok": True, "result": result})
        except ApiError as exc:
            call.ok = False
            if fault and fault.window and exc.retry_after and "chat_id" in call.params:
                self._flood[call.params.get("chat_id")] = time.monotonic() + exc.retry_after
            body = _error(exc.status, exc.description, exc.retry_after)
            return web.json_response(body, status=exc.status)
        except asyncio.CancelledError:
            # The client disconnected while the call was held: it was never carried out.
            call.ok, call.abandoned = False, True
            self.abandoned.append(call)
            raise
        except Exception as exc:  # malformed params the handlers did not expect
            call.ok = False
            self.violations.append(f"{call.method}: fake server could not handle it: {exc!r}")
            return web.json_response(_error(500, f"Internal Server Error: {exc!r}"), status=500)
        finally:
            if not polling:
                self._inflight -= 1
                self._open.remove(call)
                self._last_activity = time.monotonic()
                self._notify()

    @staticmethod
    async def _inject(fault: _Fault) -> None:
        await asyncio.sleep(fault.delay)
        if fault.status >= 300:
            text = fault.description or FAULT_TEXT.get(fault.status, "Injected failure")
            raise ApiError(
                fault.status, text.format(retry_after=fault.retry_after), fault.retry_after
            )

    async def _read_params(self, request: web.Request, method: str | None) -> dict[str, Any]:
        fields = self._methods.get(method or "", {}).get("fields", [])
        types = {f["name"]: f["types"] for f in fields}
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            raw.update(await request.json() if request.can_read_body else {})
        elif request.can_read_body:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[name] = value
        return {k: _decode(v, types.get(k)) if isinstance(v, str) else v for k, v in raw.items()}

    # -------------------------------------------------------------- validation
    def _validate(self, call: Call) -> None:
        name, params = call.method, call.params
        fields = {f["name"]: f for f in self._methods[name].get("fields", [])}
        attached = json.dumps(params, default=repr)
        missing = [f for f, spec in fields.items() if spec["required"] and f not in params]
        self.violations.extend(f"{name}: required field {f!r} missing" for f in missing)
        for extra in [f for f in params if f not in fields]:
            if not (isinstance(params[extra], Upload) and f"attach://{extra}" in attached):
                self.violations.append(f"{name}: field {extra!r} is not in the spec")
        # Telegram counts UTF-16 units after entity parsing; Python str length is close enough.
        text = params.get("text")
        is_text = name in ("sendMessage", "editMessageText") and isinstance(text, str)
        if is_text and not 1 <= len(text) <= 4096:
            self.violations.append(f"{name}: text length {len(text)} not in 1..4096")
        caption = params.get("caption")
        if isinstance(caption, str) and len(caption) > 1024:
            self.violations.append(f"{name}: caption length {len(caption)} > 1024")
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            self._validate_keyboard(name, markup["inline_keyboard"])
        for marks, of in (("entities", "text"), ("caption_entities", "caption")):
            if marks in params:
                self._validate_entities(f"{name}: {marks}", params[marks], params.get(of))
        if name == "setMyCommands":
            for cmd in params.get("commands") or []:
                command, desc = str(cmd.get("command")), str(cmd.get("description", ""))
                if not COMMAND_RE.match(command):
                    self.violations.append(f"setMyCommands: bad command {command!r}")
                if not 1 <= len(desc) <= 256:
                    self.violations.append(f"setMyCommands: description length {len(desc)}")
        if missing:
            raise ApiError(400, f"Bad Request: {missing[0]} is required")

    def _validate_entities(self, name: str, entities: Any, text: Any) -> None:
        """MessageEntity objects as the spec has them, each within the text it marks: offset and
        length are UTF-16 code units, as Telegram counts them."""
        if not isinstance(entities, list) or not isinstance(text, str):
            self.violations.append(f"{name}: not an array of MessageEntity with a text")
            return
        units = len(text.encode("utf-16-le")) // 2
        for entity in entities:
            if not isinstance(entity, dict):
                self.violations.append(f"{name}: {entity!r} is not a MessageEntity")
                continue
            required = [f for f, spec in self._entity_fields.items() if spec["required"]]
            missing = [f for f in required if f not in entity]
            unknown = [f for f in entity if f not in self._entity_fields]
            if missing or unknown:
                self.violations.append(f"{name}: missing {missing}, unknown {unknown}")
                continue
            kind, offset, length = entity["type"], entity["offset"], entity["length"]
            if kind not in self._entity_types:
                self.violations.append(f"{name}: unknown entity type {kind!r}")
            if not (isinstance(offset, int) and isinstance(length, int)):
                self.violations.append(f"{name}: offset and length must be integers")
            elif offset < 0 or length < 1 or offset + length > units:
                self.violations.append(
                    f"{name}: {kind} at {offset}+{length} outside the text's {units} units"
                )

    def _validate_keyboard(self, name: str, keyboard: Any) -> None:
        if not isinstance(keyboard, list) or not all(isinstance(r, list) for r in keyboard):
            self.violations.append(f"{name}: inline_keyboard is not an array of arrays")
            return
        for button in itertools.chain.from_iterable(keyboard):
            label = button.get("text") if isinstance(button, dict) else None
            if not label:
                self.violations.append(f"{name}: inline button without text: {button!r}")
                continue
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                self.violations.append(f"{name}: button {label!r} callback_data not 1..64 bytes")
            if data is None and "url" not in button:
                self.violations.append(f"{name}: button {label!r} has neither url nor data")

    # --------------------------------------------------------- method handlers
    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, limit = params.get("offset"), int(params.get("limit") or 100)
        if isinstance(offset, int) and offset:
            keep = [u for u in self._updates if u["update_id"] >= offset]
            self._drop(self._updates[offset:] if offset < 0 else keep)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self._updates and not self._closing and time.monotonic() < deadline:
            await self._wait_change(deadline - time.monotonic())
        batch = self._updates[: max(1, min(limit, 100))]
        self.fetches.update(u["update_id"] for u in batch)
        if batch:
            self._last_fetched = max(self._last_fetched, batch[-1]["update_id"])
            self._last_activity = time.monotonic()
            self._notify()
        return batch

    def _drop(self, keep: list[dict[str, Any]]) -> None:
        dropped = [u["update_id"] for u in self._updates if u not in keep]
        self._last_fetched = max([self._last_fetched, *dropped])
        self._updates = list(keep)

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates") is True:
            self._drop([])
        self._webhook_url = ""
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self._webhook_url = str(params.get("url", ""))
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        pending = len(self._updates)
        return dict(
            url=self._webhook_url, has_custom_certificate=False, pending_update_count=pending
        )

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        content = {k: params[k] for k in ("text", "entities") if k in params}
        return self._bot_message(params, content)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        if isinstance(params["photo"], str) and params["photo"] in self._documents:
            # What Telegram answers when a document's file id is sent as a photo.
            raise ApiError(400, "Bad Request: type of file mismatch")
        file_id, size = self._stored_file(params["photo"], "sent-photo")
        photo = [_file(file_id, width=800, height=600, file_size=size)]
        return self._bot_message(params, {"photo": photo})

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params["document"]
        file_id, size = self._stored_file(document, "sent-doc")
        doc = _file(file_id, file_size=size)
        if isinstance(document, Upload) and document.filename:
            doc["file_name"] = document.filename
        return self._bot_message(params, {"document": doc})

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        return self._edit(params, {"text": params["text"]} if "text" in params else {})

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        return self._edit(params, {})

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        if self._messages.pop((params["chat_id"], params["message_id"]), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params["file_id"]
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return _file(file_id, file_size=len(self._files[file_id]), file_path=f"files/{file_id}")

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        self._commands[self._commands_key(params)] = list(params.get("commands") or [])
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[Any]:
        return self._commands.get(self._commands_key(params), [])

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _stored_file(self, value: Any, prefix: str) -> tuple[str, int]:
        if isinstance(value, Upload):
            file_id = f"{prefix}-{next(self._serial)}"
            self._files[file_id] = value.data
            return file_id, len(value.data)
        return str(value), len(self._files.get(str(value), b""))

    def _bot_message(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        if "caption" in params:
            content["caption"] = params["caption"]
        return self._new_message(params["chat_id"], self.bot_user, content)

    def _edit(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        message = self._messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message["from"]["is_bot"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = params.get("reply_markup")
        updated = {**message, **content, "edit_date": int(time.time())}
        updated.pop("reply_markup", None)
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            updated["reply_markup"] = markup
        if all(updated.get(k) == message.get(k) for k in ("text", "reply_markup")):
            raise ApiError(400, NOT_MODIFIED)
        self._messages[(params["chat_id"], params["message_id"])] = updated
        return updated
