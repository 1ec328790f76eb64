"""A new secret key for a database: everything the old key made, made again with the new one,
in one transaction, while no bot runs (`antipestbot key rotate`; bot/storage/offline.py).

What the old key made is of three kinds.
- Sealed values (stories, names, contacts, evidence, notes, messages, web chat logs and photos,
  half-typed answers, queued replies): opened with the old key, sealed with the new. They are
  found by trying every text value that has the form of a sealed one in every table, so a
  sealed column added later is not left behind.
- Pseudonyms (keyed hashes of a channel's user id; `PSEUDONYMS`): made again from the user ids
  the database itself knows (a coordinator's Telegram id; sealed: a reporter's contact, the web
  visitor a secret code opens, a queued reply's chat) and those the caller names (the terminal's
  users). A row whose person is known by none of these belongs to a conversation of someone who
  never reported: it is deleted, and they start again at the beginning, as after /vergeet.
- Derived secrets: the hourly report counts follow their pseudonyms; open web chat tabs are
  closed (their tokens exist only in the browsers); a web secret code cannot be hashed again
  without the code, so it keeps its hash, recognised through the old key's derivation key (kept
  sealed, `Vault.successor`), and takes the new key's hash when it is next used.

Afterwards the old key opens nothing in the database and matches no pseudonym in it.
"""

from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.crypto import Vault, VaultError
from bot.storage.keycheck import KEY_CHECK, RETIRED

# (table, column) holding a pseudonym, and what happens to a row whose person is unknown.
PSEUDONYMS: tuple[tuple[str, str, str], ...] = (
    ("sessions", "key", "delete"),
    ("reporter_prefs", "reporter", "delete"),
    ("reports", "reporter", "unlink"),  # as /vergeet: the case stays, its reporter is unknown
    ("web_messages", "chat", "delete"),
    ("web_chats", "chat", "delete"),
    ("web_codes", "owner", "delete"),
    ("hourly_reports", "sender", "delete"),  # derived from a pseudonym (storage/hourly.py)
)
HOURLY = "reports per hour:{}"  # the purpose `HourlyStore` derives a sender's hash for
SEALED_PREFIX = "gAAAAA"  # how every Fernet token begins (version 0x80, a timestamp < 2**32)
BATCH = 500  # rows read at a time, so a table of photos is never held in memory whole


@dataclass(frozen=True)
class Rotation:
    """What a rotation did, in numbers for the operator."""

    resealed: int  # sealed values sealed again with the new key
    renamed: int  # rows whose pseudonym was made again
    forgotten: int  # rows of people nobody could name (`PSEUDONYMS`), deleted or unlinked
    tabs_closed: int  # open web chat tabs
    unreadable: int  # values of a sealed form that the old key does not open either (left)


def rotate(
    conn: sqlite3.Connection,
    old: Vault,
    new: Vault,
    known: Iterable[tuple[str, str]],
    now: str,
) -> Rotation:
    """Re-key the database open on `conn` (inside a transaction of its own, see
    `offline.alone`) from `old` to `new` (`old.successor(master)`); `known` adds (channel,
    user id) pairs the database does not hold. Raises VaultError when `old` is not its key."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY_CHECK,)).fetchone()
    if row is None or not hmac.compare_digest(row[0], old.check_value()):
        raise VaultError("The secret key file is not the key of this database.")
    pairs: dict[str, str] = {}
    for channel, user in {*_people(conn, old), *known}:
        before, after = old.subject(channel, user), new.subject(channel, user)
        pairs[before] = after
        pairs[old.derived(HOURLY.format(before))] = new.derived(HOURLY.format(after))
    tabs = conn.execute("DELETE FROM web_tabs").rowcount
    resealed, unreadable = _reseal(conn, old, new)
    renamed, forgotten = _rename(conn, pairs, new)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (KEY_CHECK, new.check_value()),
    )
    retired = new.sealed_retired()
    if retired is not None:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (RETIRED, retired),
        )
    # As bot/storage/audit.record writes it: who, what, when; no content.
    conn.execute(
        "INSERT INTO audit (at, actor, action) VALUES (?, 'operator', 'key_rotated')", (now,)
    )
    return Rotation(resealed, renamed, forgotten, tabs, unreadable)


def _people(conn: sqlite3.Connection, old: Vault) -> Iterator[tuple[str, str]]:
    """(channel, user id) of everyone the database can name."""
    for (telegram_id,) in conn.execute("SELECT telegram_id FROM coordinators"):
        yield "telegram", str(telegram_id)
    for (contact,) in conn.execute("SELECT contact FROM reports WHERE contact IS NOT NULL"):
        # A reporter's chat is their user id: the bot answers in private chats only.
        reach = json.loads(_open(old, contact) or "{}")
        if "channel" in reach and "chat" in reach:
            yield str(reach["channel"]), str(reach["chat"])
    # A web visitor with a secret code (open tabs are closed: their conversations end).
    for (visitor,) in conn.execute("SELECT visitor FROM web_codes"):
        opened = _open(old, visitor)
        if opened is not None:
            yield "web", opened
    for channel, content in conn.execute(
        "SELECT channel, content FROM outbox WHERE content IS NOT NULL"
    ):
        reply = json.loads(_open(old, content) or "{}")
        if "chat" in reply:
            yield channel, str(reply["chat"])


def _rename(conn: sqlite3.Connection, pairs: dict[str, str], new: Vault) -> tuple[int, int]:
    """Every pseudonym column to its new values; returns (rows renamed, rows of people nobody
    could name, deleted or unlinked)."""
    conn.execute("CREATE TEMP TABLE rekey (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
    conn.executemany("INSERT INTO temp.rekey (old, new) VALUES (?, ?)", pairs.items())
    renamed = forgotten = 0
    for table, column, unknown in PSEUDONYMS:
        stranger = f"{column} IS NOT NULL AND {column} NOT IN (SELECT old FROM temp.rekey)"
        if unknown == "delete":
            forgotten += conn.execute(f"DELETE FROM {table} WHERE {stranger}").rowcount
        else:  # a report: its contact goes with the link, as `ReportStore.forget_reporter` does
            forgotten += conn.execute(
                f"UPDATE {table} SET {column} = NULL, contact = ? WHERE {stranger}",
                (new.seal("{}"),),
            ).rowcount
        renamed += conn.execute(
            f"UPDATE {table} SET {column} = (SELECT new FROM temp.rekey WHERE old = {column})"
            f" WHERE {column} IN (SELECT old FROM temp.rekey)"
        ).rowcount
    conn.execute("DROP TABLE temp.rekey")
    return renamed, forgotten


def _reseal(conn: sqlite3.Connection, old: Vault, new: Vault) -> tuple[int, int]:
    """Seal every value the old key opens with the new one; returns (resealed, unreadable)."""
    resealed = unreadable = 0
    for table in _tables(conn):
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        listed = ", ".join(columns)
        last = 0
        while True:
            rows = conn.execute(
                f"SELECT rowid, {listed} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, BATCH),
            ).fetchall()
            if not rows:
                break
            for rowid, *values in rows:
                changed = {}
                for column, value in zip(columns, values, strict=True):
                    if isinstance(value, str) and value.startswith(SEALED_PREFIX):
                        opened = _open(old, value)
                        if opened is None:
                            unreadable += 1
                        else:
                            changed[column] = new.seal(opened)
                if changed:
                    assignments = ", ".join(f"{column} = ?" for column in changed)
                    conn.execute(
                        f"UPDATE {table} SET {assignments} WHERE rowid = ?",
                        (*changed.values(), rowid),
                    )
                    resealed += len(changed)
            last = rows[-1][0]
    return resealed, unreadable


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    return [name for (name,) in rows]


def _open(vault: Vault, token: str) -> str | None:
    """The sealed value opened; None when this key does not open it."""
    try:
        return vault.open(token)
    except VaultError:
        return None
