"""The web chat's records: open tabs, each conversation's messages, secret codes, photos.

Nothing here can be read without the secret key: a tab is known by a keyed hash of its token,
a secret code by a keyed hash of its words, a conversation by its pseudonym; the visitor id
behind them, every message and every photo are sealed.

A page sees each message by its number in its own conversation (`n`: 1, 2, 3 ..., given in
the API as "seq"), never by the log's row number `seq`, which counts every conversation of the
board: its jumps would show a visitor how busy all the schools' chats are. `web_chats` keeps
each conversation's last number, so the numbering goes on under an open page even when its
older messages have been deleted.
"""

from __future__ import annotations

import base64
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from bot.crypto import Vault
from bot.storage.db import Database


@dataclass(frozen=True)
class Tab:
    visitor: str  # the conversation's id (Identity.user_id on the web)
    lang: str
    seen: str  # the last request, ISO time
    floor: int  # shows messages after this row (`seq`; a code opened an older conversation)
    school: int | None = None  # the school whose page opened it; None: the bare address


class WebStore:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def transaction(self) -> AbstractContextManager[Any]:
        return self.db.transaction()

    # --- tabs ------------------------------------------------------------------------------

    def _tab_key(self, token: str) -> str:
        return self.vault.derived(f"web tab:{token}")

    def open_tab(self, token: str, visitor: str, lang: str, school: int | None, now: str) -> None:
        self.db.execute(
            "INSERT INTO web_tabs (token_hash, visitor, lang, created, seen, floor, school)"
            " VALUES (?, ?, ?, ?, ?, 0, ?)",
            (self._tab_key(token), self.vault.seal(visitor), lang, now, now, school),
        )

    def tab(self, token: str) -> Tab | None:
        row = self.db.row(
            "SELECT visitor, lang, seen, floor, school FROM web_tabs WHERE token_hash = ?",
            (self._tab_key(token),),
        )
        if row is None:
            return None
        visitor = self.vault.open(row["visitor"])
        return Tab(visitor, row["lang"], row["seen"], row["floor"], row["school"])

    def touch_tab(self, token: str, now: str) -> None:
        self.db.execute(
            "UPDATE web_tabs SET seen = ? WHERE token_hash = ?", (now, self._tab_key(token))
        )

    def move_tab(self, token: str, visitor: str, floor: int, school: int) -> None:
        """The tab now speaks for `visitor` (a secret code), showing messages after `floor`,
        and belongs to the code's school."""
        self.db.execute(
            "UPDATE web_tabs SET visitor = ?, floor = ?, school = ? WHERE token_hash = ?",
            (self.vault.seal(visitor), floor, school, self._tab_key(token)),
        )

    def close_tab(self, token: str) -> None:
        self.db.execute("DELETE FROM web_tabs WHERE token_hash = ?", (self._tab_key(token),))

    def close_idle_tabs(self, before: str) -> int:
        return self.db.execute("DELETE FROM web_tabs WHERE seen < ?", (before,)).rowcount

    # --- messages --------------------------------------------------------------------------

    def post(
        self,
        chat: str,
        kind: str,
        message: dict[str, Any],
        now: str,
        delivery: str = "",
        *,
        seen: bool = False,
    ) -> int:
        """Keep one message of `chat`'s conversation (kind "turn" or "notice"); its number in
        the conversation. Called inside a transaction: the next number and the row are one
        write, and the web store's writes run one at a time (`WebChannel._work`)."""
        self.db.execute(
            "INSERT INTO web_chats (chat, last, used) VALUES (?, 1, ?)"
            " ON CONFLICT (chat) DO UPDATE SET last = last + 1, used = excluded.used",
            (chat, now),
        )
        counter = self.db.row("SELECT last FROM web_chats WHERE chat = ?", (chat,))
        n = int(counter["last"]) if counter else 0
        self.db.execute(
            "INSERT INTO web_messages (chat, n, kind, delivery, content, created, seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (chat, n, kind, delivery, self.vault.seal(json.dumps(message)), now, int(seen)),
        )
        return n

    def touch_chat(self, chat: str, now: str) -> None:
        """A tab still shows `chat`: its numbering outlives its messages while the tab lives
        (`forget_messages`), so the page never sees a number it has shown already."""
        self.db.execute("UPDATE web_chats SET used = ? WHERE chat = ?", (now, chat))

    def messages(
        self, chat: str, after: int, floor: int = 0, limit: int = 200
    ) -> list[dict[str, Any]]:
        """`chat`'s messages numbered after `after`, of the rows after `floor` (a tab's)."""
        rows = self.db.rows(
            "SELECT n, content FROM web_messages WHERE chat = ? AND n > ? AND seq > ?"
            " ORDER BY n LIMIT ?",
            (chat, after, floor, limit),
        )
        return [self._message(row) for row in rows]

    def answered(self, chat: str, delivery: str) -> list[dict[str, Any]]:
        """The messages a delivery (a client message id) already produced: its answer again."""
        rows = self.db.rows(
            "SELECT n, content FROM web_messages WHERE chat = ? AND delivery = ? ORDER BY n",
            (chat, delivery),
        )
        return [self._message(row) for row in rows]

    def unseen_notices(self, chat: str) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT n, content FROM web_messages WHERE chat = ? AND kind = 'notice'"
            " AND seen = 0 ORDER BY n",
            (chat,),
        )
        return [self._message(row) for row in rows]

    def mark_seen(self, chat: str, upto: int) -> None:
        """`chat`'s messages up to number `upto` have been shown."""
        self.db.execute(
            "UPDATE web_messages SET seen = 1 WHERE chat = ? AND n <= ? AND seen = 0",
            (chat, upto),
        )

    def last_seq(self, chat: str) -> int:
        """The row (`seq`) of `chat`'s newest message: a tab moved there shows what follows."""
        row = self.db.row("SELECT max(seq) AS seq FROM web_messages WHERE chat = ?", (chat,))
        return int(row["seq"] or 0) if row else 0

    def forget_messages(self, turns_before: str, notices_before: str) -> int:
        """A conversation's answers live as long as a tab could show them; news from the school
        until it was seen, or the retention. A conversation's numbering goes when its last
        message has gone and no tab has shown it since `turns_before` (a tab lives an idle time
        after its last request, `turns_before` is two)."""
        cursor = self.db.execute(
            "DELETE FROM web_messages WHERE (kind = 'turn' AND created < ?)"
            " OR (kind = 'notice' AND (created < ? OR (seen = 1 AND created < ?)))",
            (turns_before, notices_before, turns_before),
        )
        self.db.execute(
            "DELETE FROM web_chats WHERE used < ? AND NOT EXISTS"
            " (SELECT 1 FROM web_messages m WHERE m.chat = web_chats.chat)",
            (turns_before,),
        )
        return cursor.rowcount

    def forget_chat(self, chat: str) -> None:
        """/vergeet: the conversation's messages and codes go. Its numbering stays while a
        tab may show it (the answer to /vergeet is numbered next); the sweep removes it."""
        self.db.execute("DELETE FROM web_messages WHERE chat = ?", (chat,))
        self.db.execute("DELETE FROM web_codes WHERE owner = ?", (chat,))

    def _message(self, row: dict[str, Any]) -> dict[str, Any]:
        # "seq" on the page is the number in this conversation, not the row's `seq`.
        return {"seq": row["n"], **json.loads(self.vault.open(row["content"]))}

    # --- secret codes ----------------------------------------------------------------------

    def _code_key(self, code: str) -> str:
        return self.vault.derived(f"web secret code:{code}")

    def keep_code(self, code: str, owner: str, visitor: str, school: int, now: str) -> None:
        """The newest code of a conversation (`owner`, its pseudonym) replaces the older ones;
        it opens the conversation only where `school`'s chat is (or at the bare address)."""
        self.db.execute("DELETE FROM web_codes WHERE owner = ?", (owner,))
        self.db.execute(
            "INSERT INTO web_codes (code_hash, owner, visitor, created, school)"
            " VALUES (?, ?, ?, ?, ?)",
            (self._code_key(code), owner, self.vault.seal(visitor), now, school),
        )

    def visitor_of_code(self, code: str, school: int | None) -> tuple[str, int] | None:
        """The conversation a code opens and its school; None when there is no such code, or
        it is another school's (`school` None: any school's). Both are the same one query, so
        neither answer nor timing tells another school's code from a wrong one.

        A code given before a key rotation is found by its hash under the key of then, and
        from now on kept under the current key (bot/storage/rekey.py)."""
        current = self._code_key(code)
        hashes = [current, *self.vault.derived_before(f"web secret code:{code}")]
        row = self.db.row(
            "SELECT code_hash, visitor, school FROM web_codes"
            f" WHERE code_hash IN ({', '.join('?' * len(hashes))}) AND (? IS NULL OR school = ?)",
            (*hashes, school, school),
        )
        if row is None:
            return None
        if row["code_hash"] != current:
            rehash = "UPDATE web_codes SET code_hash = ? WHERE code_hash = ? AND school = ?"
            self.db.execute(rehash, (current, row["code_hash"], row["school"]))
        return self.vault.open(row["visitor"]), row["school"]

    def conversation_school(self, chat: str) -> int | None:
        """The school a conversation belongs to (the service keeps it with the session, under
        the same pseudonym); None while it is not known."""
        row = self.db.row("SELECT school FROM sessions WHERE key = ?", (chat,))
        return row["school"] if row else None

    # --- photos ----------------------------------------------------------------------------

    def keep_photo(self, photo_id: str, data: bytes, now: str) -> None:
        sealed = self.vault.seal(base64.b64encode(data).decode())
        self.db.execute(
            "INSERT INTO web_photos (id, content, created) VALUES (?, ?, ?)"
            " ON CONFLICT(id) DO NOTHING",
            (photo_id, sealed, now),
        )

    def photo(self, photo_id: str) -> bytes | None:
        row = self.db.row("SELECT content FROM web_photos WHERE id = ?", (photo_id,))
        return base64.b64decode(self.vault.open(row["content"])) if row else None

    def forget_photo(self, photo_id: str) -> None:
        self.db.execute("DELETE FROM web_photos WHERE id = ?", (photo_id,))

    def forget_loose_photos(self, before: str, kept: set[str]) -> int:
        """Photos from before `before` that no case holds (a report never sent): deleted."""
        rows = self.db.rows("SELECT id FROM web_photos WHERE created < ?", (before,))
        loose = [row["id"] for row in rows if row["id"] not in kept]
        for photo_id in loose:
            self.forget_photo(photo_id)
        return len(loose)
