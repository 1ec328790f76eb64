"""The bot's own work per update, without HTTP: the part of CPU per update a board could change.

    python bench/servicetime.py --schools 30 [--coordinators 4] [--pupils 300]

bench/schools.py runs it in a process of its own per configuration, on a fresh database
(ANTIPEST_DB, ANTIPEST_SECRET_KEY_FILE from the environment), and reads the one JSON document
it prints. A board of `--schools` schools (bench/boardsetup.py); `--pupils` pupils, one after
the other, each bench/run.py's whole 18-step conversation handed straight to `Service.handle`
as the Telegram channel would hand it (`/start <entry code>` first when there are several
schools, a bare /start for one; buttons pressed by trigger id from the answer). The CPU time of
this process (`time.process_time`) inside `Service.handle` is summed over every update: the
session, the flow, the report, the coordinators' notifications put in the outbox, rendering and
the commit, without polling, HTTP or sending. Navigation's fsync is done between updates (the
bot's timer does it), outside the stopwatch; a report's fsync is inside, as in the bot. Also
the p99 of the wall time of one `Service.handle`: the bot's share of a round trip.

The figure behind bench/run.py's CPU per update also holds PTB, aiohttp and the outbox sender,
the same work for any number of schools; this one holds only what the number of schools could
change, and other processes on the machine move it less (it is CPU time, not wall time).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from boardsetup import add_board
from harness import percentile
from run import CONVERSATION, USER_BASE

from bot.app import build
from bot.clock import stamp, system_clock
from bot.core.model import Identity, Inbound, Outbound, parse_button_data
from bot.settings import load_settings


def pressed(answer: list[Outbound], trigger: str) -> Inbound | None:
    """The button with this trigger in the answer, pressed; None when it is not there."""
    for message in answer:
        for row in message.rows:
            for _label, data in row:
                inbound = parse_button_data(data)
                if inbound is not None and inbound.trigger == trigger:
                    return inbound
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, required=True)
    parser.add_argument("--coordinators", type=int, default=4, help="per school")
    parser.add_argument("--pupils", type=int, default=300)
    args = parser.parse_args(argv)

    app = build(load_settings())
    stores, service = app.stores, app.service
    codes = list(add_board(stores, args.schools, args.coordinators, stamp(system_clock)).values())
    stores.db.schedule = lambda _delay, _sync: None  # the bot's timer: synced between updates
    cpu = 0.0
    walls: list[float] = []
    errors = 0
    for n in range(args.pupils):
        user = str(USER_BASE + n)
        who = Identity("telegram", user, user, "nl")
        code = codes[(USER_BASE + n) % len(codes)] if len(codes) > 1 else None
        answer: list[Outbound] = []
        for kind, value in CONVERSATION:
            if kind == "command":
                inbound: Inbound | None = Inbound("command", trigger="start", arg=code)
            elif kind == "text":
                inbound = Inbound("text", text=value)
            elif kind == "photo":
                inbound = Inbound("photo", file_id=f"{value}-{user}", file_size=50_000)
            else:
                inbound = pressed(answer, value)
            if inbound is None:
                errors += 1
                break
            cpu0, wall0 = time.process_time(), time.perf_counter()
            answer = service.handle(who, inbound)
            cpu += time.process_time() - cpu0
            walls.append(time.perf_counter() - wall0)
            stores.db.sync_pending()
    reports = stores.db.row("SELECT COUNT(*) AS n, COUNT(DISTINCT school) AS schools FROM reports")
    outbox = stores.db.row("SELECT COUNT(*) AS n FROM outbox")
    assert reports is not None and outbox is not None
    stores.db.close()
    updates = len(walls)
    document = {
        "schools": len(codes),
        "updates": updates,
        "errors": errors,
        "reports": reports["n"],
        "schools_reporting": reports["schools"],
        "outbox_rows": outbox["n"],
        "cpu_ms_per_update": cpu * 1000 / updates if updates else None,
        "wall_ms_per_update": sum(walls) * 1000 / updates if updates else None,
        "p99_ms": (percentile(walls, 0.99) or 0) * 1000 if updates else None,
    }
    print(json.dumps(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
