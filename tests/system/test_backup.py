"""`Database.backup` and `antipestbot backup`: a consistent copy while the bot runs, useless
without the key, never overwriting a file, and holding no name, id or story in clear."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from support.canary import assert_absent, canary_pupil
from support.processes import clean_environ, one_sentence
from support.walks import report_as_pupil

from bot.app import build
from bot.crypto import Vault, VaultError
from bot.settings import load_settings
from bot.storage.db import Database, DatabaseError
from bot.storage.reports import ReportStore

STORY = "Ze verstoppen elke pauze mijn broodtrommel achter de schuur."


def restore(backup: Path, key_file: Path):
    """The bot's own object graph on the backup file: what a restore on a new server does."""
    return build(
        load_settings({"ANTIPEST_DB": str(backup), "ANTIPEST_SECRET_KEY_FILE": str(key_file)})
    )


def assert_sound_backup(path: Path) -> int:
    """A private, self-contained, intact SQLite file; returns how many reports it holds."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
    # Bytes 18-19 of the header are 1, 1 in rollback-journal mode and 2, 2 in WAL mode: a WAL
    # database could need a -wal file beside it, which a copy of "the backup" would miss.
    assert path.read_bytes()[18:20] == b"\x01\x01", "a backup must be one self-contained file"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        conn.close()


async def test_a_backup_taken_during_a_report_restores_with_the_key(
    bot, person, coordinator, env, tmp_path
):
    coordinator(501, "Juf Anna")
    pupil, canaries = canary_pupil(person, 7777123402, "Backupia")
    # A second connection, as `antipestbot backup` in another process has, copying in a thread
    # while the bot's event loop writes the report.
    live = Database(Path(env["ANTIPEST_DB"]))
    reporting = asyncio.create_task(report_as_pupil(pupil, STORY))
    during: list[Path] = []
    while not reporting.done():
        during.append(tmp_path / f"during-{len(during)}.db")
        await asyncio.to_thread(live.backup, during[-1])
        await asyncio.sleep(0.02)
    code = await reporting
    after = tmp_path / "after.db"
    live.backup(after)
    live.close()

    assert len(during) >= 5, "the backups must really overlap the conversation"
    assert {assert_sound_backup(path) for path in during} <= {0, 1}
    assert assert_sound_backup(after) == 1
    for path in [*during, after]:
        assert_absent(canaries | {STORY, "broodtrommel"}, **{path.name: path.read_bytes()})

    restored = restore(after, Path(env["ANTIPEST_SECRET_KEY_FILE"]))
    try:
        report = restored.stores.reports.get(code, frozenset({1}))
        assert report is not None and report.story == STORY
    finally:
        restored.stores.db.close()

    with pytest.raises(VaultError):  # without its key the bot does not even open the backup
        restore(after, tmp_path / "another.key")
    assert not (tmp_path / "another.key").exists()
    stranger = Database(after)  # and a fresh key, as a thief would have, opens nothing sealed
    try:
        with pytest.raises(VaultError):
            ReportStore(stranger, Vault(secrets.token_bytes(32))).get(code, frozenset({1}))
    finally:
        stranger.close()


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    target = tmp_path / "taken.db"
    target.write_bytes(b"precious")
    with pytest.raises(DatabaseError, match="already exists"):
        app.stores.db.backup(target)
    assert target.read_bytes() == b"precious"


@pytest.mark.parametrize("umask", [0o000, 0o277], ids=["lets all through", "takes owner write"])
def test_a_backup_is_private_whatever_the_umask(app, tmp_path, umask):
    old = os.umask(umask)
    try:
        app.stores.db.backup(tmp_path / "copy.db")
    finally:
        os.umask(old)
    assert assert_sound_backup(tmp_path / "copy.db") == 0


def test_a_failed_backup_leaves_no_file_behind(app, tmp_path, monkeypatch):
    class FailingConnection:
        in_transaction = False

        def backup(self, _target):
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(app.stores.db, "conn", FailingConnection())
    with pytest.raises(DatabaseError, match="failed"):
        app.stores.db.backup(tmp_path / "half.db")
    assert not (tmp_path / "half.db").exists(), "a half-written file would pass for a backup"


def test_a_backup_inside_a_transaction_is_refused(app, tmp_path):
    with pytest.raises(DatabaseError, match="transaction"), app.stores.db.transaction():
        app.stores.db.backup(tmp_path / "half.db")
    assert not (tmp_path / "half.db").exists()


async def _cli(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    """`python -m bot ...` without blocking the event loop the running bot lives in."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def cli_env(env: dict[str, str]) -> dict[str, str]:
    clean = clean_environ()
    return {**clean, **env}


async def test_the_backup_command_copies_a_running_bot_and_refuses_to_overwrite(
    bot, person, cli_env, env, tmp_path
):
    code = await report_as_pupil(person(9001), STORY)
    target = tmp_path / "backups" / "monday.db"
    target.parent.mkdir()

    status, out, err = await _cli(cli_env, tmp_path, "backup", str(target))
    assert (status, err) == (0, ""), err
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert str(target.resolve()) in lines[0] and "NOT in the backup" in lines[0], lines[0]
    assert env["ANTIPEST_SECRET_KEY_FILE"] in lines[0], "the reminder names the key file"
    assert assert_sound_backup(target) == 1
    restored = restore(target, Path(env["ANTIPEST_SECRET_KEY_FILE"]))
    try:
        assert restored.stores.reports.get(code, frozenset({1})).story == STORY
    finally:
        restored.stores.db.close()

    before = target.read_bytes()
    status, _out, err = await _cli(cli_env, tmp_path, "backup", str(target))
    one_sentence(status, err, "already exists")
    assert target.read_bytes() == before


async def test_the_backup_command_without_a_database_is_one_sentence(cli_env, tmp_path):
    status, _out, err = await _cli(cli_env, tmp_path, "backup", str(tmp_path / "copy.db"))
    one_sentence(status, err, "ANTIPEST_DB")
    assert not (tmp_path / "copy.db").exists()
    assert not Path(cli_env["ANTIPEST_DB"]).exists(), "a backup must not create a database"
