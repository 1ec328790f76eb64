"""A quick run of the web chat's benchmark (bench/run.py --quick --bots web_floor,web), to keep it
working: both servers run, every figure is produced, every tab finished its report. No timings:
the speed targets live in the benchmark's table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (
    "cpu_ms_per_update",
    "p50_ms",
    "p99_ms",
    "startup_s",
    "peak_rss_mb",
    "rss_idle_mb",
    "rss_streams_mb",
    "rss_per_stream_kb",
    "rss_after_conversations_mb",
)
WAVES = ("wave_sessions", "wave_growth_mb", "wave_streams_ended_by_server")


def test_a_quick_web_benchmark_reports_every_figure(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--bots", "web_floor,web"]
        + ["--sessions", "20", "--wave-sessions", "10", "--quiet-wait", "0"]
        + ["--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=110,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    [path] = tmp_path.glob("bench-*.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    results = document["results"]
    assert set(results) == {"web_floor", "web"}
    turns = document["config"]["web"]["turns"]
    for name, result in results.items():
        missing = [key for key in FIGURES if result.get(key) is None]
        assert not missing, (name, missing)
        assert result["errors_total"] == 0, (name, result["errors"], result.get("wave_errors"))
        assert result["streams_open"] == result["conversations_completed"] == 20, name
        assert result["updates"] == 20 * turns, name
        assert result["exit_code"] == 0, name

    # The tabs of the wave came, reported and were forgotten: the server ended their streams.
    web = results["web"]
    assert all(web.get(key) is not None for key in WAVES)
    assert web["wave_sessions"] == web["wave_streams_ended_by_server"] == 10
    assert [sessions for sessions, _rss in web["wave_rss_samples"]] == [0, 10]

    # One table: the web columns beside each other, with the ratio to the floor.
    assert document["table"] in run.stdout
    assert "web/web_floor" in document["table"]
    assert "RSS per open stream" in document["table"]
