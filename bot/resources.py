"""Where the bot's own data lies: the flows and the catalogs, found through the installed package.

They stay at the repository's top (`flows/`, `locales/`), and pyproject.toml installs them as the
packages `bot._flows` and `bot._locales` (setuptools `package-dir`), so a wheel in site-packages,
an editable checkout and the Docker image find them the same way, with importlib.resources. No
other module computes where they are. Nothing here is written: site-packages may be read-only.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _folder(package: str) -> Path:
    """The folder of a data package; a real folder, as pip unpacks a wheel (never zipped)."""
    try:
        found = files(package)
    except ModuleNotFoundError as exc:
        # An editable install made before the data packages existed has no mapping for them.
        raise ModuleNotFoundError(
            f"{package} is not installed; install the bot again: pip install -e ."
        ) from exc
    if not isinstance(found, Path):
        raise ModuleNotFoundError(f"{package} is not a folder on disk; install the bot unzipped.")
    return found


FLOWS = _folder("bot._flows")  # the flows (*.yaml) and their shared fragments (shared/*.yaml)
LOCALES = _folder("bot._locales")  # <lang>/LC_MESSAGES/messages.po, compiled in memory
CRISIS_WORDS = FLOWS / "shared" / "crisis.yaml"
