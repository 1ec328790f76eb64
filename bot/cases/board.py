"""The board's schools as the running bot sees them, kept fresh.

`antipestbot school add` runs in another process while the bot serves: the snapshot is read again
whenever the schools table changed (one small query), never per school or per case.
"""

from __future__ import annotations

from bot.schools.registry import SchoolRow, Schools
from bot.schools.school import School
from bot.storage import Stores


class Board:
    def __init__(self, stores: Stores, defaults: School) -> None:
        self.stores = stores
        self.defaults = defaults  # the TOML file: what every school has unless it says otherwise
        self._version: str | None = None
        self._schools = Schools(defaults, {defaults.id: defaults})

    def current(self) -> Schools:
        version = self.stores.schools.version()
        if version != self._version:
            rows = [SchoolRow(**row) for row in self.stores.schools.listed()]
            self._schools = Schools.build(self.defaults, rows)
            self._version = version
        return self._schools
