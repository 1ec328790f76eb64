"""The terminal channel: the same flows and database, typed at a prompt, no token needed.

Buttons are numbered; type the number to press one. `/foto` stands in for sending a photo,
`/exit` (or end of input) quits. Messages for the user (a new report for the coordinator, an
answer for a pupil) appear at the prompt: in a real terminal while it waits for a line, and
otherwise after the next line (an empty one just looks). The coordinator here is the console
coordinator, notified of new reports like any coordinator while its chat runs, so two terminals
on one database can play a whole case. Like every channel it only adapts: the root runs the
outbox that brings those messages (`send`) and the jobs.
"""

from __future__ import annotations

import asyncio
import secrets
import select
import sys
from collections.abc import AsyncIterator, Iterable
from typing import TextIO

from bot.channels.base import Conversation
from bot.core import replies
from bot.core.commands import command_trigger
from bot.core.i18n import N_, NC_
from bot.core.model import (
    FILE_BUTTONS,
    ChannelTraits,
    Identity,
    Inbound,
    Limits,
    Outbound,
    Text,
    parse_button_data,
)
from bot.core.render import Renderer

# /privacy: what is kept, in words true for a chat on the school's own computer.
PRIVACY = (
    *replies.PRIVACY_ON_OUR_COMPUTER,
    N_("Good to know: this chat runs on this computer. Anyone who uses it can read it."),
)
TERMINAL = ChannelTraits(
    name="terminal",
    limits=Limits(text=4096, caption=1024),  # Telegram's, so both read the same
    notes={
        "*": N_("Good to know: this chat runs on this computer. Anyone who uses it can read it.")
    },
    privacy=PRIVACY,
    # A file cannot be shown here; `antipestbot stats` writes the same ones (the help says so).
    without=FILE_BUTTONS,
)
NC_("parent", "Good to know: this chat runs on this computer. Anyone who uses it can read it.")
# The coordinator is the console, whose notifications are addressed to its own id (CONSOLE_ID).
TERMINAL_USERS = {"pupil": "1", "parent": "2", "coordinator": "0"}
IDLE_CHECK = 2.0  # seconds between looks for new messages while a real terminal waits


def _inbound(line: str, buttons: list[str]) -> Inbound:
    if line.isdigit() and 1 <= int(line) <= len(buttons):
        return parse_button_data(buttons[int(line) - 1]) or Inbound(kind="unsupported")
    if line.lower() in ("/foto", "/photo"):
        return Inbound(kind="photo", file_id=f"terminal-photo-{secrets.token_hex(4)}")
    if line.startswith("/"):
        name, _, arg = line[1:].partition(" ")
        return Inbound(kind="command", trigger=command_trigger(name), arg=arg.strip() or None)
    return Inbound(kind="text", text=line)


def _show(outbounds: Iterable[Outbound], out: TextIO, buttons: list[str]) -> list[str]:
    """Print messages, numbering their buttons after those in `buttons`; returns all of them."""
    for outbound in outbounds:
        if outbound.photo:
            out.write("[📷 foto]\n")
        out.write(f"\n{outbound.text}\n")
        for row in outbound.rows:
            for label, data in row:
                buttons.append(data)
                out.write(f"  [{len(buttons)}] {label}\n")
    out.write("> ")
    out.flush()
    return buttons


async def _lines(stdin: TextIO, idle: float) -> AsyncIterator[str | None]:
    """Each line typed; None each time a real terminal has waited `idle` seconds for one.

    A real terminal is waited for in a thread, so the event loop (the outbox, the jobs, a
    signal) runs meanwhile; a pipe, a file or a script is read as it comes.
    """
    try:
        select.select([stdin], [], [], 0)
        waits = stdin.isatty()
    except (AttributeError, OSError, TypeError, ValueError):  # StringIO, Windows pipe, closed fd
        waits = False
    if not waits:
        for line in stdin:
            yield line
        return
    while True:
        ready, _, _ = await asyncio.to_thread(select.select, [stdin], [], [], idle)
        if not ready:
            yield None
            continue
        line = stdin.readline()
        if not line:
            return
        yield line


HINT = N_(
    "(Type the number of a button and press Enter. /foto sends a pretend photo, /exit stops.)"
)
NEWS_HINT = N_("(Messages for you appear here when they arrive; an empty line looks for them.)")


class TerminalChannel:
    traits = TERMINAL

    def __init__(
        self,
        renderer: Renderer,
        role: str,
        lang: str,
        stdin: TextIO = sys.stdin,
        out: TextIO = sys.stdout,
        idle: float = IDLE_CHECK,
        school: str | None = None,
    ) -> None:
        user = TERMINAL_USERS[role]
        # `school`: the slug of the school whose computer this is (`chat --school`).
        self.who = Identity("terminal", user, user, lang, role=role, school=school)
        self.only_chat = user  # this process shows its own user's messages only
        self.default_locale = lang
        self.renderer = renderer
        self.stdin, self.out, self.idle = stdin, out, idle
        self.inbox: list[Outbound] = []
        self.conversation: Conversation | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, conversation: Conversation) -> None:
        self.conversation = conversation
        for hint in (HINT, NEWS_HINT):
            self.out.write(self.renderer.text(Text(hint), self.who.language_code or "nl") + "\n")
        conversation.listening(self.who, True)
        self._task = asyncio.create_task(self._chat(), name="terminal")

    async def finished(self) -> None:
        assert self._task is not None
        await self._task

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.conversation is not None:
            self.conversation.listening(self.who, False)

    async def send(self, chat: str, outbound: Outbound) -> None:
        self.inbox.append(outbound)  # shown at the prompt (see `_chat`)

    def coordinator_changed(self, chat: str) -> None:
        """The terminal has no menus to update."""

    async def _news(self) -> list[Outbound]:
        assert self.conversation is not None
        await self.conversation.catch_up(self.traits.name)
        arrived = self.inbox[:]
        self.inbox.clear()
        return arrived

    async def _respond(self, inbound: Inbound) -> list[str]:
        assert self.conversation is not None
        replies = await self.conversation.handle(self.who, inbound)
        return _show([*replies, *await self._news()], self.out, [])

    async def _chat(self) -> None:
        role = self.who.role
        buttons = await self._respond(Inbound(kind="command", trigger="start"))
        if f"role:{role}" in buttons:  # a new user: answer the role question as the button would
            buttons = await self._respond(Inbound(kind="button", trigger=role, shown_in="role"))
        async for raw in _lines(self.stdin, self.idle):
            line = (raw or "").strip()
            if line in ("/exit", "/quit"):
                break
            if line:
                buttons = await self._respond(_inbound(line, buttons))
                continue
            arrived = await self._news()  # waited, or an empty line: what came in meanwhile
            if arrived:
                self.out.write("\n")
                buttons = _show(arrived, self.out, buttons)
