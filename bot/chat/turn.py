"""What one update's effects and views work with: the stores, the school, the user, the session."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.core.engine import Session
from bot.core.flowspec import Flow, label_for
from bot.core.model import Choice, Identity, Screen, Text
from bot.schools.school import School
from bot.storage import Stores, audit
from bot.storage.coordinators import Coordinator

log = logging.getLogger(__name__)


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
    notices: list[Screen] = field(default_factory=list)
    forgotten: bool = False  # the user asked to be forgotten: do not store the session again
    audience: str | None = None  # who reads the replies when not the session's flow (/vergeet)

    def label(self, key: str, value: Any, flow_name: str) -> Text:
        """How a saved answer reads: the label of the button that saved it."""
        return label_for(self.flows, key, value, flow_name)

    def say(self, msgid: str, **params: Any) -> None:
        self.notices.append(Screen((Text(msgid, params),)))

    def record(self, action: str, code: str) -> None:
        """Audit-log what this user did to case `code` (never content), and log the event."""
        actor = f"coordinator:{self.coordinator.id}" if self.coordinator else "reporter"
        audit.record(self.stores.db, self.now, actor, action, code)
        log.info("%s case=%s actor=%s", action, code, actor)


@dataclass
class ViewPart:
    """What a view adds to a state's screen, plus screens (e.g. photos) shown before it."""

    texts: list[Text] = field(default_factory=list)
    rows: list[tuple[Choice, ...]] = field(default_factory=list)
    before: list[Screen] = field(default_factory=list)
