"""The database file taken by one command alone, for work no running bot may see half done: a
restore (bot/storage/backups.py) and a key rotation (bot/storage/rekey.py).

A running bot keeps its connection open (WAL mode) for as long as it runs. A connection in
EXCLUSIVE locking mode that begins an exclusive transaction is refused while any other
connection to the file is open, so `alone` both tells whether a bot (or another command) has it
open, and keeps any from opening it until the work is done. Set before the first read, the mode
also keeps SQLite from using the shared-memory file that other processes would read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.storage.db import DatabaseError

# Seconds to wait for a short command that has the file open (`coordinator list`); a running
# bot keeps it open all the time, so waiting longer would not help.
BUSY_SECONDS = 2.0


@contextmanager
def alone(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the existing database `path` inside one exclusive transaction, committed
    when the block ends (rolled back on an error). Raises DatabaseError while another process
    has the file open."""
    if not path.is_file():
        raise DatabaseError(f"There is no database at {path} (ANTIPEST_DB).")
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_SECONDS)
    except sqlite3.Error as exc:
        raise DatabaseError(f"The database {path} (ANTIPEST_DB) cannot be opened.") from exc
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            # The first statements that read the file: each may meet another process's lock.
            conn.execute("PRAGMA synchronous=FULL")  # the one commit is fsynced before it returns
            conn.execute("PRAGMA secure_delete=ON")  # what is replaced is overwritten, as always
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:  # busy: another connection holds a lock
            raise DatabaseError(
                f"The database {path} (ANTIPEST_DB) is open in another process, most likely the "
                "running bot: stop the bot first, then try again."
            ) from exc
        except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
            raise DatabaseError(f"The database {path} (ANTIPEST_DB) cannot be opened.") from exc
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()  # the last connection: the WAL is checkpointed and removed
