"""`bot.cli.main(args)` run in this process as an administrator runs `antipestbot`: in a clean
environment (no developer's `.env`, no TELEGRAM_/ANTIPEST_ variable but the test's own), with
what it prints captured, and the logging that `main()` configures undone afterwards.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.cli import main

Run = Callable[..., tuple[int, str, str]]


@contextmanager
def command_line(
    env: Mapping[str, str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Run]:
    """Yields `run(*args, **settings)`: `main(args)` with `settings` set in the environment
    first; returns (exit code, stdout, stderr). A traceback is never an answer."""
    workdir.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(workdir)  # no developer's .env is read
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "ANTIPEST_")):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]

    def run(*args: str, **settings: str) -> tuple[int, str, str]:
        for key, value in settings.items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in err, err
        return code, out, err

    try:
        yield run
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
