"""The web chat as a channel: a tab's request becomes an `Inbound`, every answer and every
message from the school goes into the conversation's log, and open pages are woken to read it.

A conversation on the web is a *visitor*: a random id that stands where Telegram has a user
and a chat id. A tab holds it through a token (`WebRecords` keeps only a keyed hash), and a
secret code brings it back to a new tab. The log (one sealed row per message, in order) makes
everything else simple and safe: a retried request gets its first answer again, a reloaded tab
and a live stream replay from the last number they saw, and a message from the school waits
there for a tab that is closed now.

Each conversation numbers its messages 1, 2, 3 ... (a message's "seq"), apart from every other
conversation: a number tells a page nothing about anybody else's chat, in any school.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.channels.base import Conversation, OneAtATime
from bot.channels.web import codes
from bot.channels.web.schools import PageSchool, PageSchools
from bot.channels.web.traits import WEB
from bot.core.model import Identity, Inbound, Outbound

log = logging.getLogger(__name__)

Message = dict[str, Any]


class Tab(Protocol):
    visitor: str
    lang: str
    seen: str
    floor: int
    school: int | None


class WebRecords(Protocol):
    """What the web chat keeps (bot/storage/web.py): given by the root, used in `work`."""

    def transaction(self) -> AbstractContextManager[Any]: ...
    def open_tab(
        self, token: str, visitor: str, lang: str, school: int | None, now: str
    ) -> None: ...
    def tab(self, token: str) -> Tab | None: ...
    def touch_tab(self, token: str, now: str) -> None: ...
    def touch_chat(self, chat: str, now: str) -> None: ...
    def move_tab(self, token: str, visitor: str, floor: int, school: int) -> None: ...
    def close_tab(self, token: str) -> None: ...
    def close_idle_tabs(self, before: str) -> int: ...
    def post(
        self,
        chat: str,
        kind: str,
        message: Message,
        now: str,
        delivery: str = "",
        *,
        seen: bool = False,
    ) -> int: ...
    def messages(
        self, chat: str, after: int, floor: int = 0, limit: int = 200
    ) -> list[Message]: ...
    def answered(self, chat: str, delivery: str) -> list[Message]: ...
    def unseen_notices(self, chat: str) -> list[Message]: ...
    def mark_seen(self, chat: str, upto: int) -> None: ...
    def last_seq(self, chat: str) -> int: ...
    def keep_code(self, code: str, owner: str, visitor: str, school: int, now: str) -> None: ...
    def visitor_of_code(self, code: str, school: int | None) -> tuple[str, int] | None: ...
    def conversation_school(self, chat: str) -> int | None: ...
    def keep_photo(self, photo_id: str, data: bytes, now: str) -> None: ...
    def forget_messages(self, turns_before: str, notices_before: str) -> int: ...


@dataclass(frozen=True)
class Times:
    """How long the web keeps things, in seconds."""

    idle: float = 3600  # a tab nobody used for this long is closed (the page warns first)
    warn: float = 3300  # when the page asks "are you still there?"
    kept: float = 30 * 86400  # news from the school waits this long for a secret code
    sweep: float = 60  # between rounds of closing and deleting


@dataclass(frozen=True)
class Visit:
    """One request's tab: its token, and the conversation it speaks for."""

    token: str
    visitor: str
    chat: str  # the conversation's pseudonym: its log's key
    lang: str
    floor: int  # the log's row (not a number the page sees) after which this tab shows messages
    school: int | None = None  # the tab's school (its page's); None: the bare address
    slug: str | None = None  # that school's slug while it is live: the school we vouch for

    def identity(self) -> Identity:
        return Identity("web", self.visitor, self.visitor, self.lang, school=self.slug)


class Wakers:
    """The open streams of each conversation, and what is new for them.

    Each stream has an inbox. A turn's or the school's new messages go straight into it, so an
    open page gets them without another read of the log; `None` says "read the log" (a tab
    moved, the server stops) and `CLOSED` that the tab was closed.
    """

    def __init__(self) -> None:
        self._inboxes: dict[str, set[asyncio.Queue[list[Message] | None]]] = {}

    def wake(self, chat: str, messages: list[Message] | None = None) -> None:
        for inbox in self._inboxes.get(chat, ()):
            inbox.put_nowait(messages)

    @contextmanager
    def listen(self, chat: str) -> Iterator[asyncio.Queue[list[Message] | None]]:
        """An inbox of `chat`'s news, while the `with` block lasts."""
        inbox: asyncio.Queue[list[Message] | None] = asyncio.Queue()
        self._inboxes.setdefault(chat, set()).add(inbox)
        try:
            yield inbox
        finally:
            listeners = self._inboxes[chat]
            listeners.discard(inbox)
            if not listeners:
                del self._inboxes[chat]

    def chats(self) -> list[str]:
        return list(self._inboxes)


CLOSED: list[Message] = []  # the tab was closed: its streams end


def _log_key(chat: str) -> str:
    """Whose navigation a web commit is, for the batched fsync (bot/storage/db.py): apart from
    the service's own key, so a turn's two commits share one fsync instead of forcing it."""
    return f"web:{chat}"


def message_of(outbound: Outbound) -> Message:
    """What a page shows of one of the bot's messages (text always shown as text)."""
    return {
        "from": "bot",
        "text": outbound.text,
        "buttons": [
            [{"label": label, "data": data} for label, data in row] for row in outbound.rows
        ],
        "photo": outbound.photo is not None,
        "secret": None,
        "quiet": outbound.quiet,
        "monospace": outbound.monospace,  # the page shows it in a <pre>, as text
    }


class WebChannel:
    """Pages, the JSON API and the live streams on the process's one HTTP server."""

    traits = WEB
    only_chat: str | None = None
    default_locale = "nl"

    def __init__(
        self,
        records: WebRecords,
        pseudonym: Callable[[str], str],
        clock: Callable[[], datetime],
        times: Times = Times(),
        schools: Callable[[], PageSchools] = PageSchools,
    ) -> None:
        self.records = records
        self.pseudonym = pseudonym  # visitor -> the conversation's key (as the service has it)
        self.clock = clock
        self.times = times
        # The board's live schools now (read in the worker: it asks the database).
        self.schools = schools
        self.wakers = Wakers()
        self.turns = OneAtATime()
        self.conversation: Conversation | None = None
        self.closing = False
        self._stopped: asyncio.Event | None = None
        self._sweeper: asyncio.Task[None] | None = None

    def now(self, ago: float = 0) -> str:
        """ISO UTC text, as the database keeps times (`ago` seconds before now)."""
        at = self.clock() - timedelta(seconds=ago)
        return at.astimezone(UTC).isoformat(timespec="seconds")

    # --- Channel ---------------------------------------------------------------------------

    async def start(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.closing = False
        self._stopped = asyncio.Event()
        self._sweeper = asyncio.create_task(self._sweep_now_and_then(), name="web_sweeper")
        log.info("web_started")

    async def finished(self) -> None:
        assert self._stopped is not None
        await self._stopped.wait()

    async def stop(self) -> None:
        self.closing = True
        for chat in list(self.wakers.chats()):  # open streams end
            self.wakers.wake(chat)
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None
        if self._stopped is not None:
            self._stopped.set()

    async def send(self, chat: str, outbound: Outbound) -> None:
        """A message from the school (the outbox): into the conversation's log, for an open
        page now or a secret code later. Kept is delivered: the log is the web's phone."""
        key = self.pseudonym(chat)
        live = key in self.wakers.chats()  # an open page shows it now: no news for a code later

        def keep() -> Message:
            with self.records.transaction():
                message = self._keepsake(outbound, chat, key)
                n = self.records.post(key, "notice", message, self.now(), seen=live)
                return {"seq": n, **message}

        self.wakers.wake(key, [await self._work(keep)])

    def coordinator_changed(self, chat: str) -> None:
        """No coordinator works on the web (yet): nothing to do."""

    # --- what the routes ask ---------------------------------------------------------------

    async def page_school(self, slug: str | None) -> PageSchool | None:
        """The school whose page this is: the live school with this slug; at the bare address
        (`slug` None) the board's one school, or None when it has several."""

        def look() -> PageSchool | None:
            schools = self.schools()
            return schools.only if slug is None else schools.by_slug(slug)

        return await self._work(look)

    async def new_tab(self, lang: str, slug: str | None = None) -> str | None:
        """A new tab of the page at `slug`'s address (None: the bare address); its token.
        None when no live school has that slug (removed since the page was shown)."""
        token = secrets.token_urlsafe(32)
        visitor = secrets.token_hex(16)

        def open_tab() -> bool:
            schools = self.schools()
            school = schools.only if slug is None else schools.by_slug(slug)
            if slug is not None and school is None:
                return False
            with self.records.transaction() as step:
                self.records.open_tab(token, visitor, lang, school and school.id, self.now())
                step.navigation_only(_log_key(visitor))
            return True

        if not await self._work(open_tab):
            log.info("web_tab_refused reason=school")
            return None
        log.info("web_tab_opened")
        return token

    async def visit(self, token: str, *, active: bool = True) -> Visit | None:
        """The tab behind a token, unless unknown or idle too long. An `active` request (the
        user did something) starts its idle clock again; a live stream's look does not."""

        def look() -> Visit | None:
            tab = self.records.tab(token)  # a read: no transaction, no fsync
            if tab is None or tab.seen < self.now(self.times.idle):
                return None
            chat, now = self.pseudonym(tab.visitor), self.now()
            if active and tab.seen[:16] != now[:16]:  # at most one write a minute per tab
                with self.records.transaction() as step:
                    self.records.touch_tab(token, now)
                    self.records.touch_chat(chat, now)
                    step.navigation_only(_log_key(chat))
            school = self.schools().by_id(tab.school) if tab.school is not None else None
            slug = school.slug if school else None
            return Visit(token, tab.visitor, chat, tab.lang, tab.floor, tab.school, slug)

        return await self._work(look)

    async def end(self, visit: Visit) -> None:
        def close() -> None:
            with self.records.transaction() as step:
                self.records.close_tab(visit.token)
                step.navigation_only(_log_key(visit.chat))

        await self._work(close)
        self.wakers.wake(visit.chat, CLOSED)  # its streams end
        log.info("web_tab_closed")

    async def turn(
        self,
        visit: Visit,
        client_id: str,
        inbound: Inbound,
        echo: str | None,
        note: str | None = None,
    ) -> list[Message]:
        """One thing the user did, answered once however often the page sends it. `echo`: the
        user's side of the transcript; `note`: the channel's own line before the answer."""
        delivery = f"web:{visit.chat}:{client_id}"
        async with self.turns.turn(visit.chat):
            done = await self._work(lambda: self.records.answered(visit.chat, delivery))
            if done:
                log.info("web_turn_repeated")
                return done
            assert self.conversation is not None
            replies = await self.conversation.handle(
                visit.identity(), replace(inbound, delivery=delivery)
            )
            messages = await self._work(
                lambda: self._keep_turn(visit, delivery, echo, note, replies)
            )
        self.wakers.wake(visit.chat, messages)
        return messages

    async def keep_photo(self, data: bytes) -> str:
        """A cleaned photo, sealed at rest; its id for the conversation ("web-...")."""
        photo_id = f"web-{secrets.token_hex(16)}"

        def keep() -> None:
            with self.records.transaction():
                self.records.keep_photo(photo_id, data, self.now())

        await self._work(keep)
        return photo_id

    async def redeem(self, visit: Visit, client_id: str, code: str) -> list[Message] | None:
        """A secret code: this tab now speaks for the conversation that made it. The news from
        the school that no page has shown comes first, then "My reports". None: no such code,
        or another school's (a tab of the bare address takes any school's, and is then that
        school's)."""

        def move() -> tuple[Visit, list[Message]] | None:
            with self.records.transaction():
                found = self.records.visitor_of_code(code, visit.school)
                if found is None:
                    return None
                visitor, school = found
                chat = self.pseudonym(visitor)
                floor = self.records.last_seq(chat)
                self.records.move_tab(visit.token, visitor, floor, school)
                self.records.touch_chat(chat, self.now())
                news = self.records.unseen_notices(chat)
                if news:
                    self.records.mark_seen(chat, news[-1]["seq"])
            live = self.schools().by_id(school)
            moved = replace(
                visit,
                visitor=visitor,
                chat=chat,
                floor=floor,
                school=school,
                slug=live.slug if live else None,
            )
            return moved, news

        moved = await self._work(move)
        if moved is None:
            return None
        visit, news = moved
        log.info("web_code_redeemed")
        mine = Inbound(kind="command", trigger="my_reports")
        return [*news, *await self.turn(visit, client_id, mine, None)]

    async def since(self, visit: Visit, after: int) -> list[Message]:
        """The conversation's messages after `after` (never before this tab's floor)."""

        def read() -> list[Message]:
            found = self.records.messages(visit.chat, after, visit.floor)
            if found:
                with self.records.transaction() as step:
                    self.records.mark_seen(visit.chat, found[-1]["seq"])
                    step.navigation_only(_log_key(visit.chat))
            return found

        return await self._work(read)

    async def sweep(self) -> None:
        """Idle tabs closed; answers and news past their time deleted. (Photos are evidence:
        they go with their case, bot/background/retention.py.)"""
        times = self.times
        idle, turns, kept = self.now(times.idle), self.now(2 * times.idle), self.now(times.kept)

        def forget() -> tuple[int, int]:
            with self.records.transaction():
                tabs = self.records.close_idle_tabs(idle)
                gone = self.records.forget_messages(turns, kept)
            return tabs, gone

        tabs, gone = await self._work(forget)
        if tabs or gone:
            log.info("web_swept tabs=%s messages=%s", tabs, gone)

    async def _sweep_now_and_then(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as error:  # the next round tries again; requests go on meanwhile
                log.warning("web_sweep_failed error=%s", type(error).__name__)
            await asyncio.sleep(self.times.sweep)

    # --- inside the worker -----------------------------------------------------------------

    def _keep_turn(
        self,
        visit: Visit,
        delivery: str,
        echo: str | None,
        note: str | None,
        replies: list[Outbound],
    ) -> list[Message]:
        now, kept = self.now(), []
        with self.records.transaction() as step:
            # What the service did is durable already where it matters (a report, a message);
            # losing the last answer to a power cut costs one step, as a navigation does.
            step.navigation_only(_log_key(visit.chat))
            said: list[Message] = [{"from": "you", "text": echo}] if echo else []
            if note:
                said.append({**message_of(Outbound(note)), "from": "bot"})
            answers = [
                self._keepsake(reply, visit.visitor, visit.chat, visit.school) for reply in replies
            ]
            for message in [*said, *answers]:
                n = self.records.post(visit.chat, "turn", message, now, delivery)
                kept.append({"seq": n, **message})
        return kept

    def _keepsake(
        self, outbound: Outbound, visitor: str, chat: str, tab_school: int | None = None
    ) -> Message:
        """The page's message; where the chat asks for a secret code, a new one is made here,
        kept as a keyed hash, and shown once (the log keeps it sealed for a reload). The code
        belongs to the conversation's school: it opens nothing on another school's page."""
        message = message_of(outbound)
        if outbound.secret:
            code = codes.new_code()
            # The conversation's school (a bare-address tab learns it from the poster's code).
            # A code is offered only after a report, so one is known; 1 is the column's default.
            school = self.records.conversation_school(chat) or tab_school or 1
            self.records.keep_code(code, chat, visitor, school, self.now())
            message["secret"] = code
            log.info("web_code_given")
        return message

    async def _work(self, job: Callable[[], Any]) -> Any:
        assert self.conversation is not None, "the web channel has not started"
        return await self.conversation.work(job)
