"""The composition root: builds everything from settings, and runs it for the channels.

`build()` makes the object graph; `App.start(channels)` starts the background work (an outbox
sender per channel, the job runner with retention, batched fsyncs) exactly once per process,
whichever channels run, and then the channels, handing each the conversation it serves.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from bot import chat, resources
from bot.background.health import Health
from bot.background.jobs import JobRunner
from bot.background.outbox import OutboxSender, keep_replies
from bot.background.supervisor import LoopHealth
from bot.cases.board import Board
from bot.channels.base import Channel
from bot.channels.http import HttpServer
from bot.channels.telegram.traits import TELEGRAM
from bot.channels.terminal import TERMINAL, TerminalChannel
from bot.chat.service import Service
from bot.clock import Clock, system_clock
from bot.core.crisis import load_crisis_words
from bot.core.engine import Engine
from bot.core.flowspec import FlowError, load_flows, validate
from bot.core.i18n import load_catalogs
from bot.core.model import Identity, Inbound, Outbound
from bot.core.render import Renderer
from bot.schools.config import SchoolConfigError, load_school
from bot.schools.school import School
from bot.settings import Settings, SettingsError
from bot.stats import files
from bot.stats.render import Export
from bot.storage import Stores
from bot.storage.keycheck import open_with_key

if TYPE_CHECKING:
    from bot.channels.web.routes import WebOptions
    from bot.channels.web.schools import PageSchools

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class App:
    settings: Settings
    school: School  # the board's defaults (the TOML file); school 1 of a one-school install
    stores: Stores
    renderer: Renderer
    service: Service
    jobs: JobRunner
    clock: Clock
    board: Board
    channels: dict[str, Channel] = field(default_factory=dict)
    outboxes: dict[str, OutboxSender] = field(default_factory=dict)
    background: list[asyncio.Task[None]] = field(default_factory=list)
    conversation: Conversation | None = None
    http: HttpServer | None = None

    def telegram(self, **options: object) -> Channel:
        """The Telegram channel for these settings (TelegramChannel's options: poll_timeout,
        webhook, and http, the server a webhook's route is added to). Imported here:
        python-telegram-bot loads only in a process that uses it."""
        from bot.channels.telegram.channel import TelegramChannel

        token = self.settings.require_token()
        return TelegramChannel(token, self.settings.api_url, self.renderer, **options)  # type: ignore[arg-type]

    def web(self, http: HttpServer, options: WebOptions | None = None) -> Channel:
        """The web chat on `http` (its routes are added now, before the server starts)."""
        from bot.channels.web.channel import Times, WebChannel
        from bot.channels.web.photos import PhotoLimits
        from bot.channels.web.routes import Api, WebOptions, add_routes

        web = self.settings.web
        options = options or WebOptions(
            exit_url=web.exit_url,
            frame_origins=web.frame_origins,
            public_url=web.public_url,
            max_text=web.max_text,
            photos=PhotoLimits(max_bytes=web.max_photo_mb * 1024 * 1024),
        )
        idle = web.idle_minutes * 60
        times = Times(idle=idle, warn=idle - 300)
        vault = self.stores.vault
        pseudonym = partial(vault.subject, "web")
        schools = partial(page_schools, self.board)
        channel = WebChannel(self.stores.web, pseudonym, self.clock, times, schools)
        add_routes(http.app, Api(channel, self.renderer, options))
        return channel

    async def start(self, channels: Sequence[Channel], http: HttpServer | None = None) -> None:
        """Bind the HTTP server (when channels use one), start the channels, then the
        background work once for all of them.

        Raises what a channel's start raises (StartError), after stopping what had started; a
        port that is taken (ListenError) before anything else has started.
        """
        if self.background or self.channels:
            raise RuntimeError("This app is running already.")
        if http is not None:
            # Its verdict: the database takes a write, and these loops move (`health()`).
            http.health = Health(self.stores, self.health, self.clock).healthy
            await http.start()
            self.http = http
        loop = asyncio.get_running_loop()
        # Updates are worked out in a thread (Conversation.handle): what they set in motion on
        # the loop (a batched fsync, waking a sender, a coordinator's menu) goes through it.
        self.stores.db.schedule = lambda delay, sync: loop.call_soon_threadsafe(
            loop.call_later, delay, sync
        )
        for channel in channels:
            name = channel.traits.name
            if name in self.channels:
                raise ValueError(f"Two channels are called {name!r}.")
            self.service.channels[name] = channel.traits
            self.channels[name] = channel
            self.outboxes[name] = OutboxSender(
                self.stores,
                self.board,
                self.renderer,
                channel.send,
                self.clock,
                channel=name,
                only_chat=channel.only_chat,
                default_locale=channel.default_locale,
                limits=channel.traits.limits,
            )
        self.service.on_commit = self.jobs.on_enqueue = lambda: loop.call_soon_threadsafe(
            self._wake_outboxes
        )
        self.service.on_coordinator_joined = lambda channel, chat: loop.call_soon_threadsafe(
            self._coordinator_joined, channel, chat
        )
        conversation = self.conversation = Conversation(self)
        started: list[Channel] = []
        try:
            for channel in channels:
                await channel.start(conversation)
                started.append(channel)
        except BaseException:
            self.channels = {c.traits.name: c for c in started}
            await self.stop()
            raise
        self.background = [
            *(
                asyncio.create_task(sender.run(), name=f"outbox:{name}")
                for name, sender in self.outboxes.items()
            ),
            asyncio.create_task(self.jobs.run(), name="jobs"),
        ]
        log.info("app_started channels=%s", ",".join(self.channels))

    async def stop(self) -> None:
        """Stop the channels, then the background work; pending fsyncs are done."""
        for channel in reversed(list(self.channels.values())):
            await channel.stop()
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        self.background, self.channels, self.outboxes = [], {}, {}
        if self.http is not None:
            await self.http.stop()
            self.http = None
        if self.conversation is not None:
            self.conversation.close()  # the update in hand is finished and committed
            self.conversation = None
        # The loop these hooks point into is about to go: without it, nothing is woken.
        self.service.on_commit = self.jobs.on_enqueue = _nothing
        self.service.on_coordinator_joined = lambda _channel, _chat: None
        self.stores.db.schedule = None
        self.stores.db.sync_pending()

    async def serve(
        self,
        channels: Sequence[Channel],
        http: HttpServer | None = None,
        started: Callable[[], None] = lambda: None,
    ) -> None:
        """Run until a channel ends by itself (the terminal's input) or SIGINT/SIGTERM.

        `started` is called once everything runs: a notice printed there never stands before
        the one sentence of a start that fails.
        """
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        handled = threading.current_thread() is threading.main_thread()
        if handled:
            for number in signals:
                loop.add_signal_handler(number, stop.set)
        try:
            await self.start(channels, http)
            started()
            ends = [asyncio.ensure_future(c.finished()) for c in channels]
            signalled = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait([signalled, *ends], return_when=asyncio.FIRST_COMPLETED)
            finally:
                for wait in [signalled, *ends]:
                    wait.cancel()
                await self.stop()
            for end in ends:  # a channel that ended by an error ends the process with it
                if end.done() and not end.cancelled() and end.exception():
                    raise end.exception()  # type: ignore[misc]
        finally:
            if handled:
                for number in signals:
                    loop.remove_signal_handler(number)

    def health(self) -> dict[str, LoopHealth]:
        """Each background loop by name: alive, its last good round, failed rounds in a row."""
        loops = [*(sender.supervised for sender in self.outboxes.values()), self.jobs.supervised]
        return {loop.name: loop.health() for loop in loops}

    def _wake_outboxes(self) -> None:
        for sender in self.outboxes.values():
            sender.wake()

    def _coordinator_joined(self, channel: str, chat: str) -> None:
        if channel in self.channels:
            self.channels[channel].coordinator_changed(chat)


def _nothing() -> None:
    """No loop runs: nothing to wake."""


class Conversation:
    """The bot as a channel sees it (channels.base.Conversation): the service, and the
    background work a channel may ask to catch up with before its next prompt."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.service = app.service
        # One thread does every update's database work, in arrival order: SQLite has one
        # writer anyway, and the event loop stays free to send other users' replies while a
        # transaction waits (busy_timeout) for a lock another process holds.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conversation")

    async def handle(self, who: Identity, inbound: Inbound) -> list[Outbound]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.worker, self.service.handle, who, inbound)

    def close(self) -> None:
        self.worker.shutdown(wait=True)

    def group_reply(self, language_code: str | None) -> list[Outbound]:
        return self.service.group_reply(language_code)

    def failure_reply(self, language_code: str | None) -> list[Outbound]:
        return self.service.failure_reply(language_code)

    def listening(self, who: Identity, on: bool) -> None:
        self.service.listening(who, on)

    def coordinator_chats(self, channel: str) -> list[tuple[str, bool]]:
        return self.service.coordinator_chats(channel)

    async def undelivered(
        self, who: Identity, replies: list[Outbound], retry_after: float | None
    ) -> None:
        loop = asyncio.get_running_loop()
        keep = partial(keep_replies, self.app.stores, who, replies, retry_after, self.app.clock)
        await loop.run_in_executor(self.worker, keep)
        self.app._wake_outboxes()

    async def work(self, job: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, job)

    async def photo(self, file_id: str) -> bytes | None:
        return await self.work(partial(self.app.stores.web.photo, file_id))

    async def document(self, token: str) -> tuple[str, bytes] | None:
        order = files.Order.from_token(token)
        if order is None:
            return None
        app = self.app

        def read() -> tuple[School, Export]:
            school = app.board.current()[order.school]
            return school, files.ordered_export(app.stores, school, order, app.clock())

        # Read in turn with the updates; rendered beside them (a PDF takes a tenth of a second).
        school, export = await self.work(read)
        return await asyncio.to_thread(files.make, export, school.slug, order, app.renderer)

    async def catch_up(self, channel: str) -> None:
        # As the loops do it: an error is logged and counted, and the prompt comes all the same.
        await self.app.jobs.supervised.once()
        await self.app.outboxes[channel].supervised.once()


def page_schools(board: Board) -> PageSchools:
    """The board's live schools as the web chat sees them (read fresh: a school may have been
    added by `antipestbot school add` while the bot runs)."""
    from bot.channels.web.schools import PageSchool, PageSchools

    return PageSchools(
        tuple(PageSchool(s.id, s.slug, s.name or "", s.exit_url) for s in board.current().live)
    )


def school_of(settings: Settings) -> School:
    """The school the settings name (ANTIPEST_CONFIG), or the defaults when they name none.

    A broken school file is the operator's mistake: a `SettingsError` of one sentence.
    """
    if settings.school_config is None:
        return School()
    try:
        return load_school(settings.school_config)
    except SchoolConfigError as exc:
        raise SettingsError(str(exc)) from exc


def build(settings: Settings, clock: Clock = system_clock, school: School | None = None) -> App:
    """Everything one process runs; `school` when the caller has read it already."""
    # Read first, as the settings are: a broken school file creates no database or key.
    school = school_of(settings) if school is None else school
    flows = load_flows(resources.FLOWS)
    missing = {"welcome", "pupil", "coordinator"} - set(flows)
    if missing:
        raise FlowError(f"The flows {sorted(missing)} are missing from {resources.FLOWS}.")
    effects, views = chat.tables()
    for flow in flows.values():
        problems = validate(flow, effects, views)
        if problems:
            raise FlowError(f"flow {flow.name}: {problems[0]}")
    # A missing or wrong key for an existing database stops here (VaultError).
    db, vault = open_with_key(settings.db_path, settings.key_file)
    stores = Stores.open(db, vault)
    renderer = Renderer(load_catalogs())
    crisis = load_crisis_words(resources.CRISIS_WORDS)
    board = Board(stores, school)
    service = Service(
        stores,
        board,
        Engine(flows),
        renderer,
        crisis,
        clock,
        effects=effects,
        views=views,
        # every channel this code knows; App.start adds any other it is given
        channels={traits.name: traits for traits in (TELEGRAM, TERMINAL)},
    )
    jobs = JobRunner(stores, board, clock)
    return App(settings, school, stores, renderer, service, jobs, clock, board)


def chat_in_terminal(app: App, role: str, lang: str, **terminal: object) -> None:
    """`antipestbot chat`: the terminal channel, until /exit or the end of input."""
    channel = TerminalChannel(app.renderer, role, lang, **terminal)  # type: ignore[arg-type]
    asyncio.run(app.serve([channel]))
