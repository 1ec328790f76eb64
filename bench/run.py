"""Benchmark: antipestbot beside the plainest python-telegram-bot and aiogram echo bots.

    python bench/run.py [--users 200] [--memory-users 10000] [--quick] [--profile]

Every bot runs as its own process against the project's fake Bot API server
(`tests/support/fakebotapi.py`, imported by path) on 127.0.0.1, each against a fresh instance of it.
Simulated users talk to it closed-loop: each waits for the bot's answer before the next step.
See bench/README.md for what every figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import web
from harness import (
    BENCH,
    CLK_TCK,
    RESULTS,
    ROOT,
    BenchApi,
    add_coordinators,
    bot_env,
    cell,
    free_port,
    markdown,
    percentile,
    proc_cpu_s,
    proc_mem_kb,
    start_profiler,
    stop_profiler,
    terminate,
)

SUBJECT = "antipestbot"
PEERS = ("ptb_echo", "aiogram_echo")


# One pupil's whole conversation, by trigger id: /start, the guided "teasing, a fight or
# bullying?" check, a report with a story and a photo, and its confirmation.
CONVERSATION: tuple[tuple[str, str], ...] = (
    ("command", "/start"),
    ("button", "pupil"),
    ("button", "check"),
    ("button", "not_funny"),
    ("button", "once"),  # 18 updates in all, as before: below the flood gate's 20
    ("button", "report"),
    ("button", "me"),
    ("button", "online"),
    ("button", "kinds_done"),
    ("button", "online"),
    ("button", "daily"),
    ("button", "months"),
    ("text", "Ze sturen elke dag gemene berichten over mij in de groepsapp van de klas."),
    ("button", "story_done"),
    ("photo", "screenshot"),
    ("button", "photos_done"),
    ("button", "anonymous"),
    ("button", "send"),
)
COORDINATOR_ID = 7_000_001
USER_BASE = 100_000
MEMORY_USER_BASE = 5_000_000


# ------------------------------------------------------------------------- the bot processes
@dataclass
class Bot:
    name: str
    argv: list[str]
    keyboard: bool  # an answer ends with an inline keyboard (antipestbot's screens)
    buttons: bool  # presses the bot's own buttons (else sends the trigger id as data)
    env: dict[str, str] = field(default_factory=dict)
    needs: str | None = None  # a module that must be importable, else the bot is skipped
    memory: bool = True  # runs the memory phase


def bots(python: str) -> dict[str, Bot]:
    def peer(name: str, script: str, needs: str | None = None, **env: str) -> Bot:
        return Bot(name, [python, str(BENCH / "peers" / script)], False, False, env, needs)

    return {
        SUBJECT: Bot(
            SUBJECT,
            [python, "-m", "bot", "run", "--port", str(free_port())],
            keyboard=True,
            buttons=True,
        ),
        "ptb_echo": peer("ptb_echo", "ptb_echo.py"),
        "aiogram_echo": peer("aiogram_echo", "aiogram_echo.py", needs="aiogram"),
        "aiogram_echo_answering": peer(
            "aiogram_echo_answering", "aiogram_echo.py", "aiogram", BENCH_ANSWER_BUTTONS="1"
        ),
        "ptb_echo_aiohttp": peer(
            "ptb_echo_aiohttp", "ptb_echo.py", "aiohttp", BENCH_PTB_REQUEST="aiohttp"
        ),
        "probe": Bot(
            "probe",
            [python, str(BENCH / "probe.py"), "--port", str(free_port())],
            True,
            True,
            memory=False,
        ),
    }


def driver_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_s() -> float:
    """CPU seconds all processes on the machine used so far, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


async def until_quiet(limit: float) -> float:
    """Wait (at most `limit` s) until other processes use < 0.2 core; returns their last load."""
    deadline, load = time.monotonic() + limit, 0.0
    while True:
        busy0, own0 = machine_busy_s(), driver_cpu_s()
        await asyncio.sleep(1.0)
        load = max(0.0, machine_busy_s() - busy0 - (driver_cpu_s() - own0))
        if load < 0.2 or time.monotonic() >= deadline:
            return load
        await asyncio.sleep(2.0)


@dataclass
class Options:
    users: int
    memory_users: int
    concurrency: int
    think: float
    step_timeout: float
    phase_timeout: float
    seed: int
    coordinators: int
    profile: bool
    python: str
    src: Path


class Run:
    """One bot process on its own fresh fake server, from start to stop."""

    def __init__(self, bot: Bot, opts: Options, workdir: Path) -> None:
        self.bot, self.opts, self.workdir = bot, opts, workdir
        self.api = BenchApi()
        self.proc: asyncio.subprocess.Process | None = None
        self.result: dict[str, Any] = {"bot": bot.name}

    def _env(self) -> dict[str, str]:
        probe = str(self.workdir / "probe.json")
        return bot_env(self.api, self.workdir, self.opts.src, **self.bot.env, BENCH_PROBE_OUT=probe)

    async def execute(self) -> dict[str, Any]:
        await self.api.start()
        log = open(self.workdir / "bot.log", "wb")  # noqa: SIM115 - closed in finally
        try:
            if self.bot.buttons and self.opts.coordinators:
                self._add_coordinators()
            started = time.perf_counter()
            self.proc = await asyncio.create_subprocess_exec(
                *self.bot.argv,
                cwd=self.workdir,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            await self._until_polling(started)
            profiler = self._start_profiler() if self.opts.profile else None
            await self._conversations()
            if profiler:
                stop_profiler(profiler)
            if self.bot.memory and self.opts.memory_users:
                await self._memory()
            memory = proc_mem_kb(self.proc.pid)
            self.result["peak_rss_mb"] = memory["VmHWM"] / 1024
            self.result["rss_end_mb"] = memory["VmRSS"] / 1024
        finally:
            await self._stop()
            log.close()
            self.result["violations"] = len(self.api.violations)
            self.result["violation_examples"] = self.api.violations[:3]
            await self.api.stop()
        probe = self.workdir / "probe.json"
        if probe.exists():
            self.result["probe"] = json.loads(probe.read_text())
        return self.result

    def opening(self, user_id: int) -> str:
        """A user's first message: /start (bench/schools.py: with their school's entry code)."""
        return "/start"

    def _add_coordinators(self) -> None:
        """Coordinators get a notification per report: part of what a report costs."""
        ids = [COORDINATOR_ID + n for n in range(self.opts.coordinators)]
        add_coordinators(self.opts.python, self.workdir, self._env(), ids)

    async def _until_polling(self, started: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 60
        while self.api.first_poll_at is None:
            if self.proc.returncode is not None or time.monotonic() > deadline:
                tail = (self.workdir / "bot.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.bot.name} did not start polling:\n{tail}")
            await asyncio.sleep(0.002)
        self.result["startup_s"] = self.api.first_poll_at - started
        self.result["startup_cpu_ms"] = proc_cpu_s(self.proc.pid) * 1000
        self.result["rss_started_mb"] = proc_mem_kb(self.proc.pid)["VmRSS"] / 1024

    async def _conversations(self) -> None:
        """N users, each the whole conversation, closed-loop, with person-like pauses."""
        assert self.proc is not None
        opts = self.opts
        rng = random.Random(opts.seed)
        latencies: list[float] = []
        errors: Counter[str] = Counter()

        async def user(user_id: int, pauses: list[float]) -> None:
            steps = (("command", self.opening(user_id)), *CONVERSATION[1:])
            for (kind, value), pause in zip(steps, pauses, strict=True):
                await asyncio.sleep(pause)
                if kind == "button":
                    data = (
                        self.api.button_data(user_id, value)
                        if self.bot.buttons
                        else f"bench:{value}"
                    )
                    if data is None:
                        errors[f"no_button:{value}"] += 1
                        return
                    value = data
                try:
                    latency = await self.api.step(
                        user_id, kind, value, self.bot.keyboard, opts.step_timeout
                    )
                except TimeoutError:
                    errors["no_answer"] += 1
                    return
                latencies.append(latency)

        def pauses() -> list[float]:
            # The first pause spreads the users' starts over one pause; later ones think.
            first = rng.uniform(0, opts.think)
            rest = [rng.uniform(0.5 * opts.think, 1.5 * opts.think) for _ in CONVERSATION[1:]]
            return [first, *rest]

        plan = [(USER_BASE + n, pauses()) for n in range(opts.users)]
        cpu0, drv0, started = proc_cpu_s(self.proc.pid), driver_cpu_s(), time.perf_counter()
        busy0 = machine_busy_s()
        tasks = [asyncio.create_task(user(uid, p)) for uid, p in plan]
        _done, pending = await asyncio.wait(tasks, timeout=opts.phase_timeout)
        for task in pending:
            task.cancel()
            errors["phase_timeout"] += 1
        wall = time.perf_counter() - started
        with contextlib.suppress(AssertionError):  # let trailing notifications go out
            await self.api.wait_idle(quiet=0.2, timeout=5)
        cpu = proc_cpu_s(self.proc.pid) - cpu0
        n = len(latencies)
        self.result.update(
            updates=n,
            conversations_completed=opts.users - sum(errors.values()),
            errors=dict(errors),
            wall_s=wall,
            updates_per_s=n / wall if wall else None,
            cpu_s=cpu,
            cpu_ms_per_update=cpu * 1000 / n if n else None,
            p50_ms=(statistics.median(latencies) * 1000) if n else None,
            p99_ms=(percentile(latencies, 0.99) or 0) * 1000 if n else None,
            max_ms=max(latencies) * 1000 if n else None,
            replies=self.api.replies,
            polls=self.api.polls,
            driver_cpu_s=driver_cpu_s() - drv0,
            # CPU that neither the bot nor the driver used: other processes competing for the
            # two cores. Well above 0 makes round trips (and less so CPU figures) noisy.
            other_load_cores=max(
                0.0,
                (machine_busy_s() - busy0 - cpu - (driver_cpu_s() - drv0))
                / (time.perf_counter() - started),
            ),
            rss_after_conversations_mb=proc_mem_kb(self.proc.pid)["VmRSS"] / 1024,
        )

    async def _memory(self) -> None:
        """M distinct new users each open a conversation (/start); RSS sampled along the way."""
        assert self.proc is not None
        pid, total = self.proc.pid, self.opts.memory_users
        every = max(1, total // 10)
        ids = iter(range(MEMORY_USER_BASE, MEMORY_USER_BASE + total))
        samples: list[tuple[int, float]] = []
        errors = 0
        done = 0
        latencies: list[float] = []

        async def worker() -> None:
            nonlocal errors, done
            for user_id in ids:
                try:
                    latencies.append(
                        await self.api.step(
                            user_id,
                            "command",
                            self.opening(user_id),
                            self.bot.keyboard,
                            self.opts.step_timeout,
                        )
                    )
                except TimeoutError:
                    errors += 1
                self.api.forget(user_id)
                done += 1
                if done % every == 0:
                    samples.append((done, proc_mem_kb(pid)["VmRSS"] / 1024))

        cpu0, started = proc_cpu_s(pid), time.perf_counter()
        workers = [asyncio.create_task(worker()) for _ in range(self.opts.concurrency)]
        _done, pending = await asyncio.wait(workers, timeout=self.opts.phase_timeout)
        for task in pending:
            task.cancel()
        wall = time.perf_counter() - started
        cpu = proc_cpu_s(pid) - cpu0
        n = len(latencies)
        first = samples[0][1] if samples else None
        last = samples[-1][1] if samples else None
        # After warm-up (caches filled, the allocator's arenas grown): what per-user state costs.
        half = samples[len(samples) // 2 - 1][1] if len(samples) >= 2 else None
        self.result.update(
            memory_users=done,
            memory_errors=errors + len(pending),
            memory_rss_samples=samples,
            memory_growth_mb=(last - first) if samples else None,
            memory_growth_second_half_mb=(last - half) if half is not None else None,
            saturated_updates_per_s=n / wall if wall else None,
            saturated_cpu_ms_per_update=cpu * 1000 / n if n else None,
            saturated_p50_ms=statistics.median(latencies) * 1000 if n else None,
        )

    def _start_profiler(self) -> subprocess.Popen[bytes] | None:
        if not self.bot.buttons or self.bot.name != SUBJECT:
            return None
        assert self.proc is not None
        out = self.workdir / "profile.txt"
        self.result["profile_raw"] = str(out)
        return start_profiler(self.proc.pid, self.opts.python, out)

    async def _stop(self) -> None:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        self.result["exit_code"] = await terminate(proc, 20)


# ----------------------------------------------------------------------------- the report
ROWS: tuple[tuple[str, str, str], ...] = (
    ("cpu_ms_per_update", "CPU ms / update (conversation)", "{:.2f}"),
    ("wall_s", "wall time, conversations (s)", "{:.1f}"),
    ("updates_per_s", "updates / s (conversations)", "{:.0f}"),
    ("p50_ms", "round trip p50 (ms)", "{:.1f}"),
    ("p99_ms", "round trip p99 (ms)", "{:.1f}"),
    ("startup_s", "start-up to first getUpdates (s)", "{:.2f}"),
    ("peak_rss_mb", "peak RSS (MB)", "{:.1f}"),
    ("rss_after_conversations_mb", "RSS after conversations (MB)", "{:.1f}"),
    ("memory_growth_mb", "RSS growth, 10%→100% of memory users (MB)", "{:+.1f}"),
    ("memory_growth_second_half_mb", "RSS growth, 50%→100% of memory users (MB)", "{:+.1f}"),
    ("saturated_updates_per_s", "updates / s, saturated (/start)", "{:.0f}"),
    ("saturated_cpu_ms_per_update", "CPU ms / update, saturated (/start)", "{:.2f}"),
    ("commit_ms_per_update", "SQLite COMMIT ms / update", "{:.2f}"),
    ("fsync_ms_per_update", "WAL fsync ms / update (own, all)", "{:.2f}"),
    ("fsyncs_per_update", "WAL fsyncs / update", "{:.2f}"),
    ("commit_share", "share of handling time in COMMIT + fsync", "{:.0%}"),
    ("rss_idle_mb", "web: RSS, no stream open (MB)", "{:.1f}"),
    ("rss_streams_mb", "web: RSS, every tab's stream open (MB)", "{:.1f}"),
    ("rss_per_stream_kb", "web: RSS per open stream (KB)", "{:.1f}"),
    ("wave_sessions", "web: tabs that came and expired, in waves", "{:d}"),
    ("wave_growth_mb", "web: RSS growth, before→after the waves (MB)", "{:+.1f}"),
    ("wave_growth_second_half_mb", "web: RSS growth, middle→last wave (MB)", "{:+.1f}"),
    ("other_load_cores", "other processes' load (cores)", "{:.2f}"),
    ("errors_total", "errors (no answer, missing button)", "{:d}"),
    ("violations", "Bot API violations (fake server)", "{:d}"),
)
TARGETS = {
    "cpu_ms_per_update": "≤1.0× ptb, ≤1.5× aiogram; web ≤2.5× floor",
    "p99_ms": "≤ 100",
    "startup_s": "≤ 1.5",
    "peak_rss_mb": "≤ 80; web ≤ 150",
    "memory_growth_mb": "flat",
    "wave_growth_mb": "flat",
}


def summarise(results: dict[str, dict[str, Any]]) -> None:
    """Derived figures: errors in total, and the probe run's commit share on antipestbot."""
    for result in results.values():
        errors = result.get("errors", {})
        result["errors_total"] = sum(errors.values()) + result.get("memory_errors", 0)
    probe = results.pop("probe", None)
    subject = results.get(SUBJECT)
    if probe and subject and probe.get("probe"):
        stats = probe["probe"]
        n = probe.get("updates") or 0
        subject["commit_ms_per_update"] = stats["commit_s"] * 1000 / n if n else None
        subject["commits_per_update"] = stats["commits"] / n if n else None
        handle = stats["handle_s"]
        subject["fsync_ms_per_update"] = stats["fsync_s"] * 1000 / n if n else None
        subject["fsyncs_per_update"] = stats["fsyncs"] / n if n else None
        subject["commit_share"] = stats["durable_in_handle_s"] / handle if handle else None
        subject["handle_ms_per_update"] = handle * 1000 / n if n else None
        subject["probe_run"] = probe


def table(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    # antipestbot on Telegram beside each echo bot; its web chat beside the bare aiohttp floor.
    pairs = [(SUBJECT, p) for p in PEERS if p in results and p != SUBJECT]
    floor, subject = web.SERVERS
    pairs += [(subject, floor)] if floor in results and subject in results else []
    head = ["figure", *names, *[f"{mine}/{theirs}" for mine, theirs in pairs], "target"]
    lines = [head]
    for key, label, fmt in ROWS:
        row = [label, *[cell(results[n].get(key), fmt) for n in names]]
        for name, peer in pairs:
            mine = results[name].get(key)
            theirs = results[peer].get(key)
            numeric = isinstance(mine, int | float) and isinstance(theirs, int | float)
            ok = (
                numeric and theirs and key not in ("errors_total", "violations", "other_load_cores")
            )
            row.append(f"{mine / theirs:.2f}×" if ok else "—")
        row.append(TARGETS.get(key, ""))
        lines.append(row)
    return markdown(lines)


SPINE = ("asyncio/", "<frozen runpy>", "selectors.py", "bot/__main__.py", "bot/cli.py")


def summarise_profile(path: Path, top: int = 20) -> dict[str, list[tuple[str, float, float]]]:
    """py-spy's raw (collapsed) stacks → the biggest costs, as shares of all samples.

    `inclusive`: functions by time spent in them and below (without the event loop and the
    start-up frames every sample passes through); `self`: by time in their own code;
    `package`: own time per package (telegram, aiohttp, sqlite_utils, transitions, bot, ...).
    """
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    package: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_frame(f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
        where = frames[-1].rpartition(" (")[2].rstrip(")")
        package[where.split("/", 1)[0] if "/" in where else where] += samples
    if not total:
        return {"inclusive": [], "self": [], "package": []}
    spine = total * 0.6

    def rows(counter: Counter[str], skip: bool = False) -> list[tuple[str, float, float]]:
        kept = [
            (name, n / total, own[name] / total)
            for name, n in counter.most_common()
            if not (skip and (n >= spine or any(mark in name for mark in SPINE)))
        ]
        return kept[:top]

    return {
        "inclusive": rows(inclusive, skip=True),
        "self": rows(own),
        "package": [(name, n / total, n / total) for name, n in package.most_common(12)],
    }


def _frame(raw: str) -> str:
    """'handle (bot/chat/service.py:117)' → 'handle (bot/chat/service.py)': no line numbers."""
    name, _, where = raw.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    where = re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", where)
    with contextlib.suppress(ValueError):
        where = str(Path(where).relative_to(ROOT))
    return f"{name} ({where})"


# ------------------------------------------------------------------------------ the command
def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, help="simulated users in the conversation phase")
    parser.add_argument("--memory-users", type=int, help="distinct users who each send /start")
    parser.add_argument("--quick", action="store_true", help="20 users, 500 memory users, no pause")
    parser.add_argument("--think", type=float, help="mean pause between a user's steps (s)")
    parser.add_argument("--concurrency", type=int, default=200, help="users at once, memory phase")
    parser.add_argument(
        "--bots",
        default=f"ptb_echo,aiogram_echo,aiogram_echo_answering,ptb_echo_aiohttp,{SUBJECT},"
        + ",".join(web.SERVERS),
    )
    parser.add_argument("--no-probe", action="store_true", help="skip the commit-share run")
    parser.add_argument("--coordinators", type=int, default=1, help="notified per report")
    parser.add_argument("--profile", action="store_true", help="py-spy on antipestbot")
    parser.add_argument("--src", type=Path, default=ROOT, help="run antipestbot from this tree")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--quiet-wait", type=float, default=60.0, help="max s to wait for a quiet machine per bot"
    )
    parser.add_argument("--step-timeout", type=float, default=30.0)
    parser.add_argument("--phase-timeout", type=float, default=600.0)
    web.add_arguments(parser)
    args = parser.parse_args(argv)
    quick = args.quick
    args.users = args.users if args.users is not None else (20 if quick else 200)
    args.memory_users = (
        args.memory_users if args.memory_users is not None else (500 if quick else 10_000)
    )
    args.think = args.think if args.think is not None else (0.0 if quick else 1.0)
    return args


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("python-telegram-bot", "aiogram", "aiohttp", "httpx", "cryptography"):
        with contextlib.suppress(PackageNotFoundError):
            out[name] = version(name)
    return out


async def amain(args: argparse.Namespace) -> int:
    opts = Options(
        users=args.users,
        memory_users=args.memory_users,
        concurrency=args.concurrency,
        think=args.think,
        step_timeout=args.step_timeout,
        phase_timeout=args.phase_timeout,
        seed=args.seed,
        coordinators=args.coordinators,
        profile=args.profile,
        python=sys.executable,
        src=args.src.resolve(),
    )
    plan = web.plan_of(args)
    known = bots(opts.python)
    wanted = [b.strip() for b in args.bots.split(",") if b.strip()]
    unknown = [b for b in wanted if b not in known and b not in web.SERVERS]
    if unknown:
        choose = sorted([*known, *web.SERVERS])
        print(f"unknown bots: {unknown}; choose from {choose}", file=sys.stderr)
        return 2
    if SUBJECT in wanted and not args.no_probe and not args.profile:
        wanted.append("probe")
    results: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    started = datetime.now(timezone.utc)  # noqa: UP017 - py3.11 has UTC, kept explicit
    with tempfile.TemporaryDirectory(prefix="antipest-bench-") as tmp:
        for name in wanted:
            bot = known.get(name)  # None: a web server (bench/web.py)
            if bot and bot.needs and importlib.util.find_spec(bot.needs) is None:
                skipped[name] = f"{bot.needs} is not installed (pip install -e '.[bench]')"
                print(f"[bench] {name}: skipped, {skipped[name]}", file=sys.stderr, flush=True)
                continue
            workdir = Path(tmp) / name
            workdir.mkdir()
            if args.quiet_wait > 0:
                load = await until_quiet(args.quiet_wait)
                if load >= 0.2:
                    print(f"[bench] busy machine ({load:.1f} cores)", file=sys.stderr, flush=True)
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            if bot is None:
                results[name] = await web.WebRun(name, plan, workdir).execute()
            else:
                results[name] = await Run(bot, opts, workdir).execute()
            if args.profile and results[name].get("profile_raw"):
                raw = Path(results[name]["profile_raw"])
                if raw.exists():
                    args.out.mkdir(parents=True, exist_ok=True)
                    kept = args.out / f"profile-{started:%Y%m%dT%H%M%S}.txt"
                    shutil.copy(raw, kept)
                    results[name]["profile_raw"] = str(kept)
                    results[name]["profile_top"] = summarise_profile(kept)
    summarise(results)
    text = table(results)
    config = {
        "users": opts.users,
        "memory_users": opts.memory_users,
        "think_s": opts.think,
        "concurrency_memory_phase": opts.concurrency,
        "coordinators": opts.coordinators,
        "conversation": [f"{kind}:{value}" for kind, value in CONVERSATION],
        "profiled": opts.profile,
        "src": str(opts.src),
        "web": {
            "sessions": plan.sessions,
            "turns": len(web.conversation()),
            "think_s": list(plan.think),
            "waves": plan.waves,
            "wave_sessions": plan.wave_sessions,
            "idle_s": plan.idle,
        },
    }
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), **_versions()}
    print(
        f"\nantipestbot benchmark — {opts.users} users × {len(CONVERSATION)} steps "
        f"(pauses {opts.think:g} s mean), {opts.memory_users} memory users, "
        f"{machine['cpus']} CPUs, Python {machine['python']}"
        + (" — PROFILED (py-spy attached): timings are not comparable" if opts.profile else "")
    )
    if any(name in results for name in web.SERVERS):
        print(
            f"web: {plan.sessions} tabs at once × {config['web']['turns']} turns, each with its "
            f"stream open (pauses {plan.think[0]:g}–{plan.think[1]:g} s), then {plan.waves} "
            f"waves of {plan.wave_sessions} tabs that expire after {plan.idle:g} s"
        )
    print(text)
    noisy = {
        n: r["other_load_cores"] for n, r in results.items() if r.get("other_load_cores", 0) > 0.2
    }
    if noisy:
        print(
            f"WARNING: other processes competed for the CPUs during {sorted(noisy)}: noisy figures"
        )
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    for name, result in results.items():
        top = result.get("profile_top")
        if not top:
            continue
        print(f"\n{name} profile ({result['profile_raw']}), shares of all CPU samples:")
        for title, key in (
            ("inclusive", "inclusive"),
            ("own", "self"),
            ("own, by package", "package"),
        ):
            print(f"  biggest {title}:")
            for frame, incl, own in top[key]:
                print(f"    {incl:6.1%} incl {own:6.1%} own  {frame}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{started:%Y%m%dT%H%M%S}.json"
    document = {
        "started": started.isoformat(),
        "config": config,
        "machine": machine,
        "results": results,
        "skipped": skipped,
        "table": text,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwritten: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main())
