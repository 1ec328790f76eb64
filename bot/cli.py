"""The `antipestbot` command: run the bot, chat in the terminal, manage coordinators."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.app import App, build
from bot.clock import stamp, system_clock
from bot.crypto import VaultError
from bot.flowspec import FlowError
from bot.logs import configure_logging
from bot.settings import SettingsError, load_settings
from bot.storage import audit
from bot.storage.db import DatabaseError

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="antipestbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the Telegram bot (long polling)")
    chat = commands.add_parser("chat", help="try the bot in this terminal, no token needed")
    chat.add_argument("--role", choices=["pupil", "parent", "coordinator"], default="pupil")
    chat.add_argument("--lang", choices=["nl", "en"], default="nl")
    coordinator = commands.add_parser("coordinator", help="manage anti-bullying coordinators")
    actions = coordinator.add_subparsers(dest="action", required=True)
    invite = actions.add_parser("invite", help="print a one-time invite link")
    invite.add_argument("--name", required=True)
    invite.add_argument("--bot-username", help="the bot's @username, for the link")
    add = actions.add_parser("add", help="add a coordinator by numeric Telegram id")
    add.add_argument("--telegram-id", type=int, required=True)
    add.add_argument("--name", required=True)
    actions.add_parser("list", help="list coordinators")
    remove = actions.add_parser("remove", help="deactivate a coordinator")
    remove.add_argument("--id", type=int, required=True, help="the number `list` shows")
    return parser


def _coordinator(app: App, args: argparse.Namespace) -> int:
    stores, now = app.stores, stamp(system_clock)
    with stores.db.transaction():
        if args.action == "invite":
            code = stores.coordinators.invite(args.name, now)
            audit.record(stores.db, now, "operator", "invite_created")
        elif args.action == "add":
            found = stores.coordinators.add(args.telegram_id, args.name, now)
            audit.record(stores.db, now, "operator", "coordinator_added")
            print(f"Coordinator {found.id} added: {found.name}.")
        elif args.action == "remove":
            if not stores.coordinators.deactivate(args.id):
                raise SettingsError(f"There is no active coordinator with number {args.id}.")
            audit.record(stores.db, now, "operator", "coordinator_removed")
            print(f"Coordinator {args.id} can no longer use the bot as a coordinator.")
        else:
            for c in stores.coordinators.all():
                state = "active" if c.active else "inactive"
                print(f"{c.id}\t{c.name}\ttelegram id {c.telegram_id}\t{state}")
    if args.action == "invite":
        username = args.bot_username or "<bot-username>"
        print(f"One-time invite for {args.name}: https://t.me/{username.lstrip('@')}?start={code}")
        print(f"(Or let them send this to the bot: /start {code})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging()
    try:
        settings = load_settings()
        # Checked before build(), which creates the database and the key file.
        if args.command == "run":
            settings.require_token()
        if args.command == "coordinator" and args.action == "add" and args.telegram_id <= 0:
            raise SettingsError("--telegram-id must be a positive number.")
        app = build(settings)
        if args.command == "chat":
            from bot.channels.terminal import chat

            logging.getLogger().setLevel(logging.WARNING)
            chat(app, args.role, args.lang)
            return 0
        if args.command == "coordinator":
            return _coordinator(app, args)
        from bot.channels.telegram import TelegramChannel

        TelegramChannel(app).run_polling()
        return 0
    except (SettingsError, FlowError, VaultError, DatabaseError) as error:
        print(f"antipestbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `antipestbot chat | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
