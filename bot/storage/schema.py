"""Schema migrations, applied in order; `PRAGMA user_version` counts the ones applied.

Never edit a released migration: add a new one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import sqlite_utils

from bot.core.casecode import ALPHABET


def _v1(db: sqlite_utils.Database) -> None:
    db["sessions"].create(
        {"key": str, "flow": str, "state": str, "answers": str, "locale": str, "updated": str},
        pk="key",
        not_null={"flow", "state", "answers", "updated"},
    )
    db["coordinators"].create(
        {"id": int, "telegram_id": int, "name": str, "active": int, "created": str},
        pk="id",
        not_null={"telegram_id", "name", "active", "created"},
    )
    db["coordinators"].create_index(["telegram_id"], unique=True)
    db["invites"].create(
        {"code_hash": str, "name": str, "created": str, "used": str, "coordinator": int},
        pk="code_hash",
        not_null={"name", "created"},
    )
    db["reports"].create(
        {
            "id": int,
            "code": str,
            "reporter": str,
            "role": str,
            "who": str,
            "kind": str,
            "place": str,
            "often": str,
            "since": str,
            "story": str,
            "name": str,
            "anonymous": int,
            "contact": str,
            "status": str,
            "phase": int,
            "assignee": int,
            "outcome": str,
            "created": str,
            "updated": str,
            "closed": str,
            "due": str,
        },
        pk="id",
        not_null={"code", "role", "kind", "story", "anonymous", "status", "created", "updated"},
        foreign_keys=[("assignee", "coordinators", "id")],
    )
    db["reports"].create_index(["code"], unique=True)
    db["reports"].create_index(["reporter"])
    db["reports"].create_index(["status", "created"])
    db["evidence"].create(
        {"id": int, "report": int, "file": str, "kind": str},
        pk="id",
        not_null={"report", "file", "kind"},
        foreign_keys=[("report", "reports", "id")],
    )
    db["notes"].create(
        {"id": int, "report": int, "author": int, "text": str, "created": str},
        pk="id",
        not_null={"report", "author", "text", "created"},
        foreign_keys=[("report", "reports", "id"), ("author", "coordinators", "id")],
    )
    # A row goes to a coordinator, or (coordinator NULL) to the reporter of `report`.
    db["outbox"].create(
        {
            "id": int,
            "key": str,
            "channel": str,
            "coordinator": int,
            "report": int,
            "payload": str,
            "attempts": int,
            "next_try": str,
            "status": str,
            "created": str,
            "sent": str,
        },
        pk="id",
        not_null={"key", "channel", "payload", "attempts", "next_try", "status", "created"},
        foreign_keys=[("coordinator", "coordinators", "id"), ("report", "reports", "id")],
    )
    db["outbox"].create_index(["key"], unique=True)
    db["outbox"].create_index(["channel", "status", "next_try"])
    db["messages"].create(
        {"id": int, "report": int, "direction": str, "author": int, "text": str, "created": str},
        pk="id",
        not_null={"report", "direction", "text", "created"},
        foreign_keys=[("report", "reports", "id"), ("author", "coordinators", "id")],
    )
    db["checklist"].create(
        {"report": int, "item": int, "ticked_by": int, "ticked_at": str},
        pk=("report", "item"),
        not_null={"ticked_by", "ticked_at"},
        foreign_keys=[("report", "reports", "id"), ("ticked_by", "coordinators", "id")],
    )
    db["jobs"].create(
        {"id": int, "key": str, "kind": str, "report": int, "due": str, "done": str},
        pk="id",
        not_null={"key", "kind", "report", "due"},
        foreign_keys=[("report", "reports", "id")],
    )
    db["jobs"].create_index(["key"], unique=True)
    db["jobs"].create_index(["done", "due"])
    # What survives the retention purge, for the school's yearly monitoring: counts, no content.
    db["counts"].create(
        {"month": str, "role": str, "kind": str, "place": str, "n": int},
        pk=("month", "role", "kind", "place"),
        not_null={"n"},
    )
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})
    # Channel deliveries already handled (Telegram update ids): a redelivery changes nothing.
    db["deliveries"].create({"id": str, "at": str}, pk="id", not_null={"at"})
    db["audit"].create(
        {"id": int, "at": str, "actor": str, "action": str, "report": str},
        pk="id",
        not_null={"at", "actor", "action"},
    )


def _v2(db: sqlite_utils.Database) -> None:
    # A case is closed with an outcome from a fixed list (`bot/cases/casework.py`); the
    # coordinator's own words stay in the sealed `outcome` column beside it.
    db["reports"].add_column("outcome_code", str)


def _v3(db: sqlite_utils.Database) -> None:
    # A report may name more than one kind (name-calling and being left out): all of them, as
    # a comma-separated list of kind ids; `kind` keeps the first, for counts and old readers.
    db["reports"].add_column("kinds", str)


def _v4(db: sqlite_utils.Database) -> None:
    # A reply whose first sending failed after its update was committed waits in the outbox for
    # its chat: the chat and the rendered messages, sealed (`storage/outbox.enqueue_reply`).
    db["outbox"].add_column("content", str)


# (table, column of the coordinator's id, new column for their name then); see _v5
_AUTHOR_NAMES = (
    ("notes", "author", "author_name"),
    ("messages", "author", "author_name"),
    ("checklist", "ticked_by", "ticked_by_name"),
)


def _v5(db: sqlite_utils.Database) -> None:
    # Invites expire (`coordinator invite --days`) and can be revoked (`coordinator revoke`).
    # One made before this migration expires a week after it was made, as a new one does.
    db["invites"].add_column("expires", str)
    db["invites"].add_column("revoked", str)
    db.execute(
        "UPDATE invites SET expires = strftime('%Y-%m-%dT%H:%M:%S+00:00', created, '+7 days')"
    )
    # History, notes, messages and ticks keep the name their author had when they were written,
    # so a coordinator renamed later does not rewrite the past. Rows written before this
    # migration get the name their author has now: the best that is known.
    db["audit"].add_column("actor_name", str)
    db.execute(
        "UPDATE audit SET actor_name = (SELECT c.name FROM coordinators c"
        " WHERE audit.actor = 'coordinator:' || c.id)"
    )
    for table, author, name in _AUTHOR_NAMES:
        db[table].add_column(name, str)
        db.execute(
            f"UPDATE {table} SET {name} = (SELECT c.name FROM coordinators c"
            f" WHERE c.id = {table}.{author})"
        )


def _v6(db: sqlite_utils.Database) -> None:
    # How a reporter wants the bot's own messages (`storage/reporter_prefs.py`): without sound,
    # and only within some hours. Keyed by the pseudonym; no content; /vergeet deletes it.
    db["reporter_prefs"].create(
        {"reporter": str, "quiet": int, "hours": str, "updated": str},
        pk="reporter",
        not_null={"quiet", "hours", "updated"},
    )


def _v7(db: sqlite_utils.Database) -> None:
    # When each person sent a report in the last hour (`storage/hourly.py`): a keyed hash and a
    # time, no link to a report, so `reports_per_hour` survives /vergeet. Rows live an hour.
    db["hourly_reports"].create({"sender": str, "at": str}, not_null={"sender", "at"})
    db["hourly_reports"].create_index(["sender", "at"])


def _v8(db: sqlite_utils.Database) -> None:
    # The web chat (`storage/web.py`): tabs by a keyed hash of their token, each conversation's
    # messages by its pseudonym (sealed), secret codes by a keyed hash, photos sealed.
    db["web_tabs"].create(
        {"token_hash": str, "visitor": str, "lang": str, "created": str, "seen": str, "floor": int},
        pk="token_hash",
        not_null={"visitor", "created", "seen", "floor"},
    )
    db["web_tabs"].create_index(["seen"])
    db.execute(
        "CREATE TABLE web_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, chat TEXT NOT NULL,"
        " kind TEXT NOT NULL, delivery TEXT NOT NULL, content TEXT NOT NULL,"
        " created TEXT NOT NULL, seen INTEGER NOT NULL)"
    )
    db["web_messages"].create_index(["chat", "seq"])
    db["web_messages"].create_index(["chat", "delivery"])
    db["web_messages"].create_index(["created"])
    db["web_codes"].create(
        {"code_hash": str, "owner": str, "visitor": str, "created": str},
        pk="code_hash",
        not_null={"owner", "visitor", "created"},
    )
    db["web_codes"].create_index(["owner"])
    db["web_photos"].create(
        {"id": str, "content": str, "created": str}, pk="id", not_null={"content", "created"}
    )


def _v9(db: sqlite_utils.Database) -> None:
    # One installation serves a school board's schools. School 1 is what the installation was:
    # its name (NULL) and settings ({}) are the board's defaults, the TOML file, so a one-school
    # installation reads exactly as before. Its entry code is new and random.
    db.execute(
        "CREATE TABLE schools (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT,"
        " entry_code TEXT NOT NULL UNIQUE, settings TEXT NOT NULL DEFAULT '{}',"
        " created TEXT NOT NULL, changed TEXT NOT NULL, removed TEXT)"
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(6))
    db.execute(
        "INSERT INTO schools (id, slug, entry_code, created, changed) VALUES"
        " (1, 'school', ?, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'),"
        " strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))",
        (code,),
    )
    # Addresses and entry codes a school used before it changed them: never given again.
    db.execute(
        "CREATE TABLE school_retired (value TEXT PRIMARY KEY, school INTEGER NOT NULL,"
        " retired TEXT NOT NULL)"
    )
    # Without REFERENCES: SQLite adds a NOT NULL column with a foreign key only by rebuilding
    # the table; the stores write only ids of schools that exist.
    for table in ("reports", "invites", "outbox", "web_codes"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN school INTEGER NOT NULL DEFAULT 1")
    for table in ("sessions", "web_tabs", "audit"):  # NULL: no school known (yet)
        db.execute(f"ALTER TABLE {table} ADD COLUMN school INTEGER")
    db.execute("UPDATE sessions SET school = 1")
    db.execute("UPDATE web_tabs SET school = 1")
    db.execute("UPDATE audit SET school = 1 WHERE report IS NOT NULL")
    # A person coordinates a school through a role there; one person may hold several.
    db.execute(
        "CREATE TABLE coordinator_schools (coordinator INTEGER NOT NULL REFERENCES"
        " coordinators(id), school INTEGER NOT NULL REFERENCES schools(id),"
        " active INTEGER NOT NULL, created TEXT NOT NULL, PRIMARY KEY (school, coordinator))"
    )
    db.execute("CREATE INDEX coordinator_schools_coordinator ON coordinator_schools (coordinator)")
    db.execute(
        "INSERT INTO coordinator_schools (coordinator, school, active, created)"
        " SELECT id, 1, active, created FROM coordinators"
    )
    # Counts are per school: the school's own figures.
    db.execute(
        "CREATE TABLE counts_v9 (school INTEGER NOT NULL, month TEXT, role TEXT, kind TEXT,"
        " place TEXT, n INTEGER NOT NULL, PRIMARY KEY (school, month, role, kind, place))"
    )
    db.execute("INSERT INTO counts_v9 SELECT 1, month, role, kind, place, n FROM counts")
    db.execute("DROP TABLE counts")
    db.execute("ALTER TABLE counts_v9 RENAME TO counts")
    db.execute("UPDATE meta SET key = 'last_purge_day:1' WHERE key = 'last_purge_day'")
    # A school's queue is as fast with 100,000 cases of other schools as without them.
    db["reports"].create_index(["school", "status", "created"])
    db["reports"].create_index(["school", "status", "closed"])
    db["audit"].create_index(["report", "school"])
    # A web page numbers its messages 1, 2, 3 ... within its own conversation (`n`): `seq`,
    # one counter over the whole board, showed every school's traffic in its jumps. `seq`
    # stays the log's order (and a tab's floor). Old rows get their place in their conversation.
    db.execute("ALTER TABLE web_messages ADD COLUMN n INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE web_messages SET n = (SELECT count(*) FROM web_messages m"
        " WHERE m.chat = web_messages.chat AND m.seq <= web_messages.seq)"
    )
    db["web_messages"].create_index(["chat", "n"], unique=True)
    # Each conversation's last number, kept while a tab may show it (`WebStore.forget_messages`)
    # so the numbering never starts again under an open page. A page open during the upgrade
    # has shown the old numbers: its conversation goes on above them.
    db.execute(
        "CREATE TABLE web_chats (chat TEXT PRIMARY KEY, last INTEGER NOT NULL, used TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO web_chats (chat, last, used) SELECT chat, max(seq),"
        " strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM web_messages GROUP BY chat"
    )


def _v10(db: sqlite_utils.Database) -> None:
    # Figures that outlive cases (bot/storage/figures.py): counters, never a case or a person.
    db.execute(
        "CREATE TABLE figures (school INTEGER NOT NULL, month TEXT NOT NULL,"
        " dimension TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,"
        " PRIMARY KEY (school, month, dimension, value))"
    )
    # What has been counted of a case already, so that nothing is counted twice (a reopened
    # case's second close, a second claim); deleted with the case.
    for column in ("first_claimed", "first_messaged", "first_closed", "phase_since", "phases"):
        db.execute(f"ALTER TABLE reports ADD COLUMN {column} TEXT")
    db.execute("ALTER TABLE reports ADD COLUMN serious INTEGER NOT NULL DEFAULT 0")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1,
    _v2,
    _v3,
    _v4,
    _v5,
    _v6,
    _v7,
    _v8,
    _v9,
    _v10,
]
