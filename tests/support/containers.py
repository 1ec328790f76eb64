"""The bot's Docker image for tests: an engine and a base image, the image built once, and
containers of it on the host network (test traffic stays on 127.0.0.1, never on a bridge).

Where no container registry can be reached, the shared script `docker-offline-base` (beside the
repository: ../shared/tools/, or the path in ANTIPEST_DOCKER_BASE_SCRIPT) starts an engine and
builds a local stand-in for the base image from Debian's packages; where the base image is
present already (pulled by a machine that can), it is used as it is. Every container and volume
a test makes carries the label `LABEL`, so that what a killed run left behind is found and
removed by the next one.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BASE = "python:3.11-slim"  # the Dockerfile's FROM
IMAGE = "antipestbot:test"
BUILD_STAGE = "antipestbot:test-build"  # tagged too, so that its cache is kept and then replaced
LABEL = "antipestbot.test"
BASE_SCRIPT_ENV = "ANTIPEST_DOCKER_BASE_SCRIPT"
DEFAULT_BASE_SCRIPT = REPO.parent / "shared" / "tools" / "docker-offline-base"
UID = 10001  # the image's user (Dockerfile)
LEFTOVER = timedelta(hours=1)  # longer than any run of the image tests


def docker(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return done


async def adocker(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`docker` in a thread: the test's event loop (the fake Bot API) goes on answering."""
    return await asyncio.to_thread(docker, *args, timeout=timeout, check=check)


def ensure_engine_and_base() -> None:
    """A running engine and the base image; the shared script brings whichever is missing."""
    ready = (
        shutil.which("docker") is not None
        and docker("info", check=False).returncode == 0
        and docker("image", "inspect", BASE, check=False).returncode == 0
    )
    if ready:
        return
    script = Path(os.environ.get(BASE_SCRIPT_ENV) or DEFAULT_BASE_SCRIPT)
    assert script.is_file(), f"no {script}: set {BASE_SCRIPT_ENV} to the docker-offline-base script"
    done = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        timeout=1200,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"{script}: exit {done.returncode}\n{done.stdout}{done.stderr}"


# What lists each kind of thing, and where its inspection says when it was made.
_KINDS = {
    "container": (("container", "ls", "--all"), "{{.Created}}"),
    "volume": (("volume", "ls"), "{{.CreatedAt}}"),
}


def remove_leftovers() -> None:
    """Containers and volumes that an earlier run made and could not remove (it was killed).

    Only those older than `LEFTOVER`: another test session may be using younger ones right now.
    """
    now = datetime.now(UTC)
    for kind, (listing, created) in _KINDS.items():
        names = docker(*listing, "--quiet", "--filter", f"label={LABEL}").stdout.split()
        for name in names:
            made = docker(kind, "inspect", "--format", created, name, check=False).stdout.strip()
            if made and now - datetime.fromisoformat(made) > LEFTOVER:
                docker(kind, "rm", "--force", name, check=False)


def image_id(tag: str) -> str | None:
    found = docker("image", "inspect", "--format", "{{.Id}}", tag, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def build_image() -> float:
    """Build the image from the working tree (cached layers reused); returns the seconds it
    took. An older image under the same tags is removed: only the newest is kept."""
    old = {tag: image_id(tag) for tag in (BUILD_STAGE, IMAGE)}
    started = time.monotonic()
    for tag, target in ((BUILD_STAGE, ["--target", "build"]), (IMAGE, [])):
        docker("build", "--network", "host", *target, "--tag", tag, str(REPO), timeout=1500)
    seconds = time.monotonic() - started
    for tag, before in old.items():
        if before is not None and before != image_id(tag):
            docker("image", "rm", before, check=False)
    return seconds


@dataclass(frozen=True)
class Layer:
    size: int  # bytes
    created_by: str


@dataclass(frozen=True)
class Figures:
    image: int  # bytes, the whole image
    base: int  # bytes, the base image
    layers: tuple[Layer, ...]  # what the project adds on top of the base, newest first

    @property
    def added(self) -> int:
        return sum(layer.size for layer in self.layers)


def measure(image: str = IMAGE, base: str = BASE) -> Figures:
    def size(tag: str) -> int:
        return int(docker("image", "inspect", "--format", "{{.Size}}", tag).stdout)

    def history(tag: str) -> list[Layer]:
        out = docker(
            "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", tag
        ).stdout
        return [Layer(int(s), by) for s, by in (line.split("\t", 1) for line in out.splitlines())]

    ours = history(image)
    return Figures(size(image), size(base), tuple(ours[: len(ours) - len(history(base))]))


@dataclass
class Container:
    """One container of the image, its /data on `volume`, its key mounted read-only from
    `key_file` (if any) at the Dockerfile's /run/secrets/antipest_key.

    On the host network it runs `antipestbot run` on 127.0.0.1:`port`. With `own_command` it runs
    the image's own CMD (every interface, port 8080) on no network at all: nothing reaches it.
    """

    volume: str
    key_file: Path | None
    env: dict[str, str] = field(default_factory=dict)
    port: int = 8080
    own_command: bool = False
    image: str = IMAGE
    name: str = field(default_factory=lambda: f"antipestbot-test-{uuid.uuid4().hex[:10]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run_args(self) -> list[str]:
        """`docker run`'s arguments, detached."""
        args = ["run", "--detach", f"--name={self.name}", f"--label={LABEL}"]
        args.append(f"--volume={self.volume}:/data")
        if self.key_file is not None:
            args.append(f"--volume={self.key_file}:/run/secrets/antipest_key:ro")
        args += [f"--env={name}={value}" for name, value in self.env.items()]
        # The image's HEALTHCHECK, asked every second instead of every 30 s.
        args.append("--health-interval=1s")
        if self.own_command:
            return [*args, "--network=none", self.image]
        return [
            *args,
            "--network=host",
            f"--env=ANTIPEST_HEALTH_URL={self.url}/healthz",
            self.image,
            *("antipestbot", "run", "--host", "127.0.0.1", "--port", str(self.port)),
        ]

    async def run(self) -> None:
        await adocker(*self.run_args())

    async def exec(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return await adocker("exec", self.name, *command, timeout=timeout)

    async def state(self, template: str) -> str:
        return (await adocker("inspect", "--format", template, self.name)).stdout.strip()

    async def exited(self, timeout: float = 60) -> int:
        """The exit code, once it ended by itself."""
        done = await adocker("wait", self.name, timeout=timeout)
        return int(done.stdout.strip())

    async def stop(self) -> tuple[int, float]:
        """`docker stop`: SIGTERM, and SIGKILL after 10 s; the exit code and the seconds taken."""
        started = time.monotonic()
        await adocker("stop", "--time", "10", self.name, timeout=60)
        seconds = time.monotonic() - started
        return int(await self.state("{{.State.ExitCode}}")), seconds

    async def logs(self) -> str:
        done = await adocker("logs", self.name, check=False)
        return done.stdout + done.stderr

    async def remove(self) -> None:
        await adocker("rm", "--force", "--volumes", self.name, check=False)
