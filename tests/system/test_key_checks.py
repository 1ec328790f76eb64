"""A database opens only with its own key (issue 11, item 6), proven with `python -m bot`.

A missing key file used to be created anew and a wrong key accepted: old cases then no longer
opened and every reporter lost the link to their reports. Now, with a database that holds data,
either stops the start with one sentence and exit code 2, and nothing is written.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import stat
from pathlib import Path

import pytest
from support.processes import antipestbot, one_sentence, succeeded

from bot.crypto import Vault, load_or_create_key
from bot.storage.db import Database
from bot.storage.keycheck import KEY_CHECK
from bot.storage.meta import MetaStore

DATA = Path(__file__).resolve().parent / "data" / "before-string-ids"
LIST = ("coordinator", "list")


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


def files(env: dict[str, str]) -> tuple[Path, Path]:
    return Path(env["ANTIPEST_DB"]), Path(env["ANTIPEST_SECRET_KEY_FILE"])


def another_key(path: Path) -> bytes:
    """Write a valid key that is not the database's; returns it."""
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)) + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key)
    path.chmod(0o600)
    return key


def with_a_coordinator(env: dict[str, str], cwd: Path) -> None:
    add = ("coordinator", "add", "--telegram-id", "501", "--name", "Juf Anna")
    succeeded(antipestbot(env, cwd, *add))


def old_database(env: dict[str, str]) -> None:
    """The database and key made by an older version (no key check value in it yet)."""
    db, key = files(env)
    for source, target in (("antipest.db", db), ("secret-key.fixture", key)):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / source, target)
        os.chmod(target, 0o600)


def test_a_new_database_gets_a_new_key(env: dict[str, str], cwd: Path) -> None:
    succeeded(antipestbot(env, cwd, *LIST))
    db, key = files(env)
    assert db.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_missing_key_file_for_an_existing_database_stops_the_start(
    env: dict[str, str], cwd: Path
) -> None:
    with_a_coordinator(env, cwd)
    db, key = files(env)
    key.unlink()
    before = db.read_bytes()

    result = antipestbot(env, cwd, *LIST)

    one_sentence(result.returncode, result.stderr, "ANTIPEST_SECRET_KEY_FILE", str(key), str(db))
    assert not key.exists(), "no new key is made for a database that has one"
    assert db.read_bytes() == before


def test_a_wrong_key_for_an_existing_database_stops_the_start(
    env: dict[str, str], cwd: Path
) -> None:
    with_a_coordinator(env, cwd)
    db, key = files(env)
    right = key.read_bytes()
    wrong = another_key(key)

    result = antipestbot(env, cwd, *LIST)

    line = one_sentence(result.returncode, result.stderr, "ANTIPEST_SECRET_KEY_FILE", str(key))
    assert wrong.strip().decode() not in line and right.strip().decode() not in line
    assert key.read_bytes() == wrong, "the key file is never replaced"
    key.write_bytes(right)
    assert "Juf Anna" in succeeded(antipestbot(env, cwd, *LIST)), "the right key still opens it"


def test_a_database_from_before_key_checks_opens_with_its_key_and_remembers_it(
    env: dict[str, str], cwd: Path
) -> None:
    old_database(env)
    assert "Juf Anna" in succeeded(antipestbot(env, cwd, *LIST))
    db, key = files(env)
    stored = Database(db)
    try:
        remembered = MetaStore(stored).get(KEY_CHECK)
    finally:
        stored.close()
    assert remembered == Vault(load_or_create_key(key)).check_value()


def test_a_database_from_before_key_checks_refuses_a_wrong_key_at_once(
    env: dict[str, str], cwd: Path
) -> None:
    old_database(env)
    _, key = files(env)
    another_key(key)
    result = antipestbot(env, cwd, *LIST)
    one_sentence(result.returncode, result.stderr, "ANTIPEST_SECRET_KEY_FILE")
    old_database(env)  # the wrong key was not written down as the right one
    assert "Juf Anna" in succeeded(antipestbot(env, cwd, *LIST))


def test_a_key_file_others_may_read_is_used_with_a_warning(env: dict[str, str], cwd: Path) -> None:
    with_a_coordinator(env, cwd)
    _, key = files(env)
    key.chmod(0o444)  # as a Docker secret is mounted

    result = antipestbot(env, cwd, *LIST)

    assert "Juf Anna" in succeeded(result)
    assert "key_file_open_to_others mode=0o444" in result.stderr
    assert key.read_bytes().strip().decode() not in result.stderr
