"""The web chat's records: open tabs, each conversation's messages, secret codes, photos.

Nothing here can be read without the secret key: a tab is known by a keyed hash of its token,
a secret code by a keyed hash of its words, a conversation by its pseudonym; the visitor id
behind them, every message and every photo are sealed.
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
    floor: int  # this tab shows messages after this seq (a code opened an older conversation)


class WebStore:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    def transaction(self) -> AbstractContextManager[Any]:
        return self.db.transaction()

    # --- tabs ------------------------------------------------------------------------------

    def _tab_key(self, token: str) -> str:
        return self.vault.derived(f"web tab:{token}")

    def open_tab(self, token: str, visitor: str, lang: str, now: str) -> None:
        self.db.execute(
            "INSERT INTO web_tabs (token_hash, visitor, lang, created, seen, floor)"
            " VALUES (?, ?, ?, ?, ?, 0)",
            (self._tab_key(token), self.vault.seal(visitor), lang, now, now),
        )

    def tab(self, token: str) -> Tab | None:
        row = self.db.row(
            "SELECT visitor, lang, seen, floor FROM web_tabs WHERE token_hash = ?",
            (self._tab_key(token),),
        )
        if row is None:
            return None
        return Tab(self.vault.open(row["visitor"]), row["lang"], row["seen"], row["floor"])

    def touch_tab(self, token: str, now: str) -> None:
        self.db.execute(
            "UPDATE web_tabs SET seen = ? WHERE token_hash = ?", (now, self._tab_key(token))
        )

    def move_tab(self, token: str, visitor: str, floor: int) -> None:
        """The tab now speaks for `visitor` (a secret code), showing messages after `floor`."""
        self.db.execute(
            "UPDATE web_tabs SET visitor = ?, floor = ? WHERE token_hash = ?",
            (self.vault.seal(visitor), floor, self._tab_key(token)),
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
        """Keep one message of `chat`'s conversation (kind "turn" or "notice"); its seq."""
        cursor = self.db.execute(
            "INSERT INTO web_messages (chat, kind, delivery, content, created, seen)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (chat, kind, delivery, self.vault.seal(json.dumps(message)), now, int(seen)),
        )
        return int(cursor.lastrowid or 0)

    def messages(self, chat: str, after: int, limit: int = 200) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT seq, content FROM web_messages WHERE chat = ? AND seq > ? ORDER BY seq LIMIT ?",
            (chat, after, limit),
        )
        return [self._message(row) for row in rows]

    def answered(self, chat: str, delivery: str) -> list[dict[str, Any]]:
        """The messages a delivery (a client message id) already produced: its answer again."""
        rows = self.db.rows(
            "SELECT seq, content FROM web_messages WHERE chat = ? AND delivery = ? ORDER BY seq",
            (chat, delivery),
        )
        return [self._message(row) for row in rows]

    def unseen_notices(self, chat: str) -> list[dict[str, Any]]:
        rows = self.db.rows(
            "SELECT seq, content FROM web_messages WHERE chat = ? AND kind = 'notice'"
            " AND seen = 0 ORDER BY seq",
            (chat,),
        )
        return [self._message(row) for row in rows]

    def mark_seen(self, chat: str, upto: int) -> None:
        self.db.execute(
            "UPDATE web_messages SET seen = 1 WHERE chat = ? AND seq <= ? AND seen = 0",
            (chat, upto),
        )

    def last_seq(self, chat: str) -> int:
        row = self.db.row("SELECT max(seq) AS seq FROM web_messages WHERE chat = ?", (chat,))
        return int(row["seq"] or 0) if row else 0

    def forget_messages(self, turns_before: str, notices_before: str) -> int:
        """A conversation's answers live as long as a tab could show them; news from the school
        until it was seen, or the retention."""
        cursor = self.db.execute(
            "DELETE FROM web_messages WHERE (kind = 'turn' AND created < ?)"
            " OR (kind = 'notice' AND (created < ? OR (seen = 1 AND created < ?)))",
            (turns_before, notices_before, turns_before),
        )
        return cursor.rowcount

    def forget_chat(self, chat: str) -> None:
        """/vergeet: the conversation's messages and codes go."""
        self.db.execute("DELETE FROM web_messages WHERE chat = ?", (chat,))
        self.db.execute("DELETE FROM web_codes WHERE owner = ?", (chat,))

    def _message(self, row: dict[str, Any]) -> dict[str, Any]:
        return {"seq": row["seq"], **json.loads(self.vault.open(row["content"]))}

    # --- secret codes ----------------------------------------------------------------------

    def _code_key(self, code: str) -> str:
        return self.vault.derived(f"web secret code:{code}")

    def keep_code(self, code: str, owner: str, visitor: str, now: str) -> None:
        """The newest code of a conversation (`owner`, its pseudonym) replaces the older ones."""
        self.db.execute("DELETE FROM web_codes WHERE owner = ?", (owner,))
        self.db.execute(
            "INSERT INTO web_codes (code_hash, owner, visitor, created) VALUES (?, ?, ?, ?)",
            (self._code_key(code), owner, self.vault.seal(visitor), now),
        )

    def visitor_of_code(self, code: str) -> str | None:
        row = self.db.row(
            "SELECT visitor FROM web_codes WHERE code_hash = ?", (self._code_key(code),)
        )
        return self.vault.open(row["visitor"]) if row else None

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
