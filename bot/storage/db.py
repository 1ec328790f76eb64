"""Open the database with safe settings, migrate it, and run transactions.

sqlite-utils creates the schema; data changes go through `execute` inside `transaction()`,
because sqlite-utils' own write helpers commit on their own and would split a transaction.

Durability. The connection runs in WAL mode with synchronous=NORMAL: a COMMIT writes the WAL
without waiting for the disk. A transaction is durable unless its caller marks it as one user's
mere navigation (`Transaction.navigation_only(who)`). After a durable COMMIT, and before
`transaction()` returns (so before any reply is sent), the WAL is fsynced: exactly the sync that
synchronous=FULL adds to NORMAL (SQLite's documentation: in WAL mode, FULL is NORMAL plus a sync of
the WAL after each transaction commits). A navigation commit is fsynced within
NAVIGATION_SYNC_DELAY by a timer (at once without one), by the next durable commit (the WAL is
written in order), or at once if the same user's previous step is still waiting. So a power cut
loses at most each user's last step (one tap, or one typed line of a story being written), and
never a report, a case change or a queued message. A crash of the process alone loses nothing:
committed pages are already in the operating system's hands.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.storage.schema import MIGRATIONS

# Seconds between a navigation commit and the fsync that makes it durable.
NAVIGATION_SYNC_DELAY = 0.1

Schedule = Callable[[float, Callable[[], None]], object]  # the shape of loop.call_later


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message is one sentence."""


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The file holds coordinator ids and case metadata: readable by the bot's user only.
    path.touch(mode=0o600, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL: COMMIT does not fsync; Database makes durable commits durable itself.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA secure_delete=ON")
    return conn


class Transaction:
    """One open transaction; durable unless `navigation_only()` was called."""

    def __init__(self) -> None:
        self.navigator: str | None = None

    def navigation_only(self, who: str) -> None:
        """Only where the user `who` is in a conversation changed: losing it to a power cut
        costs them one step, so its fsync may wait (see the module docstring)."""
        self.navigator = who


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.wal = Path(f"{path}-wal")  # where SQLite keeps the write-ahead log
        # Set by a channel with an event loop (loop.call_later); without one, sync at once.
        self.schedule: Schedule | None = None
        self._waiting: set[str] = set()  # users whose last navigation commit awaits its fsync
        # One connection, used from the event loop (background work) and from the thread that
        # handles updates: a transaction holds the lock from BEGIN to its fsync, so another
        # thread's statements never land inside it.
        self.lock = threading.RLock()
        try:
            self.conn = _connect(path)
            self.db = sqlite_utils.Database(self.conn)  # for creating the schema
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(f"The database {path} (ANTIPEST_DB) cannot be opened.") from exc

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            # A downgrade: this code does not know the newer tables, and writing to them as an
            # older schema could lose what the newer version kept.
            self.conn.close()
            raise DatabaseError(
                f"The database {self.path} was made by a newer version of antipestbot: "
                "install that version again, or restore the backup made before the upgrade."
            )
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version={number}")

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.lock:
            transaction = Transaction()
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield transaction
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            who = transaction.navigator
            if who is None or who in self._waiting or self.schedule is None:
                self.sync()
                return
            if not self._waiting:
                self.schedule(NAVIGATION_SYNC_DELAY, self.sync_pending)
            self._waiting.add(who)

    def sync_pending(self) -> None:
        """fsync the WAL if a navigation commit still waits for it."""
        with self.lock:
            if self._waiting:  # a durable commit may have synced it meanwhile
                self.sync()

    def sync(self) -> None:
        """fsync the WAL: every commit so far survives a power cut."""
        self._waiting.clear()
        try:
            fd = os.open(self.wal, os.O_RDONLY)
        except FileNotFoundError:
            return  # checkpointed and removed: the database file itself was synced
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextmanager
    def savepoint(self, name: str = "effects") -> Iterator[None]:
        """A nested transaction: undone on error without undoing the update's other writes."""
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    @property
    def changes(self) -> int:
        """Rows inserted, updated or deleted on this connection so far."""
        return self.conn.total_changes

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    def rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        # Straight to sqlite3: sqlite-utils' query() wraps every SELECT in a savepoint of its
        # own, two extra statements per read on the bot's hot path.
        with self.lock:
            return list(_dicts(self.conn.execute(sql, params)))

    def row(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> dict[str, Any] | None:
        with self.lock:
            return next(_dicts(self.conn.execute(sql, params)), None)

    def backup(self, target: Path) -> None:
        """Copy the whole database into the new file `target`, consistent while others write.

        SQLite's backup API copies every page in one step inside one read transaction, so the
        copy is a snapshot of committed data; in WAL mode the bot's writers are not blocked.
        """
        if self.conn.in_transaction:
            # Through its own connection the backup would also copy the uncommitted writes.
            raise DatabaseError("A backup cannot be taken inside a transaction.")
        _create_private(target)
        try:
            copy = sqlite3.connect(target, isolation_level=None)
            try:
                self.conn.backup(copy)
                # One self-contained file: no -wal or -shm beside it to forget when copying it.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)  # a half-written backup must not pass for a good one
            raise DatabaseError(f"The backup into {target} failed ({exc}).") from exc

    def close(self) -> None:
        self.sync_pending()
        self.conn.close()


def _dicts(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    """The cursor's rows as {column: value}, read one at a time."""
    names = [column[0] for column in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _create_private(target: Path) -> None:
    """Create `target` empty with mode 0600; refuse an existing file (never overwrite one)."""
    try:
        # O_EXCL makes "does it exist?" and "create it" one step: no race with another writer.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError as exc:
        raise DatabaseError(f"{target} already exists; a backup never overwrites a file.") from exc
    except OSError as exc:
        raise DatabaseError(f"The backup file {target} cannot be created.") from exc
    # A umask can take the owner's write bit away (sqlite could not fill the file): be exact.
    with contextlib.suppress(OSError):
        os.chmod(target, 0o600)
