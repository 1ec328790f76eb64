"""What one update's effects and views work with: the stores, the user, the session."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.engine import Session
from bot.core.flowspec import Flow
from bot.core.model import Choice, Identity, Screen, Text
from bot.crypto import Vault
from bot.settings import School
from bot.storage import audit
from bot.storage.checklists import ChecklistStore
from bot.storage.coordinators import Coordinator, CoordinatorStore
from bot.storage.db import Database
from bot.storage.jobs import JobStore
from bot.storage.outbox import OutboxStore
from bot.storage.reports import ReportStore
from bot.storage.threads import ThreadStore

log = logging.getLogger(__name__)


class Refused(Exception):
    """An effect cannot be done; the session goes back to where it was and `text` is shown."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


@dataclass
class Stores:
    db: Database
    vault: Vault
    school: School
    flows: dict[str, Flow]
    reports: ReportStore
    coordinators: CoordinatorStore
    outbox: OutboxStore
    threads: ThreadStore
    checklists: ChecklistStore
    jobs: JobStore

    def local_time(self, iso: str) -> str:
        when = datetime.fromisoformat(iso).astimezone(ZoneInfo(self.school.timezone))
        return when.strftime("%d-%m-%Y %H:%M")

    def label(self, key: str, value: Any, flow_name: str) -> Text:
        """The button label that recorded `key = value` in that flow: answers read as chosen."""
        flows = [self.flows[flow_name], *self.flows.values()]
        for flow in flows:
            for move in flow.all_moves():
                if move.label and move.save.get(key) == value:
                    return Text(move.label)
        return Text("{value}", {"value": str(value)})


@dataclass
class Turn:
    stores: Stores
    who: Identity
    key: str
    session: Session
    locale: str
    coordinator: Coordinator | None
    now: str
    notices: list[Screen] = field(default_factory=list)
    forgotten: bool = False  # the user asked to be forgotten: do not store the session again
    audience: str | None = None  # who reads the replies when not the session's flow (/vergeet)

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
