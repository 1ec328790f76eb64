"""Soak: an hour of mixed traffic against the real `antipestbot run`, with faults, locks and kills.

    python bench/soak.py [--minutes 60] [--seed 1] [--quiet]
    python bench/soak.py --quick            # half a minute: one kill, one short lock (CI smoke)

Not part of CI (only `--quick` is, in tests/system/test_soak_smoke.py). The bot runs as its own
process (`python -m bot run`) against the tests' fake Bot API server on 127.0.0.1 (loaded by path
through bench/harness.py), with a fresh database and key. Pupils and parents walk whole reports,
some browse, some type where a button is expected; coordinators open, claim and write to
reporters, who write back. Meanwhile the fake fails or slows a share of the bot's calls (429 with
retry_after, 500, slow answers), another connection holds the database's write lock for 1-10 s
at random moments, and the bot is killed with SIGKILL twice and started again (the fake keeps
unconfirmed updates, as Telegram does). At the end the soak waits for quiet and counts, from the
database against what the fake delivered: new-report notifications per coordinator, coordinator
messages per reporter, and reporter messages per coordinator, each lost or duplicated, and whether
the background loops still work. One table on stdout, every figure as JSON in bench/results/.
Exit status 1 when anything was lost or duplicated or a loop is dead. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import (
    RESULTS,
    ROOT,
    BenchApi,
    add_coordinators,
    bot_env,
    free_port,
    load_support,
    percentile,
    terminate,
)

walks = load_support("walks")

CASE_CODE: re.Pattern[str] = walks.CASE_CODE
CODE = r"[A-Z0-9]{4}-[A-Z0-9]{2}"
# What the bot sends on its own (the outbox), in Dutch: to coordinators a new report (🔔), a
# reporter's message or photo (✉️, 📎), reminders (⏰, ⚠️), a reopened case (🔁); to reporters a
# coordinator's message (📩, or only the notice 📬 with a button to read it). Such a message is no
# answer to the step its reader is taking.
PUSHED = re.compile(rf"^(🔔|📩|📬|⏰|(✉️|📎|⚠️|🔁) {CODE})")
# The notice's button names the case and which of its messages to the reporter it is ("K7QX-2M.2").
READ = re.compile(rf":read_message:({CODE})\.(\d+)$")
NEW_REPORT = re.compile(rf"^🔔 ({CODE})")
REPORTER_WROTE = re.compile(rf"^✉️ ({CODE})")
TO_REPORTER = re.compile(rf"^📩 .*?({CODE})", re.S)
QUESTION = re.compile(r"\bV\d{5}\b")  # the token in each coordinator's message
LOOP_EVENT = re.compile(r"background_(failed|recovered) loop=(\S+)")
FAILED_REPLY = "Oeps"  # the start of replies.FAILED in Dutch: handling the update failed

PARENT_PATH = ("report", "other_child", "excluding", "kinds_done", "online", "weekly", "weeks")
BROWSE = (("command", "/start"), ("button", "pupil"), ("button", "check"))
BROWSE += (("button", "not_funny"), ("button", "once"))
COORDINATOR_BASE = 7_000_001
USER_BASE = 200_000
FAULTED = ("sendMessage", "sendPhoto", "answerCallbackQuery", "editMessageText")


def report_steps(role: str, story: str) -> list[tuple[str, str]]:
    """A whole report by trigger id: the pupil's path from tests/support/walks.py, or a parent's."""
    path = walks.REPORT_PATH if role == "pupil" else PARENT_PATH
    return [
        ("command", "/start"),
        ("button", role),
        *(("button", trigger) for trigger in path),
        ("text", story),
        ("button", "story_done"),
        ("button", "no_photo"),
        ("button", "anonymous"),
        ("button", "send"),
    ]


def hold_write_lock(db: Path, seconds: float) -> float:
    """Another connection takes the write lock, writes, sleeps, commits; returns seconds held.

    Runs in a thread: BEGIN IMMEDIATE itself may wait for the bot's own transaction to end.
    """
    conn = sqlite3.connect(db, timeout=60, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('soak_lock', ?)", (str(time.time()),)
        )
        time.sleep(seconds)
        conn.execute("COMMIT")
        return time.monotonic() - started
    finally:
        conn.close()


def read_rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


class Stopped(Exception):
    """The traffic has stopped: a person takes no further step."""


class SoakApi(BenchApi):
    """The benchmark's fake server; what the bot sends on its own is counted and handed on."""

    def __init__(self, soak: Soak) -> None:
        super().__init__()
        self.soak = soak

    def ends_answer(self, message: dict[str, Any], keyboard: bool, wants_keyboard: bool) -> bool:
        # "Oops, try again" has no buttons, and nothing comes after it.
        failed = (message.get("text") or "").startswith(FAILED_REPLY)
        return failed or super().ends_answer(message, keyboard, wants_keyboard)

    def pushed(self, chat: int, message: dict[str, Any]) -> bool:
        text = message.get("text") or message.get("caption") or ""
        if not PUSHED.match(text) or (chat in self.soak.reading and text.startswith("📩")):
            return False  # an answer, such as a message shown after a tap on 📬's button
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        data = [button.get("callback_data") or "" for row in rows for button in row]
        self.soak.on_push(chat, text, data)
        return True


@dataclass
class Options:
    minutes: float
    seed: int
    quiet: bool
    quick: bool
    coordinators: int
    lanes: int
    think: float
    fault_share: float
    typo_share: float
    step_timeout: float
    drain_timeout: float
    out: Path
    python: str
    src: Path


@dataclass
class Event:
    at: float  # seconds after the traffic started
    kind: str  # "lock" or "restart"
    seconds: float = 0.0  # how long a lock is held


@dataclass
class Soak:
    opts: Options
    workdir: Path
    rng: random.Random = field(init=False)
    api: SoakApi = field(init=False)
    counts: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    confirmed: dict[str, int] = field(default_factory=dict)  # case code -> its reporter
    questions: dict[str, str] = field(default_factory=dict)  # coordinator's token -> case code
    notified: Counter[tuple[int, str]] = field(default_factory=Counter)  # (coordinator, code)
    asked: Counter[str] = field(default_factory=Counter)  # token -> times it reached the reporter
    # (case code, its nth message to the reporter) -> 📬 notices delivered
    noticed: Counter[tuple[str, int]] = field(default_factory=Counter)
    read: Counter[str] = field(default_factory=Counter)  # token -> times the reporter read it
    missing: list[str] = field(default_factory=list)  # examples: a button not on the keyboard
    wrote: Counter[str] = field(default_factory=Counter)  # code -> ✉️ delivered to coordinators
    locks: list[float] = field(default_factory=list)
    restarts: int = 0
    start_failures: int = 0
    busy: set[int] = field(default_factory=set)  # users in the middle of something
    reading: set[int] = field(default_factory=set)  # reporters who tapped "read the message"
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    traffic: bool = True  # False: people finish the step they are on, and take no other
    final: bool = False  # the last report, after the traffic
    proc: asyncio.subprocess.Process | None = None
    runs: int = 0
    t0: float = 0.0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.opts.seed)
        self.api = SoakApi(self)
        self.coordinator_ids = [COORDINATOR_BASE + n for n in range(self.opts.coordinators)]
        self.queues: dict[int, asyncio.Queue[tuple[str, str, list[str]]]] = {
            chat: asyncio.Queue() for chat in self.coordinator_ids
        }
        self.next_user = USER_BASE
        self.db = self.workdir / "data" / "antipest.db"

    # ------------------------------------------------------------------------ the process
    def env(self) -> dict[str, str]:
        return bot_env(self.api, self.workdir, self.opts.src)

    def say(self, line: str) -> None:
        if not self.opts.quiet:
            print(f"[soak {time.monotonic() - self.t0:7.1f}s] {line}", file=sys.stderr, flush=True)

    async def start_bot(self) -> None:
        """Spawn `python -m bot run` and wait for its first getUpdates (five tries)."""
        for _try in range(5):
            self.runs += 1
            self.api.first_poll_at = None
            log = open(self.workdir / f"bot-{self.runs}.log", "wb")  # noqa: SIM115 - the child's
            self.proc = await asyncio.create_subprocess_exec(
                self.opts.python,
                "-m",
                "bot",
                "run",
                "--port",
                str(free_port()),
                cwd=self.workdir,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
            deadline = time.monotonic() + 60
            while self.api.first_poll_at is None and time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    break
                await asyncio.sleep(0.05)
            if self.api.first_poll_at is not None:
                return
            self.start_failures += 1
            self.say(f"bot did not start (run {self.runs}); trying again")
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
        raise RuntimeError(f"the bot did not start; see {self.workdir}/bot-*.log")

    async def kill_and_restart(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.restarts += 1
        started = time.monotonic()
        await self.start_bot()
        self.say(f"SIGKILL {self.restarts}: polling again after {time.monotonic() - started:.1f}s")

    async def stop_bot(self) -> int | None:
        if self.proc is None:
            return None
        return await terminate(self.proc, 30)

    # --------------------------------------------------------------------------- pushes
    def on_push(self, chat: int, text: str, data: list[str]) -> None:
        """A message the bot sent on its own reached `chat` (the fake carried it out)."""
        if chat in self.queues:
            new = NEW_REPORT.match(text)
            wrote = REPORTER_WROTE.match(text)
            if new:
                self.notified[(chat, new.group(1))] += 1
                self.queues[chat].put_nowait(("new", new.group(1), data))
            elif wrote:  # "sent a new message", or "sent 3 new messages" (gathered)
                many = re.search(r"\b(\d+)\b", text[wrote.end() :])
                self.wrote[wrote.group(1)] += int(many.group(1)) if many else 1
                self.queues[chat].put_nowait(("wrote", wrote.group(1), data))
            return
        read = next((m for m in map(READ.search, data) if m), None)
        to_reporter = TO_REPORTER.match(text)
        if read:  # "📬 You have a new message": the text comes after a tap on the button
            self.noticed[(read.group(1), int(read.group(2)))] += 1
        elif to_reporter:
            for token in QUESTION.findall(text):
                self.asked[token] += 1
        else:
            return
        tap = next((d for d in data if ":write:" in d or ":read_message:" in d), None)
        if tap and self.traffic and self.rng.random() < 0.6:
            self.spawn(self.answer(chat, tap))

    def spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.done)

    def done(self, task: asyncio.Task[None]) -> None:
        """A person's task ended; a bug of the soak's own shows up among the figures."""
        self.tasks.discard(task)
        if not task.cancelled() and not isinstance(task.exception(), Stopped | None):
            self.counts[f"soak_error:{type(task.exception()).__name__}"] += 1

    # -------------------------------------------------------------------------- people
    async def pause(self, least: float = 0.0) -> None:
        """A person reads and thinks: 0.5-1.5 × the mean, never less than `least` seconds."""
        think = self.opts.think
        await asyncio.sleep(max(least, self.rng.uniform(0.5 * think, 1.5 * think)))

    async def act(
        self, user: int, kind: str, value: str, keyboard: bool = True
    ) -> list[str] | None:
        """One update and the bot's whole answer; None when there was none (counted).

        After "Oops, try again" the person does what it says, twice at most. Raises Stopped
        once the traffic has stopped, so no step is cut off halfway (a report sent but its
        answer never read would look like a lost reply).
        """
        if not (self.traffic or self.final):
            raise Stopped
        if kind == "button" and value.count(":") == 0:
            data = self.api.button_data(user, value)
            if data is None:
                self.counts[f"missing_button:{value}"] += 1
                if len(self.missing) < 10:
                    last = (self.api.last_bot_message.get(user) or {}).get("text") or ""
                    keys = self.api.keyboards.get(user)
                    self.missing.append(f"{value}: {keys} after {last[:80]!r}")
                return None
            value = data
        for _try in range(3):
            try:
                latency = await self.api.step(user, kind, value, keyboard, self.opts.step_timeout)
            except TimeoutError:
                self.counts["no_answer"] += 1
                return None
            self.latencies.append(latency)
            heard = list(self.api.heard.get(user) or [])
            if not (heard and heard[-1].startswith(FAILED_REPLY)):
                return heard
            self.counts["oops_tried_again"] += 1
            await self.pause(least=1.0)
        return None

    async def detour(self, user: int, kind: str, value: str) -> bool:
        """Where a walk started over with /start: "stop the report?" is answered yes, and a
        person whose role the bot remembers skips choosing it. True: skip this step."""
        if kind != "button" or self.api.button_data(user, value):
            return False
        keyboard = self.api.keyboards.get(user, ())
        sure = next((d for d in keyboard if d.endswith(":start:sure")), None)
        if sure:
            await self.pause()
            await self.act(user, "button", sure)
        return value in ("pupil", "parent") and self.api.button_data(user, "report") is not None

    async def report(self, user: int, role: str, typos: bool) -> str | None:
        """A whole report, started over (at most 3 times) when an answer does not come;
        returns the case code the bot confirmed, None when it confirmed none."""
        story = f"Soak {user}: ze sturen elke dag gemene berichten in de groepsapp."
        steps = report_steps(role, story)
        for _attempt in range(3):
            heard: list[str] | None = []
            for kind, value in steps:
                await self.pause()
                if kind == "button" and typos and self.rng.random() < self.opts.typo_share:
                    # Typed where a button is expected: the bot asks again, with the buttons.
                    self.counts["typed_for_button"] += 1
                    if await self.act(user, "text", "weet ik niet") is None:
                        heard = None
                        break
                    await self.pause()
                if await self.detour(user, kind, value):
                    continue
                heard = await self.act(user, kind, value)
                if heard is None:
                    break
            if heard is not None:
                codes = set(CASE_CODE.findall("\n".join(heard)))
                if len(codes) == 1:
                    code = codes.pop()
                    self.confirmed[code] = user
                    self.counts[f"reports_by_{role}"] += 1
                    return code
                self.counts["send_without_code"] += 1
                return None
            self.counts["walks_started_over"] += 1
            await self.pause()
        self.counts["walks_given_up"] += 1
        return None

    async def browse(self, user: int) -> None:
        for kind, value in BROWSE:
            await self.pause()
            if await self.act(user, kind, value) is None:
                return
        self.counts["browses"] += 1

    def new_user(self) -> int:
        self.next_user += 1
        return self.next_user

    async def lane(self) -> None:
        """One person after the other: pupils and parents reporting, pupils browsing."""
        while True:
            user = self.new_user()
            self.busy.add(user)
            try:
                draw = self.rng.random()
                if draw < 0.6:
                    await self.report(user, "pupil", typos=True)
                elif draw < 0.85:
                    await self.report(user, "parent", typos=True)
                else:
                    await self.browse(user)
            finally:
                self.busy.discard(user)
            await self.pause()

    async def answer(self, user: int, tap: str) -> None:
        """A reporter answers a coordinator's message: 📖 Read it (if only noticed), then
        ↩️ Answer, then a typed line."""
        if user in self.busy:
            return
        self.busy.add(user)
        try:
            await self.pause(least=0.5)
            if ":read_message:" in tap:
                self.reading.add(user)
                try:
                    heard = await self.act(user, "button", tap)
                finally:
                    self.reading.discard(user)
                if heard is None:
                    return
                self.counts["messages_read"] += 1
                for token in QUESTION.findall("\n".join(heard)):
                    self.read[token] += 1
                await self.pause(least=0.5)
                tap = self.api.button_data(user, "write") or ""
            # "Write your message": no buttons, so the first message is the whole answer.
            if not tap or await self.act(user, "button", tap, keyboard=False) is None:
                return
            await self.pause(least=0.5)
            self.counts["reporter_messages_typed"] += 1
            await self.act(user, "text", "Het is nog niet over, ze doen het nog steeds.")
        finally:
            self.busy.discard(user)

    async def coordinator(self, index: int, chat: int) -> None:
        """Works on the new cases that fall to them (by code), and answers some reporters."""
        queue = self.queues[chat]
        share = len(self.coordinator_ids)
        while True:
            kind, code, data = await queue.get()
            if kind == "stop":
                return
            opened = next((d for d in data if ":open:" in d), f"*:open:{code}")
            if kind == "new":
                mine = zlib.crc32(code.encode()) % share == index
                if not mine or self.rng.random() > 0.7:
                    continue
            elif self.rng.random() > 0.5 or sum(c == code for c in self.questions.values()) >= 3:
                continue
            # A coordinator's pace stays well inside the flood gate (20 updates / 10 s).
            await self.pause(least=0.8)
            if await self.act(chat, "button", opened) is None:
                continue
            if kind == "new" and self.api.button_data(chat, "claim"):
                await self.pause(least=0.8)
                if await self.act(chat, "button", "claim") is None:
                    continue
                self.counts["claims"] += 1
            if not self.api.button_data(chat, "message"):
                continue
            await self.pause(least=0.8)
            if await self.act(chat, "button", "message") is None:
                continue
            await self.pause(least=0.8)
            token = f"V{len(self.questions) + 1:05d}"
            self.questions[token] = code
            await self.act(chat, "text", f"Vraag {token}: kun je vertellen wie het doet?")
            if self.rng.random() < 0.3:
                await self.pause(least=0.8)
                await self.act(chat, "button", "queue")

    # --------------------------------------------------------------------------- chaos
    def plan(self, duration: float) -> list[Event]:
        """Two kills (one with --quick) and 1-10 s locks (one short one), at random moments;
        one lock always after the last kill, so the final check follows a lock."""
        rng = random.Random(self.opts.seed + 1)
        kills = 1 if self.opts.quick else 2
        slots = [(0.2 + 0.55 * n / kills, 0.2 + 0.55 * (n + 1) / kills) for n in range(kills)]
        events = [Event(rng.uniform(a, b) * duration, "restart") for a, b in slots]
        if self.opts.quick:
            lengths = [rng.uniform(1.0, 2.0)]
        else:
            lengths = [rng.uniform(1.0, 10.0) for _ in range(max(2, round(duration / 120)))]
        last_kill = max(e.at for e in events)
        at = [rng.uniform(0.05, 0.85) * duration for _ in lengths]
        if max(at) <= last_kill:
            at[-1] = rng.uniform(last_kill, 0.9 * duration)
        events += [Event(t, "lock", s) for t, s in zip(at, lengths, strict=True)]
        return sorted(events, key=lambda e: e.at)

    async def chaos(self, events: list[Event]) -> None:
        """One event at a time: a lock never overlaps a start-up."""
        for event in events:
            await asyncio.sleep(max(0.0, self.t0 + event.at - time.monotonic()))
            if event.kind == "restart":
                await self.kill_and_restart()
                continue
            held = await asyncio.to_thread(hold_write_lock, self.db, event.seconds)
            self.locks.append(held)
            self.say(f"write lock held {held:.1f}s")

    # ------------------------------------------------------------------------ the run
    async def execute(self) -> dict[str, Any]:
        opts = self.opts
        duration = opts.minutes * 60
        await self.api.start()
        result: dict[str, Any] = {}
        try:
            add_coordinators(opts.python, self.workdir, self.env(), self.coordinator_ids)
            self.t0 = time.monotonic()
            await self.start_bot()
            self.say(f"bot polling; traffic for {duration:.0f}s")
            policy = self.api.fault_rate(
                FAULTED,
                share=opts.fault_share,
                statuses=(429, 500),
                retry_after=1,
                slow=1.0,
                seed=opts.seed,
            )
            self.t0 = time.monotonic()
            events = self.plan(duration)
            chaos = asyncio.create_task(self.chaos(events))
            people = [asyncio.create_task(self.lane()) for _ in range(opts.lanes)]
            people += [
                asyncio.create_task(self.coordinator(n, chat))
                for n, chat in enumerate(self.coordinator_ids)
            ]
            ticker = asyncio.create_task(self.progress())
            await asyncio.sleep(duration)
            self.traffic = False
            ticker.cancel()
            for queue in self.queues.values():
                queue.put_nowait(("stop", "", []))
            everyone = [*people, *self.tasks]
            _done, cut = await asyncio.wait(everyone, timeout=3 * opts.step_timeout + 10)
            for task in cut:  # only a stuck step: nothing should be
                self.counts["cut_off_at_stop"] += 1
                task.cancel()
            await asyncio.gather(*everyone, ticker, return_exceptions=True)
            self.final = True
            await chaos  # planned to end before the traffic does; a lock is never cut short
            traffic_s = time.monotonic() - self.t0
            policy.off()
            self.say("traffic stopped, faults off; the last report")
            alive = await self.last_report()
            drained = await self.drain()
            exit_code = await self.stop_bot()
            result = self.audit(traffic_s, alive, drained, exit_code, policy.injected)
        finally:
            await self.stop_bot()
            await self.api.stop()
        return result

    async def progress(self) -> None:
        """A line a minute, so a long soak shows it is getting on."""
        while True:
            await asyncio.sleep(60)
            self.say(
                f"updates={self.api._last_pushed} reports={len(self.confirmed)} "
                f"locks={len(self.locks)} restarts={self.restarts} {dict(self.counts)}"
            )

    async def last_report(self) -> bool:
        """After the last lock and kill: a new report must reach every coordinator, so the
        outbox loop still works (how each loop fared is read from the bot's log, `read_logs`)."""
        for _try in range(3):
            user = self.new_user()
            code = await self.report(user, "pupil", typos=False)
            if code is None:
                continue
            self.counts["last_reports"] += 1
            deadline = time.monotonic() + (30.0 if self.opts.quick else 120.0)
            while time.monotonic() < deadline:
                if all(self.notified[(chat, code)] for chat in self.coordinator_ids):
                    return True
                await asyncio.sleep(0.2)
            return False
        return False

    async def drain(self) -> bool:
        """Until no outbox row due within the drain time waits and the fake is idle (rows back
        off up to minutes). A row held back longer on purpose (a reporter's activity reaches
        coordinators minutes late) is left pending; the audit counts it apart."""
        deadline = time.monotonic() + self.opts.drain_timeout
        until = datetime.now(UTC) + timedelta(seconds=self.opts.drain_timeout)
        due = until.isoformat(timespec="seconds")
        sql = f"SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_try <= '{due}'"
        while time.monotonic() < deadline:
            [(waiting,)] = await asyncio.to_thread(read_rows, self.db, sql)
            if not waiting:
                with contextlib.suppress(AssertionError):
                    await self.api.wait_idle(quiet=1.0, timeout=10)
                    return True
            await asyncio.sleep(1.0)
        return False

    # --------------------------------------------------------------------------- audit
    def audit(
        self,
        traffic_s: float,
        alive: bool,
        drained: bool,
        exit_code: int | None,
        injected: Counter[str],
    ) -> dict[str, Any]:
        """Every figure, from the database (what the bot committed) against the fake (what
        Telegram would have shown the people)."""
        db = self.db
        reports = read_rows(db, "SELECT id, code, assignee FROM reports")
        active = [t for (t,) in read_rows(db, "SELECT telegram_id FROM coordinators WHERE active")]
        threads = read_rows(
            db,
            "SELECT r.code, t.direction, COUNT(*) FROM messages t JOIN reports r ON r.id = t.report"
            " GROUP BY r.code, t.direction",
        )
        asked_ids = read_rows(
            db,
            "SELECT t.id, r.code FROM messages t JOIN reports r ON r.id = t.report"
            " WHERE t.direction = 'to_reporter' ORDER BY t.id",
        )
        outbox = dict(read_rows(db, "SELECT status, COUNT(*) FROM outbox GROUP BY status"))
        pending = [
            json.loads(payload)
            for (payload,) in read_rows(db, "SELECT payload FROM outbox WHERE status = 'pending'")
        ]
        held = {p.get("code") for p in pending if p.get("event") == "reporter_message"}
        codes = {code for _id, code, _assignee in reports}
        assigned = {code for _id, code, assignee in reports if assignee is not None}

        # New-report notifications: one per committed report and active coordinator.
        pairs = [(chat, code) for code in codes for chat in active]
        lost = sum(1 for pair in pairs if not self.notified[pair])
        duplicated = sum(max(0, self.notified[pair] - 1) for pair in pairs)
        lost_confirmed = sum(
            1 for chat, code in pairs if code in self.confirmed and not self.notified[chat, code]
        )
        # Coordinators' messages: each one the database holds reached its reporter once, as a
        # 📬 notice naming its id, or as the 📩 message itself with its token (as many distinct
        # tokens per case as messages); a notice or token seen twice is a duplicate.
        to_reporter = Counter({c: n for c, d, n in threads if d == "to_reporter"})
        reached = Counter(self.questions[t] for t in self.asked if t in self.questions)
        numbered: Counter[str] = Counter()  # each case's messages to its reporter, from 1
        for _id, code in asked_ids:
            numbered[code] += 1
            if self.noticed[code, numbered[code]]:
                reached[code] += 1
        messages_lost = sum(max(0, n - reached[c]) for c, n in to_reporter.items())
        messages_dup = sum(n - 1 for n in [*self.asked.values(), *self.noticed.values()] if n > 1)
        # Reporters' messages: to the coordinator who has the case, else to every one.
        from_reporter = Counter({c: n for c, d, n in threads if d == "from_reporter"})
        expect = {
            c: n * (1 if c in assigned else len(active))
            for c, n in from_reporter.items()
            if c not in held  # still held back on purpose when the soak ended: not judged
        }
        wrote_lost = sum(max(0, n - self.wrote[c]) for c, n in expect.items())
        wrote_dup = sum(max(0, self.wrote[c] - expect.get(c, 0)) for c in self.wrote)

        logs = self.read_logs()
        faults = dict(injected)
        faults["flood"] = len(self.api.early)  # a call inside a 429's retry_after window
        fetched = self.api.fetches
        lat = self.latencies
        return {
            "minutes": self.opts.minutes,
            "duration_s": round(traffic_s, 1),
            "updates_sent": self.api._last_pushed,
            "updates_per_s": self.api._last_pushed / traffic_s if traffic_s else None,
            "updates_redelivered": sum(1 for n in fetched.values() if n > 1),
            "faults_injected": sum(faults.values()),
            "faults_by_kind": faults,
            "calls_abandoned": len(self.api.abandoned),
            "locks": len(self.locks),
            "locked_s": round(sum(self.locks), 1),
            "longest_lock_s": round(max(self.locks, default=0.0), 1),
            "restarts": self.restarts,
            "start_failures": self.start_failures,
            "reports": len(codes),
            "reports_confirmed": len(self.confirmed),
            "reports_without_reply": len(codes - set(self.confirmed)),
            "confirmed_but_not_stored": len(set(self.confirmed) - codes),
            "without_reply_codes": sorted(codes - set(self.confirmed))[:20],
            "coordinators": len(active),
            "notifications_expected": len(pairs),
            "notifications_delivered": sum(self.notified[pair] for pair in pairs),
            "lost": lost,
            "lost_confirmed": lost_confirmed,
            "duplicated": duplicated,
            "messages_to_reporters": sum(to_reporter.values()),
            "messages_lost": messages_lost,
            "messages_duplicated": messages_dup,
            "reporter_messages": sum(from_reporter.values()),
            "reporter_messages_held": sum(from_reporter[c] for c in held),
            "reporter_messages_lost": wrote_lost,
            "reporter_messages_duplicated": wrote_dup,
            "outbox": outbox,
            "drained": drained,
            "last_report_delivered": alive,
            "loops_at_end": logs["loops"],  # only loops that failed a round at some time
            "loops_alive": alive and "failing" not in logs["loops"].values(),
            "exit_code": exit_code,
            "steps": len(lat),
            "round_trip_p50_ms": statistics.median(lat) * 1000 if lat else None,
            "round_trip_p99_ms": (percentile(lat, 0.99) or 0) * 1000 if lat else None,
            "people": dict(self.counts),
            "log": logs["counts"],
            "messages_read_by_reporters": sum(self.read.values()),
            "missing_button_examples": self.missing,
            "violations": len(self.api.violations),
            "violation_examples": self.api.violations[:3],
        }

    def read_logs(self) -> dict[str, Any]:
        """Counts of telling log events over every run, and each background loop's state at the
        end of the last run: `failing` when its last `background_failed` (bot/background/
        supervisor.py) has no `background_recovered` after it, else `ok`."""
        counts: Counter[str] = Counter()
        loops: dict[str, str] = {}
        marks = ("update_failed", "outbox_dead", "Traceback", "database is locked", "ERROR")
        marks += ("background_failed", "background_recovered", "reply_failed", "reply_kept")
        runs = sorted(self.workdir.glob("bot-*.log"), key=lambda p: int(p.stem.split("-")[1]))
        for path in runs:
            loops = {}  # a restart starts every loop afresh
            for line in path.read_text(errors="replace").splitlines():
                counts.update(mark for mark in marks if mark in line)
                event = LOOP_EVENT.search(line)
                if event:
                    loops[event.group(2)] = "failing" if event.group(1) == "failed" else "ok"
        return {"counts": dict(counts), "loops": loops}


# ----------------------------------------------------------------------------- the report
ROWS: tuple[tuple[str, str], ...] = (
    ("duration_s", "traffic (s)"),
    ("updates_sent", "updates sent"),
    ("updates_per_s", "updates / s"),
    ("updates_redelivered", "updates handed out again after a kill"),
    ("faults_injected", "Bot API faults injected"),
    ("faults_by_kind", "  by kind"),
    ("locks", "database write locks"),
    ("locked_s", "  seconds locked in all"),
    ("longest_lock_s", "  longest (s)"),
    ("restarts", "SIGKILL restarts"),
    ("reports", "reports stored"),
    ("reports_confirmed", "  confirmed with a case code"),
    ("reports_without_reply", "  stored, no code seen by the reporter"),
    ("notifications_expected", "new-report notifications expected"),
    ("notifications_delivered", "  delivered"),
    ("lost", "  lost"),
    ("duplicated", "  duplicated"),
    ("messages_to_reporters", "coordinator messages to reporters"),
    ("messages_lost", "  lost"),
    ("messages_duplicated", "  duplicated"),
    ("reporter_messages", "reporter messages to coordinators"),
    ("reporter_messages_held", "  still held back on purpose (not judged)"),
    ("reporter_messages_lost", "  lost"),
    ("reporter_messages_duplicated", "  duplicated"),
    ("outbox", "outbox rows by status at the end"),
    ("last_report_delivered", "last report reached every coordinator"),
    ("loops_at_end", "  loops that failed a round: state at the end"),
    ("loops_alive", "loops alive"),
    ("round_trip_p50_ms", "round trip p50 (ms)"),
    ("round_trip_p99_ms", "round trip p99 (ms)"),
    ("people", "people's trouble and doings"),
    ("log", "bot log events"),
    ("violations", "Bot API violations"),
    ("exit_code", "bot exit code (SIGTERM)"),
)


def table(result: dict[str, Any]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.1f}"
        if isinstance(value, dict):
            return ", ".join(f"{k} {v}" for k, v in sorted(value.items())) or "—"
        return "—" if value is None else str(value)

    lines = [(label, cell(result.get(key))) for key, label in ROWS]
    width = max(len(label) for label, _ in lines)
    out = [f"| {'figure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    out += [f"| {label.ljust(width)} | {value} |" for label, value in lines]
    return "\n".join(out)


def failed(result: dict[str, Any]) -> list[str]:
    """What makes the soak fail: anything lost or duplicated, a dead loop."""
    keys = ("lost", "duplicated", "messages_lost", "messages_duplicated")
    keys += ("reporter_messages_lost", "reporter_messages_duplicated", "confirmed_but_not_stored")
    problems = [f"{key}={result[key]}" for key in keys if result.get(key)]
    if not result.get("loops_alive"):
        problems.append("loops_alive=False")
    return problems


# ------------------------------------------------------------------------------ the command
def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--minutes", type=float, help="traffic time (default 60; --quick 0.5)")
    parser.add_argument("--quick", action="store_true", help="CI shape: one kill, one short lock")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet", action="store_true", help="print the table only")
    parser.add_argument("--coordinators", type=int, default=2)
    parser.add_argument("--lanes", type=int, help="people at once (default 5; --quick 3)")
    parser.add_argument("--think", type=float, help="mean pause between steps (default 1.5 s)")
    parser.add_argument("--fault-share", type=float, default=0.05, help="share of calls faulted")
    parser.add_argument("--typo-share", type=float, help="typed text where a button is expected")
    parser.add_argument("--src", type=Path, default=ROOT, help="run antipestbot from this tree")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--keep", type=Path, help="run in this directory and keep it (logs, db)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.minutes = args.minutes if args.minutes is not None else (0.5 if quick else 60.0)
    args.lanes = args.lanes or (3 if quick else 5)
    args.think = args.think if args.think is not None else (0.25 if quick else 1.5)
    args.typo_share = args.typo_share if args.typo_share is not None else (0.0 if quick else 0.05)
    return args


async def amain(args: argparse.Namespace) -> int:
    quick = args.quick
    opts = Options(
        minutes=args.minutes,
        seed=args.seed,
        quiet=args.quiet,
        quick=quick,
        coordinators=args.coordinators,
        lanes=args.lanes,
        think=args.think,
        fault_share=args.fault_share,
        typo_share=args.typo_share,
        # Longer than the longest lock (10 s) plus the bot's busy timeout (5 s).
        step_timeout=8.0 if quick else 20.0,
        # A row that failed a few times waits its backoff (2, 4, 8, ... s) before it is retried;
        # a reporter's activity reaches coordinators 2-8 minutes late on purpose.
        drain_timeout=20.0 if quick else 600.0,
        out=args.out,
        python=sys.executable,
        src=args.src.resolve(),
    )
    started = datetime.now(UTC)
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="antipest-soak-"))
        soak = Soak(opts, Path(tmp))
        result = await soak.execute()
        result["seed"] = opts.seed
        result["started"] = started.isoformat()
        problems = failed(result)
        result["failed"] = problems
        if problems:  # keep the bot's logs beside the JSON to read the failure
            logs = {p.name: p.read_text(errors="replace")[-20000:] for p in Path(tmp).glob("*.log")}
            result["log_tails"] = logs
    text = table(result)
    print(
        f"\nantipestbot soak — {opts.minutes:g} min, {opts.lanes} people at once + "
        f"{opts.coordinators} coordinators, seed {opts.seed}"
    )
    print(text)
    print("FAILED: " + ", ".join(problems) if problems else "OK: nothing lost, nothing twice")
    opts.out.mkdir(parents=True, exist_ok=True)
    path = opts.out / f"soak-{started:%Y%m%dT%H%M%S}.json"
    result["table"] = text
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"written: {path}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(amain(parse(argv)))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
