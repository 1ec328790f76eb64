"""The terminal channel: the same flows and database, typed at a prompt, no token needed.

Buttons are numbered; type the number to press one. `/foto` stands in for sending a photo,
`/exit` (or end of input) quits.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import Iterable
from typing import TextIO

from bot.app import App
from bot.commands import command_trigger
from bot.i18n import N_
from bot.model import Identity, Inbound, Outbound, Text, parse_button_data
from bot.outbox import OutboxSender

TERMINAL_USERS = {"pupil": 1, "parent": 2, "coordinator": 3}


def _inbound(line: str, buttons: list[str]) -> Inbound:
    if line.isdigit() and 1 <= int(line) <= len(buttons):
        return parse_button_data(buttons[int(line) - 1]) or Inbound(kind="unsupported")
    if line.lower() in ("/foto", "/photo"):
        return Inbound(kind="photo", file_id=f"terminal-photo-{secrets.token_hex(4)}")
    if line.startswith("/"):
        name, _, arg = line[1:].partition(" ")
        return Inbound(kind="command", trigger=command_trigger(name), arg=arg.strip() or None)
    return Inbound(kind="text", text=line)


def _show(outbounds: Iterable[Outbound], out: TextIO) -> list[str]:
    buttons: list[str] = []
    for outbound in outbounds:
        if outbound.photo:
            out.write("[📷 foto]\n")
        out.write(f"\n{outbound.text}\n")
        for row in outbound.rows:
            for label, data in row:
                buttons.append(data)
                out.write(f"  [{len(buttons)}] {label}\n")
    out.flush()
    return buttons


HINT = N_(
    "(Type the number of a button and press Enter. /foto sends a pretend photo, /exit stops.)"
)


def chat(
    app: App, role: str, lang: str, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> None:
    user = TERMINAL_USERS[role]
    who = Identity("terminal", user, user, lang, role=role)
    out.write(app.renderer.text(Text(HINT), lang) + "\n")
    inbox: list[Outbound] = []

    async def collect(_chat: int, outbound: Outbound) -> None:
        inbox.append(outbound)

    # Messages for terminal users (an answer from a coordinator, a follow-up question) are
    # shown at the next prompt: the terminal has no way to push them earlier.
    sender = OutboxSender(
        app.stores, app.renderer, collect, app.clock, channel="terminal", only_chat=user
    )

    def respond(inbound: Inbound) -> list[str]:
        replies = app.service.handle(who, inbound)
        app.jobs.run_due()
        asyncio.run(sender.deliver_due())
        shown = _show([*replies, *inbox], out)
        inbox.clear()
        return shown

    buttons = respond(Inbound(kind="command", trigger="start"))
    if f"role:{role}" in buttons:  # a new user: answer the role question as the button would
        buttons = respond(Inbound(kind="button", trigger=role, shown_in="role"))
    for raw in stdin:
        line = raw.strip()
        if line in ("/exit", "/quit"):
            break
        if not line:
            continue
        buttons = respond(_inbound(line, buttons))
        out.write("> ")
        out.flush()
