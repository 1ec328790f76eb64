"""The bot built as a wheel and installed in a fresh venv, as an operator's `pip install` does.

The wheel is built from a copy of the working tree (what a fresh clone holds: no venv, no caches,
no data), so the build's `build/` and `*.egg-info` never land in the repository and no stale file
of an earlier build can slip into the wheel. Its dependencies come from the package index pip
uses here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Not part of a clone, or written by builds and runs; skipped at the top of the tree.
NOT_IN_A_CLONE = {".git", ".venv", "build", "dist", "data"}
CACHES = ("__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis", "*.pyc")


@dataclass(frozen=True)
class Installed:
    """The built wheel and the venv it is installed in."""

    wheel: Path
    venv: Path

    def program(self, name: str) -> Path:
        return self.venv / "bin" / name


def install_wheel(base: Path) -> Installed:
    """Build the wheel under `base` and install it, with its dependencies, in `base`/venv."""
    assert not base.resolve().is_relative_to(REPO), "the install must lie outside the repository"
    source = base / "source"
    shutil.copytree(REPO, source, ignore=_clone_like, symlinks=True)
    dist = base / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, timeout=300)
    (wheel,) = dist.glob("antipestbot-*.whl")
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv, timeout=120)
    _run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, timeout=600)
    shutil.rmtree(source)  # from here on, only the installed copy exists outside the repository
    return Installed(wheel, venv)


def _clone_like(source: str, names: list[str]) -> Iterable[str]:
    skipped = set(shutil.ignore_patterns(*CACHES)(source, names))
    if Path(source) == REPO:
        skipped |= NOT_IN_A_CLONE & set(names)
    return skipped


def _run(*command: str | Path, timeout: int) -> None:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
