"""A half-minute run of the soak (bench/soak.py --quick), to keep it working.

One SIGKILL restart, one short database lock, Bot API faults, a handful of reports: every figure
must be in the JSON, nothing lost or duplicated, and the loops alive. No timing assertions.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = (
    "duration_s",
    "updates_sent",
    "faults_injected",
    "faults_by_kind",
    "locks",
    "locked_s",
    "restarts",
    "reports",
    "reports_confirmed",
    "notifications_expected",
    "notifications_delivered",
    "lost",
    "duplicated",
    "messages_to_reporters",
    "messages_lost",
    "messages_duplicated",
    "reporter_messages_lost",
    "reporter_messages_duplicated",
    "loops_alive",
)


def test_a_quick_soak_loses_nothing_and_sends_nothing_twice(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--quick", "--quiet"]
        + ["--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=150,
        cwd=ROOT,
    )
    [path] = tmp_path.glob("soak-*.json")
    result = json.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in FIGURES if result.get(key) is None]
    assert not missing, missing
    assert run.returncode == 0, (result["failed"], run.stdout[-3000:], run.stderr[-3000:])
    assert result["restarts"] == 1 and result["locks"] == 1
    assert result["faults_injected"] > 0
    assert result["reports_confirmed"] >= 2
    assert result["notifications_delivered"] == result["notifications_expected"] > 0
    assert result["lost"] == result["duplicated"] == 0
    assert result["loops_alive"] is True
    assert result["violations"] == 0, result["violation_examples"]
    assert result["table"] in run.stdout
