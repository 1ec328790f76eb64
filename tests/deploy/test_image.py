"""The Docker image, built from the working tree and run as an operator runs it.

Built once per session (`--network host`; the base image comes from the shared script where no
registry can be reached, see support/containers.py). Each test runs containers of it on the host
network against the fake Bot API on 127.0.0.1, with the database on a named volume and the key
mounted read-only from a file, as a compose secret is. Checked: the image holds the installed
wheel and no build tools; it runs as uid 10001; `antipestbot run` serves the web chat and
answers Telegram; its HEALTHCHECK turns healthy; a report survives a new container on the same
volume; `docker stop` (SIGTERM) ends it within 10 s with exit code 0 and loses nothing.

The sizes (the image, the layers the project adds on top of the base), the build time and the
time these tests take are printed at the end of the module and written to `FIGURES`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from support.botprocess import ProcessPerson, free_port
from support.containers import (
    BASE,
    IMAGE,
    LABEL,
    UID,
    Container,
    adocker,
    build_image,
    docker,
    ensure_engine_and_base,
    measure,
    remove_leftovers,
)
from support.fakebotapi import FakeBotApi
from support.processes import one_sentence
from support.visitor import Visitor
from support.walks import report_as_pupil

from bot.crypto import key_file_text, new_key

# The first build downloads the dependencies' wheels (about a minute); later ones reuse layers.
pytestmark = pytest.mark.timeout(1800)

FIGURES = Path("/tmp/antipestbot-image-figures.txt")
WELCOME = "Hoi! 👋 Ik ben de anti-pesthelper van onze school."  # nl, from the catalog
SITE_PACKAGES = "/opt/antipestbot/lib/python3.11/site-packages"


@dataclass(frozen=True)
class Built:
    started: float  # time.monotonic() when the image tests began (the build first)
    seconds: float  # the build's


@pytest.fixture(scope="session")
def built_image() -> Built:
    """The image, built once per session."""
    started = time.monotonic()
    ensure_engine_and_base()
    remove_leftovers()
    return Built(started, build_image())


@pytest.fixture(scope="module", autouse=True)
def figures(request: pytest.FixtureRequest, built_image: Built) -> Iterator[None]:
    """After this module: the image's sizes, the build time and the time of the image tests
    (engine, base and build included), printed and written to `FIGURES`."""
    yield
    total = time.monotonic() - built_image.started
    found = measure()
    mb = lambda size: f"{size / 1e6:.1f} MB"  # noqa: E731
    lines = [
        f"image {IMAGE}: {mb(found.image)}; base {BASE}: {mb(found.base)}",
        f"added on top of the base: {mb(found.added)} in {len(found.layers)} layers:",
        *(f"  {mb(layer.size):>9}  {layer.created_by[:110]}" for layer in found.layers),
        f"build: {built_image.seconds:.1f} s (layers reused where their sources did not change)",
        f"image tests in all, engine, base and build included: {total:.1f} s",
    ]
    FIGURES.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("", *(f"[image] {line}" for line in lines), sep="\n")


@pytest.fixture
def volume() -> Iterator[str]:
    """A named volume for /data, as compose makes one; removed afterwards."""
    name = f"antipestbot-test-{time.monotonic_ns()}"
    docker("volume", "create", "--label", LABEL, name)
    yield name
    docker("volume", "rm", "--force", name, check=False)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """The secret key as a file the image's user can read (mode 0400), as a secret is mounted."""
    path = tmp_path / "secrets" / "antipest_key"
    path.parent.mkdir()
    path.write_bytes(key_file_text(new_key()))
    path.chmod(0o400)
    os.chown(path, UID, UID)
    return path


@pytest.fixture
async def containers(
    built_image: Built, volume: str, key_file: Path, fake: FakeBotApi
) -> AsyncIterator[Callable[..., Container]]:
    """Makes containers of the image, one after the other on the same volume and key; each is
    removed afterwards (before the fake Bot API stops), and none may have logged a traceback."""
    made: list[Container] = []
    port = free_port()  # on the host network: the same free port for each one in turn

    def make(**options: Any) -> Container:
        made.append(Container(**{"volume": volume, "key_file": key_file, "port": port, **options}))
        return made[-1]

    yield make
    logs = [await container.logs() for container in made]
    for container in made:
        await container.remove()
    for log in logs:
        assert "Traceback" not in log, log


async def started(container: Container, fake: FakeBotApi) -> Container:
    """Run it against the fake Bot API, and return once it polls for updates."""
    container.env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.url)
    mark = len(fake.calls)
    await container.run()
    try:
        await fake.wait_for(lambda c: c.method == "getUpdates", after=mark, timeout=60)
    except AssertionError:
        raise AssertionError(await container.logs()) from None
    return container


async def healthy(container: Container, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (status := await container.state("{{.State.Health.Status}}")) != "healthy":
        assert time.monotonic() < deadline, (status, await container.logs())
        await asyncio.sleep(0.5)


def test_the_image_holds_the_installed_wheel_and_no_build_tools(built_image: Built) -> None:
    config = json.loads(docker("image", "inspect", "--format", "{{json .Config}}", IMAGE).stdout)
    assert config["User"] == f"{UID}:{UID}"
    env = dict(line.split("=", 1) for line in config["Env"])
    assert env["ANTIPEST_SECRET_KEY_FILE"] == "/run/secrets/antipest_key"  # a path, not a key
    assert not {"TELEGRAM_BOT_TOKEN", "ANTIPEST_SECRET_KEY"} & set(env)
    assert "urllib" in " ".join(config["Healthcheck"]["Test"])
    script = (
        "import bot, importlib.util as u, json, pathlib, shutil, sys; "
        "dist = next(pathlib.Path(bot.__file__).parents[1].glob('antipestbot-*.dist-info')); "
        "direct = dist / 'direct_url.json'; "
        "print(json.dumps({'bot': bot.__file__, 'editable': direct.exists() and "
        "'editable' in direct.read_text(), 'tests': u.find_spec('tests') is not None, "
        "'compilers': [c for c in ('gcc', 'cc', 'make') if shutil.which(c)], "
        "'pip': u.find_spec('pip') is not None}))"
    )
    found = json.loads(
        docker("run", "--rm", "--network=none", IMAGE, "python", "-c", script).stdout
    )
    assert found == {
        "bot": f"{SITE_PACKAGES}/bot/__init__.py",
        "editable": False,
        "tests": False,
        "compilers": [],
        "pip": False,  # the venv's python finds none; the base's own pip is the base's
    }, found
    # As root, who may look everywhere: no sources, no wheels, no pip cache were left behind.
    leftovers = docker(
        "run",
        "--rm",
        "--network=none",
        "--user=0",
        IMAGE,
        "sh",
        "-c",
        "ls -d /src /wheels /app /root/.cache /tmp/* 2>/dev/null; true",
    ).stdout.split()
    assert leftovers == [], leftovers


async def test_without_a_mounted_key_it_stops_with_one_sentence(containers) -> None:
    """The key is never made inside the container, where it would be lost with it."""
    bot = containers(key_file=None, own_command=True)
    await bot.run()
    code = await bot.exited()
    one_sentence(code, await bot.logs(), "/run/secrets/antipest_key")


async def test_its_own_command_turns_healthy_and_stops_on_sigterm(containers) -> None:
    """As an operator starts it (the image's CMD, its HEALTHCHECK as built, no token: the web
    chat alone), on no network: PID 1 is the bot, so SIGTERM reaches it."""
    bot = containers(own_command=True)
    await bot.run()
    await healthy(bot)
    exit_code, seconds = await bot.stop()
    assert (exit_code, seconds < 10) == (0, True), (exit_code, seconds, await bot.logs())


async def test_it_runs_unprivileged_serves_both_channels_and_turns_healthy(
    containers, fake: FakeBotApi, key_file: Path
) -> None:
    bot = await started(containers(), fake)
    assert (await bot.exec("id", "-u")).stdout.strip() == str(UID)
    status = (await bot.exec("cat", "/proc/1/status")).stdout  # the bot itself, PID 1
    uids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
    assert uids == [str(UID)] * 4, status
    # The key came from the mounted file: `docker inspect` shows its path, never the key.
    inspected = (await adocker("inspect", bot.name)).stdout
    assert key_file.read_text().strip() not in inspected
    assert "/run/secrets/antipest_key" in inspected

    replies = await ProcessPerson(fake, 7001).say("/start")
    assert any(WELCOME in text for text in replies), replies
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/") as page:
            assert page.status == 200 and '<html lang="nl"' in await page.text()
        shown = await Visitor(bot.url, http).open()
        assert shown and WELCOME in " ".join(str(m.get("text", "")) for m in shown), shown
        async with http.get(f"{bot.url}/healthz") as health:
            assert (health.status, await health.json()) == (200, {"status": "ok"})
    await healthy(bot)


async def test_a_report_survives_a_new_container_on_the_same_volume(
    containers, fake: FakeBotApi
) -> None:
    first = await started(containers(), fake)
    pupil = ProcessPerson(fake, 7101)
    code = await report_as_pupil(pupil, "Ze pakken steeds mijn fiets af na school.")
    files = (await first.exec("ls", "-A", "/data")).stdout.split()
    assert "antipest.db" in files and not [f for f in files if "key" in f], files
    exit_code, seconds = await first.stop()
    assert (exit_code, seconds < 10) == (0, True), (exit_code, seconds, await first.logs())
    await first.remove()

    # A new container (an upgrade makes one): the same volume, the same key.
    second = await started(containers(), fake)
    await pupil.say("/start")  # the pupil's menu at once: their role was kept too
    mine = await pupil.press("my_reports")
    assert any(code in text for text in mine), mine
    # The operator's commands, in the running container, read it too ("nu open": 1 report).
    figures = (await second.exec("antipestbot", "stats", "--view", "coordinator")).stdout
    assert re.search(r"^nu open +1$", figures, re.MULTILINE), figures


async def test_sigterm_ends_it_within_ten_seconds_and_loses_nothing(
    containers, fake: FakeBotApi
) -> None:
    first = await started(containers(), fake)
    user = 7201
    # The answer to a /start that comes just before the stop is held on its way for 2 s: the
    # stop comes while it is in flight.
    fake.fail_next("sendMessage", status=200, delay=2.0, chat_id=user)
    mark = len(fake.calls)
    fake.push_command(user, "/start", language_code="nl")
    await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params.get("chat_id") == user,
        after=mark,
        timeout=30,
    )
    exit_code, seconds = await first.stop()
    assert (exit_code, seconds < 10) == (0, True), (exit_code, seconds, await first.logs())
    await first.remove()

    # Answered before the stop, or kept (in the outbox, or as an update not yet confirmed) and
    # answered by the next container: once either way.
    await started(containers(), fake)
    await fake.wait_until(
        lambda: any(WELCOME in text for text in fake.texts(user)), timeout=30, what="the answer"
    )
    await fake.wait_idle(quiet=1.0, timeout=30)
    assert sum(WELCOME in text for text in fake.texts(user)) == 1, fake.texts(user)
