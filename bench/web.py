"""The web chat in the benchmark: 1,000 open tabs, each with its live stream, beside a bare floor.

    python bench/run.py --bots web_floor,web [--sessions 1000] [--waves 10] [--quick]

bench/run.py drives it (the `web_floor` and `web` columns of its table); this module holds the
two servers and the load that runs against them. Each server is a process of its own, so its CPU
and RSS are its own:

    python bench/web.py serve --port P [--idle 30] [--sweep 1]   # antipestbot's web chat only
    python bench/web.py floor --port P --triggers a,b,...         # bare aiohttp: the floor

Simulated tabs are aiohttp clients, not browsers: each makes a session, keeps
`GET /api/events` open and plays a pupil's whole report (bot/channels/web/routes.py), pressing
buttons by trigger id from the answers, with a think time between turns. The floor answers every
turn with one fixed JSON reply and holds each stream open with pings: what the stack costs with
no bot behind it. After that, waves of new tabs come, report and leave their streams open until
their sessions expire, and RSS is read after each wave. See README.md, "Benchmark".

A server process imports neither bench/harness.py (it loads the tests' fake Bot API, about 3 MB,
which would count in the server's RSS) nor the other server's code (the floor loads aiohttp alone).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

if __name__ != "__main__":  # the load (bench/run.py imports it); a server process never is
    from harness import (
        CLK_TCK,
        free_port,
        load_support,
        percentile,
        proc_cpu_s,
        proc_mem_kb,
        start_profiler,
        stop_profiler,
        terminate,
    )

SERVERS = ("web_floor", "web")  # names in bench/run.py's table; the floor runs first
# The web channel's clock runs this much faster in the bench server, so that tabs expire within
# the run. The channel writes a tab's last use at most once a (channel) minute: on a real clock an
# idle time of a few seconds would close tabs in use. At 60× a channel minute is a real second.
SPEED = 60
# Real seconds until an unused tab expires: longer than a tab waits for an answer plus its
# pause when 1,000 tabs keep the server busy (up to ~11 s at ~100 turns/s on a busy machine).
IDLE_S = 30.0
PING_S = 15  # both servers' stream comment: a stream of an expired session ends at the next one
STORY = "Ze sturen elke dag gemene berichten over mij in de groepsapp van de klas."
OPENING = 50  # tabs opening at once: more would overflow the server's listen backlog (128)


# ------------------------------------------------------------------------------- the servers
def _ready() -> None:
    print("ready", flush=True)  # the one line on stdout: the load starts when it comes


def _fast_clock(speed: float) -> Callable[[], datetime]:
    began = datetime.now(UTC)
    return lambda: began + (datetime.now(UTC) - began) * speed


async def serve(port: int, idle: float, sweep: float) -> None:
    """antipestbot with the web chat only, as `antipestbot run` builds it without a token, with
    two changes: tabs expire after `idle` real seconds (SPEED), and the address ceiling is out
    of the way (every tab comes from 127.0.0.1; a school has many addresses, and this measures
    the stack, not the limiter). Imported here: the floor's process loads aiohttp alone."""
    from functools import partial

    from bot.app import build
    from bot.channels.http import HttpServer
    from bot.channels.web.channel import Times, WebChannel
    from bot.channels.web.limits import AddressCeiling
    from bot.channels.web.routes import Api, WebOptions, add_routes
    from bot.logs import configure_logging
    from bot.settings import load_settings

    configure_logging()
    app = build(load_settings())
    http = HttpServer("127.0.0.1", port)
    times = Times(idle=idle * SPEED, warn=idle * SPEED * 0.9, sweep=sweep)
    pseudonym = partial(app.stores.vault.subject, "web")
    channel = WebChannel(app.stores.web, pseudonym, _fast_clock(SPEED), times)
    api = Api(channel, app.renderer, WebOptions())
    api.ceiling = AddressCeiling(per_minute=1e9, burst=10**9)
    add_routes(http.app, api)
    await app.serve([channel], http, started=_ready)


async def floor(port: int, triggers: list[str]) -> None:
    """The plainest aiohttp server with the same API: a fixed reply with a button for every
    trigger, and streams that only ping."""
    closing = asyncio.Event()
    # About as long as the web chat's answers (~800 bytes of JSON on the pupil's way).
    buttons = [[{"label": t.replace("_", " ").title(), "data": f"floor:{t}"}] for t in triggers]
    said = {"seq": 1, "from": "you", "text": "Ja", "buttons": [], "photo": False}
    answer = {"seq": 2, "from": "bot", "text": STORY, "buttons": buttons, "photo": False}
    reply = json.dumps({"messages": [said, answer]}).encode()

    async def session(request: web.Request) -> web.Response:
        await request.read()
        token = secrets.token_urlsafe(32)
        return web.json_response({"token": token, "idle": 3600, "warn": 3300}, status=201)

    async def turn(request: web.Request) -> web.Response:
        json.loads(await request.read())
        return web.Response(body=reply, content_type="application/json")

    async def end(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({})

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionResetError):  # the tab went
            while not closing.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closing.wait(), PING_S)
                await response.write(b": ping\n\n")
        return response

    app = web.Application()
    app.router.add_post("/api/session", session)
    app.router.add_post("/api/turn", turn)
    app.router.add_post("/api/end", end)
    app.router.add_get("/api/events", events)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_address=True).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    _ready()
    await stop.wait()
    closing.set()
    await runner.cleanup()


# ---------------------------------------------------------------------------------- the load
@dataclass(frozen=True)
class Plan:
    """What the load does (bench/run.py's options)."""

    sessions: int  # tabs at once, each with its stream
    waves: int  # then this many waves of `wave_sessions` new tabs that come and expire
    wave_sessions: int
    think: tuple[float, float]  # seconds between a tab's turns, uniformly
    idle: float  # real seconds until a tab nobody uses expires (the web server)
    warmup: int  # tabs that play once before anything is measured
    step_timeout: float
    phase_timeout: float
    seed: int
    profile: bool
    python: str
    src: Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=int, help="web tabs at once (1000; --quick 50)")
    parser.add_argument("--waves", type=int, help="waves of new web tabs that expire (10; 1)")
    parser.add_argument("--wave-sessions", type=int, help="web tabs per wave (--sessions)")
    parser.add_argument(
        "--web-think", type=float, nargs=2, metavar=("MIN", "MAX"), help="s between turns"
    )
    parser.add_argument("--idle", type=float, help="s until an unused web tab expires (30; 4)")


def plan_of(args: argparse.Namespace) -> Plan:
    quick = args.quick
    sessions = args.sessions or (50 if quick else 1000)
    think = args.web_think or ((0.05, 0.2) if quick else (0.5, 2.0))
    return Plan(
        sessions=sessions,
        waves=args.waves if args.waves is not None else (1 if quick else 10),
        wave_sessions=args.wave_sessions or sessions,
        think=(min(think), max(think)),
        idle=args.idle or (4.0 if quick else IDLE_S),
        warmup=5 if quick else 20,
        step_timeout=args.step_timeout,
        phase_timeout=args.phase_timeout,
        seed=args.seed,
        profile=args.profile,
        python=sys.executable,
        src=args.src.resolve(),
    )


def conversation() -> list[tuple[str, str]]:
    """A pupil's whole report, as tests/web/test_api.py walks it: (kind, trigger or text)."""
    walks = load_support("walks")
    path = ("pupil", *walks.REPORT_PATH)
    steps = [("start", ""), *(("button", t) for t in path), ("text", STORY)]
    return steps + [("button", t) for t in ("story_done", "no_photo", "anonymous", "send")]


def raise_file_limit() -> int:
    """Two sockets per tab on each side: the soft limit up to the hard one. Returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_s() -> float:
    """CPU seconds all processes used so far (/proc/stat), as bench/run.py reads them."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


class Tab:
    """One browser tab over HTTP, as the page talks: a session, its live stream, the turns."""

    def __init__(self, http: aiohttp.ClientSession, base: str, name: str) -> None:
        self.http, self.base, self.name = http, base, name
        self.headers = {"Origin": base, "Sec-Fetch-Site": "same-origin"}
        self.buttons: dict[str, dict[str, str]] = {}  # trigger -> the newest button firing it
        self.said = 0  # the highest seq the turns' answers carried
        self.streamed = 0  # the highest seq the stream delivered
        self.opened = asyncio.Event()
        self.ended = False  # the server ended the stream (`event: end`)
        self.reply_bytes = 0
        self.stream: asyncio.Task[None] | None = None

    async def open(self, errors: Counter[str]) -> bool:
        """A session and its stream; False (and counted) when either failed."""
        data = json.dumps({"lang": "nl"})
        headers = {**self.headers, "Content-Type": "application/json"}
        async with self.http.post(f"{self.base}/api/session", data=data, headers=headers) as r:
            body = await r.read()
            if r.status != 201:
                errors[f"session_{r.status}"] += 1
                return False
        self.headers["X-Session"] = json.loads(body)["token"]
        self.stream = asyncio.create_task(self._listen(errors))
        opened = asyncio.ensure_future(self.opened.wait())
        await asyncio.wait([self.stream, opened], timeout=30, return_when=asyncio.FIRST_COMPLETED)
        opened.cancel()
        if not self.opened.is_set():
            errors["stream_not_opened"] += 1
            return False
        return True

    async def _listen(self, errors: Counter[str]) -> None:
        url = f"{self.base}/api/events?after=0"
        try:
            async with self.http.get(url, headers=self.headers) as response:
                if response.status != 200:
                    errors[f"stream_{response.status}"] += 1
                    return
                self.opened.set()
                async for line in response.content:
                    if line.startswith(b"id: "):
                        self.streamed = int(line[4:])
                    elif line.startswith(b"event: end"):
                        self.ended = True
        except aiohttp.ClientError as error:
            errors[f"stream_{type(error).__name__}"] += 1

    async def converse(
        self,
        steps: list[tuple[str, str]],
        pauses: list[float],
        latencies: list[float],
        errors: Counter[str],
        timeout: float,
    ) -> bool:
        """The whole conversation, one answer awaited before each pause; False when it broke."""
        for number, ((kind, value), pause) in enumerate(zip(steps, pauses, strict=True)):
            await asyncio.sleep(pause)
            body: dict[str, Any] = {"id": f"{self.name}-{number:03d}"}
            if kind == "start":
                body["start"] = True
            elif kind == "text":
                body["text"] = value
            else:
                button = self.buttons.get(value)
                if button is None:
                    errors[f"no_button:{value}"] += 1
                    return False
                body.update(button=button["data"], label=button["label"])
            headers = {**self.headers, "Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                async with asyncio.timeout(timeout):
                    url = f"{self.base}/api/turn"
                    async with self.http.post(url, data=json.dumps(body), headers=headers) as r:
                        raw = await r.read()
            except TimeoutError:
                errors["no_answer"] += 1
                return False
            except aiohttp.ClientError as error:
                errors[f"turn_{type(error).__name__}"] += 1
                return False
            if r.status != 200:
                errors[f"turn_{r.status}"] += 1
                return False
            latencies.append(time.perf_counter() - started)
            self.reply_bytes += len(raw)
            self._shown(json.loads(raw)["messages"])
        return True

    def _shown(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.said = max(self.said, message["seq"])
            for row in message.get("buttons") or ():
                for button in row:
                    parts = button["data"].split(":", 2)
                    if len(parts) > 1:
                        self.buttons[parts[1]] = button

    async def end(self) -> None:
        """Klaar: the session ends (the web server then ends the stream)."""
        headers = {**self.headers, "Content-Type": "application/json"}
        with contextlib.suppress(aiohttp.ClientError):
            async with self.http.post(f"{self.base}/api/end", data="{}", headers=headers) as r:
                await r.read()

    async def close(self) -> None:
        """The tab is closed: its stream goes."""
        if self.stream is not None:
            self.stream.cancel()
            await asyncio.gather(self.stream, return_exceptions=True)


class WebRun:
    """One server process (`web` or `web_floor`) under the load, from start to stop."""

    def __init__(self, name: str, plan: Plan, workdir: Path) -> None:
        self.name, self.plan, self.workdir = name, plan, workdir
        self.steps = conversation()
        self.rng = random.Random(plan.seed)
        self.proc: asyncio.subprocess.Process | None = None
        self.result: dict[str, Any] = {"bot": name}
        self.base = ""

    async def execute(self) -> dict[str, Any]:
        self.result["file_limit"] = raise_file_limit()
        # limit=0: every stream holds a connection of its own, and turns need more beside them.
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30)
        log = open(self.workdir / "server.log", "wb")  # noqa: SIM115 - closed in finally
        try:
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
                await self._start(log)
                assert self.proc is not None
                await self._play(http, self.plan.warmup, "warm", measure=False)
                await self._play(http, self.plan.sessions, "tab", measure=True)
                self.result["peak_rss_tabs_mb"] = proc_mem_kb(self.proc.pid)["VmHWM"] / 1024
                if self.name == "web" and self.plan.waves:
                    await self._waves(http)
                memory = proc_mem_kb(self.proc.pid)
                self.result["peak_rss_mb"] = memory["VmHWM"] / 1024
                self.result["rss_end_mb"] = memory["VmRSS"] / 1024
        finally:
            await self._stop()
            log.close()
        return self.result

    # --- the server --------------------------------------------------------------------------

    def _argv(self, port: int) -> list[str]:
        script = [self.plan.python, str(Path(__file__).resolve()), "--port", str(port)]
        if self.name == "web":
            return [*script[:2], "serve", *script[2:], "--idle", str(self.plan.idle)]
        triggers = ",".join(value for kind, value in self.steps if kind == "button")
        return [*script[:2], "floor", *script[2:], "--triggers", triggers]

    def _env(self) -> dict[str, str]:
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "ANTIPEST_", "BENCH_", "PYTHONPATH"))
        }
        data = self.workdir / "data"
        return {
            **keep,
            "PYTHONPATH": str(self.plan.src),
            "ANTIPEST_DB": str(data / "antipest.db"),
            "ANTIPEST_SECRET_KEY_FILE": str(self.workdir / "keys" / "secret.key"),
        }

    async def _start(self, log: Any) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            *self._argv(port),
            cwd=self.workdir,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        assert self.proc.stdout is not None
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), 60)
        except TimeoutError:
            line = b""
        if line.strip() != b"ready":
            tail = (self.workdir / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.name} did not start:\n{tail}")
        self.result["startup_s"] = time.perf_counter() - started
        self.result["startup_cpu_ms"] = proc_cpu_s(self.proc.pid) * 1000
        self.result["rss_started_mb"] = proc_mem_kb(self.proc.pid)["VmRSS"] / 1024

    async def _stop(self) -> None:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        self.result["exit_code"] = await terminate(proc, 30)

    # --- the phases --------------------------------------------------------------------------

    def _pauses(self) -> list[float]:
        # The first pause spreads the tabs' starts over one pause; later ones think.
        low, high = self.plan.think
        return [self.rng.uniform(0, high)] + [self.rng.uniform(low, high) for _ in self.steps[1:]]

    async def _open_all(
        self, http: aiohttp.ClientSession, count: int, prefix: str, errors: Counter[str]
    ) -> list[Tab]:
        gate = asyncio.Semaphore(OPENING)

        async def opened(n: int) -> Tab | None:
            tab = Tab(http, self.base, f"{prefix}{n:06d}")
            async with gate:
                try:
                    ok = await tab.open(errors)
                except aiohttp.ClientError as error:
                    errors[f"session_{type(error).__name__}"] += 1
                    ok = False
            if not ok:
                await tab.close()
            return tab if ok else None

        tabs = await asyncio.gather(*(opened(n) for n in range(count)))
        return [tab for tab in tabs if tab is not None]

    async def _play(
        self, http: aiohttp.ClientSession, count: int, prefix: str, *, measure: bool
    ) -> None:
        """`count` tabs open their streams; with all open, each plays the conversation. With
        `measure`, the phase's figures go into the result; at the end every tab says Klaar."""
        assert self.proc is not None
        pid, plan = self.proc.pid, self.plan
        errors: Counter[str] = Counter()
        latencies: list[float] = []
        rss_idle = proc_mem_kb(pid)["VmRSS"] / 1024
        cpu_open0 = proc_cpu_s(pid)
        tabs = await self._open_all(http, count, prefix, errors)
        await asyncio.sleep(0.5)  # the server has set every stream up
        rss_streams = proc_mem_kb(pid)["VmRSS"] / 1024
        cpu_open = proc_cpu_s(pid) - cpu_open0
        profiler = self._start_profiler() if measure and plan.profile else None
        pauses = [self._pauses() if measure else [0.0] * len(self.steps) for _ in tabs]
        cpu0, own0, busy0 = proc_cpu_s(pid), own_cpu_s(), machine_busy_s()
        started = time.perf_counter()
        talks = [
            asyncio.create_task(tab.converse(self.steps, p, latencies, errors, plan.step_timeout))
            for tab, p in zip(tabs, pauses, strict=True)
        ]
        completed = await _finish(talks, plan.phase_timeout, errors)
        wall = time.perf_counter() - started
        if self.name == "web":  # every answer also came down its tab's stream
            await self._streamed(tabs, errors)
        cpu = proc_cpu_s(pid) - cpu0
        own = own_cpu_s() - own0
        other = machine_busy_s() - busy0 - cpu - own
        if profiler:
            stop_profiler(profiler)
        rss_after = proc_mem_kb(pid)["VmRSS"] / 1024
        await asyncio.gather(*(tab.end() for tab in tabs))
        await asyncio.gather(*(tab.close() for tab in tabs))
        if not measure:
            if errors:
                raise RuntimeError(f"{self.name}: the warm-up failed: {dict(errors)}")
            return
        n = len(latencies)
        replied = sum(tab.reply_bytes for tab in tabs)
        self.result.update(
            sessions=count,
            streams_open=len(tabs),
            think_s=list(plan.think),
            updates=n,
            conversations_completed=completed,
            errors=dict(errors),
            wall_s=wall,
            updates_per_s=n / wall if wall else None,
            cpu_s=cpu,
            cpu_ms_per_update=cpu * 1000 / n if n else None,
            cpu_ms_per_session_opened=cpu_open * 1000 / count if count else None,
            p50_ms=statistics.median(latencies) * 1000 if n else None,
            p99_ms=(percentile(latencies, 0.99) or 0) * 1000 if n else None,
            max_ms=max(latencies) * 1000 if n else None,
            reply_bytes_mean=replied / n if n else None,
            driver_cpu_s=own,
            other_load_cores=max(0.0, other / (time.perf_counter() - started)),
            rss_idle_mb=rss_idle,
            rss_streams_mb=rss_streams,
            rss_per_stream_kb=(rss_streams - rss_idle) * 1024 / len(tabs) if tabs else None,
            rss_after_conversations_mb=rss_after,
        )

    async def _streamed(self, tabs: list[Tab], errors: Counter[str]) -> None:
        """Wait (10 s at most) until each tab's stream has delivered its last answer."""
        deadline = time.monotonic() + 10
        while any(t.streamed < t.said for t in tabs) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        behind = sum(1 for t in tabs if t.streamed < t.said)
        if behind:
            errors["stream_behind"] += behind

    async def _waves(self, http: aiohttp.ClientSession) -> None:
        """Waves of new tabs that report and leave their streams open until their sessions
        expire; RSS once each wave's tabs and messages are gone from the server."""
        assert self.proc is not None
        plan, pid = self.plan, self.proc.pid
        errors: Counter[str] = Counter()
        await self._quiet_database()
        samples = [(0, proc_mem_kb(pid)["VmRSS"] / 1024)]
        # An idle time (the last touch may be a channel minute old), the ping that ends the
        # stream, and the sweep: after that a stream still open is one the server forgot.
        hold = plan.idle + PING_S + 10
        ended = 0
        for wave in range(plan.waves):
            tabs = await self._open_all(http, plan.wave_sessions, f"w{wave:02d}-", errors)

            async def visit(tab: Tab) -> bool:
                ok = await tab.converse(self.steps, self._pauses(), [], errors, plan.step_timeout)
                if ok and tab.stream is not None:
                    await asyncio.wait([tab.stream], timeout=hold)
                return ok

            visits = [asyncio.create_task(visit(tab)) for tab in tabs]
            await _finish(visits, plan.phase_timeout, errors)
            ended += sum(1 for tab in tabs if tab.ended)
            errors["stream_not_ended"] += sum(1 for tab in tabs if not tab.ended)
            await asyncio.gather(*(tab.close() for tab in tabs))
            left = await self._quiet_database()
            if left:
                errors["not_forgotten"] += left
            samples.append(((wave + 1) * plan.wave_sessions, proc_mem_kb(pid)["VmRSS"] / 1024))
        errors = +errors  # without the zero counts
        first, last = samples[0][1], samples[-1][1]
        half = samples[len(samples) // 2][1] if len(samples) >= 3 else None
        self.result.update(
            wave_sessions=plan.waves * plan.wave_sessions,
            wave_rss_samples=samples,
            wave_growth_mb=last - first,
            wave_growth_second_half_mb=last - half if half is not None else None,
            wave_streams_ended_by_server=ended,
            wave_errors=dict(errors),
            memory_errors=sum(errors.values()),
        )

    async def _quiet_database(self) -> int:
        """For the web server: wait until no tab, no message and no conversation's numbering
        is left (the sweep deletes them 2 idle times after the last), 60 s at most; what is
        left then."""
        if self.name != "web":
            return 0
        db = self.workdir / "data" / "antipest.db"
        sql = (
            "SELECT (SELECT count(*) FROM web_tabs) + (SELECT count(*) FROM web_messages)"
            " + (SELECT count(*) FROM web_chats)"
        )
        deadline = time.monotonic() + 2 * self.plan.idle + 60
        while True:
            left = await asyncio.to_thread(_count, db, sql)
            if not left or time.monotonic() > deadline:
                return left
            await asyncio.sleep(0.5)

    # --- profiling ---------------------------------------------------------------------------

    def _start_profiler(self) -> subprocess.Popen[bytes] | None:
        if self.name != "web":
            return None
        assert self.proc is not None
        out = self.workdir / "profile.txt"
        self.result["profile_raw"] = str(out)
        return start_profiler(self.proc.pid, self.plan.python, out)


async def _finish(tasks: list[asyncio.Task[bool]], timeout: float, errors: Counter[str]) -> int:
    """Wait for the tabs' tasks (`timeout` at most); how many ended well. The rest is counted."""
    if not tasks:
        return 0
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
        errors["phase_timeout"] += 1
    completed = 0
    for task in done:
        error = task.exception()
        if error is not None:
            errors[f"crash_{type(error).__name__}"] += 1
        elif task.result():
            completed += 1
    return completed


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# ------------------------------------------------------------------------------ the command
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    servers = parser.add_subparsers(dest="server", required=True)
    web_server = servers.add_parser("serve", help="antipestbot's web chat (run by the load)")
    web_server.add_argument("--port", type=int, required=True)
    web_server.add_argument("--idle", type=float, default=IDLE_S, help="s until a tab expires")
    web_server.add_argument("--sweep", type=float, default=1.0, help="s between sweeps")
    bare = servers.add_parser("floor", help="bare aiohttp with the same API (run by the load)")
    bare.add_argument("--port", type=int, required=True)
    bare.add_argument("--triggers", required=True, help="comma-separated trigger ids")
    args = parser.parse_args(argv)
    if args.server == "serve":
        asyncio.run(serve(args.port, args.idle, args.sweep))
    else:
        asyncio.run(floor(args.port, args.triggers.split(",")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
