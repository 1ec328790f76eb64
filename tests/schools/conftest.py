"""The two-school world of the cross-school tests: made once per module, and poured back from
its bytes before each test (support/crossing.py `Template`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clocks import FakeClock
from support.crossing import Template
from support.twoschools import NOW, World, make_world

from bot.app import build
from bot.settings import load_settings


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Template]]:
    folder: Path = tmp_path_factory.mktemp("board")
    env = {
        "ANTIPEST_DB": str(folder / "data" / "antipest.db"),
        "ANTIPEST_SECRET_KEY_FILE": str(folder / "keys" / "secret.key"),
    }
    clock = FakeClock(NOW)
    app = build(load_settings(env), clock)
    world = make_world(app)
    yield world, Template(app)
    app.stores.db.close()


@pytest.fixture
def world(board: tuple[World, Template]) -> World:
    """The world as it was made, at the moment it was made."""
    world, template = board
    template.restore()
    world.clock.set(NOW)
    for chatter in (*world.coordinators.values(), *world.reporters.values()):
        chatter.last = []
    return world
