"""What one update's effects and views work with: the case verbs' Context (stores, school, who
acts, when) plus the conversation: the user, the session, the locale and the notices to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.cases.context import Actor, Context
from bot.core.engine import Session
from bot.core.flowspec import Flow, label_for
from bot.core.model import ChannelTraits, Choice, Identity, Screen, Text
from bot.core.throttle import CodeThrottle
from bot.schools.registry import Schools
from bot.schools.school import School
from bot.storage import Stores
from bot.storage.coordinators import Coordinator


@dataclass
class Turn:
    stores: Stores
    school: School
    flows: dict[str, Flow]
    who: Identity
    key: str
    session: Session
    locale: str
    coordinator: Coordinator | None
    now: str
    channel: ChannelTraits | None = None  # the user's channel (None: one this process lacks)
    notices: list[Screen] = field(default_factory=list)
    forgotten: bool = False  # the user asked to be forgotten: do not store the session again
    audience: str | None = None  # who reads the replies when not the session's flow (/vergeet)
    schools: Schools | None = None  # the board's schools (None: `school` is the only one)
    gate: CodeThrottle | None = None  # slows down wrong entry codes (bot/chat/entry.py)
    # The school the conversation belongs to changed in this turn (saved with the session).
    school_changed: bool = False

    def label(self, key: str, value: Any, flow_name: str) -> Text:
        """How a saved answer reads: the label of the button that saved it."""
        return label_for(self.flows, key, value, flow_name)

    def say(self, msgid: str, **params: Any) -> None:
        self.notices.append(Screen((Text(msgid, params),)))

    @property
    def context(self) -> Context:
        """The case verbs' view of this turn: a coordinator acts as themselves, anyone else as
        the reporter (known by their pseudonym)."""
        if self.coordinator is not None:
            actor = Actor.coordinator(self.coordinator.id)
        else:
            actor = Actor.reporter(self.key)
        return Context(self.stores, self.school, actor, self.now, self.schools, self.scope())

    def scope(self) -> frozenset[int]:
        """The schools whose cases this user may find: a coordinator's roles, else the
        conversation's school."""
        if self.coordinator is not None and self.coordinator.schools:
            return self.coordinator.schools
        return frozenset({self.school.id})

    def school_of(self, school_id: int) -> School:
        """A school of the board by id (a case's own school: its hours, phases, clock)."""
        if self.schools is None or school_id == self.school.id:
            return self.school
        return self.schools[school_id]

    def many_schools(self) -> bool:
        """The board has more than one school: say which school things belong to."""
        return self.schools is not None and len(self.schools.live) > 1

    def school_names(self, ids: frozenset[int]) -> list[str]:
        """The names of these schools, by id order (a slug where a school has no name)."""
        return [self.school_of(i).name or self.school_of(i).slug for i in sorted(ids)]


@dataclass
class ViewPart:
    """What a view adds to a state's screen, plus screens (e.g. photos) shown before it."""

    texts: list[Text] = field(default_factory=list)
    rows: list[tuple[Choice, ...]] = field(default_factory=list)
    before: list[Screen] = field(default_factory=list)
    monospace: bool = False  # the state's screen in a fixed-width font (tables of figures)
