"""A school board for the benchmark: schools and their coordinators, before the bot starts.

    python bench/boardsetup.py --schools 30 --coordinators 4

Adds schools 2..N to the database the environment names (ANTIPEST_DB, as `antipestbot` reads
it; the migration made school 1) and `--coordinators` coordinators to each school, all in one
transaction, and prints `{"<school id>": "<entry code>", ...}` as JSON on stdout: the codes
pupils put after /start (a poster's Telegram link). bench/schools.py runs it for each bot
process; bench/queuetime.py calls `add_board` in its own process. The Telegram id of
coordinator k of school s is `COORDINATOR_BASE + (s - 1) * per_school + k`.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.app import build
from bot.clock import stamp, system_clock
from bot.schools.registry import new_entry_code
from bot.settings import load_settings
from bot.storage import Stores

COORDINATOR_BASE = 7_000_001  # as bench/run.py's coordinator: no pupil's id comes near


def coordinator_telegram_id(school: int, k: int, per_school: int) -> int:
    return COORDINATOR_BASE + (school - 1) * per_school + k


def add_board(stores: Stores, schools: int, per_school: int, now: str) -> dict[int, str]:
    """Schools 2..`schools` beside school 1, `per_school` coordinators each; their entry codes."""
    with stores.db.transaction():
        for number in range(2, schools + 1):
            code = new_entry_code()
            while stores.schools.taken(entry_code=code):
                code = new_entry_code()
            stores.schools.add(f"school-{number}", f"School {number}", code, now)
        rows = [row for row in stores.schools.listed() if not row["removed"]]
        for row in rows:
            for k in range(per_school):
                telegram_id = coordinator_telegram_id(row["id"], k, per_school)
                name = f"Coordinator {k + 1} of {row['slug']}"
                stores.coordinators.add(telegram_id, name, now, school=row["id"])
    return {row["id"]: row["entry_code"] for row in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--coordinators", type=int, default=4, help="per school")
    args = parser.parse_args(argv)
    app = build(load_settings())
    try:
        codes = add_board(app.stores, args.schools, args.coordinators, stamp(system_clock))
    finally:
        app.stores.db.close()
    print(json.dumps(codes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
