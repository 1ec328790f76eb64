"""One wheel of the bot, installed in a fresh venv outside the repository, for the whole session.

Building it and installing its dependencies take about half a minute, once.
"""

from __future__ import annotations

import pytest
from support.installs import Installed, install_wheel


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return install_wheel(tmp_path_factory.mktemp("wheel"))
