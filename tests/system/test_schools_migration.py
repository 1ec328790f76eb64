"""Migrating a one-school database to a board of schools (issue 13, `_v9`) loses nothing.

`tests/system/data/before-schools/` was made with the code of commit e5d253f, before schools
shared one installation, as real use leaves a database: cases in every state, threads, notes,
checklist ticks, evidence, pending jobs and a pending outbox row, a web conversation with a
secret code, a pending invite, and a purged case whose count and audit rows remain. Its
`facts.json` is what the old code read back. Here the migrated database is read with the new
stores and compared with those facts; `tests/telegram/test_old_database_schools.py` uses it end
to end.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from support.clocks import FakeClock
from support.old_databases import copy_old_database, facts

from bot.app import App, build
from bot.schools.registry import normalize_entry_code
from bot.settings import load_settings
from bot.storage import audit
from bot.storage.schema import MIGRATIONS

BEFORE = "before-schools"
FACTS = facts(BEFORE)
ONE = frozenset({1})
# What `_v9` is documented to add (notes/issue13-design.md); every other table keeps its rows.
NEW_TABLES = {
    "schools": 1,
    "coordinator_schools": len(FACTS["coordinators"]),
    "web_chats": 2,  # the web's numbering: one row per conversation with messages
    "school_retired": 0,  # old addresses and codes of schools that changed them: none yet
    "figures": 0,  # counters from the upgrade on (issue 14): nothing happened since
}
WITH_SCHOOL = ("reports", "invites", "outbox", "web_codes")  # NOT NULL DEFAULT 1
MAYBE_SCHOOL = ("sessions", "web_tabs", "audit")  # NULL: no school known


@pytest.fixture
def migrated(env: dict[str, str]) -> Iterator[App]:
    """The old database, opened (and so migrated) by the new code, nothing running."""
    copy_old_database(BEFORE, env)
    app = build(load_settings(env), FakeClock(FACTS["last_moment"]))
    yield app
    app.stores.db.close()


def count(app: App, sql: str, *args: object) -> int:
    return app.stores.db.row(sql, args)["n"]


def test_the_old_database_really_is_one_before_schools(env: dict[str, str]) -> None:
    # The fixture is what the test says it is: made before `_v9`, without any school column.
    copy_old_database(BEFORE, env)
    with closing(sqlite3.connect(env["ANTIPEST_DB"])) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == FACTS["user_version"] == 8
        columns = {row[1] for row in db.execute("PRAGMA table_info(reports)")}
        assert "school" not in columns
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schools'").fetchall()


def test_opening_migrates_to_the_newest_version_with_exactly_school_1(migrated: App) -> None:
    db = migrated.stores.db
    assert db.row("PRAGMA user_version")["user_version"] == len(MIGRATIONS)
    (school,) = migrated.stores.schools.listed()
    assert (school["id"], school["slug"], school["name"], school["removed"]) == (
        1,
        "school",
        None,  # NULL: the TOML's name, as before
        None,
    )
    assert school["settings"] == {}  # the board's defaults: the TOML, as before
    assert normalize_entry_code(school["entry_code"]) == school["entry_code"]
    assert db.row("PRAGMA integrity_check")["integrity_check"] == "ok"
    assert db.rows("PRAGMA foreign_key_check") == []


def test_no_table_loses_or_gains_a_row(migrated: App) -> None:
    db = migrated.stores.db
    tables = [
        row["name"]
        for row in db.rows(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    found = {table: count(migrated, f"SELECT count(*) AS n FROM {table}") for table in tables}
    # `counts` is rebuilt and `meta`'s purge day renamed, with the same number of rows.
    assert found == {**FACTS["rows"], **NEW_TABLES}


def test_every_row_of_the_one_school_belongs_to_school_1(migrated: App) -> None:
    db = migrated.stores.db
    for table in (*WITH_SCHOOL, *MAYBE_SCHOOL):
        assert count(migrated, f"SELECT count(*) AS n FROM {table}") > 0, table
    for table in (*WITH_SCHOOL, "sessions", "web_tabs"):
        assert count(migrated, f"SELECT count(*) AS n FROM {table} WHERE school IS NOT 1") == 0
    for table in WITH_SCHOOL:  # a row written by code that does not name a school is school 1's
        (column,) = [c for c in db.rows(f"PRAGMA table_info({table})") if c["name"] == "school"]
        assert (column["notnull"], column["dflt_value"]) == (1, "1"), table
    # The audit names a school where it names a case (the purged case's rows too); the board's
    # own entries (invites) are about no school.
    rows = db.rows("SELECT action, report, school FROM audit ORDER BY id")
    assert [row["action"] for row in rows] == [row["action"] for row in FACTS["audit"]]
    assert [row["report"] for row in rows] == [row["report"] for row in FACTS["audit"]]
    assert all(row["school"] == (1 if row["report"] else None) for row in rows), rows


def test_the_coordinator_and_the_invites_are_school_1s(migrated: App) -> None:
    db, coordinators = migrated.stores.db, migrated.stores.coordinators
    roles = db.rows("SELECT coordinator, school, active, created FROM coordinator_schools")
    people = db.rows("SELECT id AS coordinator, 1 AS school, active, created FROM coordinators")
    assert roles == people  # a mirror of `coordinators`, in school 1
    assert [(c["coordinator"], c["active"]) for c in people] == [
        (c["id"], c["active"]) for c in FACTS["coordinators"]
    ]
    anna = coordinators.by_telegram_id(FACTS["coordinator"]["telegram_id"])
    assert anna is not None and (anna.name, anna.active, anna.schools) == ("Anna", True, ONE)
    assert [c.name for c in coordinators.active_in(1)] == ["Anna"]
    now = FACTS["last_moment"]
    kept = [
        {"name": i.name, "state": i.state(now), "expires": i.expires}
        for i in coordinators.invites(school=1)
    ]
    assert kept == FACTS["invites"]


def test_counts_and_the_purge_day_become_school_1s(migrated: App) -> None:
    db = migrated.stores.db
    counts = db.rows("SELECT school, month, role, kind, place, n FROM counts")
    assert counts == [{"school": 1, **row} for row in FACTS["counts"]]
    # School 1's figures: the purged case's count, and each case still kept.
    monthly = {
        (r["month"], r["role"], r["kind"], r["place"]): r["n"]
        for r in migrated.stores.counts.monthly(1)
    }
    assert monthly.pop(("2025-10", "pupil", "names", "class")) == 1
    assert sum(monthly.values()) == len(FACTS["reports"])
    meta = {row["key"]: row["value"] for row in migrated.stores.db.rows("SELECT * FROM meta")}
    assert meta == {
        "key_check": FACTS["meta"]["key_check"],
        "last_purge_day:1": FACTS["meta"]["last_purge_day"],
    }


def test_every_case_reads_as_it_did(migrated: App) -> None:
    stores = migrated.stores
    for code, was in FACTS["reports"].items():
        report = stores.reports.get(code, ONE)
        assert report is not None, code
        assert report.school == 1
        assert (report.role, report.kind, ",".join(report.kinds), report.place) == (
            was["role"],
            was["kind"],
            was["kinds"],
            was["place"],
        )
        assert (report.status, report.phase, report.anonymous, report.outcome_code or None) == (
            was["status"],
            was["phase"],
            bool(was["anonymous"]),
            was["outcome_code"],
        )
        assert (report.assignee_name, report.created, report.closed) == (
            was["assignee"],
            was["created"],
            was["closed"],
        )
        assert (report.story, report.name) == (was["story"], was["name"])
        assert json.loads(stores.reports.reporter(code, 1)["contact"]) == was["contact"]
        assert stores.reports.evidence(code, 1) == was["evidence"]
        assert [n["text"] for n in stores.reports.notes(code, 1)] == was["notes"]
        thread = [
            {"direction": m["direction"], "author": m["author"], "text": m["text"]}
            for m in stores.threads.of(code, 1)
        ]
        assert thread == [{k: m[k] for k in ("direction", "author", "text")} for m in was["thread"]]
        for message in was["thread"]:  # the reporter's old `*:read_message:<id>` button
            assert stores.threads.get(message["id"])["text"] == message["text"]
        ticked = ",".join(str(item) for item in sorted(stores.checklists.ticks(code, 1)))
        assert (ticked or None) == was["ticked"]
        history = [row["action"] for row in audit.history(stores.db, code, 1)]
        assert history == [a["action"] for a in FACTS["audit"] if a["report"] == code]


def test_the_purged_case_keeps_its_history_and_nothing_else(migrated: App) -> None:
    purged = FACTS["purged_report_code"]
    assert migrated.stores.reports.get(purged, ONE) is None
    history = [row["action"] for row in audit.history(migrated.stores.db, purged, 1)]
    assert history == ["case_opened", "case_claimed", "case_closed", "case_purged"]


def test_pending_jobs_and_the_pending_notice_are_kept_for_school_1(migrated: App) -> None:
    stores = migrated.stores
    pending = stores.db.rows(
        "SELECT j.kind, r.code, j.due FROM jobs j JOIN reports r ON r.id = j.report"
        " WHERE j.done IS NULL ORDER BY j.id"
    )
    assert pending == FACTS["jobs_pending"]
    due = stores.jobs.due("2099-01-01T00:00:00+00:00")  # as the job runner reads them
    assert [(j["kind"], j["code"], j["school"]) for j in due] == [
        (j["kind"], j["code"], 1) for j in sorted(FACTS["jobs_pending"], key=lambda j: j["due"])
    ]
    (notice,) = stores.outbox.due(FACTS["last_moment"], "telegram")
    (was,) = FACTS["outbox_pending"]
    assert (notice["payload"]["event"], notice["payload"]["code"]) == (was["event"], was["code"])
    assert (notice["coordinator"], notice["school"], notice["active"]) == (was["coordinator"], 1, 1)


def test_the_web_secret_code_still_opens_the_unseen_answer(migrated: App) -> None:
    web, secret = migrated.stores.web, FACTS["web"]
    assert web.visitor_of_code(secret["secret_code"], 1) == (secret["visitor"], 1)
    assert len(web.unseen_notices(secret["pseudonym"])) == secret["unseen_notices"]


def test_each_web_conversation_numbers_its_messages_from_1(migrated: App) -> None:
    # The board-wide `seq` told a page how busy every chat was; a page now sees `n`.
    db, web = migrated.stores.db, migrated.stores.web
    rows = db.rows("SELECT chat, seq, n FROM web_messages ORDER BY seq")
    chats = {row["chat"] for row in rows}
    assert len(chats) == NEW_TABLES["web_chats"]
    for chat in chats:
        mine = [row for row in rows if row["chat"] == chat]
        assert [row["n"] for row in mine] == list(range(1, len(mine) + 1)), chat
        assert [m["seq"] for m in web.messages(chat, 0)] == [row["n"] for row in mine]
    assert any(row["seq"] != row["n"] for row in rows)  # the second chat's first is not 1 now
    # A page open during the upgrade has shown the old numbers: its chat counts on above them.
    counters = db.rows("SELECT chat, last FROM web_chats")
    assert {c["chat"]: c["last"] for c in counters} == {
        chat: max(row["seq"] for row in rows if row["chat"] == chat) for chat in chats
    }


def test_a_one_school_board_is_school_1_with_the_toml_name(
    env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "school.toml"
    config.write_text('[school]\nname = "De Linde"\n', encoding="utf-8")
    copy_old_database(BEFORE, env)
    app = build(load_settings({**env, "ANTIPEST_CONFIG": str(config)}), FakeClock())
    try:
        schools = app.board.current()
        assert schools.only is not None and schools.only.id == 1
        assert schools.only.name == "De Linde"
        assert [school.id for school in schools.live] == [1]
    finally:
        app.stores.db.close()


def test_opening_again_migrates_nothing_again(env: dict[str, str]) -> None:
    copy_old_database(BEFORE, env)
    first = build(load_settings(env), FakeClock(FACTS["last_moment"]))
    (school,) = first.stores.schools.listed()
    first.stores.db.close()
    again = build(load_settings(env), FakeClock(FACTS["last_moment"]))
    try:
        assert again.stores.schools.listed() == [school]  # the same entry code, not a new one
        counts = again.stores.db.rows("SELECT school, month, role, kind, place, n FROM counts")
        assert counts == [{"school": 1, **row} for row in FACTS["counts"]]
        assert count(again, "SELECT count(*) AS n FROM coordinator_schools") == 1
    finally:
        again.stores.db.close()
