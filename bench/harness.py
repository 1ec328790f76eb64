"""What bench/run.py and bench/soak.py share: the tests' fake Bot API and the bot as a process.

Not a script: the two scripts import it (`python bench/run.py` puts bench/ on sys.path). The
fake Bot API server is `tests/support/fakebotapi.py`, loaded by path (the tests' own server, not
a copy), and `BenchApi` adds what a driver of many users needs: the latest keyboard per chat in
O(1), and a wake-up when a step's whole answer has arrived.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port free on 127.0.0.1 now, for a server this run starts: never a fixed one, which
    another run or a test on the same machine may hold."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def load_support(name: str) -> ModuleType:
    """tests/support/<name>.py, loaded by path: bench/ is no package of the tests."""
    path = ROOT / "tests" / "support" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


fakebotapi = load_support("fakebotapi")


class BenchApi(fakebotapi.FakeBotApi):
    """The fake Bot API plus what a closed-loop driver needs: a wake-up per finished answer.

    A step is answered when the bot sent the chat a message that ends the answer: for
    antipestbot the message with the inline keyboard (every screen ends with one), for an echo
    bot its one message. A message the bot sends on its own (`pushed`: a notification) is no
    answer and leaves the chat's keyboard alone. Bot messages are not kept (no bot here edits or
    deletes), so the server stays flat over thousands of users.
    """

    def __init__(self) -> None:
        super().__init__()
        self.first_poll_at: float | None = None
        self.polls = 0
        self.replies = 0
        self.last_bot_message: dict[int, dict[str, Any]] = {}
        self.keyboards: dict[int, list[str]] = {}
        self.heard: dict[int, list[str]] = {}  # the texts of the step being answered, per chat
        self._waiting: dict[int, tuple[asyncio.Future[float], bool]] = {}

    def pushed(self, chat: int, message: dict[str, Any]) -> bool:
        """True for a message the bot sent on its own, not as an answer; a subclass decides."""
        return False

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.first_poll_at is None:
            self.first_poll_at = time.perf_counter()
        self.polls += 1
        return await super()._get_updates(params)

    def _new_message(self, chat_id: Any, sender: dict, content: dict) -> dict[str, Any]:
        message = super()._new_message(chat_id, sender, content)
        self._messages.pop((chat_id, message["message_id"]), None)
        return message

    def _bot_message(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        message = super()._bot_message(params, content)
        chat = params["chat_id"]
        self.replies += 1
        if self.pushed(chat, message):
            return message
        self.last_bot_message[chat] = message
        markup = params.get("reply_markup")
        keyboard = isinstance(markup, dict) and bool(markup.get("inline_keyboard"))
        if keyboard:
            rows = markup["inline_keyboard"]
            self.keyboards[chat] = [b.get("callback_data") or "" for row in rows for b in row]
        waiter = self._waiting.get(chat)
        if waiter:
            self.heard.setdefault(chat, []).append(message.get("text") or "")
        if waiter and not waiter[0].done() and self.ends_answer(message, keyboard, waiter[1]):
            waiter[0].set_result(time.perf_counter())
        return message

    def ends_answer(self, message: dict[str, Any], keyboard: bool, wants_keyboard: bool) -> bool:
        """Whether this message completes the answer a user waits for."""
        return keyboard or not wants_keyboard

    def button_data(self, chat: int, trigger: str) -> str | None:
        for data in self.keyboards.get(chat, ()):
            parts = data.split(":")
            if len(parts) > 1 and parts[1] == trigger:
                return data
        return None

    def push_button(self, user_id: int, data: str) -> int:
        """A button press on the bot's latest message (O(1), unlike the tests' push_callback)."""
        user = self._user(user_id, "nl")
        message = self.last_bot_message.get(user_id) or {
            "message_id": 1,
            "date": int(time.time()),
            "chat": self._chat(user_id),
            "from": self.bot_user,
            "text": "…",
        }
        query = {"id": f"cbq-{next(self._serial)}", "from": user, "data": data}
        query.update({"chat_instance": f"ci-{user_id}", "message": message})
        return self.push_update({"callback_query": query})

    def forget(self, user_id: int) -> None:
        for table in (self.last_bot_message, self.keyboards, self.heard, self._users, self._chats):
            table.pop(user_id, None)
        self._next_message_id.pop(user_id, None)

    async def step(
        self, user_id: int, kind: str, value: str, keyboard: bool, timeout: float
    ) -> float:
        """Send one update and wait for the bot's whole answer; returns the round trip (s).

        The answer's texts are in `heard[user_id]` afterwards. TimeoutError when none came.
        """
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[user_id] = (future, keyboard)
        self.heard[user_id] = []
        try:
            started = time.perf_counter()
            if kind == "command":
                self.push_command(user_id, value)
            elif kind == "text":
                self.push_text(user_id, value)
            elif kind == "photo":
                self.push_photo(user_id, file_id=f"{value}-{user_id}")
            else:
                self.push_button(user_id, value)
            done = await asyncio.wait_for(future, timeout)
            return done - started
        finally:
            self._waiting.pop(user_id, None)


def bot_env(api: BenchApi, workdir: Path, src: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process on `api`: this one's without any bot setting, plus a
    database and key in `workdir`, and `src` first on the path."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "ANTIPEST_", "BENCH_", "PYTHONPATH"))
    }
    return {
        **keep,
        "PYTHONPATH": str(src),
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "ANTIPEST_DB": str(workdir / "data" / "antipest.db"),
        "ANTIPEST_SECRET_KEY_FILE": str(workdir / "keys" / "secret.key"),
        **extra,
    }


def add_coordinators(python: str, workdir: Path, env: dict[str, str], ids: list[int]) -> None:
    """`antipestbot coordinator add` for each Telegram id, before the bot starts."""
    for n, telegram_id in enumerate(ids):
        subprocess.run(
            [python, "-m", "bot", "coordinator", "add"]
            + ["--telegram-id", str(telegram_id), "--name", f"Coordinator {n + 1}"],
            cwd=workdir,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_mem_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in KiB, from /proc/<pid>/status."""
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    return out


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def start_profiler(pid: int, python: str, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling process `pid` into `out` (raw stacks) until `stop_profiler`."""
    spy = shutil.which("py-spy") or str(Path(python).parent / "py-spy")
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--rate", "250", "--nonblocking"]
        + ["--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profiler(profiler: subprocess.Popen[bytes]) -> None:
    profiler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    try:
        profiler.wait(timeout=30)
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait()


async def terminate(proc: asyncio.subprocess.Process, timeout: float) -> int | None:
    """SIGTERM, then SIGKILL after `timeout` s; the exit code (None: it had not started)."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    return proc.returncode


def cell(value: Any, fmt: str) -> str:
    """A figure in a results table: "—" when it was not measured."""
    if value is None:
        return "—"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def markdown(rows: list[list[str]]) -> str:
    """Rows as a Markdown table: the first is the header, the first column left-aligned."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in pairs]
        out.append("| " + " | ".join(cells) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
