"""Operations that fail in one clear sentence (issue 9, part 6).

`antipestbot` runs as a real process (`python -m bot`) against the fake Bot API or a closed port
on 127.0.0.1, never the internet. A failure an operator can meet at start-up (a token Telegram
rejects, a malformed token, no Bot API, a broken `.env` or school file, an invite without the
bot's username) must end in exit code 2 and one sentence on stderr: no traceback, no "Unclosed
client session", never the token. Only a start-up retry may add a log line before it.
"""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from support.fakebotapi import FakeBotApi
from support.processes import clean_environ
from support.running import Running

from bot.settings import load_settings, read_env_file

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "antipestbot: "
RETRY = "bot_api_unavailable"  # the one log line per start-up retry
WRONG_TOKEN = "654321:AAH-a-token-the-fake-bot-api-does-not-know"
WEBHOOK = ["--webhook-url", "https://bot.school.example/telegram"]


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


STARTED = re.compile(r" INFO bot\.channels\.\S+ (http|web)_started\b")


def process_env(env: dict[str, str], **settings: str) -> dict[str, str]:
    return {**clean_environ(), **env, "PYTHONIOENCODING": "utf-8", **settings}


async def antipestbot(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    """Run the command to its end without blocking the loop the fake Bot API answers on."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", *args),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def sentence(code: int, err: str, *mentions: str, retries: int = 0) -> str:
    """Exit code 2, `retries` retry log lines and then one sentence; returns the sentence."""
    assert "Traceback" not in err and "Unclosed" not in err, err
    assert code == 2, (code, err)
    # The web chat's server starts first, and its start is logged; then Telegram's fails.
    said = [line for line in err.strip().splitlines() if not STARTED.search(line)]
    *before, last = said
    assert len(before) == retries and all(RETRY in line for line in before), err
    assert last.startswith(PREFIX) and last.endswith("."), last
    for mention in mentions:
        assert mention in last, (mention, last)
    return last


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def no_invite_made(env: dict[str, str]) -> bool:
    return not Path(env["ANTIPEST_DB"]).exists()


# --- a token Telegram rejects ------------------------------------------------------------------

COMMANDS = {
    "run": ["run"],
    "webhook": ["run", *WEBHOOK],
    "invite": ["coordinator", "invite", "--name", "Juf Anna"],
}


@pytest.mark.parametrize("answer", [401, 404])
@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_a_token_telegram_rejects_is_one_sentence(
    answer: int, command: str, fake: FakeBotApi, env: dict[str, str], cwd: Path
) -> None:
    token = fake.token
    if answer == 401:  # a well-formed token Telegram does not know (or no longer knows)
        token = WRONG_TOKEN
    else:  # what Telegram answers to some malformed tokens
        fake.fail_next("getMe", status=404, description="Not Found")
    args = COMMANDS[command]
    if command == "webhook":
        args = [*args, "--port", str(closed_port())]
    settings = process_env(env, TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=fake.url)
    code, _out, err = await antipestbot(settings, cwd, *args)
    where = fake.url.removeprefix("http://")
    sentence(code, err, f"The Bot API at {where} does not accept TELEGRAM_BOT_TOKEN", "@BotFather")
    assert token not in err and token.partition(":")[2] not in err
    # (The fake answers an unknown token's calls before it records them.)
    assert {c.method for c in fake.calls} <= {"getMe"}, "nothing else is tried"
    if command == "invite":
        assert no_invite_made(env)


# --- malformed tokens --------------------------------------------------------------------------

MALFORMED = {
    "garbage": "garbage",
    "spaces only": "   ",
    "a tab": "\t",
    "leading space": " 123456:TEST-fake-token",
    "trailing space": "123456:TEST-fake-token ",
    "quoted": '"123456:TEST-fake-token"',
    "space inside": "123456:TEST fake-token",
    "no bot id": ":TEST-fake-token",
    "no key": "123456:",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_a_malformed_token_is_one_sentence(
    case: str, fake: FakeBotApi, env: dict[str, str], cwd: Path
) -> None:
    token = MALFORMED[case]
    settings = process_env(env, TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=fake.url)
    code, _out, err = await antipestbot(settings, cwd, "run")
    sentence(code, err, "TELEGRAM_BOT_TOKEN is malformed")
    assert fake.calls == [], "a malformed token is never sent"
    assert not Path(env["ANTIPEST_DB"]).exists(), "checked before anything is created"
    if token.strip():
        assert token.strip() not in err


# --- no Bot API --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "invite"])
async def test_an_unreachable_bot_api_is_one_sentence_after_a_few_tries(
    command: str, env: dict[str, str], cwd: Path
) -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    settings = process_env(env, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_URL=url)
    code, _out, err = await antipestbot(settings, cwd, *COMMANDS[command])
    last = sentence(code, err, f"127.0.0.1:{port} is unavailable", "TELEGRAM_API_URL", retries=2)
    assert "connection refused" in last, last
    retries = [line for line in err.strip().splitlines()[:-1] if not STARTED.search(line)]
    assert ["try=1/3" in retries[0], "try=2/3" in retries[1]] == [True, True], retries
    assert WRONG_TOKEN.partition(":")[2] not in err
    if command == "invite":
        assert no_invite_made(env)


async def test_a_brief_network_error_at_start_is_tried_again(
    fake: FakeBotApi, env: dict[str, str], cwd: Path
) -> None:
    fake.fail_next("getMe", status=502, description="Bad Gateway")
    settings = process_env(env, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.url)
    bot = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "run"),
        cwd=cwd,
        env=settings,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda c: c.method == "getUpdates", timeout=15)
        fake.push_command(4321, "/start")
        await fake.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=10)
    finally:
        bot.send_signal(signal.SIGTERM)
        _out, raw = await asyncio.wait_for(bot.communicate(), timeout=15)
    err = raw.decode()
    assert bot.returncode == 0 and "Traceback" not in err, err
    retries = [line for line in err.splitlines() if RETRY in line]
    assert len(retries) == 1 and "try=1/3" in retries[0], err
    assert [c.method for c in fake.calls if c.method == "getMe"] == ["getMe", "getMe"]


# --- coordinator invite ------------------------------------------------------------------------

INVITE = re.compile(r"https://t\.me/antipest_test_bot\?start=[A-Za-z0-9_-]{1,64}(?=\s|$)")


@pytest.mark.parametrize("source", ["environment", ".env"])
async def test_invite_asks_telegram_for_the_bots_username(
    source: str, fake: FakeBotApi, env: dict[str, str], cwd: Path
) -> None:
    telegram = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}
    if source == ".env":
        lines = [f"{name}={value}" for name, value in telegram.items()]
        (cwd / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
        telegram = {}
    settings = process_env(env, **telegram)
    code, out, err = await antipestbot(settings, cwd, "coordinator", "invite", "--name", "Juf A")
    assert code == 0 and "Traceback" not in err, err
    assert INVITE.search(out), out
    assert "<bot-username>" not in out
    assert [c.method for c in fake.calls] == ["getMe"]


async def test_invite_without_token_or_username_says_how_and_creates_nothing(
    env: dict[str, str], cwd: Path
) -> None:
    args = ["coordinator", "invite", "--name", "Juf Anna"]
    code, out, err = await antipestbot(process_env(env), cwd, *args)
    sentence(code, err, "--bot-username", "TELEGRAM_BOT_TOKEN")
    assert out == "" and no_invite_made(env)


async def test_a_given_bot_username_needs_no_token_and_must_be_a_username(
    env: dict[str, str], cwd: Path
) -> None:
    args = ["coordinator", "invite", "--name", "Juf Anna", "--bot-username"]
    code, out, err = await antipestbot(process_env(env), cwd, *args, "@school/bot")
    sentence(code, err, "--bot-username")
    assert no_invite_made(env)
    code, out, err = await antipestbot(process_env(env), cwd, *args, "@school_bot")
    assert code == 0, err
    assert re.search(r"https://t\.me/school_bot\?start=", out), out


# --- .env --------------------------------------------------------------------------------------


def run_sync(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_a_dot_env_in_the_working_directory_is_read(
    env: dict[str, str], cwd: Path, tmp_path: Path
) -> None:
    database = tmp_path / "from env file" / "antipest.db"
    (cwd / ".env").write_text(
        "# antipestbot settings\n"
        "\n"
        f'ANTIPEST_DB="{database}"\n'
        "TELEGRAM_BOT_TOKEN=\n"
        "  ANTIPEST_LIBRARY_LOG_LEVEL = 'ERROR'  \n",
        encoding="utf-8",
    )
    settings = process_env({"ANTIPEST_SECRET_KEY_FILE": env["ANTIPEST_SECRET_KEY_FILE"]})
    result = run_sync(settings, cwd, "coordinator", "add", "--telegram-id", "12345", "--name", "A")
    assert result.returncode == 0, result.stderr
    assert database.is_file(), "ANTIPEST_DB came from .env"
    assert not (cwd / "data").exists()


def test_the_environment_wins_over_dot_env(env: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    (cwd / ".env").write_text(
        f"ANTIPEST_DB={tmp_path / 'not used.db'}\nTELEGRAM_API_URL=ftp://wrong.example\n",
        encoding="utf-8",
    )
    settings = process_env(env, TELEGRAM_API_URL="http://127.0.0.1:1")
    result = run_sync(settings, cwd, "coordinator", "list")
    assert result.returncode == 0, result.stderr
    assert Path(env["ANTIPEST_DB"]).is_file() and not (tmp_path / "not used.db").exists()


BAD_ENV_FILES = {
    "no equals sign": ("# settings\nANTIPEST_DB=x.db\nTELEGRAM_BOT_TOKEN 123:secretkey\n", 3),
    "unclosed quote": ('\n\nTELEGRAM_BOT_TOKEN="123:secretkey\n', 3),
    "bad name": ("TELEGRAM-BOT-TOKEN=123:secretkey\n", 1),
}


@pytest.mark.parametrize("case", sorted(BAD_ENV_FILES))
def test_a_malformed_dot_env_line_is_one_sentence_with_its_number(
    case: str, env: dict[str, str], cwd: Path
) -> None:
    text, line = BAD_ENV_FILES[case]
    (cwd / ".env").write_text(text, encoding="utf-8")
    result = run_sync(process_env(env), cwd, "coordinator", "list")
    sentence(result.returncode, result.stderr, f"Line {line} of .env")
    assert "secretkey" not in result.stderr, "the line is not repeated: it may hold the token"


def test_the_example_dot_env_works_as_it_is() -> None:
    values = read_env_file(ROOT / ".env.example")
    assert "TELEGRAM_BOT_TOKEN" in values
    assert load_settings(values).token is None, "an empty token counts as not set"


# --- the school's TOML file --------------------------------------------------------------------

BAD_TOML = {
    "unclosed table": (b'[school]\nname = "x"\n[phases\n', "line 3, column 8"),
    "value missing": (b'[school]\n\n\nname =\ntimezone = "Europe/Amsterdam"\n', "line 4, column 7"),
    "key twice": (b'[school]\nname = "a"\nname = "b"\n', "line 3, column 11"),
    "open string": (b'[school]\nname = "x\n', "line 2"),
    "open string at the end": (b'[school]\nname = """x\n', "at its end (line 2)"),
    "not UTF-8": (b'[school]\nname = "\xff"\n', "line 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_TOML))
def test_a_broken_school_file_names_the_line(
    case: str, env: dict[str, str], cwd: Path, tmp_path: Path
) -> None:
    content, where = BAD_TOML[case]
    config = tmp_path / "school.toml"
    config.write_bytes(content)
    result = run_sync(process_env(env, ANTIPEST_CONFIG=str(config)), cwd, "coordinator", "list")
    sentence(result.returncode, result.stderr, str(config), where)


async def test_a_command_menu_telegram_refuses_at_start_does_not_stop_the_bot(
    fake: FakeBotApi, env: dict[str, str]
) -> None:
    fake.fail_next("setMyCommands", status=500)
    running = Running(fake, env)
    await running.start()  # before: PTB's traceback, and the bot never polled
    try:
        fake.push_command(4321, "/start")
        await fake.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=10)
    finally:
        await running.stop()
