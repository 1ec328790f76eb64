"""Deployment files, checked as text: no Docker engine is needed to run these tests.

The Dockerfile must build from files that exist, run `antipestbot run` as a non-root user and keep
the database on a volume; `.dockerignore` must keep secrets out and the runtime files in;
`.env.example` must document every setting the code reads and hold no secret.
"""

from __future__ import annotations

import json
import re
import shlex
from fnmatch import fnmatch
from pathlib import Path

import pytest

from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_FILES = ["pyproject.toml", "bot", "flows", "locales"]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction: comments dropped, continuations joined."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # Docker also skips comment lines inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        keyword, _, args = whole.partition(" ")
        found.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return found


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def _index(steps: list[tuple[str, str]], keyword: str) -> list[int]:
    return [i for i, (k, _) in enumerate(steps) if k == keyword]


def _words(args: str) -> list[str]:
    """Exec (JSON) form or shell form arguments as a list of words."""
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def _env(steps: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in steps:
        if keyword == "ENV":
            for word in shlex.split(args):
                key, _, value = word.partition("=")
                env[key] = value
    return env


def test_the_parser_joins_continuations_and_skips_comments() -> None:
    text = 'FROM x\n# a comment\nRUN a \\\n  # inside\n  && b\nCMD ["c"]\n'
    assert instructions(text) == [("FROM", "x"), ("RUN", "a && b"), ("CMD", '["c"]')]


def test_it_builds_on_python_3_11_slim(dockerfile: list[tuple[str, str]]) -> None:
    froms = [args for keyword, args in dockerfile if keyword == "FROM"]
    assert froms, "no FROM"
    assert froms[-1].split()[0].startswith("python:3.11-slim")


def test_it_runs_the_bot_as_a_non_root_user(dockerfile: list[tuple[str, str]]) -> None:
    cmd = _index(dockerfile, "CMD")
    assert len(cmd) == 1, "exactly one CMD"
    users = [dockerfile[i][1] for i in _index(dockerfile, "USER") if i < cmd[0]]
    assert users, "no USER before CMD: the bot would run as root"
    user, _, group = users[-1].partition(":")
    assert user not in ("root", "0"), users[-1]
    assert group not in ("root", "0"), users[-1]


def test_cmd_is_antipestbot_run_in_exec_form(dockerfile: list[tuple[str, str]]) -> None:
    (args,) = [args for keyword, args in dockerfile if keyword == "CMD"]
    assert args.startswith("["), "exec form, so the bot is PID 1 and gets SIGTERM"
    # Every interface of the container: the web chat must be reachable through the published port.
    assert json.loads(args) == ["antipestbot", "run", "--host", "0.0.0.0"]
    assert not _index(dockerfile, "ENTRYPOINT"), "an ENTRYPOINT would change what CMD runs"


def test_the_database_lives_on_the_volume_and_the_key_apart_from_it(
    dockerfile: list[tuple[str, str]],
) -> None:
    volumes = [word for keyword, args in dockerfile if keyword == "VOLUME" for word in _words(args)]
    assert volumes, "no VOLUME"
    env = _env(dockerfile)
    on_a_volume = {
        name: any(env[name].startswith(volume.rstrip("/") + "/") for volume in volumes)
        for name in ("ANTIPEST_DB", "ANTIPEST_SECRET_KEY_FILE")
    }
    assert on_a_volume["ANTIPEST_DB"], "the database must survive a new container"
    # A copy of the data volume (a backup) must never hold the key that opens it: the key is a
    # secret file mounted at run time (compose.yaml: secrets).
    assert not on_a_volume["ANTIPEST_SECRET_KEY_FILE"]
    assert env["ANTIPEST_SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert "TELEGRAM_BOT_TOKEN" not in env, "the token is given at run time, never baked in"


def _copy_sources(dockerfile: list[tuple[str, str]]) -> list[str]:
    sources: list[str] = []
    for keyword, args in dockerfile:
        if keyword not in ("COPY", "ADD"):
            continue
        words = _words(args)
        flags = [w for w in words if w.startswith("--")]
        if any(flag.startswith("--from") for flag in flags):
            continue  # copied from another stage, not from the repository
        paths = [w for w in words if not w.startswith("--")]
        assert len(paths) >= 2, f"{keyword} {args}: needs a source and a destination"
        sources += paths[:-1]
    return sources


def test_every_copied_path_exists(dockerfile: list[tuple[str, str]]) -> None:
    sources = _copy_sources(dockerfile)
    assert sources, "nothing is copied into the image"
    missing = [source for source in sources if not list(ROOT.glob(source.lstrip("/")))]
    assert missing == []


def test_the_runtime_files_are_copied(dockerfile: list[tuple[str, str]]) -> None:
    sources = {source.rstrip("/") for source in _copy_sources(dockerfile)}
    if "." not in sources:
        assert set(RUNTIME_FILES) <= sources


def _ignored(patterns: list[str], path: str) -> bool:
    """Docker's rule in short: the last matching pattern wins; `!` re-includes."""
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.lstrip("!").strip("/")
        if fnmatch(path, bare) or fnmatch(path, bare.removeprefix("**/")):
            ignored = not negated
    return ignored


def test_dockerignore_keeps_secrets_out_and_runtime_files_in() -> None:
    text = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    patterns = [line.strip() for line in text.splitlines() if line.strip()]
    patterns = [p for p in patterns if not p.startswith("#")]
    for secret in (".git", ".env", "data", "secret.key", "antipest.db", ".venv"):
        assert _ignored(patterns, secret), f"{secret} would be sent to the Docker daemon"
    for needed in RUNTIME_FILES:
        assert not _ignored(patterns, needed), f".dockerignore drops {needed}, the image needs it"


def _env_example() -> str:
    return (ROOT / ".env.example").read_text(encoding="utf-8")


def _settings_read_by_the_code() -> set[str]:
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"""env\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


def test_env_example_documents_every_setting() -> None:
    names = _settings_read_by_the_code()
    assert {"TELEGRAM_BOT_TOKEN", "ANTIPEST_DB", "ANTIPEST_CONFIG"} <= names
    lines = _env_example().splitlines()
    for name in sorted(names):
        # `NAME=value`, or `# NAME=default` for a setting that keeps its default
        at = [i for i, line in enumerate(lines) if re.match(rf"#?\s*{name}=", line.strip())]
        assert len(at) == 1, f"{name} is not in .env.example exactly once"
        above = lines[at[0] - 1].strip() if at[0] else ""
        is_comment = above.startswith("#") and not re.match(r"#\s*[A-Z][A-Z0-9_]*=", above)
        assert is_comment, f"{name} in .env.example has no comment line above it"


def test_env_example_holds_no_secret_and_loads() -> None:
    text = _env_example()
    assert not re.search(r"\d{5,}:[A-Za-z0-9_-]{30,}", text), "a bot token in .env.example"
    values = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value
    assert values.get("TELEGRAM_BOT_TOKEN", "") == ""
    settings = load_settings(values)  # the example itself is a valid configuration
    assert settings.token is None
