"""Child processes of the bot: a clean environment, and how an operator error must read."""

from __future__ import annotations

import os


def clean_environ() -> dict[str, str]:
    """This process's environment without any of the bot's own settings, for a child process."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ANTIPEST_"))}


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
