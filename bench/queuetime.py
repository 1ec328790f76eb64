"""One school's queue beside many cases of other schools: it must not slow down as they grow.

    python bench/queuetime.py --others 100000 [--schools 30] [--own 30] [--repeats 500]

bench/schools.py runs it once per size, each time in a process of its own on a fresh database
(ANTIPEST_DB and ANTIPEST_SECRET_KEY_FILE from the environment), and reads the one JSON
document it prints. What it builds:

- a board of `--schools` schools with `--coordinators` each (bench/boardsetup.py);
- school 1's own `--own` cases, made as real ones are (`ReportStore.create`: story, name and
  contact sealed), half of them claimed: more than one screen (20 lines), so the queue also
  counts what it leaves out;
- `--others` cases spread over the other schools, written straight into `reports` with one
  `executemany` in one transaction: every column `ReportStore.create` fills, with sealed values
  of the same size (a pool of 64 sealed stories and contacts, reused: sealing 100,000 rows one by
  one would only make the run slower), created over the past year; half of them open (new,
  claimed, in progress), half closed. Their evidence, notes and messages are left out: the queue
  reads none of them. Every index the migrations made is in place as it is written.

What it times, `--repeats` times each after a warm-up: a coordinator of school 1 asking for the
queue in the bot (`Service.handle` with /wachtrij: session, the view, rendering, commit; the
fsync a navigation commit leaves to a timer is done between turns, outside the stopwatch, as the
bot does it), and the two store calls the view makes (`open_cases` + `count_open`). The flood
gate is switched off for this one coordinator: it would stop someone asking 500 times a
second, which is what a stopwatch does. Also `EXPLAIN QUERY PLAN` of the `open_cases` query as it
runs, to show it reads the (school, status, created) index, not the whole table.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from boardsetup import add_board, coordinator_telegram_id

from bot.app import build
from bot.chat.casequeue import LISTED
from bot.core.casecode import new_case_code
from bot.core.model import Identity, Inbound
from bot.core.ratelimit import FloodGate
from bot.settings import load_settings
from bot.storage import Stores
from bot.storage.reports import OPEN_STATUSES

KINDS = ("names", "excluding", "hitting", "taking", "online", "other")
PLACES = ("class", "playground", "on_the_way", "online", "elsewhere")
OFTEN = ("once", "few", "weekly", "daily")
SINCE = ("this_week", "weeks", "months")
STORY = "Ze sturen elke dag gemene berichten over mij in de groepsapp van de klas, al weken lang."
SEALED_POOL = 64
DAY = 86_400


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def add_own_cases(stores: Stores, own: int, now: datetime, claimer: int) -> None:
    """School 1's cases, as the bot makes them; every other one claimed."""
    rng = random.Random(1)
    with stores.db.transaction():
        for n in range(own):
            created = now - timedelta(hours=rng.uniform(1, 24 * 20))
            answers = {
                "who": rng.choice(("self", "other")),
                "kind": rng.choice(KINDS),
                "place": rng.choice(PLACES),
                "often": rng.choice(OFTEN),
                "since": rng.choice(SINCE),
                "story": STORY,
                "anonymous": True,
            }
            code = stores.reports.create(
                f"own-reporter-{n}",
                f"telegram:{900_000 + n}",
                answers,
                _iso(created),
                due=_iso(created + timedelta(hours=24)),
                school=1,
            )
            if n % 2 == 0:
                stores.reports.claim(code, 1, claimer, _iso(created + timedelta(hours=2)))


def add_other_cases(
    stores: Stores, others: int, schools: int, per_school: int, now: datetime
) -> float:
    """`others` cases of schools 2..N, straight into the table; the seconds it took."""
    if schools < 2 or others <= 0:
        return 0.0
    rng = random.Random(2)
    vault = stores.vault
    stories = [vault.seal(f"{STORY} ({n})") for n in range(SEALED_POOL)]
    contacts = [vault.seal(f"telegram:{800_000 + n}") for n in range(SEALED_POOL)]
    empty = vault.seal("")
    taken = {row["code"] for row in stores.db.rows("SELECT code FROM reports")}
    coordinators = {
        row["telegram_id"]: row["id"]
        for row in stores.db.rows("SELECT id, telegram_id FROM coordinators")
    }
    rows: list[tuple[Any, ...]] = []
    for n in range(others):
        code = new_case_code()
        while code in taken:
            code = new_case_code()
        taken.add(code)
        school = 2 + n % (schools - 1)
        created = now - timedelta(seconds=rng.uniform(3600, 365 * DAY))
        status = "closed" if n % 2 else OPEN_STATUSES[(n // 2) % len(OPEN_STATUSES)]
        assignee = (
            None
            if status == "new"
            else coordinators[coordinator_telegram_id(school, n % per_school, per_school)]
        )
        closed = _iso(created + timedelta(days=rng.uniform(1, 30))) if status == "closed" else None
        kind = rng.choice(KINDS)
        rows.append(
            (
                code,
                f"reporter-{n}",
                rng.choice(("pupil", "pupil", "parent")),
                rng.choice(("self", "other")),
                kind,
                kind,
                rng.choice(PLACES),
                rng.choice(OFTEN),
                rng.choice(SINCE),
                stories[n % SEALED_POOL],
                empty,
                1,
                contacts[n % SEALED_POOL],
                status,
                _iso(created),
                closed or _iso(created),
                _iso(created + timedelta(hours=24)),
                school,
                assignee,
                closed,
                "resolved" if closed else None,
            )
        )
    started = time.perf_counter()
    with stores.db.transaction():
        stores.db.conn.executemany(
            "INSERT INTO reports (code, reporter, role, who, kind, kinds, place, often, since,"
            " story, name, anonymous, contact, status, created, updated, due, school, assignee,"
            " closed, outcome_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            rows,
        )
    return time.perf_counter() - started


def timed(call: Callable[[], object], repeats: int, between: Callable[[], None]) -> list[float]:
    """Milliseconds per call, after a warm-up of a tenth as many untimed calls."""
    for _ in range(max(1, repeats // 10)):
        call()
        between()
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
        between()
    return out


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]
    return {"median_ms": statistics.median(ordered), "p99_ms": p99, "max_ms": ordered[-1]}


def query_plan(stores: Stores, now: str) -> list[str]:
    """EXPLAIN QUERY PLAN of the query `open_cases` runs, caught as it runs."""
    caught: list[tuple[str, tuple[Any, ...]]] = []
    real = stores.db.rows

    def catch(sql: str, params: Any = ()) -> list[dict[str, Any]]:
        caught.append((sql, params))
        return real(sql, params)

    stores.db.rows = catch  # type: ignore[method-assign]
    try:
        stores.reports.open_cases(frozenset({1}), now, LISTED)
    finally:
        del stores.db.rows  # the instance attribute goes; the method is back
    [(sql, params)] = caught
    plan = stores.db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return [str(row[3]) for row in plan]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--others", type=int, required=True, help="cases of other schools")
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--coordinators", type=int, default=4, help="per school")
    parser.add_argument("--own", type=int, default=30, help="school 1's own cases")
    parser.add_argument("--repeats", type=int, default=500)
    args = parser.parse_args(argv)

    app = build(load_settings())
    stores, service = app.stores, app.service
    now = datetime.now(UTC)
    add_board(stores, args.schools, args.coordinators, _iso(now))
    coordinator = stores.coordinators.by_telegram_id(
        coordinator_telegram_id(1, 0, args.coordinators)
    )
    assert coordinator is not None
    add_own_cases(stores, args.own, now, coordinator.id)
    insert_s = add_other_cases(stores, args.others, args.schools, args.coordinators, now)

    service.flood = FloodGate(burst=10**9)  # a stopwatch asks faster than any person
    stores.db.schedule = lambda _delay, _sync: None  # the bot's timer: synced between turns
    who = Identity("telegram", str(coordinator.telegram_id), str(coordinator.telegram_id), "nl")
    service.handle(who, Inbound("command", trigger="start"))
    queue = Inbound("command", trigger="queue")
    answer = service.handle(who, queue)
    turn_ms = timed(lambda: service.handle(who, queue), args.repeats, stores.db.sync_pending)

    stamp = _iso(now)
    mine = frozenset({1})

    def store_calls() -> None:
        stores.reports.open_cases(mine, stamp, LISTED)
        stores.reports.count_open(mine)

    store_ms = timed(store_calls, args.repeats, lambda: None)
    stores.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file's size, not the log's
    counts = stores.db.row(
        "SELECT COUNT(*) AS total, SUM(school = 1) AS own,"
        " SUM(school = 1 AND status != 'closed') AS own_open FROM reports"
    )
    assert counts is not None
    document = {
        "others": args.others,
        "schools": args.schools,
        "reports_total": counts["total"],
        "own_open": counts["own_open"],
        "listed": len(stores.reports.open_cases(mine, stamp, LISTED)),
        "counted_open": stores.reports.count_open(mine),
        "answer_messages": len(answer),
        "answer_cases": sum(":open:" in data for m in answer for row in m.rows for _, data in row),
        "insert_s": insert_s,
        "repeats": args.repeats,
        "turn": summary(turn_ms),
        "store": summary(store_ms),
        "plan": query_plan(stores, stamp),
        "db_mb": sum(f.stat().st_size for f in (stores.db.path, stores.db.wal) if f.exists()) / 1e6,
    }
    stores.db.close()
    print(json.dumps(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
