"""`antipestbot run` with stopwatches, for the benchmark's "time spent making data durable".

The benchmark's figures for CPU, latency and memory come from the unmodified `python -m bot run`.
This wrapper runs the same program once more with timers around every SQLite COMMIT (through a
`sqlite3.Connection` subclass handed to whoever connects, so it does not depend on how
`bot/storage/db.py` commits), around every `os.fsync` (the bot fsyncs the WAL itself, see
bot/storage/db.py), and around `Service.handle` (one inbound, start to end). COMMIT and fsync time
spent inside `Service.handle` is also kept apart: it is what a user waits for, while the fsync of
navigation runs on a timer between updates. The totals go as JSON to `$BENCH_PROBE_OUT` when the
process exits.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sqlite3
import sys
import time
from typing import Any

STATS: dict[str, float] = {
    "commits": 0,
    "commit_s": 0.0,
    "fsyncs": 0,
    "fsync_s": 0.0,
    "handles": 0,
    "handle_s": 0.0,
    "durable_in_handle_s": 0.0,  # COMMIT and fsync while Service.handle runs
}
_COMMIT = ("COMMIT", "END")
_handling = False


def _timed(key: str, started: float) -> None:
    elapsed = time.perf_counter() - started
    STATS[f"{key}s"] += 1
    STATS[f"{key}_s"] += elapsed
    if _handling and key != "handle":
        STATS["durable_in_handle_s"] += elapsed


def _fsync(fd: int) -> None:
    started = time.perf_counter()
    try:
        _real_fsync(fd)
    finally:
        _timed("fsync", started)


class TimedConnection(sqlite3.Connection):
    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if not sql.lstrip()[:6].upper().startswith(_COMMIT):
            return super().execute(sql, *args)
        started = time.perf_counter()
        try:
            return super().execute(sql, *args)
        finally:
            _timed("commit", started)

    def commit(self) -> None:
        started = time.perf_counter()
        try:
            super().commit()
        finally:
            _timed("commit", started)


def _connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    kwargs.setdefault("factory", TimedConnection)
    return _real_connect(*args, **kwargs)


def _patch_service() -> None:
    from bot.chat.service import Service

    real = Service.handle

    def handle(self: Service, *args: Any, **kwargs: Any) -> Any:
        global _handling
        started = time.perf_counter()
        _handling = True
        try:
            return real(self, *args, **kwargs)
        finally:
            _handling = False
            _timed("handle", started)

    Service.handle = handle  # type: ignore[method-assign]


def _write() -> None:
    out = os.environ.get("BENCH_PROBE_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as file:
            json.dump(STATS, file)


_real_connect = sqlite3.connect
sqlite3.connect = _connect  # type: ignore[assignment]
_real_fsync = os.fsync
os.fsync = _fsync

if __name__ == "__main__":
    _patch_service()
    atexit.register(_write)
    sys.argv = ["antipestbot", "run", *sys.argv[1:]]  # run.py hands it a free --port
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
