"""Is an attempt on another school's case told apart from one on a code that exists nowhere?

`attempt` runs one inbound from a freshly restored database and records what can be observed:
the replies exactly as a channel gets them, every SQL statement run (`set_trace_callback`; the
same statements mean the same work, so no timing difference by construction), what changed in
every table, and the actor's conversation afterwards. The target (a case code or message id) is
replaced by a placeholder everywhere, so the two attempts compare byte for byte.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.app import App
from bot.core.model import Inbound
from support.twoschools import Chatter, outbound_json

SEALED = re.compile(r"gAAAAA[A-Za-z0-9_\-=]+")  # a Fernet token: random on every seal
TOKEN = re.compile(r"([0-9A-Za-z]+(?:-[0-9A-Za-z]+)*)")  # a word, a number or a case code
# Not compared: what every update writes (the conversation is compared apart, opened).
UNCOMPARED = ("sessions", "deliveries")
PLACEHOLDER = "<target>"

Rows = dict[str, list[dict[str, Any]]]


class Template:
    """The world's database, kept in memory, poured back before each attempt (SQLite's backup
    API: every page, so the next attempt starts from the very same bytes)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.copy = sqlite3.connect(":memory:")
        app.stores.db.conn.backup(self.copy)

    def restore(self) -> None:
        with self.app.stores.db.lock:
            self.copy.backup(self.app.stores.db.conn)


def tables(db: Any) -> list[str]:
    rows = db.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [row["name"] for row in rows if row["name"] not in UNCOMPARED]


def snapshot(db: Any) -> Rows:
    """Every row of every compared table, sealed values as they are stored."""
    return {table: db.rows(f"SELECT * FROM {table} ORDER BY rowid") for table in tables(db)}


def changes(before: Rows, after: Rows) -> dict[str, tuple[list[Any], list[Any]]]:
    """table -> (rows gone, rows new), for the tables that changed."""
    found = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            gone = [row for row in old if row not in new]
            added = [row for row in new if row not in old]
            found[table] = (gone, added)
    return found


@contextmanager
def traced(app: App) -> Iterator[list[str]]:
    """The SQL statements run meanwhile on the app's connection, parameters filled in."""
    statements: list[str] = []
    conn = app.stores.db.conn
    conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        conn.set_trace_callback(None)


def unsealed(text: str) -> str:
    """`text` with every sealed value replaced by a placeholder (each seal is random)."""
    return SEALED.sub("<sealed>", text)


def align(seen: str, nothing: str, target: str, other: str) -> tuple[str, str]:
    """Both texts with the target in one and the other code at the same place in the other
    replaced by a placeholder, word by word (a bare search for "6" would find every 6)."""
    ours, theirs = TOKEN.split(seen), TOKEN.split(nothing)
    if len(ours) != len(theirs):
        return seen, nothing  # they differ anyway: the comparison shows where
    for n, (one, two) in enumerate(zip(ours, theirs, strict=True)):
        if one == target and two == other:
            ours[n] = theirs[n] = PLACEHOLDER
    return "".join(ours), "".join(theirs)


@dataclass(frozen=True)
class Seen:
    """What an attempt could tell anyone: the target, and everything observable."""

    target: str
    replies: str
    statements: list[str]
    changed: dict[str, tuple[list[Any], list[Any]]]
    session: str

    def against(self, nothing: Seen) -> tuple[Seen, Seen]:
        """This attempt and `nothing`, their targets replaced where they stand (`align`)."""

        def pair(one: str, two: str) -> tuple[str, str]:
            return align(one, two, self.target, nothing.target)

        replies = pair(self.replies, nothing.replies)
        session = pair(self.session, nothing.session)
        changed = pair(_json(self.changed), _json(nothing.changed))
        ours, theirs = self.statements, nothing.statements
        if len(ours) == len(theirs):
            pairs = [pair(one, two) for one, two in zip(ours, theirs, strict=True)]
            ours, theirs = [one for one, _ in pairs], [two for _, two in pairs]
        return (
            Seen(PLACEHOLDER, replies[0], ours, json.loads(changed[0]), session[0]),
            Seen(PLACEHOLDER, replies[1], theirs, json.loads(changed[1]), session[1]),
        )


def _json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)


def attempt(
    template: Template,
    actor: Chatter,
    inbound: Callable[[str], Inbound],
    target: str,
    plant: Callable[[str], None] | None = None,
) -> Seen:
    """`actor` sends `inbound(target)` to a freshly restored world (after `plant(target)`)."""
    app = actor.app
    template.restore()
    if plant is not None:
        plant(target)
    before = snapshot(app.stores.db)
    with traced(app) as statements:
        replies = actor.send(inbound(target))
    changed = changes(before, snapshot(app.stores.db))
    session, language, school = app.service.sessions.load_all(actor.key)
    conversation = json.dumps(
        [session.flow, session.state, session.answers, session.locale, language, school]
        if session
        else None,
        sort_keys=True,
    )
    return Seen(
        target=target,
        replies=outbound_json(replies),
        statements=[unsealed(statement) for statement in statements],
        changed=json.loads(unsealed(json.dumps(changed, default=str))),
        session=conversation,
    )


def own_audit_only(seen: Seen, actor: str) -> dict[str, Any]:
    """What changed apart from audit rows of the actor's own that name no case: a refused
    attempt may be audited as the actor's, never in the case's history."""
    changed = dict(seen.changed)
    if "audit" in changed:
        gone, added = changed["audit"]
        others = [row for row in added if row["actor"] != actor or row["report"] is not None]
        if not gone and not others:
            del changed["audit"]
    return changed
