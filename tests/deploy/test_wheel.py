"""A normal install: the wheel, in a fresh venv outside the repository, runs `chat` and `run`.

The flows, the catalogs and the web chat's files are package data found through the package
(bot/resources.py), so the installed bot works from any working directory, with nothing of the
repository beside it. The commands run with the venv's own `antipestbot` script, in an empty
working directory, on an environment without PYTHONPATH or any of the bot's settings.
"""

from __future__ import annotations

import signal
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import pytest
from support.botprocess import free_port
from support.installs import REPO, Installed
from support.processes import clean_environ

from bot.core.i18n import LOCALES

# Building the wheel and installing its dependencies come first (once per session).
pytestmark = pytest.mark.timeout(600)

WELCOME = "Hoi! 👋 Ik ben de anti-pesthelper van onze school."  # nl, from the catalog
PUPIL_MENU = "Wat wil je doen? Tik op een knop. 👇"


def _environ() -> dict[str, str]:
    env = {k: v for k, v in clean_environ().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PYTHONIOENCODING": "utf-8"}


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """An empty working directory outside the repository."""
    assert not tmp_path.resolve().is_relative_to(REPO)
    return tmp_path


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_carries_the_flows_catalogs_and_web_files(installed: Installed) -> None:
    names = _names(installed.wheel)
    flows = {f"bot/_flows/{p.relative_to(REPO / 'flows')}" for p in REPO.glob("flows/**/*.yaml")}
    assert "bot/_flows/pupil.yaml" in flows and "bot/_flows/shared/crisis.yaml" in flows
    assert flows <= names
    catalogs = {f"bot/_locales/{lang}/LC_MESSAGES/messages.po" for lang in LOCALES}
    assert catalogs <= names
    web = {p.relative_to(REPO).as_posix() for p in REPO.glob("bot/channels/web/static/*")}
    web |= {"bot/channels/web/templates/chat.html", "bot/channels/web/words_nl.txt"}
    assert "bot/channels/web/static/chat.js" in web and web <= names


def test_the_wheel_carries_every_module_and_no_tests(installed: Installed) -> None:
    names = _names(installed.wheel)
    # pyproject.toml lists the packages by name: a new one left out would be missing here.
    modules = {p.relative_to(REPO).as_posix() for p in REPO.glob("bot/**/*.py")}
    assert modules - names == set()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"bot", f"{installed.wheel.name.split('-py3')[0]}.dist-info"}, tops
    assert not [name for name in names if "tests/" in name or name.endswith(".mmd")]


def test_the_installed_bot_is_the_wheel_not_the_repository(
    installed: Installed, elsewhere: Path
) -> None:
    where = subprocess.run(
        [installed.program("python"), "-c", "import bot.resources as r; print(r.FLOWS)"],
        cwd=elsewhere,
        env=_environ(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.venv), where.stdout


def _package_files(installed: Installed) -> dict[str, int]:
    (package,) = installed.venv.glob("lib/python*/site-packages/bot")
    return {str(p): p.stat().st_mtime_ns for p in package.rglob("*")}


def test_chat_from_the_wheel_speaks_dutch(installed: Installed, elsewhere: Path) -> None:
    before = _package_files(installed)
    # A pupil picks "I am a pupil" and types; /exit ends the chat.
    chat = subprocess.run(
        [installed.program("antipestbot"), "chat"],
        cwd=elsewhere,
        env=_environ(),
        input="1\nze lachen me uit\n/exit\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert chat.returncode == 0 and "Traceback" not in chat.stderr, chat.stderr
    assert WELCOME in chat.stdout and PUPIL_MENU in chat.stdout, chat.stdout
    assert (elsewhere / "data" / "antipest.db").is_file()  # the default data/ was made here
    # Nothing is written into the package (no compiled catalog, no cache): in a container,
    # site-packages belongs to root and the bot runs as another user.
    assert _package_files(installed) == before


def test_run_from_the_wheel_serves_the_web_chat_and_stops_on_sigterm(
    installed: Installed, elsewhere: Path
) -> None:
    port = free_port()
    server = subprocess.Popen(
        [installed.program("antipestbot"), "run", "--port", str(port)],
        cwd=elsewhere,
        env=_environ(),  # no TELEGRAM_BOT_TOKEN: the web chat alone
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        lines = iter(server.stderr.readline, "")  # type: ignore[union-attr]
        said = next((line for line in lines if line.startswith("antipestbot:")), "")  # serving
        assert f"http://127.0.0.1:{port}/" in said, said
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            html = page.read().decode("utf-8")
        assert page.status == 200 and '<html lang="nl"' in html
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/chat.js", timeout=10) as js:
            shipped = (REPO / "bot" / "channels" / "web" / "static" / "chat.js").read_bytes()
            assert js.status == 200 and js.read() == shipped
    finally:
        server.send_signal(signal.SIGTERM)
        _out, rest = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in rest, rest
