"""The Telegram channel: python-telegram-bot updates in, the conversation's replies out.

It turns updates into `Inbound` values, sends `Outbound` messages as plain text (no parse mode,
so nothing a user typed can ever be read as markup), leaves any group it is added to, and keeps
the coordinators' command menus. It builds and starts nothing shared: the root (`bot/app.py`)
hands it the conversation and runs the outbox and the jobs.

Updates come by long polling, or by Telegram's webhook on the process's one HTTP server
(webhook.py): PTB's own webhook server is not used, so one port behind one TLS proxy serves the
web chat and Telegram.

Start-up asks Telegram who the bot is (getMe) before python-telegram-bot takes over, so that a
rejected token or an unreachable Bot API ends in one `StartError` sentence rather than PTB's
tracebacks; a network error there (and at setWebhook) is tried again a few times, each retry
logged on one line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.base import Conversation, DeliveryError, OneAtATime, StartError
from bot.channels.http import HttpServer
from bot.channels.telegram.menus import COORDINATOR_MENU, MENU
from bot.channels.telegram.polling import PollingBot, RateLimit
from bot.channels.telegram.request import AiohttpRequest
from bot.channels.telegram.traits import TELEGRAM, Webhook
from bot.channels.telegram.webhook import WebhookRoute
from bot.core.commands import command_trigger
from bot.core.model import MADE_FILE, Identity, Inbound, Outbound, Text, parse_button_data
from bot.core.render import Renderer

log = logging.getLogger(__name__)
T = TypeVar("T")

# Opt in to PTB's coming durations as timedelta (RetryAfter.retry_after): the int form is
# deprecated and warns on every read.
os.environ.setdefault("PTB_TIMEDELTA", "true")

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
NO_PREVIEW = {"is_disabled": True}
# The Bot API method and its field for each kind of file the bot sends again.
FILE_METHODS = {"photo": ("sendPhoto", "photo"), "document": ("sendDocument", "document")}
# A photo this process keeps (a web upload, Conversation.photo): Telegram has never seen it, so
# its bytes go up instead of an id.
KEPT_PHOTO = "web-"
# A Bot API that is away for a moment at start-up (Telegram restarting a front end, a local Bot
# API server still starting beside the bot) gets two more tries, 1 and 2 s apart; then the start
# fails in one sentence and the service manager's own restart policy takes over.
START_WAITS = (1.0, 2.0)
START_TRIES = len(START_WAITS) + 1
FLOOD_WAIT_CAP = 30.0  # seconds; a longer flood-control wait at start-up is reported, not waited


def to_inbound(update: Update) -> Inbound | None:
    """What the user did, in channel-free terms; None for updates that need no answer."""
    if update.callback_query:
        data = update.callback_query.data or ""
        return parse_button_data(data) or Inbound(kind="button", trigger="", shown_in="?")
    if update.edited_message:
        # The new text is kept apart (never silently dropped); the first one stays as it was.
        return Inbound(kind="edited", text=update.edited_message.text)
    message = update.message
    if message is None:
        return None
    if message.text:
        command = _COMMAND.match(message.text.strip())
        if command:
            name, arg = command.group(1), (command.group(2) or "").strip() or None
            return Inbound(kind="command", trigger=command_trigger(name), arg=arg)
        return Inbound(kind="text", text=message.text)
    # A caption is what the user typed with the photo: it comes along as the inbound's text.
    image = {"text": message.caption or None, "album": message.media_group_id}
    if message.photo:
        largest = message.photo[-1]
        return Inbound(kind="photo", file_id=largest.file_id, file_size=largest.file_size, **image)
    document = message.document
    if document and (document.mime_type or "").startswith("image/"):
        # A screenshot sent "as a file" is evidence too. The bot never downloads evidence (it
        # re-sends the file id to coordinators, with sendDocument: Telegram refuses a file's id
        # in sendPhoto), so Telegram's 20 MB download limit is no limit.
        file = {"file_id": document.file_id, "file_size": document.file_size}
        return Inbound(kind="photo", file_kind="document", **file, **image)
    # Stickers, voice, video, locations, contacts, other files: a kind re-ask.
    return Inbound(kind="unsupported")


def _markup(outbound: Outbound) -> dict[str, Any] | None:
    """The Bot API's InlineKeyboardMarkup, as the JSON object it is sent as."""
    if not outbound.rows:
        return None
    keyboard = [
        [{"text": label, "callback_data": data} for label, data in row] for row in outbound.rows
    ]
    return {"inline_keyboard": keyboard}


def _monospace(outbound: Outbound) -> list[dict[str, Any]] | None:
    """A monospace message as one `pre` entity over all of it: messages are sent without a parse
    mode (nothing typed can then format anything), so the font comes as an entity, whose offset
    and length Telegram counts in UTF-16 code units."""
    if not outbound.monospace or not outbound.text:
        return None
    return [{"type": "pre", "offset": 0, "length": len(outbound.text.encode("utf-16-le")) // 2}]


class _Application(Application):
    """PTB's Application, minus one leak.

    Without persistence, PTB 22 still marks the chat and user of every update "to be saved" in
    two sets that only `update_persistence` empties, and that never runs without persistence: one
    entry per user and per chat, for as long as the process lives (two sets of 2 MB each after
    30,000 users, by tracemalloc; peak RSS at 30,000 users went from 80.2 to 74.2 MB without
    them). The bot keeps nothing in PTB, so there is nothing to mark.
    """

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Any = None
    ) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


class TelegramChannel:
    traits = TELEGRAM
    only_chat: str | None = None
    default_locale = "nl"

    def __init__(
        self,
        token: str,
        api_url: str,
        renderer: Renderer,
        *,
        poll_timeout: int = 10,
        webhook: Webhook | None = None,
        http: HttpServer | None = None,
    ) -> None:
        """With a `webhook`, its route is added to `http` now, before the server starts."""
        self.api_url = api_url
        self.renderer = renderer  # for the menus' descriptions
        self.poll_timeout = poll_timeout
        self.webhook = webhook
        self.api = AiohttpRequest()
        self.application: Application = (
            ApplicationBuilder()
            .application_class(_Application)
            .bot(
                PollingBot(  # skips an update it cannot read (polling.py)
                    token,
                    base_url=f"{api_url}/bot",
                    base_file_url=f"{api_url}/file/bot",
                    request=self.api,
                    get_updates_request=AiohttpRequest(connection_pool_size=1),
                )
            )
            # Users at the same time (a slow reply to one holds up nobody else), each user's
            # own updates in order (`self.turns`).
            .concurrent_updates(True)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self.on_update))
        self.application.add_error_handler(self._on_error)
        self.conversation: Conversation | None = None
        self.turns = OneAtATime()
        self.log_limit = RateLimit()  # PTB's polling errors: a line a minute (polling.py)
        self._tasks: list[asyncio.Task[None]] = []
        self._stopped: asyncio.Event | None = None
        self.route: WebhookRoute | None = None
        if webhook is not None:
            if http is None:
                raise ValueError("A webhook needs the HTTP server it is served on.")
            # Taken only while the application takes from its queue: before start and after
            # stop Telegram is answered 503 and sends the update again later.
            self.route = WebhookRoute(
                webhook.secret_token,
                self.application.bot,  # type: ignore[arg-type]
                self.application.update_queue,
                lambda: self.application.running,
            )
            self.route.add_to(http.app, webhook.url)

    async def start(self, conversation: Conversation) -> None:
        """getMe (with start-up's retries), the menus, then polling or setWebhook.

        Raises StartError when Telegram rejects the token or the webhook's address, or cannot
        be reached.
        """
        self.conversation = conversation
        self._stopped = asyncio.Event()
        try:
            await _at_start(self.api_url, self.application.initialize)
        except BaseException:
            # PTB's shutdown() does nothing for an application whose initialize() failed, which
            # left both HTTP sessions open ("Unclosed client session"): close them here.
            await self.application.bot.shutdown()
            raise
        self.log_limit.attach()
        try:
            await self._set_menus()
            await self.application.start()
            if self.webhook is None:
                updater = self.application.updater
                assert updater is not None
                # PTB deletes any webhook first (deleteWebhook, pending updates kept).
                await updater.start_polling(
                    poll_interval=0, timeout=self.poll_timeout, allowed_updates=Update.ALL_TYPES
                )
            else:
                # After the application runs: an update Telegram posts at once is taken.
                await _at_start(self.api_url, partial(self._set_webhook, self.webhook))
        except BaseException:
            await self.stop()  # the root stops only channels that started
            raise
        self._tasks = [asyncio.create_task(self._refresh_menus(), name="coordinator_menus")]
        log.info("telegram_started")

    def settled(self) -> bool:
        """No update waiting or in hand: everything fetched (or posted) so far was answered."""
        queue, processor = self.application.update_queue, self.application.update_processor
        receiving = self.route.receiving if self.route is not None else 0
        return queue.empty() and processor.current_concurrent_updates == 0 and receiving == 0

    async def finished(self) -> None:
        """Telegram never ends by itself: this returns when the channel is stopped."""
        assert self._stopped is not None
        await self._stopped.wait()

    async def stop(self) -> None:
        """Every update taken is handled first. A webhook stays set: Telegram keeps what comes
        meanwhile (the route answers 503) and sends it again once the bot is back."""
        self.log_limit.detach()
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.application.shutdown()
        if self._stopped is not None:
            self._stopped.set()

    async def _set_webhook(self, webhook: Webhook) -> None:
        try:
            await self.application.bot.set_webhook(
                webhook.url,
                secret_token=webhook.secret_token,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,  # what came while the bot was away is answered
            )
        except BadRequest as error:  # the address, not the Bot API: not tried again
            # Telegram's reason is not quoted: it may repeat the address, which may hold a secret.
            raise StartError(
                "The Bot API refuses the webhook address: Telegram takes only a public https:// "
                "address on port 443, 80, 88 or 8443 whose host name resolves."
            ) from error

    async def _set_menus(self) -> None:
        try:
            for locale, commands in MENU.items():
                await self.application.bot.set_my_commands(
                    self._commands(commands, locale),
                    scope=BotCommandScopeDefault(),
                    language_code=_menu_language(locale),
                )
        except TelegramError as error:
            # The menu only lists the commands, which work without it; the next start sets it.
            log.warning("menu_failed error=%s", type(error).__name__)

    def _commands(self, commands: list[tuple[str, str]], locale: str) -> list[BotCommand]:
        return [BotCommand(name, self.renderer.text(Text(desc), locale)) for name, desc in commands]

    async def _refresh_menus(self) -> None:
        """Every coordinator's chat gets the queue command; a removed one's chat loses it.

        Coordinators are added and removed by the CLI, in another process: a start is when this
        process learns of them. An invite redeemed while it runs refreshes that chat at once.
        """
        assert self.conversation is not None
        for chat, active in self.conversation.coordinator_chats(self.traits.name):
            await self._refresh_menu(chat, active)

    def coordinator_changed(self, chat: str) -> None:
        """Called inside the update's transaction: the task runs after it has committed."""
        self._tasks = [task for task in self._tasks if not task.done()]
        self._tasks.append(asyncio.create_task(self._refresh_menu(chat, True)))

    async def _refresh_menu(self, chat: str, active: bool) -> None:
        bot, scope = self.application.bot, BotCommandScopeChat(_chat_id(chat))
        try:
            for locale, commands in COORDINATOR_MENU.items():
                language = _menu_language(locale)
                if active:
                    menu = self._commands(commands, locale)
                    await bot.set_my_commands(menu, scope=scope, language_code=language)
                else:
                    await bot.delete_my_commands(scope=scope, language_code=language)
        except TelegramError as error:
            log.warning("coordinator_menu_failed error=%s", type(error).__name__)

    async def on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        if chat.type != ChatType.PRIVATE:
            await self._leave_group(update)
            return
        if update.callback_query:  # stops the button's spinner in the user's app
            try:
                await self._post("answerCallbackQuery", callback_query_id=update.callback_query.id)
            except TelegramError as error:
                # Only the spinner is lost (it stops by itself); the press is still handled.
                log.warning("spinner_failed error=%s", type(error).__name__)
        inbound = to_inbound(update)
        if inbound is None:
            return
        inbound = replace(inbound, delivery=f"telegram:{update.update_id}")
        who = Identity("telegram", str(user.id), str(chat.id), user.language_code)
        assert self.conversation is not None
        async with self.turns.turn(who.user_id):
            replies = await self.conversation.handle(who, inbound)
            for n, outbound in enumerate(replies):
                try:
                    await self.send(who.chat_id, outbound)
                except DeliveryError as error:
                    # Handled and committed (a report may be sent): its answer still comes,
                    # through the outbox. "Try again" is only for what did not happen.
                    log.warning("reply_failed error=%s", error)
                    await self.conversation.undelivered(who, replies[n:], error.retry_after)
                    return

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The exception text may quote user content, so only its type is logged.
        log.error("update_failed error=%s", type(context.error).__name__)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        chat, user = update.effective_chat, update.effective_user
        if chat.type != ChatType.PRIVATE:
            return
        language = user.language_code if user else None
        try:
            assert self.conversation is not None
            for outbound in self.conversation.failure_reply(language):
                await self._send(chat.id, outbound)
        except TelegramError:
            log.warning("failure_reply_failed chat_type=private")

    async def _leave_group(self, update: Update) -> None:
        chat = update.effective_chat
        user = update.effective_user
        assert chat is not None
        log.info("group_left chat_type=%s", chat.type)
        language = user.language_code if user else None
        try:
            assert self.conversation is not None
            for outbound in self.conversation.group_reply(language):
                await self._send(chat.id, outbound)
            await self.application.bot.leave_chat(chat.id)
        except TelegramError as error:
            log.warning("group_leave_failed error=%s", type(error).__name__)

    async def _send(self, chat_id: int | str, outbound: Outbound) -> None:
        common = {"chat_id": chat_id, "reply_markup": _markup(outbound)}
        if outbound.quiet:  # the reporter asked for messages without sound or vibration
            common["disable_notification"] = True
        if outbound.photo:
            await self._send_file(outbound, common)
        else:
            await self._post(
                "sendMessage",
                text=outbound.text,
                entities=_monospace(outbound),
                link_preview_options=NO_PREVIEW,
                **common,
            )

    async def _send_file(self, outbound: Outbound, common: dict[str, Any]) -> None:
        """A photo goes back with sendPhoto, a file with sendDocument; one Telegram refuses (a
        kind mismatch, a file it no longer has) becomes its one-line `unsent` text."""
        method, field = FILE_METHODS[outbound.photo_kind]
        photo, caption = outbound.photo or "", outbound.text or None
        try:
            if photo.startswith((KEPT_PHOTO, MADE_FILE)):
                await self._upload(method, photo, caption=caption, **common)
            else:
                await self._post(method, **{field: photo}, caption=caption, **common)
        except BadRequest:
            if outbound.unsent is None:
                raise
            log.warning("file_refused kind=%s", outbound.photo_kind)
            await self._post("sendMessage", text=outbound.unsent, **common)

    async def _upload(self, method: str, photo: str, **params: Any) -> None:
        """A kept photo's bytes, or a file made now (the figures), uploaded (multipart) with
        PTB's own method for `method`. One that is gone is refused as Telegram refuses a file it
        no longer has (BadRequest)."""
        assert self.conversation is not None
        if photo.startswith(MADE_FILE):
            made = await self.conversation.document(photo)
            if made is None:
                raise BadRequest("The file cannot be made.")
            name, data = made
        else:
            kept = await self.conversation.photo(photo)
            if kept is None:
                raise BadRequest("The kept photo is gone.")
            data = kept
            name = "photo.png" if data.startswith(b"\x89PNG") else "photo.jpg"  # clean_photo's
        bot = self.application.bot
        send = bot.send_photo if method == "sendPhoto" else bot.send_document
        markup = params.pop("reply_markup", None)
        if markup is not None:
            params["reply_markup"] = InlineKeyboardMarkup.de_json(markup, bot)
        await send(params.pop("chat_id"), data, filename=name, **params)

    async def _post(self, method: str, **params: Any) -> Any:
        """Call the Bot API the lean way (AiohttpRequest.call) with PTB's errors.

        Replies skip `Bot.send_message`, which builds a full `Message` object from every answer
        the bot never reads (15 % of its CPU) and encodes the parameters twice over.
        """
        url = f"{self.application.bot.base_url}/{method}"
        return await self.api.call(url, {k: v for k, v in params.items() if v is not None})

    async def send(self, chat: str, outbound: Outbound) -> None:
        """Outbox delivery: channel errors become `DeliveryError`s the outbox can retry."""
        try:
            await self._send(_chat_id(chat), outbound)
        except RetryAfter as error:
            raise DeliveryError("rate_limited", _seconds(error.retry_after)) from error
        except Forbidden as error:
            raise DeliveryError("forbidden") from error
        except (NetworkError, TelegramError) as error:
            raise DeliveryError(type(error).__name__) from error


def _menu_language(locale: str) -> str | None:
    """Dutch is the menu for every language Telegram has no menu of ours for."""
    return None if locale == "nl" else locale


def _seconds(value: timedelta | float) -> float:
    """RetryAfter.retry_after: a timedelta with PTB_TIMEDELTA set (PTB's future), else seconds."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_id(chat: str) -> int | str:
    """The Bot API's chat_id: Telegram's chats are numbers (groups negative), sent as numbers."""
    return int(chat) if chat.lstrip("-").isdigit() else chat


def fetch_bot_username(token: str, api_url: str) -> str:
    """The bot's username (without @), asked from Telegram with getMe, e.g. for an invite link.

    Raises StartError as start-up does: a token Telegram rejects, no Bot API.
    """
    return asyncio.run(_fetch_bot_username(token, api_url))


async def _fetch_bot_username(token: str, api_url: str) -> str:
    url = f"{api_url}/bot{token}/getMe"
    api = AiohttpRequest(connection_pool_size=1)
    await api.initialize()
    try:
        me = await _at_start(api_url, lambda: api.call(url, {}))
    finally:
        await api.shutdown()
    username = me.get("username") if isinstance(me, dict) else None
    if not isinstance(username, str) or not username:
        raise StartError("Telegram gave no username for this bot: pass it with --bot-username.")
    return username


async def _at_start(api_url: str, call: Callable[[], Awaitable[T]]) -> T:
    """`call` (getMe, setWebhook) as start-up makes it: network errors are tried again
    (START_WAITS), each retry logged on one line; a rejected token or a last failure is one
    StartError sentence.

    No message quotes an error's text: PTB's and aiohttp's hold the request URL with the token.
    """
    where = _api_address(api_url)
    for attempt in range(1, START_TRIES + 1):
        try:
            return await call()
        except InvalidToken as error:  # 401 (a wrong or revoked token) or 404 (a malformed one)
            raise StartError(
                f"The Bot API at {where} does not accept TELEGRAM_BOT_TOKEN: copy the token "
                "again from @BotFather (it may have been revoked)."
            ) from error
        except RetryAfter as error:
            wait, reason, last = _seconds(error.retry_after), "too many requests", error
            if wait > FLOOD_WAIT_CAP:
                raise StartError(
                    f"The Bot API at {where} asks to wait {wait:.0f} s before the next call: "
                    "start the bot again after that."
                ) from error
        except BadRequest as error:  # a NetworkError subclass in PTB, but the server answered
            raise _unusable_answer(where, error) from error
        except NetworkError as error:  # TimedOut included
            reason, last = _network_reason(error), error
            wait = START_WAITS[min(attempt, len(START_WAITS)) - 1]
        except TelegramError as error:  # e.g. an answer that is not the Bot API's JSON
            raise _unusable_answer(where, error) from error
        if attempt < START_TRIES:
            log.warning(
                "bot_api_unavailable try=%d/%d retry_in=%.0fs reason=%s",
                attempt,
                START_TRIES,
                wait,
                reason,
            )
            await asyncio.sleep(wait)
    raise StartError(
        f"The Bot API at {where} is unavailable ({reason}; tried {START_TRIES} times): check "
        "the network and TELEGRAM_API_URL."
    ) from last


def _api_address(url: str) -> str:
    """host[:port] of the Bot API URL: no path or user info, which might hold a secret."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def _network_reason(error: NetworkError) -> str:
    """A few words on why a call failed, from the error's type and errno, never its text."""
    if isinstance(error, TimedOut):
        return "no answer in time"
    cause = error.__cause__
    if cause is None:  # PTB's own error for an HTTP error status such as 502 Bad Gateway
        return "it answers with a server error"
    number = getattr(cause, "errno", None)
    if isinstance(number, int) and number > 0:
        return os.strerror(number).lower()  # "connection refused", "network is unreachable"
    os_error = getattr(cause, "os_error", None)  # aiohttp keeps a resolver error apart
    if isinstance(os_error, socket.gaierror) or isinstance(cause, socket.gaierror):
        return "the host name cannot be resolved"
    return "the connection failed"


def _unusable_answer(where: str, error: TelegramError) -> StartError:
    return StartError(
        f"The Bot API at {where} gave an answer the bot cannot use ({type(error).__name__}): "
        "check TELEGRAM_API_URL."
    )
