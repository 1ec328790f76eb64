"""The terminal channel: the same flows and database, typed at a prompt, no token needed.

Buttons are numbered; type the number to press one. `/foto` stands in for sending a photo,
`/exit` (or end of input) quits. Messages for the user (a new report for the coordinator, an
answer for a pupil) appear at the prompt: in a real terminal while it waits for a line, and
otherwise after the next line (an empty one just looks). The coordinator here is the console
coordinator, notified of new reports like any coordinator while its chat runs, so two terminals
on one database can play a whole case.
"""

from __future__ import annotations

import asyncio
import secrets
import select
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from bot.app import App
from bot.background.outbox import OutboxSender
from bot.clock import stamp
from bot.core.commands import command_trigger
from bot.core.i18n import N_
from bot.core.model import Identity, Inbound, Outbound, Text, parse_button_data
from bot.storage.coordinators import CONSOLE_ID

# The coordinator is the console: its notifications are addressed to CONSOLE_ID.
TERMINAL_USERS = {"pupil": 1, "parent": 2, "coordinator": CONSOLE_ID}
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


def _lines(stdin: TextIO, idle: float) -> Iterator[str | None]:
    """Each line typed; None each time a real terminal has waited `idle` seconds for one."""
    try:
        select.select([stdin], [], [], 0)
        waits = stdin.isatty()
    except (AttributeError, OSError, TypeError, ValueError):  # StringIO, Windows pipe, closed fd
        waits = False
    if not waits:
        yield from stdin
        return
    while True:
        ready, _, _ = select.select([stdin], [], [], idle)
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


def chat(
    app: App,
    role: str,
    lang: str,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    idle: float = IDLE_CHECK,
) -> None:
    user = TERMINAL_USERS[role]
    who = Identity("terminal", user, user, lang, role=role)
    for hint in (HINT, NEWS_HINT):
        out.write(app.renderer.text(Text(hint), lang) + "\n")
    inbox: list[Outbound] = []

    async def collect(_chat: int, outbound: Outbound) -> None:
        inbox.append(outbound)

    sender = OutboxSender(
        app.stores,
        app.school,
        app.renderer,
        collect,
        app.clock,
        channel="terminal",
        only_chat=user,
        default_locale=lang,
    )

    def news() -> list[Outbound]:
        app.jobs.run_due()
        asyncio.run(sender.deliver_due())
        arrived = inbox[:]
        inbox.clear()
        return arrived

    def respond(inbound: Inbound) -> list[str]:
        replies = app.service.handle(who, inbound)
        return _show([*replies, *news()], out, [])

    _listen(app, role, True)
    try:
        buttons = respond(Inbound(kind="command", trigger="start"))
        if f"role:{role}" in buttons:  # a new user: answer the role question as the button would
            buttons = respond(Inbound(kind="button", trigger=role, shown_in="role"))
        for raw in _lines(stdin, idle):
            line = (raw or "").strip()
            if line in ("/exit", "/quit"):
                break
            if line:
                buttons = respond(_inbound(line, buttons))
                continue
            arrived = news()  # waited, or an empty line: show what came in meanwhile
            if arrived:
                out.write("\n")
                buttons = _show(arrived, out, buttons)
    finally:
        _listen(app, role, False)


def _listen(app: App, role: str, listening: bool) -> None:
    """The console coordinator is notified only while its chat runs (see `console`)."""
    if role != "coordinator":
        return
    with app.stores.db.transaction():
        app.stores.coordinators.listen_at_console(listening, stamp(app.clock))
