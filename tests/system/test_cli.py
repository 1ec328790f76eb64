"""The `antipestbot` command, run for real: `python -m bot ...` in a subprocess.

Each run gets its own working directory and an environment without any TELEGRAM_* or
ANTIPEST_* setting from the developer's shell, plus a database and key file under tmp_path.
An operator mistake must give exit code 2 and one sentence on stderr, never a traceback.

Variants of a case already proven through a subprocess run in-process through `bot.cli.main`
(what the console script calls), which keeps this file fast: an exception escaping `main` is
the traceback an operator would see.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.commandline import command_line
from support.processes import one_sentence

from bot.app import build, school_of
from bot.clock import stamp, system_clock
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_MENU = "What would you like to do? Tap a button. 👇"

Result = subprocess.CompletedProcess[str]
RunMain = Callable[..., tuple[int, str]]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "ANTIPEST_"))
    }
    env["ANTIPEST_DB"] = str(tmp_path / "data" / "antipest.db")
    env["ANTIPEST_SECRET_KEY_FILE"] = str(tmp_path / "keys" / "secret.key")
    env["PYTHONIOENCODING"] = "utf-8"  # the menus hold emoji, whatever the shell's locale
    return env


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


def antipestbot(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> Result:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def assert_one_sentence(result: Result, *mentions: str) -> str:
    return one_sentence(result.returncode, result.stderr, *mentions)


def assert_ok(result: Result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, (result.returncode, result.stderr)
    return result.stdout


@pytest.fixture
def run_main(
    cli_env: dict[str, str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[RunMain]:
    """`bot.cli.main(args)` with the same controlled environment; returns (exit code, stderr)."""
    keep = {key: cli_env[key] for key in ("ANTIPEST_DB", "ANTIPEST_SECRET_KEY_FILE")}
    with command_line(keep, workdir, monkeypatch, capsys) as run:
        yield lambda *args, **settings: run(*args, **settings)[::2]


# --- settings ----------------------------------------------------------------------------------


def test_run_without_a_token_serves_the_web_chat_alone_and_says_so_in_one_line(
    cli_env: dict[str, str], workdir: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--port", str(port)],
        cwd=workdir,
        env=cli_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = iter(server.stderr.readline, "")  # type: ignore[union-attr]
        said = next(line for line in lines if line.startswith("antipestbot:"))  # not a log line
        assert "TELEGRAM_BOT_TOKEN" in said and f"http://127.0.0.1:{port}/" in said, said
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    finally:
        server.send_signal(signal.SIGTERM)
        _out, rest = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in rest, rest


# `coordinator list` succeeds when the settings are sound, so exit code 2 can only come from
# the setting under test (with `run`, the missing token would give 2 as well).
BAD_CONFIGS = {
    "bad TOML": ("[school\nname = 'x'\n", "TOML"),
    "unknown timezone": ('[school]\ntimezone = "Mars/Olympus_Mons"\n', "timezone"),
    "five phase labels": ('[phases]\nnl = ["a", "b", "c", "d", "e"]\n', "six"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_a_malformed_school_config_is_one_sentence(
    case: str, cli_env: dict[str, str], workdir: Path, tmp_path: Path
) -> None:
    text, mention = BAD_CONFIGS[case]
    config = tmp_path / "school.toml"
    config.write_text(text, encoding="utf-8")
    cli_env["ANTIPEST_CONFIG"] = str(config)
    assert_one_sentence(antipestbot(cli_env, workdir, "coordinator", "list"), mention)


def test_a_missing_school_config_is_one_sentence(
    cli_env: dict[str, str], workdir: Path, tmp_path: Path
) -> None:
    cli_env["ANTIPEST_CONFIG"] = str(tmp_path / "nowhere.toml")
    result = antipestbot(cli_env, workdir, "coordinator", "list")
    assert_one_sentence(result, "ANTIPEST_CONFIG", "nowhere.toml")


def test_seven_phase_labels_are_one_sentence(tmp_path: Path, run_main: RunMain) -> None:
    config = tmp_path / "school.toml"
    config.write_text('[phases]\nen = ["a", "b", "c", "d", "e", "f", "g"]\n', encoding="utf-8")
    code, err = run_main("coordinator", "list", ANTIPEST_CONFIG=str(config))
    one_sentence(code, err, "six")


def test_a_bad_api_url_is_one_sentence(cli_env: dict[str, str], workdir: Path) -> None:
    cli_env["TELEGRAM_API_URL"] = "ftp://bots.example.org"
    result = antipestbot(cli_env, workdir, "coordinator", "list")
    assert_one_sentence(result, "TELEGRAM_API_URL")


@pytest.mark.parametrize("url", ["api.telegram.org", "https://", "mailto:bot@example.org"])
def test_more_bad_api_urls(url: str, run_main: RunMain) -> None:
    code, err = run_main("coordinator", "list", TELEGRAM_API_URL=url)
    one_sentence(code, err, "TELEGRAM_API_URL")


def test_a_garbage_key_file_is_one_sentence(cli_env: dict[str, str], workdir: Path) -> None:
    key_file = Path(cli_env["ANTIPEST_SECRET_KEY_FILE"])
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(b"this is not a key\n")
    result = antipestbot(cli_env, workdir, "coordinator", "list")
    assert_one_sentence(result, str(key_file))
    assert key_file.read_bytes() == b"this is not a key\n", "a bad key file is never replaced"


@pytest.mark.parametrize(
    "content",
    [base64.urlsafe_b64encode(bytes(16)) + b"\n", b"\xff\x00\x01", b""],
    ids=["short key", "binary", "empty"],
)
def test_more_garbage_key_files(content: bytes, cli_env: dict[str, str], run_main: RunMain) -> None:
    key_file = Path(cli_env["ANTIPEST_SECRET_KEY_FILE"])
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(content)
    code, err = run_main("coordinator", "list")
    one_sentence(code, err, str(key_file))
    assert key_file.read_bytes() == content, "a bad key file is never replaced"


def test_a_database_of_a_newer_version_is_refused_in_one_sentence(
    cli_env: dict[str, str], workdir: Path, run_main: RunMain
) -> None:
    """A downgrade: the older code must not write to a schema it does not know."""
    assert run_main("coordinator", "list")[0] == 0  # makes the database, at today's version
    path = Path(cli_env["ANTIPEST_DB"])
    with sqlite3.connect(path) as db:
        newer = db.execute("PRAGMA user_version").fetchone()[0] + 1
        db.execute(f"PRAGMA user_version={newer}")
        schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    result = antipestbot(cli_env, workdir, "coordinator", "list")
    assert "newer version of antipestbot" in assert_one_sentence(result, str(path))
    with sqlite3.connect(path) as db:  # nothing migrated "back"
        assert db.execute("PRAGMA user_version").fetchone()[0] == newer
        assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema


# Settings that once escaped as a traceback (or, phase labels, were silently accepted): each must
# now be one sentence and exit code 2.
BAD_SETTINGS: dict[str, dict[str, str | bytes]] = {
    "config not UTF-8": {"ANTIPEST_CONFIG": b"\xff\xfe[school]\n"},
    "school not a table": {"ANTIPEST_CONFIG": b'school = "x"\n'},
    "unknown section": {"ANTIPEST_CONFIG": b'[schol]\nname = "x"\n'},
    "phase labels not text": {"ANTIPEST_CONFIG": b"[phases]\nnl = [1, 2, 3, 4, 5, 6]\n"},
    "API URL unparsable": {"TELEGRAM_API_URL": "http://[::1"},
    "database is a folder": {"ANTIPEST_DB": "."},
    "key folder is a file": {"ANTIPEST_SECRET_KEY_FILE": "afile/secret.key"},
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_bad_settings_are_one_sentence(
    case: str, tmp_path: Path, workdir: Path, run_main: RunMain
) -> None:
    settings: dict[str, str] = {}
    for name, value in BAD_SETTINGS[case].items():
        if isinstance(value, bytes):
            path = tmp_path / "school.toml"
            path.write_bytes(value)
            value = str(path)
        settings[name] = value
    (workdir / "afile").write_text("not a folder", encoding="utf-8")
    code, err = run_main("coordinator", "list", **settings)
    one_sentence(code, err)


def test_the_school_example_loads(cli_env: dict[str, str]) -> None:
    cli_env["ANTIPEST_CONFIG"] = str(ROOT / "schools" / "example.toml")
    school = school_of(load_settings(cli_env))
    assert school.name == "Basisschool Voorbeeld"
    assert school.timezone == "Europe/Amsterdam"
    assert set(school.promise) == {"nl", "en"} and all(school.promise.values())
    assert set(school.phases) == {"nl", "en"}
    assert all(len(labels) == 6 and all(labels) for labels in school.phases.values())
    assert school.holidays and all(first <= last for first, last in school.holidays)


# --- coordinators ------------------------------------------------------------------------------


def _row(listing: str, name: str) -> list[str]:
    (row,) = [line.split("\t") for line in listing.splitlines() if name in line]
    return row


def test_add_list_remove_a_coordinator(cli_env: dict[str, str], workdir: Path) -> None:
    add = ["coordinator", "add", "--telegram-id", "12345", "--name", "Juf Anna"]
    out = assert_ok(antipestbot(cli_env, workdir, *add))
    found = re.search(r"Coordinator (\d+) added", out)
    assert found, out
    number = found.group(1)

    key_file = Path(cli_env["ANTIPEST_SECRET_KEY_FILE"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, "the key file must be private"

    row = _row(assert_ok(antipestbot(cli_env, workdir, "coordinator", "list")), "Juf Anna")
    assert row[0] == number and "12345" in row[2] and row[-1] == "active", row

    assert_ok(antipestbot(cli_env, workdir, "coordinator", "remove", "--id", number))
    row = _row(assert_ok(antipestbot(cli_env, workdir, "coordinator", "list")), "Juf Anna")
    assert row[0] == number and row[-1] == "inactive", row


def test_removing_an_unknown_coordinator_is_one_sentence(
    cli_env: dict[str, str], workdir: Path
) -> None:
    result = antipestbot(cli_env, workdir, "coordinator", "remove", "--id", "999")
    assert_one_sentence(result, "999")


def test_adding_telegram_id_zero_is_one_sentence(cli_env: dict[str, str], workdir: Path) -> None:
    add = ["coordinator", "add", "--telegram-id", "0", "--name", "X"]
    assert_one_sentence(antipestbot(cli_env, workdir, *add), "--telegram-id")


def test_adding_a_negative_telegram_id_is_one_sentence(run_main: RunMain) -> None:
    code, err = run_main("coordinator", "add", "--telegram-id=-5", "--name", "X")
    one_sentence(code, err, "--telegram-id")


def test_an_invite_link_works_exactly_once(
    cli_env: dict[str, str], workdir: Path, tmp_path: Path
) -> None:
    invite = ["coordinator", "invite", "--name", "Meester Bas", "--bot-username", "@b"]
    out = assert_ok(antipestbot(cli_env, workdir, *invite))
    # Telegram deep links allow 1-64 characters from A-Z, a-z, 0-9, _ and -.
    found = re.search(r"https://t\.me/b\?start=([A-Za-z0-9_-]{1,64})(?=\s|$)", out)
    assert found, out
    code = found.group(1)

    stored = b"".join(path.read_bytes() for path in (tmp_path / "data").iterdir())
    assert code.encode() not in stored, "only a hash of the invite code may be stored"

    app = build(load_settings(cli_env))
    try:
        stores, now = app.stores, stamp(system_clock)
        with stores.db.transaction():
            first = stores.coordinators.redeem(code, 777, now)
        assert first is not None
        assert (first.telegram_id, first.name, first.active) == (777, "Meester Bas", True)
        with stores.db.transaction():
            assert stores.coordinators.redeem(code, 778, now) is None
        assert stores.coordinators.by_telegram_id(778) is None
    finally:
        app.stores.db.close()


# --- chat --------------------------------------------------------------------------------------


def test_chat_shows_numbered_buttons(cli_env: dict[str, str], workdir: Path) -> None:
    out = assert_ok(antipestbot(cli_env, workdir, "chat", stdin="1\n/exit\n"))
    assert "[1]" in out and "[2]" in out


def test_chat_in_english_shows_the_english_menu(cli_env: dict[str, str], workdir: Path) -> None:
    out = assert_ok(antipestbot(cli_env, workdir, "chat", "--lang", "en", stdin="1\n/exit\n"))
    assert ENGLISH_MENU in out
    assert "[1]" in out


def test_chat_as_coordinator_starts_and_exits(cli_env: dict[str, str], workdir: Path) -> None:
    out = assert_ok(antipestbot(cli_env, workdir, "chat", "--role", "coordinator", stdin="/exit\n"))
    assert "[1]" in out
