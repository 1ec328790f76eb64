"""What one update's effects and views work with: the case verbs' Context (stores, school, who
acts, when) plus the conversation: the user, the session, the locale and the notices to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.cases.context import Actor, Context
from bot.core.engine import Session
from bot.core.flowspec import Flow, label_for
from bot.core.model import ChannelTraits, Choice, Identity, Screen, Text
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
        return Context(self.stores, self.school, actor, self.now)


@dataclass
class ViewPart:
    """What a view adds to a state's screen, plus screens (e.g. photos) shown before it."""

    texts: list[Text] = field(default_factory=list)
    rows: list[tuple[Choice, ...]] = field(default_factory=list)
    before: list[Screen] = field(default_factory=list)
