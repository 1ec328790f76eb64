"""Coordinator invites (issue 11, item 3): they expire, are listed and revoked by the operator,
and never rename anyone.

The operator's side runs as the real command (`python -m bot coordinator ...`); redeeming, which
happens in the bot when someone sends `/start CODE`, is the store's verb on the same database,
at a moment the test chooses.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from support.processes import antipestbot, one_sentence, succeeded

from bot.app import App, build
from bot.clock import stamp, system_clock
from bot.settings import load_settings
from bot.storage.db import Database
from bot.storage.schema import MIGRATIONS

LINK = re.compile(r"https://t\.me/b\?start=([A-Za-z0-9_-]{1,64})(?=\s|$)")
INVITE_ID = re.compile(r"Invite ([0-9a-f]{8}) for")


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


def invite(env: dict[str, str], cwd: Path, name: str, *more: str) -> tuple[str, str]:
    """Make an invite with the real command; returns (its short id, its code)."""
    args = ["coordinator", "invite", "--name", name, "--bot-username", "b", *more]
    out = succeeded(antipestbot(env, cwd, *args))
    short, code = INVITE_ID.search(out), LINK.search(out)
    assert short and code, out
    return short.group(1), code.group(1)


def later(days: float) -> str:
    return stamp(lambda: datetime.now(UTC) + timedelta(days=days))


def opened(env: dict[str, str]) -> App:
    return build(load_settings(env))


def redeem(env: dict[str, str], code: str, telegram_id: int, at: str) -> tuple | None:
    """Redeem as the bot does; returns the coordinator as (telegram id, name, active) or None."""
    app = opened(env)
    try:
        with app.stores.db.transaction():
            found = app.stores.coordinators.redeem(code, telegram_id, at)
        return (found.telegram_id, found.name, found.active) if found else None
    finally:
        app.stores.db.close()


def listed(env: dict[str, str], cwd: Path) -> dict[str, list[str]]:
    out = succeeded(antipestbot(env, cwd, "coordinator", "invites"))
    return {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}


def test_an_invite_expires_after_seven_days_or_the_days_given(
    env: dict[str, str], cwd: Path
) -> None:
    _, week = invite(env, cwd, "Juf Anna")
    _, two_days = invite(env, cwd, "Meester Bas", "--days", "2")
    assert redeem(env, week, 701, later(7.01)) is None, "expired after the default 7 days"
    assert redeem(env, two_days, 702, later(2.01)) is None, "expired after --days 2"
    assert redeem(env, two_days, 702, later(1.9)) == (702, "Meester Bas", True)
    assert redeem(env, week, 701, later(6.9)) == (701, "Juf Anna", True)


def test_invites_lists_them_by_short_id_without_their_codes(env: dict[str, str], cwd: Path) -> None:
    short, code = invite(env, cwd, "Juf Anna", "--days", "3")
    out = succeeded(antipestbot(env, cwd, "coordinator", "invites"))
    assert code not in out, "a code is shown once, when it is made"
    row = listed(env, cwd)[short]
    today, expires = datetime.now(UTC), datetime.now(UTC) + timedelta(days=3)
    assert row[1] == "Juf Anna" and row[-1] == "pending", row
    assert row[2].startswith(f"made {today:%Y-%m-%d}"), row
    assert row[3].startswith(f"expires {expires:%Y-%m-%d}"), row


def test_revoke_ends_a_pending_invite(env: dict[str, str], cwd: Path) -> None:
    short, code = invite(env, cwd, "Juf Anna")
    kept, _ = invite(env, cwd, "Meester Bas")
    out = succeeded(antipestbot(env, cwd, "coordinator", "revoke", "--id", short))
    assert short in out
    assert redeem(env, code, 701, stamp(system_clock)) is None
    states = {short: row[-1] for short, row in listed(env, cwd).items()}
    assert states == {short: "revoked", kept: "pending"}

    again = antipestbot(env, cwd, "coordinator", "revoke", "--id", short)
    one_sentence(again.returncode, again.stderr, "no pending invite")
    pasted = antipestbot(env, cwd, "coordinator", "revoke", "--id", code)
    assert code not in one_sentence(pasted.returncode, pasted.stderr), "a code is not repeated"


@pytest.mark.parametrize("days", ["0", "91", "-1"])
def test_invite_days_out_of_range_is_one_sentence_and_makes_nothing(
    days: str, env: dict[str, str], cwd: Path
) -> None:
    args = ["coordinator", "invite", "--name", "A", "--bot-username", "b", "--days", days]
    result = antipestbot(env, cwd, *args)
    one_sentence(result.returncode, result.stderr, "--days", "1 to 90")
    assert not Path(env["ANTIPEST_DB"]).exists()


def test_an_invite_never_renames_or_brings_back_a_coordinator(
    env: dict[str, str], cwd: Path
) -> None:
    add = ["coordinator", "add", "--telegram-id", "777", "--name", "Juf Anna"]
    number = re.search(r"Coordinator (\d+) added", succeeded(antipestbot(env, cwd, *add)))
    assert number
    succeeded(antipestbot(env, cwd, "coordinator", "remove", "--id", number.group(1)))
    short, code = invite(env, cwd, "Meester Bas")

    assert redeem(env, code, 777, stamp(system_clock)) is None
    app = opened(env)
    try:
        anna = app.stores.coordinators.by_telegram_id(777)
        assert anna and (anna.name, anna.active) == ("Juf Anna", False)
    finally:
        app.stores.db.close()
    assert listed(env, cwd)[short][-1] == "pending", "kept for the one it was meant for"
    assert redeem(env, code, 778, stamp(system_clock)) == (778, "Meester Bas", True)


def test_invites_and_names_from_before_the_upgrade_are_dated_and_kept(tmp_path: Path) -> None:
    """An invite made before invites expired expires a week after it was made; notes, messages,
    ticks and history written before names were kept get their author's name at the upgrade."""
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn:  # the schema as it was before (version 4)
        for migration in MIGRATIONS[:4]:
            migration(sqlite_utils.Database(conn))
        conn.executescript(OLD_ROWS)
    db = Database(path)
    try:
        (row,) = db.rows("SELECT expires FROM invites")
        assert row["expires"] == "2026-11-30T08:00:00+00:00"
        names = db.rows(
            "SELECT (SELECT author_name FROM notes) AS n, (SELECT author_name FROM messages) AS m,"
            " (SELECT ticked_by_name FROM checklist) AS t, (SELECT actor_name FROM audit) AS a"
        )
        assert names == [{"n": "Juf Anna", "m": "Juf Anna", "t": "Juf Anna", "a": "Juf Anna"}]
    finally:
        db.close()


OLD_ROWS = """
INSERT INTO coordinators VALUES (5, 777, 'Juf Anna', 1, '2026-11-23T08:00:00+00:00');
INSERT INTO invites (code_hash, name, created) VALUES ('ab12', 'B', '2026-11-23T08:00:00+00:00');
INSERT INTO notes VALUES (1, 1, 5, 'sealed', '2026-11-23T08:00:00+00:00');
INSERT INTO messages VALUES (1, 1, 'to_reporter', 5, 'sealed', '2026-11-23T08:00:00+00:00');
INSERT INTO checklist VALUES (1, 1, 5, '2026-11-23T08:00:00+00:00');
INSERT INTO audit VALUES (1, '2026-11-23T08:00:00+00:00', 'coordinator:5', 'claimed', 'X');
PRAGMA user_version=4;
"""
