"""Backups by the night: named by their time, the newest few kept; and a backup put back.

`backup_into` writes `antipest-<UTC time>.db` into a folder and then deletes all but the newest
`keep` files of that name there; a file of any other name is never touched, so the folder may
hold other things. A backup holds the database only: never the key (bot/crypto.py), which is
kept, and backed up, apart from it.

`restore` puts a backup in place of the database while no bot runs. The backup is first copied
beside the database and opened there with the key file (the key check refuses a backup of
another key; migrations bring an older backup up to date), and only then moved into place; the
database it replaces is kept beside it, renamed, so that a mistaken restore loses nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.crypto import VaultError
from bot.storage import audit
from bot.storage.db import Database, DatabaseError
from bot.storage.keycheck import open_with_key
from bot.storage.offline import alone

BACKUP_NAME = re.compile(r"antipest-\d{8}T\d{6}Z\.db")  # sorts as it was made
STAMP = "%Y%m%dT%H%M%SZ"


def backup_into(db: Database, folder: Path, keep: int, now: datetime) -> tuple[Path, list[Path]]:
    """A new backup in `folder` (made if missing, mode 0700), then the backups there beyond the
    newest `keep` deleted; returns the new file and the deleted ones."""
    if keep < 1:
        raise ValueError("keep at least the backup just made")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"The backup folder {folder} cannot be made.") from exc
    target = folder / f"antipest-{now.astimezone(UTC).strftime(STAMP)}.db"
    db.backup(target)
    return target, prune(folder, keep)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `folder`; returns the deleted ones."""
    backups = sorted(p for p in folder.iterdir() if BACKUP_NAME.fullmatch(p.name) and p.is_file())
    old = backups[: max(len(backups) - keep, 0)]
    for path in old:
        path.unlink()
    return old


def restore(backup: Path, db_path: Path, key_file: Path, now: datetime) -> Path | None:
    """Put `backup` in place of the database `db_path`, which must not be in use; returns where
    the database it replaced now is (None: there was none). Raises VaultError when the key file
    is missing or is not the backup's key, DatabaseError for a file that is no backup, a
    database in use, or a file that cannot be written; the database is then unchanged."""
    if not key_file.is_file():
        raise VaultError(
            f"The secret key file {key_file} (ANTIPEST_SECRET_KEY_FILE) is missing: put the key "
            "file back first (it is kept apart from the backups)."
        )
    if not backup.is_file():
        raise DatabaseError(f"There is no backup file {backup}.")
    if db_path.exists():
        with alone(db_path):
            pass  # nobody has it open, and its write-ahead log is now in the file itself
    incoming = db_path.with_name(f"{db_path.name}.restoring")
    _remove(incoming)  # left by an earlier restore that stopped half-way
    try:
        _copy(backup, incoming)
        _check(backup, incoming, key_file, now)
    except BaseException:
        _remove(incoming)
        raise
    aside = None
    if db_path.exists():
        aside = db_path.with_name(f"{db_path.name}.before-restore-{now.strftime(STAMP)}")
        os.replace(db_path, aside)
    for suffix in ("-wal", "-shm"):  # none after a clean close; never apply one to the backup
        with contextlib.suppress(FileNotFoundError):
            Path(f"{db_path}{suffix}").unlink()
    os.replace(incoming, db_path)
    sync_folder(db_path.parent)
    return aside


def _copy(backup: Path, target: Path) -> None:
    """Copy the backup with SQLite itself, so a file that is no database is named as such."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise DatabaseError(f"{backup} cannot be read as a backup of antipestbot ({exc}).") from exc


def _check(backup: Path, incoming: Path, key_file: Path, now: datetime) -> None:
    """Open the copy as the bot would, with the key check and the migrations; log the restore."""
    try:
        db, _vault = open_with_key(incoming, key_file)
    except VaultError as exc:
        raise VaultError(
            f"The backup {backup} was not made with the key in {key_file} "
            "(ANTIPEST_SECRET_KEY_FILE): put back the key file that was in use when it was made."
        ) from exc
    try:
        with db.transaction():
            at = now.astimezone(UTC).isoformat(timespec="seconds")
            audit.record(db, at, "operator", "database_restored")
    finally:
        db.close()


def _remove(path: Path) -> None:
    for name in (str(path), f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(name).unlink()


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename in it survives a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
