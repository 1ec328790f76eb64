"""The nightly backups and the README's restore, through the commands an operator types.

The files lie as compose.yaml lays them out: the database in data/ (the volume), the key in
secrets/ (the compose secret), the backups in backups/. The restore is the README's: the key
file and a backup put back on an empty server, `antipestbot restore <backup>`, and the report is
there again; the key never travels with a backup.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.botprocess import BotProcess
from support.canary import assert_absent
from support.casefiles import file_report
from support.old_databases import DATA, facts
from support.processes import antipestbot, one_sentence, succeeded

from bot.app import build
from bot.crypto import load_or_create_key
from bot.settings import load_settings
from bot.storage.backups import BACKUP_NAME, backup_into
from bot.storage.db import Database
from bot.storage.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parents[2]
STORY = "Ze pakken elke ochtend mijn muts af bij het hek."
LATER = "Na de backup: ze duwen me bij de fietsenstalling."


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, str]:
    return {
        "ANTIPEST_DB": str(tmp_path / "data" / "antipest.db"),
        "ANTIPEST_SECRET_KEY_FILE": str(tmp_path / "secrets" / "antipest.key"),
    }


def report(env: dict[str, str], user: int, story: str) -> str:
    app = build(load_settings(env))
    try:
        return file_report(app, user, story)
    finally:
        app.stores.db.close()


def story_of(env: dict[str, str], code: str) -> str | None:
    """The case's story as the bot reads it; None when the database holds no such case."""
    app = build(load_settings(env))
    try:
        found = app.stores.reports.get(code, frozenset({1}))
        return found.story if found else None
    finally:
        app.stores.db.close()


def actions(db_path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return [action for (action,) in conn.execute("SELECT action FROM audit ORDER BY id")]
    finally:
        conn.close()


def nightly(env: dict[str, str], cwd: Path, folder: Path) -> Path:
    """The backup service's command once; the backup it wrote."""
    out = succeeded(antipestbot(env, cwd, "backup", "--into", str(folder)))
    assert "NOT in the backup" in out and env["ANTIPEST_SECRET_KEY_FILE"] in out, out
    newest = max(folder.glob("antipest-*.db"))
    assert str(newest) in out
    return newest


def test_a_report_comes_back_from_a_backup_and_the_key_on_an_empty_server(layout, tmp_path):
    code = report(layout, 7001, STORY)
    backup = nightly(layout, tmp_path, tmp_path / "backups")
    key_file = Path(layout["ANTIPEST_SECRET_KEY_FILE"])
    key = key_file.read_bytes()
    assert BACKUP_NAME.fullmatch(backup.name)
    assert backup.stat().st_mode & 0o777 == 0o600
    assert_absent({key.decode().strip(), STORY, "muts"}, backup=backup.read_bytes())

    # Kept apart, as the README says: the backups in one place, the key in another.
    offsite = tmp_path / "offsite"
    offsite.mkdir()
    shutil.copyfile(backup, offsite / backup.name)
    shutil.copyfile(key_file, offsite / "antipest.key")
    for folder in ("data", "secrets", "backups"):  # the server is gone
        shutil.rmtree(tmp_path / folder)

    (tmp_path / "backups").mkdir()  # a new server, set up as the README does
    shutil.copyfile(offsite / backup.name, tmp_path / "backups" / backup.name)
    restored = tmp_path / "backups" / backup.name
    failed = antipestbot(layout, tmp_path, "restore", str(restored))
    one_sentence(failed.returncode, failed.stderr, "put the key file back first")
    assert not Path(layout["ANTIPEST_DB"]).exists()

    key_file.parent.mkdir(mode=0o700)
    shutil.copyfile(offsite / "antipest.key", key_file)
    out = succeeded(antipestbot(layout, tmp_path, "restore", str(restored)))
    assert "Restored" in out and "kept as" not in out, out  # nothing was there to keep aside
    db_files = sorted(p.name for p in Path(layout["ANTIPEST_DB"]).parent.iterdir())
    assert db_files == ["antipest.db"], db_files  # one whole file, no log left beside it
    assert story_of(layout, code) == STORY
    assert actions(Path(layout["ANTIPEST_DB"]))[-1] == "database_restored"


def test_a_restore_keeps_what_it_replaces_aside_and_refuses_another_key(layout, tmp_path):
    code = report(layout, 7002, STORY)
    backup = nightly(layout, tmp_path, tmp_path / "backups")
    later = report(layout, 7003, LATER)

    out = succeeded(antipestbot(layout, tmp_path, "restore", str(backup)))
    assert story_of(layout, code) == STORY and story_of(layout, later) is None
    db_path = Path(layout["ANTIPEST_DB"])
    (aside,) = db_path.parent.glob("antipest.db.before-restore-*")
    assert str(aside) in out, out
    assert story_of({**layout, "ANTIPEST_DB": str(aside)}, later) == LATER  # nothing lost

    other = tmp_path / "other.key"
    load_or_create_key(other)
    before = db_path.read_bytes()
    failed = antipestbot(
        {**layout, "ANTIPEST_SECRET_KEY_FILE": str(other)}, tmp_path, "restore", str(backup)
    )
    one_sentence(failed.returncode, failed.stderr, "was not made with the key", str(other))
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.restoring*")), "a refused restore leaves nothing"


def test_a_log_left_beside_a_deleted_database_is_never_applied_to_the_backup(layout, tmp_path):
    code = report(layout, 7009, STORY)
    backup = nightly(layout, tmp_path, tmp_path / "backups")
    db_path = Path(layout["ANTIPEST_DB"])
    app = build(load_settings(layout))
    later = file_report(app, 7010, LATER)
    wal = Path(f"{db_path}-wal").read_bytes()  # the later report, not yet in the file itself
    app.stores.db.close()
    assert len(wal) > 0
    db_path.unlink()  # "wiped" by deleting the database file only
    Path(f"{db_path}-wal").write_bytes(wal)

    succeeded(antipestbot(layout, tmp_path, "restore", str(backup)))
    assert story_of(layout, code) == STORY
    assert story_of(layout, later) is None, "the old log was applied to the restored backup"


def test_a_backup_made_by_an_older_version_is_migrated_when_it_is_restored(layout, tmp_path):
    """The database of tests/system/data/before-schools, as a backup of back then."""
    known = facts("before-schools")
    backup = tmp_path / "backups" / "antipest-20261123T013000Z.db"
    backup.parent.mkdir()
    shutil.copyfile(DATA / "before-schools" / "antipest.db", backup)
    key_file = Path(layout["ANTIPEST_SECRET_KEY_FILE"])
    key_file.parent.mkdir()
    shutil.copyfile(DATA / "before-schools" / "secret-key.fixture", key_file)

    succeeded(antipestbot(layout, tmp_path, "restore", str(backup)))
    conn = sqlite3.connect(f"file:{layout['ANTIPEST_DB']}?mode=ro", uri=True)
    try:  # brought up to date by the restore itself, before any bot starts
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        conn.close()
    code = known["parent"]["code"]
    assert story_of(layout, code) == known["reports"][code]["story"]
    assert backup.read_bytes() == (DATA / "before-schools" / "antipest.db").read_bytes()


def test_a_file_that_is_no_backup_is_refused_and_changes_nothing(layout, tmp_path):
    code = report(layout, 7004, STORY)
    junk = tmp_path / "antipest-20260101T013000Z.db"
    junk.write_text("not a database at all, but long enough to look like a file\n" * 20)
    failed = antipestbot(layout, tmp_path, "restore", str(junk))
    one_sentence(failed.returncode, failed.stderr, "cannot be read as a backup")
    assert story_of(layout, code) == STORY
    failed = antipestbot(layout, tmp_path, "restore", str(tmp_path / "missing.db"))
    one_sentence(failed.returncode, failed.stderr, "There is no backup file")


async def test_a_restore_waits_until_the_bot_is_stopped(fake, layout, tmp_path):
    code = report(layout, 7005, STORY)
    backup = nightly(layout, tmp_path, tmp_path / "backups")
    running = BotProcess(fake, layout, tmp_path)
    await running.start()
    try:
        failed = antipestbot(layout, tmp_path, "restore", str(backup))
        one_sentence(failed.returncode, failed.stderr, "open in another process", "stop the bot")
    finally:
        await running.stop()
    assert not list(Path(layout["ANTIPEST_DB"]).parent.glob("*before-restore*"))
    succeeded(antipestbot(layout, tmp_path, "restore", str(backup)))
    assert story_of(layout, code) == STORY


def test_backups_into_a_folder_keep_the_newest_n_and_touch_nothing_else(layout, tmp_path):
    report(layout, 7006, STORY)
    folder = tmp_path / "backups"
    folder.mkdir()
    others = {"notes.txt": b"the IT's own file", "antipest-manual.db": b"kept by hand"}
    for name, content in others.items():
        (folder / name).write_bytes(content)
    db = Database(Path(layout["ANTIPEST_DB"]))
    start = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    try:
        made = []
        for night in range(5):
            new, deleted = backup_into(db, folder, 3, start + timedelta(days=night))
            made.append(new)
            assert deleted == made[:-3][-1:], night  # each night, the one that fell out
    finally:
        db.close()
    assert sorted(p.name for p in folder.glob("antipest-2*.db")) == [p.name for p in made[2:]]
    assert made[-1].name == "antipest-20260305T013000Z.db"
    for name, content in others.items():
        assert (folder / name).read_bytes() == content


def test_the_backup_command_keeps_the_newest_n(layout, tmp_path):
    report(layout, 7007, STORY)
    folder = tmp_path / "backups"
    folder.mkdir()
    for old in ("20250101T013000Z", "20250102T013000Z", "20250103T013000Z"):
        (folder / f"antipest-{old}.db").write_bytes(b"an older night")
    out = succeeded(antipestbot(layout, tmp_path, "backup", "--into", str(folder), "--keep", "2"))
    assert "2 older deleted, the newest 2 kept" in out, out
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "antipest-20250103T013000Z.db" and len(names) == 2, names


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "either a file PATH or --into FOLDER"),
        (("copy.db", "--into", "backups"), "either a file PATH or --into FOLDER"),
        (("copy.db", "--keep", "3"), "--keep goes with --into"),
        (("--into", "backups", "--keep", "0"), "--keep must be a number from 1 to"),
    ],
)
def test_backup_options_that_do_not_fit_are_one_sentence(layout, tmp_path, args, says):
    report(layout, 7008, STORY)
    failed = antipestbot(layout, tmp_path, "backup", *args)
    one_sentence(failed.returncode, failed.stderr, says)
    assert not (tmp_path / "backups").exists() and not (tmp_path / "copy.db").exists()
