"""The `antipestbot` command: run the bot, chat in the terminal, manage schools and coordinators,
back up and restore, rotate the key."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot import cli_data, cli_schools, cli_stats
from bot.app import App, build, chat_in_terminal, school_of
from bot.channels.base import StartError
from bot.channels.http import DEFAULT_HOST, DEFAULT_PORT, HttpServer, ListenError
from bot.channels.telegram.traits import Webhook
from bot.channels.terminal import TERMINAL_USERS
from bot.clock import stamp, system_clock
from bot.core.flowspec import FlowError
from bot.crypto import VaultError
from bot.logs import configure_logging, protect
from bot.settings import Settings, SettingsError, load_settings, read_env_file
from bot.storage import audit
from bot.storage.coordinators import INVITE_DAYS, expiry, invite_id
from bot.storage.db import DatabaseError

log = logging.getLogger("bot")

WEBHOOK_PURPOSE = "telegram webhook secret token"  # what Vault.derived is asked for
BOT_USERNAME = re.compile(r"[A-Za-z0-9_]{1,32}")  # Telegram's usernames, without the @
MAX_INVITE_DAYS = 90  # an invite is for someone the school is adding now, not next year
SCHOOL_HELP = "the school's slug (`school list`); may be left out when there is one school"
DATA_COMMANDS = ("backup", "restore", "key")  # bot/cli_data.py: on the database file, no bot


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="antipestbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="serve the web chat, and run the Telegram bot when TELEGRAM_BOT_TOKEN is set"
    )
    run.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    run.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    run.add_argument(
        "--webhook-url",
        help="take Telegram's updates on this https:// address (served on the same port)",
    )
    chat = commands.add_parser("chat", help="try the bot in this terminal, no token needed")
    chat.add_argument("--role", choices=["pupil", "parent", "coordinator"], default="pupil")
    chat.add_argument("--lang", choices=["nl", "en"], default="nl")
    chat.add_argument("--school", help="the school whose computer this is (its slug)")
    cli_schools.add_commands(commands)
    cli_stats.add_command(commands)
    coordinator = commands.add_parser("coordinator", help="manage anti-bullying coordinators")
    actions = coordinator.add_subparsers(dest="action", required=True)
    invite = actions.add_parser("invite", help="print a one-time invite link")
    invite.add_argument("--name", required=True)
    invite.add_argument("--school", help=SCHOOL_HELP)
    invite.add_argument(
        "--bot-username", help="the bot's @username, for the link (default: asked from Telegram)"
    )
    invite.add_argument(
        "--days",
        type=int,
        default=INVITE_DAYS,
        help=f"days the invite stays valid, 1 to {MAX_INVITE_DAYS} (default {INVITE_DAYS})",
    )
    invites = actions.add_parser("invites", help="list invites: id, name, made, expires, state")
    invites.add_argument("--school", help="only this school's")
    revoke = actions.add_parser("revoke", help="end a pending invite")
    revoke.add_argument("--id", required=True, help="the invite id `invites` shows")
    add = actions.add_parser("add", help="add a coordinator by numeric Telegram id")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--school", help=SCHOOL_HELP)
    listing = actions.add_parser("list", help="list coordinators and their schools")
    listing.add_argument("--school", help="only this school's")
    remove = actions.add_parser("remove", help="deactivate a coordinator")
    remove.add_argument("--id", type=int, required=True, help="the number `list` shows")
    remove.add_argument("--school", help="end only this school's role (default: every role)")
    cli_data.add_commands(commands)
    return parser


def _check_webhook_args(args: argparse.Namespace) -> None:
    """Operator mistakes in `run`'s webhook options, found before anything is created."""
    if not 1 <= args.port <= 65535:
        raise SettingsError("--port must be a number from 1 to 65535.")
    if args.webhook_url is None:
        return
    try:
        url = urlsplit(args.webhook_url)
        valid = url.scheme == "https" and bool(url.hostname) and not (url.query or url.fragment)
        valid = valid and url.port != 0  # .port raises ValueError for one that is no port
    except ValueError:
        valid = False
    # The address is not repeated in the message: people put secrets into webhook paths.
    if not valid:
        raise SettingsError("--webhook-url must be an https:// address without ? or # parts.")


def _run(app: App, args: argparse.Namespace) -> int:
    """The web chat on --host:--port; Telegram too when a token is set (its webhook, if any,
    on the same port). One process, one database, one outbox for both."""
    http = HttpServer(args.host, args.port)
    channels = [app.web(http)]
    # Said once everything runs: a start that fails ends in its one sentence alone.
    address = f"http://{args.host}:{args.port}/"
    notice = f"antipestbot: the web chat is at {address}"
    if app.settings.token is None:
        notice = f"antipestbot: no TELEGRAM_BOT_TOKEN, so only the web chat runs, at {address}"
    else:
        webhook = None
        if args.webhook_url is not None:
            secret = app.settings.webhook_secret or app.stores.vault.derived(WEBHOOK_PURPOSE)
            protect(secret)
            webhook = Webhook(args.webhook_url, secret)
        channels.append(app.telegram(webhook=webhook, http=http))
    try:
        asyncio.run(app.serve(channels, http, started=lambda: print(notice, file=sys.stderr)))
    except ListenError as error:
        raise SettingsError(str(error)) from error
    return 0


def _invite_username(settings: Settings, given: str | None, needs: str = "The invite link") -> str:
    """The bot's username for a link (an invite, a school's): as given, else asked from Telegram.

    Called before anything is created, so that a failure leaves no invite without a link.
    """
    if given is not None:
        username = given.removeprefix("@")
        if not BOT_USERNAME.fullmatch(username):
            raise SettingsError("--bot-username must be the bot's username: letters, digits and _.")
        return username
    if settings.token is None:
        raise SettingsError(
            f"{needs} needs the bot's username: pass --bot-username NAME, or set "
            "TELEGRAM_BOT_TOKEN so that it can be asked from Telegram."
        )
    from bot.channels.telegram.channel import fetch_bot_username

    return fetch_bot_username(settings.token, settings.api_url)


def _known_username(settings: Settings, given: str | None) -> str | None:
    """The bot's username when it can be known; None (and a line saying why) when Telegram is
    not set up or cannot be asked: a school is added all the same."""
    if given is None and settings.token is None:
        return None
    try:
        return _invite_username(settings, given)
    except StartError as error:
        print(f"antipestbot: no Telegram link: {error}", file=sys.stderr)
        return None


def _coordinator(app: App, args: argparse.Namespace) -> int:
    stores, now = app.stores, stamp(system_clock)
    schools = cli_schools.board(app)
    # Named by `--school`, or the only school; `remove`, `list` and `invites` without it: all.
    school = None
    if args.action in ("invite", "add") or getattr(args, "school", None) is not None:
        school = cli_schools.school_for(schools, getattr(args, "school", None))
    school_id = school.id if school else None
    several = len(schools.by_id) > 1  # a one-school board's lists read as they always did
    of = cli_schools.of_school(school, several)
    with stores.db.transaction():
        if args.action == "invite":
            code = stores.coordinators.invite(args.name, now, days=args.days, school=school_id)
            audit.record(stores.db, now, "operator", "invite_created", school=school_id)
        elif args.action == "invites":
            for i in stores.coordinators.invites(school_id):
                when = f"made {_utc(i.created)}\texpires {_utc(i.expires)}"
                where = f"{schools[i.school].slug}\t" if several else ""
                print(f"{i.id}\t{i.name}\t{where}{when}\t{i.state(now)}")
        elif args.action == "revoke":
            invite = stores.coordinators.revoke(args.id, now)
            if invite is None:
                # The id is not repeated: an operator may paste the invite's code by mistake.
                raise SettingsError(
                    "There is no pending invite with that id: `coordinator invites` lists them."
                )
            audit.record(stores.db, now, "operator", "invite_revoked", school=invite.school)
            print(f"Invite {args.id} can no longer be used.")
        elif args.action == "add":
            found = stores.coordinators.add(args.telegram_id, args.name, now, school=school_id)
            audit.record(stores.db, now, "operator", "coordinator_added", school=school_id)
            print(f"Coordinator {found.id} added: {found.name}{of}.")
        elif args.action == "remove":
            if not stores.coordinators.deactivate(args.id, school_id):
                where = f" at {school.slug}" if school and several else ""
                raise SettingsError(f"There is no active coordinator with number {args.id}{where}.")
            audit.record(stores.db, now, "operator", "coordinator_removed", school=school_id)
            if school is None:
                print(f"Coordinator {args.id} can no longer use the bot as a coordinator.")
            else:
                print(f"Coordinator {args.id} is no longer a coordinator{of}.")
        else:
            for c in stores.coordinators.all(school_id):
                state = "active" if c.active else "inactive"
                roles = f"schools {', '.join(schools[i].slug for i in sorted(c.schools)) or '-'}\t"
                where = roles if several else ""
                print(f"{c.id}\t{c.name}\ttelegram id {c.telegram_id}\t{where}{state}")
    if args.action == "invite":
        until, short = _utc(expiry(now, args.days)), invite_id(code)
        print(f"Invite {short} for {args.name}{of}, valid until {until}; end it sooner with")
        print(f"`antipestbot coordinator revoke --id {short}`. The one-time link:")
        print(f"https://t.me/{args.bot_username}?start={code}")
        print(f"(Or let them send this to the bot: /start {code})")
    return 0


def _utc(moment: str | None) -> str:
    """A stored moment for the operator: 2026-12-05 09:30 UTC; "unknown" for none."""
    return f"{moment[:10]} {moment[11:16]} UTC" if moment else "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        # A .env file in the working directory holds settings too; the environment wins.
        env = {**read_env_file(), **os.environ}
        configure_logging(env=env)
        settings = load_settings(env)
        # Read with the settings, as before it had its own module: a broken school file is named
        # first, by every command, backup included.
        school = school_of(settings)
        if args.command in DATA_COMMANDS:
            cli_data.check(args)
            terminal = [("terminal", user) for user in TERMINAL_USERS.values()]
            return cli_data.run(settings, args, terminal)
        # Checked before build(), which creates the database and the key file.
        if args.command == "run":
            if args.webhook_url is not None:
                settings.require_token()
            _check_webhook_args(args)
        if args.command == "coordinator" and args.action == "add" and args.telegram_id <= 0:
            raise SettingsError("--telegram-id must be a positive number.")
        if args.command == "coordinator" and args.action == "invite":
            if not 1 <= args.days <= MAX_INVITE_DAYS:
                raise SettingsError(f"--days must be a number from 1 to {MAX_INVITE_DAYS}.")
            args.bot_username = _invite_username(settings, args.bot_username)
        if args.command == "school" and args.action == "add":
            args.bot_username = _known_username(settings, args.bot_username)
        if args.command == "school" and args.action == "poster" and args.telegram:
            args.bot_username = _invite_username(settings, args.bot_username, "The Telegram code")
        app = build(settings, school=school)
        if args.command == "chat":
            if args.school is not None:  # a typo would otherwise ask for the poster's code
                args.school = cli_schools.school_for(cli_schools.board(app), args.school).slug
            logging.getLogger().setLevel(logging.WARNING)
            chat_in_terminal(app, args.role, args.lang, school=args.school)
            return 0
        if args.command == "coordinator":
            return _coordinator(app, args)
        if args.command == "school":
            return cli_schools.run(app, args)
        if args.command == "stats":
            return cli_stats.run(app, args)
        return _run(app, args)
    except (SettingsError, StartError, FlowError, VaultError, DatabaseError) as error:
        print(f"antipestbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `antipestbot chat | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
