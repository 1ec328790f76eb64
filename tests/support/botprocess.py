"""The real `python -m bot run` process against the fake Bot API, and a person who talks to it.

Each `start` is a new process on the same database and key, its stderr in a log file of its own.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from support.fakebotapi import FakeBotApi
from support.people import Person
from support.processes import clean_environ


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """`python -m bot run` against the fake; each start is a new process on the same files."""

    def __init__(self, fake: FakeBotApi, env: dict[str, str], workdir: Path) -> None:
        self.fake = fake
        self.workdir = workdir
        self.env = {
            **clean_environ(),
            **env,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.logs: list[Path] = []
        self.kills = 0
        self.port = free_port()  # the web chat's, the same in every start
        self.web_url = f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start, and return once it polls for updates."""
        assert self.process is None
        mark = len(self.fake.calls)
        log = self.workdir / f"bot-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                "--port",
                str(self.port),
                cwd=self.workdir,
                env=self.env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr,
            )
        await self.fake.wait_for(lambda c: c.method == "getUpdates", after=mark, timeout=20)

    async def stop(self) -> None:
        """SIGTERM: a clean stop (exit code 0), so the database can be checked afterwards."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 15)
        self.process = None
        assert code == 0, self.log()

    async def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or closed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(self.process.wait(), 10) == -signal.SIGKILL
        self.process = None
        self.kills += 1

    def kill_now(self) -> None:
        """For a fixture's teardown: whatever state it is in."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    def log(self, n: int = -1) -> str:
        return self.logs[n].read_text("utf-8", errors="replace")


class ProcessPerson(Person):
    """A person talking to a bot in another process: waits for an answer, then for quiet.

    (Quiet alone could come before a busy process even answered.)
    """

    async def _after(self, push: Callable[[], object]) -> list[str]:
        mark = len(self.fake.texts(self.id))
        push()
        answered = lambda: len(self.fake.texts(self.id)) > mark  # noqa: E731
        await self.fake.wait_until(answered, timeout=20, what="an answer")
        await self.fake.wait_idle(quiet=0.2, timeout=20)
        return self.fake.texts(self.id)[mark:]
