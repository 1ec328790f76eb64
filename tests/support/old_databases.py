"""Databases made with old code (tests/system/data/<name>/), copied for a test to open.

Each directory holds `antipest.db`, its key as `secret-key.fixture` (`*.key` files are never
committed), `made-by.py.txt` (the script that made it, with the old code) and, for the newer
ones, `facts.json`: what that script read back with the old code, for the test to compare.
The files are copied first: opening a database migrates it and switches it to WAL.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "system" / "data"


def copy_old_database(name: str, env: dict[str, str]) -> None:
    """Put the database `name` and its key where `env` (ANTIPEST_DB, ..._KEY_FILE) points."""
    for file, setting in (
        ("antipest.db", "ANTIPEST_DB"),
        ("secret-key.fixture", "ANTIPEST_SECRET_KEY_FILE"),
    ):
        target = Path(env[setting])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / name / file, target)
        os.chmod(target, 0o600)


def facts(name: str) -> dict[str, Any]:
    """What the old code read back from the database `name` when it was made."""
    return json.loads((DATA / name / "facts.json").read_text(encoding="utf-8"))
