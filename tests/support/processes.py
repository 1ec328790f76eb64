"""Child processes of the bot: a clean environment, and how an operator error must read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def clean_environ() -> dict[str, str]:
    """This process's environment without any of the bot's own settings, for a child process."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ANTIPEST_"))}


def antipestbot(
    settings: dict[str, str], cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` run to its end in `cwd`, with `settings` on a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean_environ(), "PYTHONIOENCODING": "utf-8", **settings},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    """Exit code 0 and no traceback; returns what the command printed."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, (result.returncode, result.stderr)
    return result.stdout


def one_sentence(code: int, stderr: str, *mentions: str) -> str:
    """Exit code 2 and one line on stderr that names the problem, no traceback."""
    assert "Traceback" not in stderr, stderr
    assert code == 2, (code, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("antipestbot: "), lines[0]
    for mention in mentions:
        assert mention in lines[0], (mention, lines[0])
    return lines[0]
