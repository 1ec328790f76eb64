"""compose.yaml and the Caddyfile, read by the tools that run them: `docker compose config`
(Compose v2, or Debian bookworm's Compose v1 `docker-compose`) and `caddy adapt --validate`.

`tools/install-compose` installs both; a missing tool fails these tests, never skips them. No
Docker engine is needed and nothing is pulled. The folder each test deploys from is laid out as
the README's "Deploy for a school or board" lays it out: `.env`, `secrets/antipest.key` made by
the README's own command, and `backups/`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.processes import clean_environ

from bot.crypto import load_or_create_key
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "meld.bestuur.example"
TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # the shape of one, from Telegram's docs
KEY_IN_SECRET = "/run/secrets/antipest_key"
# The README's command that makes the key file (run in the deployment folder, as root there).
KEY_LINE = "(umask 077; head -c 32 /dev/urandom | base64 | tr '+/' '-_' > secrets/antipest.key)"


def _compose() -> list[str]:
    plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if plugin.returncode == 0:
        return ["docker", "compose"]
    found = shutil.which("docker-compose")
    assert found, "neither `docker compose` nor `docker-compose`: run tools/install-compose"
    return [found]


def _caddy() -> str:
    found = shutil.which("caddy") or str(Path(sys.executable).parent / "caddy")
    assert os.access(found, os.X_OK), "no caddy: run tools/install-compose"
    return found


def _environ(**extra: str) -> dict[str, str]:
    """A clean environment: compose reads the deployment's `.env`, nothing of this process."""
    return {**clean_environ(), **extra}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A deployment folder as the README makes it."""
    for name in ("compose.yaml", "Caddyfile"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    (tmp_path / "secrets").mkdir(mode=0o700)
    (tmp_path / "backups").mkdir(mode=0o700)
    subprocess.run(["bash", "-c", KEY_LINE], cwd=tmp_path, check=True)
    (tmp_path / ".env").write_text(
        f"ANTIPEST_DOMAIN={DOMAIN}\nTELEGRAM_BOT_TOKEN={TOKEN}\n", encoding="utf-8"
    )
    return tmp_path


def compose_config(folder: Path) -> subprocess.CompletedProcess[str]:
    """`compose config` in `folder`, as it ran (its exit code, what it printed)."""
    return subprocess.run(
        [*_compose(), "-f", "compose.yaml", "config"],
        cwd=folder,
        env=_environ(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def config(folder: Path) -> dict[str, Any]:
    """The project as compose resolves it (variables, .env, defaults, relative paths)."""
    done = compose_config(folder)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def _ports(service: dict[str, Any]) -> set[tuple[int, str]]:
    """(published port, protocol), from the short ("80:80") or the long form."""
    found = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.add((int(port["published"]), port.get("protocol", "tcp")))
        else:
            spec, _, protocol = str(port).partition("/")
            found.add((int(spec.split(":")[-2]), protocol or "tcp"))
    return found


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """target -> source of a service's volumes, short ("data:/data:rw") or long form."""
    found = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            found[volume["target"]] = volume["source"]
        else:
            source, target = str(volume).split(":")[:2]
            found[target] = source
    return found


def _secrets(service: dict[str, Any]) -> dict[str, str]:
    """source -> path in the container."""
    found = {}
    for secret in service.get("secrets", []):
        source = secret["source"] if isinstance(secret, dict) else secret
        target = secret.get("target") if isinstance(secret, dict) else None
        target = target or source
        found[source] = target if target.startswith("/") else f"/run/secrets/{target}"
    return found


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {key: str(value) for key, value in env.items()}


def test_the_project_validates_with_the_bot_caddy_and_the_backup(folder: Path) -> None:
    project = config(folder)
    assert set(project["services"]) == {"bot", "caddy", "backup"}
    assert {"data", "caddy_data", "caddy_config"} <= set(project["volumes"])


def test_only_caddy_publishes_ports(folder: Path) -> None:
    services = config(folder)["services"]
    assert _ports(services["caddy"]) == {(80, "tcp"), (443, "tcp"), (443, "udp")}
    for name in ("bot", "backup"):
        assert _ports(services[name]) == set(), name
        assert services[name].get("network_mode") != "host", name


def test_the_key_reaches_the_bot_as_a_secret_file_and_never_as_a_value(folder: Path) -> None:
    project = config(folder)
    services = project["services"]
    key = (folder / "secrets" / "antipest.key").read_text(encoding="utf-8").strip()
    assert Path(project["secrets"]["antipest_key"]["file"]) == folder / "secrets" / "antipest.key"
    assert _secrets(services["bot"]) == {"antipest_key": KEY_IN_SECRET}
    bot_env = _environment(services["bot"])
    assert bot_env["ANTIPEST_SECRET_KEY_FILE"] == KEY_IN_SECRET
    for name, service in services.items():
        for variable, value in _environment(service).items():
            assert key not in value, f"{name}: {variable} holds the key"
            is_key = "KEY" in variable and not variable.endswith(("_FILE", "_KEEP"))
            assert not is_key, f"{name}: {variable} looks like a key given as a value"
    # Only the bot holds the key: the backup service copies the database, never the key.
    assert "secrets" not in services["backup"] and "secrets" not in services["caddy"]
    assert key not in json.dumps(project), "the key's text is in the resolved project"


def test_the_data_the_certificates_and_the_backups_are_kept_on_volumes(folder: Path) -> None:
    services = config(folder)["services"]
    assert _mounts(services["bot"]) == {"/data": "data"}
    backup = _mounts(services["backup"])
    assert backup["/data"] == "data"
    assert Path(backup["/backups"]) == folder / "backups", "a folder `down -v` cannot delete"
    caddy = _mounts(services["caddy"])
    assert caddy["/data"] == "caddy_data" and caddy["/config"] == "caddy_config"
    assert Path(caddy["/etc/caddy/Caddyfile"]) == folder / "Caddyfile"
    for name in ("bot", "caddy", "backup"):
        assert services[name]["restart"] == "unless-stopped", name


def test_the_bot_runs_behind_the_domain_with_its_webhook_and_a_healthcheck(folder: Path) -> None:
    bot = config(folder)["services"]["bot"]
    command = bot["command"]
    assert command[:2] == ["antipestbot", "run"]
    options = dict(zip(command[2::2], command[3::2], strict=True))
    assert options["--host"] == "0.0.0.0"
    assert options["--webhook-url"] == f"https://{DOMAIN}/telegram"
    env = _environment(bot)
    assert env["ANTIPEST_DB"].startswith("/data/")
    assert env["TELEGRAM_BOT_TOKEN"] == TOKEN  # from .env
    settings = load_settings(env)  # what the bot reads is a valid configuration
    assert settings.web.public_url == f"https://{DOMAIN}"
    assert settings.key_file == Path(KEY_IN_SECRET)
    check = bot["healthcheck"]["test"]
    assert check[0] == "CMD" and "ANTIPEST_HEALTH_URL" in check[-1], check
    assert env["ANTIPEST_HEALTH_URL"] == f"http://127.0.0.1:{options['--port']}/healthz"
    assert bot["healthcheck"]["retries"] >= 1
    # The image's check asks the bot's port: the backup container, no server, turns it off.
    off = config(folder)["services"]["backup"]["healthcheck"]
    assert off in ({"disable": True}, {"test": ["NONE"]}), off  # as v2 / v1 print it


def test_without_a_domain_compose_stops_with_a_sentence_naming_it(folder: Path) -> None:
    (folder / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n", encoding="utf-8")
    done = compose_config(folder)
    assert done.returncode != 0
    assert "set ANTIPEST_DOMAIN in .env" in done.stderr


def test_the_readme_key_command_makes_a_private_key_the_bot_reads(folder: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert KEY_LINE in readme, "the README makes the key with another command than this test"
    key_file = folder / "secrets" / "antipest.key"
    assert oct(key_file.stat().st_mode & 0o777) == oct(0o600)
    assert len(load_or_create_key(key_file)) == 32


def test_caddy_serves_the_domain_to_the_bot_and_keeps_no_access_log(folder: Path) -> None:
    done = subprocess.run(
        [_caddy(), "adapt", "--config", "Caddyfile", "--adapter", "caddyfile", "--validate"],
        cwd=folder,
        env=_environ(ANTIPEST_DOMAIN=DOMAIN),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    adapted = json.loads(done.stdout)
    servers = adapted["apps"]["http"]["servers"]
    (server,) = servers.values()
    assert server["listen"] == [":443"]  # with http:// redirected to https:// by Caddy itself
    (route,) = server["routes"]
    assert route["match"] == [{"host": [DOMAIN]}]
    text = json.dumps(route)
    bot = config(folder)["services"]["bot"]["command"]
    port = bot[bot.index("--port") + 1]
    assert f'"dial": "bot:{port}"' in text, "Caddy must reach the bot service on its port"
    assert '"path": ["/healthz"]' in text and '"status_code": 404' in text
    assert "logs" not in server and "logging" not in adapted, "an access log keeps IP addresses"


def _nightly_script(folder: Path) -> tuple[str, dict[str, str]]:
    backup = config(folder)["services"]["backup"]
    command = backup["command"]
    assert command[:2] == ["sh", "-c"]
    # `config` prints a literal $ as $$, as it is written in compose.yaml.
    return command[2].replace("$$", "$"), _environment(backup)


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / "stubs" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _run_nightly(folder: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The backup service's loop, with `sleep` and `antipestbot` standing in: each call is
    written down, and the third sleep ends the loop."""
    script, service_env = _nightly_script(folder)
    calls = folder / "calls"
    _stub(
        folder,
        "sleep",
        f'echo "sleep $1" >> {calls}; n=$(grep -c sleep {calls}); '
        '[ "$n" -lt 3 ] || kill -TERM "$PPID"',
    )
    _stub(folder, "antipestbot", f'echo "antipestbot $*" >> {calls}')
    path = f"{folder / 'stubs'}:{os.environ['PATH']}"
    done = subprocess.run(
        ["sh", "-c", script],
        env={**_environ(), **service_env, **env, "PATH": path},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done, calls


def test_the_nightly_backup_waits_for_its_hour_and_keeps_the_newest_14(folder: Path) -> None:
    _done, calls = _run_nightly(folder)
    lines = calls.read_text(encoding="utf-8").splitlines()
    assert lines[1::2] == ["antipestbot backup --into /backups --keep 14"] * 2, lines
    waits = [int(line.removeprefix("sleep ")) for line in lines[0::2]]
    assert all(0 < wait <= 86400 for wait in waits), waits


def test_the_nightly_backup_takes_its_hour_and_number_from_the_env(folder: Path) -> None:
    env = folder / ".env"
    env.write_text(
        env.read_text(encoding="utf-8") + "ANTIPEST_BACKUP_AT=00:00\nANTIPEST_BACKUP_KEEP=30\n",
        encoding="utf-8",
    )
    _done, calls = _run_nightly(folder)
    lines = calls.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "antipestbot backup --into /backups --keep 30", lines
    # Until the next 00:00 UTC: as many seconds as are left of today.
    left = 86400 - int(subprocess.check_output(["date", "-u", "+%s"], text=True)) % 86400
    assert abs(int(lines[0].removeprefix("sleep ")) - left) <= 5, (lines[0], left)


def test_a_nightly_hour_that_is_no_time_stops_the_loop_with_a_sentence(folder: Path) -> None:
    done, calls = _run_nightly(folder, ANTIPEST_BACKUP_AT="25:99")
    assert done.returncode == 2
    assert "ANTIPEST_BACKUP_AT must be a time" in done.stderr
    assert not calls.exists(), "nothing may run with a wrong hour"


def test_the_env_example_names_the_compose_settings() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))
    assert used == {"ANTIPEST_DOMAIN", "ANTIPEST_BACKUP_AT", "ANTIPEST_BACKUP_KEEP"}
    for name in used:
        assert re.search(rf"^#?\s*{name}=", text, re.M), f"{name} is not in .env.example"
