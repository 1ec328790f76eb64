"""`antipestbot key rotate`: after it, everything reads with the new key, and the old key opens
nothing in the database and matches no pseudonym in it.

The data is made the way people make it: a pupil's report on Telegram, a pupil's report on the
web chat with a secret code and a coordinator's message back, and someone who never reported
half-way through a conversation. The rotation runs as the operator runs it, a command against
the stopped bot's files; then the bot starts again with the new key alone.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from support.botprocess import BotProcess
from support.casefiles import file_report
from support.fakebotapi import FakeBotApi
from support.old_databases import copy_old_database, facts
from support.processes import antipestbot, one_sentence, succeeded
from support.running import Running
from support.visitor import Visitor
from support.walks import report_as_pupil

from bot import cli
from bot.app import build
from bot.clock import stamp, system_clock
from bot.crypto import Vault, VaultError, load_or_create_key
from bot.settings import load_settings
from bot.storage import rekey
from bot.storage.keycheck import open_with_key

TELEGRAM_STORY = "Ze verstoppen mijn gymtas in de wc, al drie weken."
WEB_STORY = "Ze lachen me elke dag uit in de pauze bij de zandbak."
REPLY = "Dank je wel. Wil je morgen even bij mij komen?"
PSEUDONYM_COLUMNS = {(table, column) for table, column, _ in rekey.PSEUDONYMS}


@pytest.fixture
async def bot(fake: FakeBotApi, env: dict[str, str]) -> AsyncIterator[Running]:
    """The bot with the web chat beside Telegram; a test stops and starts it around a rotation."""
    running = Running(fake, env, web=True)
    await running.start()
    yield running
    await running.stop()


def paths(env: dict[str, str]) -> tuple[Path, Path, Path]:
    key = Path(env["ANTIPEST_SECRET_KEY_FILE"])
    return Path(env["ANTIPEST_DB"]), key, key.with_name(key.name + ".old")


def everything(db_path: Path) -> list[tuple[str, str, object]]:
    """(table, column, value) of every value in every table."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        listed = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        found = []
        for (table,) in listed.fetchall():
            cursor = conn.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cursor.description]
            for row in cursor:
                found += [(table, c, value) for c, value in zip(columns, row, strict=True)]
        return found
    finally:
        conn.close()


def opens(vault: Vault, value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return vault.open(value)
    except VaultError:
        return None


async def test_after_a_rotation_the_new_key_reads_everything_and_the_old_one_nothing(
    bot, fake, person, coordinator, http: aiohttp.ClientSession, env, tmp_path
):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9101)
    telegram_code = await report_as_pupil(pupil, TELEGRAM_STORY)
    tab = Visitor(bot.web_url, http)
    web_code = await tab.report(WEB_STORY)
    await tab.press("secret_code")
    secret = tab.secret()
    await tab.end()
    await anna.press_data(f"*:open:{web_code}")
    await anna.press("claim")
    await anna.press("message")
    await anna.say(REPLY)
    await person(9102).start("parent")  # never reports: nothing names them
    await bot.stop()

    db_path, key_file, old_file = paths(env)
    old_key = key_file.read_bytes()
    old = Vault(load_or_create_key(key_file))
    before = everything(db_path)
    pseudonyms = {v for t, c, v in before if (t, c) in PSEUDONYM_COLUMNS and v is not None}
    assert old.subject("telegram", "9101") in pseudonyms  # the check below is not vacuous
    assert sum(opens(old, v) is not None for _, _, v in before) >= 10

    out = succeeded(antipestbot(env, tmp_path, "key", "rotate"))
    assert "The secret key is rotated" in out and str(old_file) in out, out
    assert "records of people who never reported were forgotten" in out, out  # 9102's
    assert old_file.read_bytes() == old_key and key_file.read_bytes() != old_key
    assert key_file.stat().st_mode & 0o777 == 0o600
    new = Vault(load_or_create_key(key_file))

    after = everything(db_path)
    assert [(t, c) for t, c, v in after if opens(old, v) is not None] == []
    sealed = [opened for _, _, v in after if (opened := opens(new, v)) is not None]
    assert len(sealed) >= 10 and any(TELEGRAM_STORY in text for text in sealed)
    linkable = [(t, c) for t, c, v in after if v in pseudonyms]
    linkable += [("sealed", "") for text in sealed for p in pseudonyms if p in text]
    assert linkable == [], "an old pseudonym is still in the database"
    assert ("audit", "action", "key_rotated") in after
    with pytest.raises(VaultError, match="is not the key of the database"):
        open_with_key(db_path, old_file)

    await bot.start()  # with the new key alone
    later = Visitor(bot.web_url, http)
    await later.open()
    status, body = await later.code(secret)  # a code given before the rotation still opens
    assert status == 200, body
    read = await later.press("read_message")
    assert any(REPLY in m["text"] for m in read), read
    code_hash = bot.app.stores.db.row("SELECT code_hash FROM web_codes")
    assert code_hash == {"code_hash": new.derived(f"web secret code:{secret}")}  # hashed anew

    await pupil.press("menu")
    assert telegram_code in "\n".join(await pupil.press("my_reports"))  # still their report
    # The hourly report limit still counts the report they sent before the rotation.
    hourly = bot.app.stores.hourly.within_hour(new.subject("telegram", "9101"), stamp(system_clock))
    assert len(hourly) == 1, hourly
    opened = "\n".join(await anna.press_data(f"*:open:{telegram_code}"))
    assert TELEGRAM_STORY in opened


def test_an_old_database_is_migrated_then_rotated_and_its_people_keep_their_reports(env, tmp_path):
    """A database made before schools (tests/system/data/before-schools): numbers as ids, a web
    secret code, a parent with a named report."""
    known = facts("before-schools")
    copy_old_database("before-schools", env)
    succeeded(antipestbot(env, tmp_path, "key", "rotate"))
    app = build(load_settings(env))
    try:
        vault, reports = app.stores.vault, app.stores.reports
        parent = known["parent"]
        mine = reports.by_reporter(vault.subject("telegram", str(parent["telegram_id"])))
        assert [row["code"] for row in mine] == [parent["code"]]
        report = reports.get(parent["code"], frozenset({1}))
        assert report.story == known["reports"][parent["code"]]["story"]
        assert report.name == known["reports"][parent["code"]]["name"]
        web = known["web"]
        with app.stores.db.transaction():
            found = app.stores.web.visitor_of_code(web["secret_code"], None)
        assert found == (web["visitor"], 1)
        pseudonyms = {known[who]["pseudonym"] for who in ("parent", "closed_pupil", "web")}
        values = {v for _, _, v in everything(Path(env["ANTIPEST_DB"]))}
        assert pseudonyms.isdisjoint(values), "an old pseudonym survived the rotation"
    finally:
        app.stores.db.close()


def test_a_new_key_file_left_by_a_rotation_that_never_committed_is_replaced(env, tmp_path):
    build(load_settings(env)).stores.db.close()
    db_path, key_file, old_file = paths(env)
    stale = key_file.with_name(key_file.name + ".new")
    load_or_create_key(stale)  # a key the database never used
    stale_key = stale.read_bytes()
    succeeded(antipestbot(env, tmp_path, "key", "rotate"))
    assert not stale.exists() and key_file.read_bytes() != stale_key
    open_with_key(db_path, key_file)[0].close()
    assert old_file.exists()


async def test_a_rotation_waits_until_the_bot_is_stopped(fake, env, tmp_path):
    build(load_settings(env)).stores.db.close()
    db_path, key_file, old_file = paths(env)
    key = key_file.read_bytes()
    running = BotProcess(fake, env, tmp_path)
    await running.start()
    try:
        failed = antipestbot(env, tmp_path, "key", "rotate")
        one_sentence(failed.returncode, failed.stderr, "open in another process", "stop the bot")
    finally:
        await running.stop()
    assert key_file.read_bytes() == key
    assert sorted(p.name for p in key_file.parent.iterdir()) == [key_file.name]
    open_with_key(db_path, key_file)[0].close()


def test_two_rotations_keep_old_secret_codes_working_once_the_old_key_is_put_away(env, tmp_path):
    app = build(load_settings(env))
    owner = app.stores.vault.subject("web", "visitor-1")  # the conversation's pseudonym
    with app.stores.db.transaction():
        app.stores.web.keep_code("bal boom kat vis zon", owner, "visitor-1", 1, "2026-03-01")
    first = app.stores.vault.derived("web secret code:bal boom kat vis zon")
    app.stores.db.close()
    db_path, key_file, old_file = paths(env)

    succeeded(antipestbot(env, tmp_path, "key", "rotate"))
    failed = antipestbot(env, tmp_path, "key", "rotate")
    one_sentence(failed.returncode, failed.stderr, str(old_file), "from an earlier rotation")
    shutil.move(old_file, tmp_path / "kept-apart.key")
    succeeded(antipestbot(env, tmp_path, "key", "rotate"))

    app = build(load_settings(env))
    try:
        assert app.stores.db.row("SELECT code_hash FROM web_codes") == {"code_hash": first}
        with app.stores.db.transaction():
            found = app.stores.web.visitor_of_code("bal boom kat vis zon", 1)
        assert found == ("visitor-1", 1)
        assert app.stores.web.visitor_of_code("bal boom kat vis zee", 1) is None
    finally:
        app.stores.db.close()


def test_a_rotation_that_fails_before_its_commit_changes_nothing(env, tmp_path, monkeypatch):
    app = build(load_settings(env))
    code = file_report(app, 7001, TELEGRAM_STORY)
    app.stores.db.close()
    db_path, key_file, _old = paths(env)
    key, stored = key_file.read_bytes(), db_path.read_bytes()

    def broken(*_args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(rekey, "_rename", broken)
    _settings_from(env, tmp_path, monkeypatch)
    with pytest.raises(sqlite3.OperationalError):
        cli.main(["key", "rotate"])
    assert key_file.read_bytes() == key
    assert sorted(p.name for p in key_file.parent.iterdir()) == [key_file.name]
    assert db_path.read_bytes() == stored
    app = build(load_settings(env))
    try:
        assert app.stores.reports.get(code, frozenset({1})).story == TELEGRAM_STORY
    finally:
        app.stores.db.close()


def test_a_rotation_cut_off_after_its_commit_is_finished_by_the_next(env, tmp_path, monkeypatch):
    app = build(load_settings(env))
    code = file_report(app, 7002, TELEGRAM_STORY)
    app.stores.db.close()
    _db, key_file, old_file = paths(env)
    old_key = key_file.read_bytes()
    _settings_from(env, tmp_path, monkeypatch)
    real_replace = cli.cli_data.os.replace

    def power_cut(*_args: object) -> None:
        raise OSError("the power went out")

    monkeypatch.setattr(cli.cli_data.os, "replace", power_cut)
    with pytest.raises(OSError):
        cli.main(["key", "rotate"])
    monkeypatch.setattr(cli.cli_data.os, "replace", real_replace)
    with pytest.raises(VaultError):  # the database needs the new key, still in secret.key.new
        build(load_settings(env))

    assert cli.main(["key", "rotate"]) == 0
    assert old_file.read_bytes() == old_key
    assert not key_file.with_name(key_file.name + ".new").exists()
    app = build(load_settings(env))
    try:
        assert app.stores.reports.get(code, frozenset({1})).story == TELEGRAM_STORY
    finally:
        app.stores.db.close()


def _settings_from(env: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cli.main` in this process reads its settings as the command does: the environment."""
    monkeypatch.chdir(cwd)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_the_help_says_to_stop_the_bot_and_what_is_kept(capsys):
    with pytest.raises(SystemExit):
        cli.main(["key", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "stop the bot first" in said and "<key file>.old" in said


def test_rotate_without_a_database_is_one_sentence(env, tmp_path):
    failed = antipestbot(env, tmp_path, "key", "rotate")
    one_sentence(failed.returncode, failed.stderr, "There is no database")
    db_path, key_file, _old = paths(env)
    assert not db_path.exists() and not key_file.exists()
