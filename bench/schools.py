"""Many schools in one process (issue 13): the usual load spread over 30 schools, beside one.

    python bench/schools.py                   # 30 schools × 4 coordinators (about 4 minutes)
    python bench/schools.py --quick           # 3 schools, a handful of pupils (seconds)

Two bot configurations, each the real `python -m bot run` against the fake Bot API, driven as
bench/run.py drives antipestbot (its `Run`: the same 18-step conversation, pauses, memory phase
and figures):

- `one_school`: a one-school installation with `--coordinators` coordinators; pupils start
  with a bare /start, as in bench/run.py.
- `schools_N`: `--schools` schools with `--coordinators` coordinators each (bench/boardsetup.py);
  pupil n belongs to school n mod N and starts with `/start <its entry code>` (a poster's
  Telegram link), then talks exactly as in the one-school run. Every report notifies the
  coordinators of its own school.

Each configuration runs twice per round: with person-like pauses (the table's usual figures)
and then once more with none (`--saturated-users` pupils at once: how many reports a minute one
process takes). `--rounds` (2) alternates the configurations A B, B A, ... so that a machine
that speeds up or slows down during the run does not favour one; the table shows the median
of the rounds, the JSON every round. Per round and configuration, bench/servicetime.py also
hands `--service-pupils` conversations straight to `Service.handle` in a process of its own:
the CPU of the bot's own work per update, without PTB, HTTP or polling, which are the same for
any number of schools.

Then the queue: bench/queuetime.py, once per `--others` size, times a coordinator of school 1
asking for the queue while other schools hold that many cases. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import run
from boardsetup import COORDINATOR_BASE
from harness import BENCH, RESULTS, ROOT, BenchApi, cell, free_port, markdown

BOUND = 1.10  # issue 13: CPU per update and p99 within 10 % of one school's


class BoardApi(BenchApi):
    """The fake Bot API, counting the bot's messages to coordinators (chats from
    COORDINATOR_BASE on: no pupil's id comes near): notifications are part of the load."""

    def __init__(self) -> None:
        super().__init__()
        self.notified: Counter[int] = Counter()

    def pushed(self, chat: int, message: dict[str, Any]) -> bool:
        if chat < COORDINATOR_BASE:
            return False
        self.notified[chat] += 1
        return True


class SchoolsRun(run.Run):
    """bench/run.py's antipestbot run on a board of `schools` schools; pupils spread over them."""

    def __init__(
        self, bot: run.Bot, opts: run.Options, workdir: Path, schools: int, per_school: int
    ) -> None:
        super().__init__(bot, opts, workdir)
        self.api = BoardApi()
        self.schools, self.per_school = schools, per_school
        self.codes: list[str] = []

    def _add_coordinators(self) -> None:
        setup = subprocess.run(
            [self.opts.python, str(BENCH / "boardsetup.py")]
            + ["--schools", str(self.schools), "--coordinators", str(self.per_school)],
            cwd=self.workdir,
            env=self._env(),
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        codes = json.loads(setup.stdout)
        self.codes = [codes[key] for key in sorted(codes, key=int)]
        self.result.update(schools=len(self.codes), coordinators=len(self.codes) * self.per_school)

    async def execute(self) -> dict[str, Any]:
        result = await super().execute()
        result["notifications"] = sum(self.api.notified.values())
        result["coordinators_notified"] = len(self.api.notified)
        # Where the reports went: each school its share, as the pupils were spread.
        database = sqlite3.connect(self.workdir / "data" / "antipest.db")
        try:
            rows = database.execute("SELECT school, COUNT(*) FROM reports GROUP BY school")
            result["reports_by_school"] = {school: n for school, n in rows}
        finally:
            database.close()
        by_school = result["reports_by_school"].values()
        result.update(reports_stored=sum(by_school), schools_reporting=len(by_school))
        return result

    def opening(self, user_id: int) -> str:
        if len(self.codes) < 2:
            return "/start"  # one school: nobody is asked which, as before
        return f"/start {self.codes[user_id % len(self.codes)]}"


# ----------------------------------------------------------------------------- the runs
SATURATED = {  # the no-pause run's figures, kept beside the paused run's under these names
    "updates_per_s": "nopause_updates_per_s",
    "cpu_ms_per_update": "nopause_cpu_ms_per_update",
    "p99_ms": "nopause_p99_ms",
    "reports_per_min": "nopause_reports_per_min",
}


def _options(args: argparse.Namespace, users: int, memory: int, think: float) -> run.Options:
    return run.Options(
        users=users,
        memory_users=memory,
        concurrency=args.concurrency,
        think=think,
        step_timeout=args.step_timeout,
        phase_timeout=args.phase_timeout,
        seed=args.seed,
        coordinators=args.coordinators,
        profile=False,
        python=sys.executable,
        src=ROOT,
    )


async def configuration(
    args: argparse.Namespace, schools: int, workdir: Path, quiet_wait: float
) -> dict[str, Any]:
    """One configuration: the paused run (with the memory phase), then the no-pause run."""
    python = sys.executable
    result: dict[str, Any] = {}
    phases = [("paused", _options(args, args.users, args.memory_users, args.think))]
    if args.saturated_users:
        phases.append(("nopause", _options(args, args.saturated_users, 0, 0.0)))
    for phase, opts in phases:
        if quiet_wait > 0:
            load = await run.until_quiet(quiet_wait)
            if load >= 0.2:
                print(f"[schools] busy machine ({load:.1f} cores)", file=sys.stderr, flush=True)
        # A port of its own for the web chat `run` also serves: another benchmark or test may
        # hold the default 8080 on a shared machine.
        argv = [python, "-m", "bot", "run", "--port", str(free_port())]
        bot = run.Bot("antipestbot", argv, keyboard=True, buttons=True)
        where = workdir / phase
        where.mkdir(parents=True)
        got = await SchoolsRun(bot, opts, where, schools, args.coordinators).execute()
        got["errors_total"] = sum(got.get("errors", {}).values()) + got.get("memory_errors", 0)
        wall, done = got.get("wall_s"), got.get("conversations_completed")
        got["reports_per_min"] = done * 60 / wall if wall and done is not None else None
        if phase == "paused":
            result.update(got)
        else:
            result.update({mine: got.get(theirs) for theirs, mine in SATURATED.items()})
            result["errors_total"] = result.get("errors_total", 0) + got["errors_total"]
            result["violations"] = result.get("violations", 0) + got.get("violations", 0)
            result["nopause_run"] = got
    if args.service_pupils:
        handled = service_time(args, schools, workdir / "service")
        result["handle_cpu_ms_per_update"] = handled["cpu_ms_per_update"]
        result["handle_wall_ms_per_update"] = handled["wall_ms_per_update"]
        result["handle_p99_ms"] = handled["p99_ms"]
        result["errors_total"] = result.get("errors_total", 0) + handled["errors"]
        result["service_run"] = handled
    return result


def combined(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One figure per key over the rounds: the median of numbers, the sum of error counts."""
    out: dict[str, Any] = {}
    for key in rounds[0]:
        values = [r.get(key) for r in rounds]
        if key in ("errors_total", "violations"):
            out[key] = sum(v or 0 for v in values)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            out[key] = statistics.median_low(values)  # a count stays a count
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            out[key] = statistics.median(values)
        else:
            out[key] = values[0]
    return out


def in_process(script: str, workdir: Path, *options: str) -> dict[str, Any]:
    """bench/<script> in a process of its own on a fresh database in `workdir`: its JSON."""
    workdir.mkdir(parents=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "ANTIPEST_", "BENCH_", "PYTHONPATH"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        ANTIPEST_DB=str(workdir / "data" / "antipest.db"),
        ANTIPEST_SECRET_KEY_FILE=str(workdir / "keys" / "secret.key"),
    )
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *options],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(done.stdout)


def queue_times(args: argparse.Namespace, others: int, tmp: Path) -> dict[str, Any]:
    """bench/queuetime.py: school 1's queue beside `others` cases of the other schools."""
    return in_process(
        "queuetime.py",
        tmp / f"queue-{others}",
        *("--others", str(others), "--schools", str(args.schools)),
        *("--coordinators", str(args.coordinators), "--repeats", str(args.repeats)),
    )


def service_time(args: argparse.Namespace, schools: int, workdir: Path) -> dict[str, Any]:
    """bench/servicetime.py: CPU inside Service.handle per update, no HTTP."""
    return in_process(
        "servicetime.py",
        workdir,
        *("--schools", str(schools), "--coordinators", str(args.coordinators)),
        *("--pupils", str(args.service_pupils)),
    )


# ----------------------------------------------------------------------------- the tables
ROWS: tuple[tuple[str, str, str], ...] = (
    ("schools", "schools", "{:d}"),
    ("coordinators", "coordinators (each notified of their school's reports)", "{:d}"),
    ("reports_stored", "reports stored (paused run)", "{:d}"),
    ("schools_reporting", "schools they went to", "{:d}"),
    ("notifications", "messages to coordinators (whole run)", "{:d}"),
    ("coordinators_notified", "coordinators who got them", "{:d}"),
    ("cpu_ms_per_update", "CPU ms / update (conversation)", "{:.2f}"),
    ("handle_cpu_ms_per_update", "CPU ms / update inside Service.handle (no HTTP)", "{:.3f}"),
    ("wall_s", "wall time, conversations (s)", "{:.1f}"),
    ("updates_per_s", "updates / s (conversations)", "{:.0f}"),
    ("p50_ms", "round trip p50 (ms)", "{:.1f}"),
    ("p99_ms", "round trip p99 (ms)", "{:.1f}"),
    ("handle_p99_ms", "Service.handle p99 (ms, no HTTP)", "{:.2f}"),
    ("startup_s", "start-up to first getUpdates (s)", "{:.2f}"),
    ("peak_rss_mb", "peak RSS (MB)", "{:.1f}"),
    ("rss_after_conversations_mb", "RSS after conversations (MB)", "{:.1f}"),
    ("memory_growth_mb", "RSS growth, 10%→100% of memory users (MB)", "{:+.1f}"),
    ("memory_growth_second_half_mb", "RSS growth, 50%→100% of memory users (MB)", "{:+.1f}"),
    ("saturated_updates_per_s", "updates / s, saturated (first /start)", "{:.0f}"),
    ("saturated_cpu_ms_per_update", "CPU ms / update, saturated (first /start)", "{:.2f}"),
    ("nopause_updates_per_s", "updates / s, conversations without pauses", "{:.0f}"),
    ("nopause_cpu_ms_per_update", "CPU ms / update, conversations without pauses", "{:.2f}"),
    ("nopause_reports_per_min", "reports / min, conversations without pauses", "{:.0f}"),
    ("nopause_p99_ms", "round trip p99 without pauses (ms, a queue)", "{:.1f}"),
    ("other_load_cores", "other processes' load (cores)", "{:.2f}"),
    ("errors_total", "errors (no answer, missing button)", "{:d}"),
    ("violations", "Bot API violations (fake server)", "{:d}"),
)
TARGETS = {
    "cpu_ms_per_update": f"≤ {BOUND:.2f}× one school",
    "handle_cpu_ms_per_update": f"≤ {BOUND:.2f}× one school",
    "p99_ms": f"≤ {BOUND:.2f}× one school",
    "handle_p99_ms": f"≤ {BOUND:.2f}× one school",
    "errors_total": "0",
    "violations": "0",
}
NO_RATIO = (
    "errors_total",
    "violations",
    "other_load_cores",
    "schools",
    "coordinators",
    "reports_stored",
    "schools_reporting",
    "notifications",
    "coordinators_notified",
)
QUEUE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("turn.median_ms", "coordinator's turn (/wachtrij), median (ms)", "{:.2f}"),
    ("turn.p99_ms", "coordinator's turn (/wachtrij), p99 (ms)", "{:.2f}"),
    ("store.median_ms", "open_cases + count_open, median (ms)", "{:.3f}"),
    ("store.p99_ms", "open_cases + count_open, p99 (ms)", "{:.3f}"),
    ("reports_total", "cases in the database", "{:,d}"),
    ("counted_open", "school 1's open cases (counted)", "{:d}"),
    ("answer_cases", "cases listed in the answer", "{:d}"),
    ("db_mb", "database file (MB)", "{:.1f}"),
)


def ratio(mine: Any, theirs: Any) -> float | None:
    numeric = isinstance(mine, int | float) and isinstance(theirs, int | float)
    return mine / theirs if numeric and theirs else None


def bots_table(results: dict[str, dict[str, Any]], base: str, board: str) -> str:
    rows = [["figure", base, board, f"{board}/{base}", "target"]]
    for key, label, fmt in ROWS:
        mine, theirs = results[board].get(key), results[base].get(key)
        share = None if key in NO_RATIO else ratio(mine, theirs)
        cells = [cell(theirs, fmt), cell(mine, fmt), "—" if share is None else f"{share:.2f}×"]
        rows.append([label, *cells, TARGETS.get(key, "")])
    return markdown(rows)


def _lookup(document: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        document = document.get(part) if isinstance(document, dict) else None  # type: ignore[assignment]
    return document


def queue_table(queues: list[dict[str, Any]]) -> str:
    names = [f"{q['others']:,} other-school cases" for q in queues]
    last = f"{names[-1].split()[0]}/{names[0].split()[0]}" if len(queues) > 1 else None
    rows = [["school 1's queue", *names, *([last] if last else [])]]
    for key, label, fmt in QUEUE_ROWS:
        values = [_lookup(q, key) for q in queues]
        row = [label, *[cell(v, fmt) for v in values]]
        if last:
            share = ratio(values[-1], values[0]) if key.endswith("_ms") else None
            row.append("—" if share is None else f"{share:.2f}×")
        rows.append(row)
    return markdown(rows)


def bound_lines(results: dict[str, dict[str, Any]], base: str, board: str) -> list[str]:
    lines = []
    for key, label in (
        ("cpu_ms_per_update", "CPU ms / update"),
        ("handle_cpu_ms_per_update", "CPU ms / update inside Service.handle"),
        ("p99_ms", "round trip p99"),
        ("handle_p99_ms", "Service.handle p99"),
    ):
        share = ratio(results[board].get(key), results[base].get(key))
        verdict = "—" if share is None else "within" if share <= BOUND else "NOT within"
        shown = "—" if share is None else f"{share:.2f}×"
        lines.append(f"{label}: {shown} the one-school figure, {verdict} 10 % (issue 13)")
    return lines


def round_lines(rounds: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Each round's CPU, p99 and competing load: how far the rounds of one configuration
    differ is the noise the ratios above carry."""
    lines = []
    for key, label, fmt in (
        ("cpu_ms_per_update", "CPU ms / update", "{:.2f}"),
        ("handle_cpu_ms_per_update", "CPU ms / update inside Service.handle", "{:.3f}"),
        ("p99_ms", "round trip p99 (ms)", "{:.1f}"),
        ("handle_p99_ms", "Service.handle p99 (ms)", "{:.2f}"),
        ("other_load_cores", "other processes' load (cores)", "{:.2f}"),
    ):
        each = "; ".join(
            f"{name} " + " / ".join(cell(r.get(key), fmt) for r in got)
            for name, got in rounds.items()
        )
        lines.append(f"per round, {label}: {each}")
    return lines


# ------------------------------------------------------------------------------ the command
def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, help="schools on the board (30)")
    parser.add_argument("--coordinators", type=int, default=4, help="per school")
    parser.add_argument("--users", type=int, help="pupils in the paused run (200)")
    parser.add_argument("--memory-users", type=int, help="new pupils who each /start (2,000)")
    parser.add_argument("--saturated-users", type=int, help="pupils at once, no pauses (300)")
    parser.add_argument("--service-pupils", type=int, help="pupils straight to Service (300)")
    parser.add_argument("--think", type=float, help="mean pause between steps (1 s)")
    parser.add_argument("--rounds", type=int, help="A B, B A, ... (2)")
    parser.add_argument("--others", help="other schools' cases for the queue (10,100000)")
    parser.add_argument("--repeats", type=int, help="queue timings per size (500)")
    parser.add_argument("--quick", action="store_true", help="3 schools, a handful of pupils")
    parser.add_argument("--concurrency", type=int, default=200, help="users at once, memory")
    parser.add_argument("--quiet-wait", type=float, help="max s to wait for a quiet machine (10)")
    parser.add_argument("--step-timeout", type=float, default=30.0)
    parser.add_argument("--phase-timeout", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "schools": (3, 30),
        "users": (12, 200),
        "memory_users": (60, 2000),
        "saturated_users": (12, 300),
        "service_pupils": (6, 300),
        "think": (0.0, 1.0),
        "rounds": (1, 2),
        "others": ("10,300", "10,100000"),
        "repeats": (20, 500),
        "quiet_wait": (0.0, 10.0),
    }
    for key, (small, full) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, small if quick else full)
    args.others = [int(n) for n in str(args.others).split(",") if n.strip()]
    return args


async def amain(args: argparse.Namespace) -> int:
    base, board = "one_school", f"schools_{args.schools}"
    started = datetime.now(UTC)
    rounds: dict[str, list[dict[str, Any]]] = {base: [], board: []}
    with tempfile.TemporaryDirectory(prefix="antipest-schools-") as tmp:
        for n in range(args.rounds):
            order = [(base, 1), (board, args.schools)]
            for name, schools in order if n % 2 == 0 else reversed(order):
                print(f"[schools] round {n + 1}: {name} ...", file=sys.stderr, flush=True)
                workdir = Path(tmp) / f"{name}-{n}"
                got = await configuration(args, schools, workdir, args.quiet_wait)
                rounds[name].append(got)
        queues = []
        for others in args.others:
            print(f"[schools] queue with {others:,} other-school cases ...", file=sys.stderr)
            queues.append(queue_times(args, others, Path(tmp)))
    results = {name: combined(each) for name, each in rounds.items()}
    text = bots_table(results, base, board)
    queue_text = queue_table(queues)
    plan = queues[-1]["plan"]
    print(
        f"\nantipestbot, many schools — {args.users} pupils × {len(run.CONVERSATION)} steps "
        f"(pauses {args.think:g} s mean), {args.memory_users} memory users, "
        f"{args.saturated_users} pupils without pauses; {args.coordinators} coordinators per "
        f"school; median of {args.rounds} round(s); {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(text)
    for line in bound_lines(results, base, board):
        print(line)
    for line in round_lines(rounds):
        print(line)
    noisy = [n for n, r in results.items() if (r.get("other_load_cores") or 0) > 0.2]
    if noisy:
        print(f"WARNING: other processes competed for the CPUs during {noisy}: noisy figures")
    print(f"\nthe queue of school 1 beside other schools' cases ({args.repeats} timings each)")
    print(queue_text)
    print(f"\nEXPLAIN QUERY PLAN of open_cases, {queues[-1]['others']:,} other-school cases:")
    for line in plan:
        print(f"  {line}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"schools-{started:%Y%m%dT%H%M%S}.json"
    document = {
        "started": started.isoformat(),
        "config": {
            key: getattr(args, key)
            for key in (
                "schools",
                "coordinators",
                "users",
                "memory_users",
                "saturated_users",
                "service_pupils",
                "think",
                "rounds",
                "others",
                "repeats",
            )
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "results": results,
        "rounds": rounds,
        "queues": queues,
        "table": text,
        "queue_table": queue_text,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwritten: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(amain(parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
