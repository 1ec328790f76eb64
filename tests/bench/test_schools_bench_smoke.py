"""A tiny run of the many-schools benchmark (bench/schools.py), to keep it working: both
configurations run, the board's pupils reach their own schools through /start <entry code>, every
figure is in the table, and the queue is timed for both sizes with its query plan. No timings:
the bound (within 10 % of one school) lives in the benchmark's own output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (
    "cpu_ms_per_update",
    "handle_cpu_ms_per_update",
    "handle_p99_ms",
    "p50_ms",
    "p99_ms",
    "peak_rss_mb",
    "startup_s",
)
ROWS = (
    "| schools ",
    "| CPU ms / update (conversation) ",
    "| CPU ms / update inside Service.handle (no HTTP) ",
    "| round trip p99 (ms) ",
    "| Service.handle p99 (ms, no HTTP) ",
    "| peak RSS (MB) ",
    "| errors (no answer, missing button) ",
)
QUEUE_ROWS = (
    "| coordinator's turn (/wachtrij), median (ms) ",
    "| coordinator's turn (/wachtrij), p99 (ms) ",
    "| open_cases + count_open, median (ms) ",
    "| open_cases + count_open, p99 (ms) ",
)


def test_a_tiny_schools_benchmark_reports_every_figure(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "schools.py"), "--quick", "--schools", "3"]
        + ["--users", "6", "--memory-users", "12", "--saturated-users", "0"]
        + ["--others", "10,200", "--repeats", "5", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=110,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    [path] = tmp_path.glob("schools-*.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    results = document["results"]
    assert set(results) == {"one_school", "schools_3"}
    for name, result in results.items():
        missing = [key for key in FIGURES if result.get(key) is None]
        assert not missing, (name, missing)
        assert result["errors_total"] == 0, (name, result["errors"])
        assert result["violations"] == 0, name
        assert result["conversations_completed"] == 6, name

    # One school: everything in school 1. Three: the six pupils' reports, two in each school.
    assert results["one_school"]["reports_by_school"] == {"1": 6}
    assert results["schools_3"]["reports_by_school"] == {"1": 2, "2": 2, "3": 2}
    assert results["schools_3"]["coordinators"] == 12
    # Straight to Service.handle too: the same reports, in their own schools.
    handled = [results[n]["service_run"] for n in ("one_school", "schools_3")]
    assert [(h["reports"], h["schools_reporting"], h["errors"]) for h in handled] == [
        (6, 1, 0),
        (6, 3, 0),
    ]
    # Each report notified its own school's 4 coordinators: 24 messages to 4 and to 12 people.
    # One school also hears once that three reports named the same place within 14 school days
    # (a pattern alert, to its 4 coordinators); two reports a school make no pattern.
    assert [results[n]["notifications"] for n in ("one_school", "schools_3")] == [28, 24]
    assert [results[n]["coordinators_notified"] for n in ("one_school", "schools_3")] == [4, 12]

    # The queue of school 1 is its own 30 open cases, 20 listed, whatever the others hold.
    queues = document["queues"]
    assert [q["others"] for q in queues] == [10, 200]
    for queue in queues:
        assert queue["reports_total"] == 30 + queue["others"]
        assert queue["counted_open"] == 30
        assert queue["answer_cases"] == 20
        assert "USING INDEX idx_reports_school_status" in queue["plan"][0]

    # One table beside the other, with the ratio to one school and the bound.
    out = run.stdout
    assert document["table"] in out and document["queue_table"] in out
    assert "schools_3/one_school" in out
    for row in (*ROWS, *QUEUE_ROWS):
        assert row in out, row
    assert "the one-school figure" in out and "EXPLAIN QUERY PLAN" in out
    assert "per round, round trip p99 (ms): one_school" in out
