"""A tiny run of the benchmark (bench/run.py), to keep it working. No timing assertions."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (
    "cpu_ms_per_update",
    "wall_s",
    "updates_per_s",
    "p50_ms",
    "p99_ms",
    "startup_s",
    "peak_rss_mb",
    "rss_after_conversations_mb",
    "memory_growth_mb",
    "memory_growth_second_half_mb",
    "saturated_updates_per_s",
    "saturated_cpu_ms_per_update",
)
SUBJECT_ONLY = ("commit_ms_per_update", "fsync_ms_per_update", "fsyncs_per_update", "commit_share")


def test_a_tiny_benchmark_run_reports_every_figure(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--users", "3"]
        + ["--memory-users", "40", "--concurrency", "10", "--quiet-wait", "0"]
        + ["--out", str(tmp_path)]
        # The web chat's part has its own smoke test (tests/bench/test_web_bench_smoke.py).
        + ["--bots", "ptb_echo,aiogram_echo,aiogram_echo_answering,ptb_echo_aiohttp,antipestbot"],
        capture_output=True,
        text=True,
        timeout=110,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    [path] = tmp_path.glob("bench-*.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    results = document["results"]

    expected = {"antipestbot", "ptb_echo", "ptb_echo_aiohttp"}
    if importlib.util.find_spec("aiogram"):
        expected |= {"aiogram_echo", "aiogram_echo_answering"}
    else:
        assert {"aiogram_echo", "aiogram_echo_answering"} <= set(document["skipped"])
    assert set(results) == expected
    for name, result in results.items():
        missing = [key for key in FIGURES if result.get(key) is None]
        assert not missing, (name, missing)
        assert result["updates"] == 3 * len(document["config"]["conversation"]), name
        assert result["errors_total"] == 0, (name, result["errors"])
        assert result["violations"] == 0, (name, result["violation_examples"])
        assert result["exit_code"] == 0, name
    subject = results["antipestbot"]
    assert all(subject.get(key) is not None for key in SUBJECT_ONLY)

    # The printed table and the JSON's copy of it carry every bot and the ratios to the peers.
    assert document["table"] in run.stdout
    assert "antipestbot/ptb_echo" in document["table"]
    for name in results:
        assert name in document["table"]
