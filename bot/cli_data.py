"""The operator's care of the data: `backup` (one file, or nightly into a folder keeping the
newest N), `restore` a backup, and `key rotate`. Each works on the database file itself, without
building the bot; `restore` and `key rotate` refuse while a bot has the database open.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path

from bot.clock import stamp, system_clock
from bot.crypto import VaultError, key_file_text, new_key
from bot.settings import Settings, SettingsError
from bot.storage import backups, rekey
from bot.storage.db import Database, DatabaseError
from bot.storage.keycheck import open_with_key
from bot.storage.offline import alone

KEEP = 14  # nightly backups kept by `backup --into` unless told otherwise: two weeks
MAX_KEEP = 1000


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`backup`, `restore` and `key`, added to the CLI's parser."""
    backup = commands.add_parser(
        "backup", help="copy the database into a new file, also while the bot runs"
    )
    backup.add_argument(
        "path", type=Path, nargs="?", help="the new file (an existing one is never replaced)"
    )
    backup.add_argument(
        "--into",
        type=Path,
        metavar="FOLDER",
        help="instead of PATH: a new file antipest-<UTC time>.db in FOLDER",
    )
    backup.add_argument(
        "--keep",
        type=int,
        help=f"with --into: then delete all but the newest N backups there (default {KEEP})",
    )
    restore = commands.add_parser(
        "restore",
        help="put a backup in place of the database (stop the bot first; needs the key file)",
    )
    restore.add_argument("backup", type=Path, help="the backup file")
    key = commands.add_parser("key", help="the secret key (ANTIPEST_SECRET_KEY_FILE)")
    actions = key.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "rotate",
        help="replace the key: a new key file, everything sealed again in one transaction, the "
        "old key kept as <key file>.old; stop the bot first (it refuses while the database is "
        "open), and the key file's folder must be writable",
    )


def check(args: argparse.Namespace) -> None:
    """Operator mistakes in the options, found before anything is opened."""
    if args.command != "backup":
        return
    if (args.path is None) == (args.into is None):
        raise SettingsError("backup takes either a file PATH or --into FOLDER.")
    if args.keep is not None and args.into is None:
        raise SettingsError("--keep goes with --into FOLDER.")
    if args.into is not None and args.keep is None:
        args.keep = KEEP
    if args.keep is not None and not 1 <= args.keep <= MAX_KEEP:
        raise SettingsError(f"--keep must be a number from 1 to {MAX_KEEP}.")


def run(settings: Settings, args: argparse.Namespace, terminal: Iterable[tuple[str, str]]) -> int:
    """`terminal`: the (channel, user id) of the terminal's users, whose pseudonyms the
    database cannot name by itself (for `key rotate`)."""
    if args.command == "backup":
        return _backup(settings, args)
    if args.command == "restore":
        return _restore(settings, args.backup)
    return _rotate(settings, terminal)


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.db_path.is_file():
        raise DatabaseError(f"There is no database at {settings.db_path} (ANTIPEST_DB) to back up.")
    db = Database(settings.db_path)
    try:
        if args.into is None:
            db.backup(args.path)
            target, deleted = args.path, []
        else:
            target, deleted = backups.backup_into(db, args.into, args.keep, system_clock())
    finally:
        db.close()
    kept = f"; {len(deleted)} older deleted, the newest {args.keep} kept" if deleted else ""
    print(
        f"Backup written to {target.resolve()}{kept}; reading it needs the key file "
        f"{settings.key_file} (ANTIPEST_SECRET_KEY_FILE), which is NOT in the backup."
    )
    return 0


def _restore(settings: Settings, backup: Path) -> int:
    aside = backups.restore(backup, settings.db_path, settings.key_file, system_clock())
    print(f"Restored {backup} into {settings.db_path}; start the bot again.")
    if aside is not None:
        print(f"The database it replaced is kept as {aside}: delete it once all is well.")
    return 0


def _rotate(settings: Settings, terminal: Iterable[tuple[str, str]]) -> int:
    db_path, key_file = settings.db_path, settings.key_file
    old_file = key_file.with_name(f"{key_file.name}.old")
    new_file = key_file.with_name(f"{key_file.name}.new")
    if not db_path.is_file():
        raise DatabaseError(
            f"There is no database at {db_path} (ANTIPEST_DB) to rotate the key of."
        )
    if new_file.exists():
        if _belongs(db_path, new_file):  # an earlier rotation stopped after its commit
            if key_file.exists():
                _refuse_old(old_file)
                os.replace(key_file, old_file)
            os.replace(new_file, key_file)
            backups.sync_folder(key_file.parent)
            print(f"An earlier rotation is now finished: {key_file} holds the new key.")
            _tell_old(old_file)
            return 0
        new_file.unlink()  # made by a rotation that stopped before its commit: never used
    if not key_file.is_file():
        raise VaultError(f"There is no secret key file {key_file} (ANTIPEST_SECRET_KEY_FILE).")
    _refuse_old(old_file)
    with alone(db_path):
        pass  # a running bot is named before anything is opened or written
    db, vault = open_with_key(db_path, key_file)  # the key check, and migrations first
    db.close()
    master = new_key()
    _write_key(new_file, master)
    try:
        with alone(db_path) as conn:
            done = rekey.rotate(conn, vault, vault.successor(master), terminal, stamp(system_clock))
    except BaseException:
        new_file.unlink()
        raise
    _swap(key_file, old_file, new_file)
    print(
        f"The secret key is rotated: {key_file} holds the new key; {done.resealed} sealed "
        f"values were sealed again and {done.renamed} pseudonyms made again with it."
    )
    if done.forgotten or done.tabs_closed:
        print(
            f"{done.forgotten} records of people who never reported were forgotten (they start "
            f"again at the beginning), and {done.tabs_closed} open web chat tabs were closed."
        )
    if done.unreadable:
        print(
            f"{done.unreadable} sealed values opened with neither key and were left as they were."
        )
    _tell_old(old_file)
    return 0


def _refuse_old(old_file: Path) -> None:
    if old_file.exists():
        raise VaultError(
            f"{old_file} is still there from an earlier rotation: keep it apart from the server "
            "while backups made before that rotation exist, delete it here, then try again."
        )


def _tell_old(old_file: Path) -> None:
    print(
        f"The old key is kept as {old_file}: backups made before now open only with it. Copy the "
        "new key to where the key is kept apart from the server; keep the old one until the last "
        "backup made before now is deleted, then delete it. Start the bot again."
    )


def _belongs(db_path: Path, key_file: Path) -> bool:
    """Whether the database's key check names this key file's key."""
    try:
        db, _vault = open_with_key(db_path, key_file)
    except VaultError:
        return False
    db.close()
    return True


def _write_key(path: Path, master: bytes) -> None:
    """The new key file, mode 0600, on disk before the database needs it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key_file_text(master))
            out.flush()
            os.fsync(out.fileno())
        backups.sync_folder(path.parent)
    except OSError as exc:
        raise VaultError(
            f"The new key file {path} cannot be written: the key file's folder must be writable "
            "for the rotation (the README shows how)."
        ) from exc


def _swap(key_file: Path, old_file: Path, new_file: Path) -> None:
    os.replace(key_file, old_file)
    os.replace(new_file, key_file)
    backups.sync_folder(key_file.parent)
