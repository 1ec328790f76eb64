"""The database and the key that belongs to it, opened together or not at all.

A database keeps a check value of its key in `meta` (`Vault.check_value`). With a database that
holds data, a missing key file is never created anew and a key whose check value differs is
refused: new cases sealed with another key would leave the old ones unreadable and every
reporter cut off from their reports. A database made before check values existed gets one on
its first start, but only after the key has opened a sealed value in it (a report's story or a
half-typed answer), so a wrong key is not written down as the right one.

After a key rotation the database also keeps, sealed, what the vault needs to recognise what the
keys before it derived (`Vault.recall_retired`); it is read here, with the key.
"""

from __future__ import annotations

import hmac
import logging
import sqlite3
from pathlib import Path

from bot.crypto import Vault, VaultError, load_or_create_key
from bot.storage.db import Database, DatabaseError
from bot.storage.meta import MetaStore

log = logging.getLogger(__name__)

KEY_CHECK = "key_check"  # the meta key of the check value
RETIRED = "retired_keys"  # the meta key of `Vault.sealed_retired` (bot/storage/rekey.py)
# Sealed columns that any database in use has rows in; one value of them proves the key.
_SEALED = ("SELECT story FROM reports LIMIT 1", "SELECT answers FROM sessions LIMIT 1")


def open_with_key(db_path: Path, key_file: Path) -> tuple[Database, Vault]:
    """The database and the vault of its key; both are created when neither exists yet.

    Raises VaultError (one sentence) for a database with data whose key file is missing or
    holds another key, and DatabaseError for a database that cannot be opened.
    """
    if _has_data(db_path) and not key_file.exists():
        raise VaultError(
            f"The database {db_path} (ANTIPEST_DB) exists but its secret key file {key_file} "
            "(ANTIPEST_SECRET_KEY_FILE) does not: put that key file back, as a new key could "
            "not open the cases in the database."
        )
    vault = Vault(load_or_create_key(key_file))
    db = Database(db_path)
    try:
        _check(db, vault, db_path, key_file)
        retired = MetaStore(db).get(RETIRED)
        if retired is not None:
            vault.recall_retired(retired)
    except sqlite3.Error as exc:  # e.g. locked by another process beyond busy_timeout
        db.close()
        raise DatabaseError(f"The database {db_path} (ANTIPEST_DB) cannot be opened.") from exc
    except BaseException:
        db.close()
        raise
    return db, vault


def _has_data(db_path: Path) -> bool:
    # SQLite may keep everything of a young database in its write-ahead log for a while.
    return any(
        path.is_file() and path.stat().st_size > 0 for path in (db_path, Path(f"{db_path}-wal"))
    )


def _check(db: Database, vault: Vault, db_path: Path, key_file: Path) -> None:
    meta = MetaStore(db)
    expected = vault.check_value()
    stored = meta.get(KEY_CHECK)
    if stored is None:
        opens = _opens_what_is_sealed(db, vault)
        if opens is False:
            raise _wrong_key(db_path, key_file)
        with db.transaction():
            meta.put(KEY_CHECK, expected)
        if opens:  # a database from before check values: worth a line, once
            log.info("key_check_recorded")
    elif not hmac.compare_digest(stored, expected):
        raise _wrong_key(db_path, key_file)


def _opens_what_is_sealed(db: Database, vault: Vault) -> bool | None:
    """Whether a sealed value in the database opens with this key; None when none is sealed."""
    for query in _SEALED:
        row = db.row(query)
        if row is not None:
            try:
                vault.open(next(iter(row.values())))
            except VaultError:
                return False
            return True
    return None  # nothing sealed yet: any key is this database's key


def _wrong_key(db_path: Path, key_file: Path) -> VaultError:
    return VaultError(
        f"The secret key file {key_file} (ANTIPEST_SECRET_KEY_FILE) is not the key of the "
        f"database {db_path} (ANTIPEST_DB): use the key file that was made with this database."
    )
