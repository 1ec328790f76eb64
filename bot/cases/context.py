"""What every case verb works with: the stores, the school, who acts, and when.

A verb is the same whether a chat effect, a timed job, the command line or a web page calls it;
the caller only says who is acting. The audit log names that actor in one of three ways, spelled
here once: `coordinator:<id>`, `reporter` (never their pseudonym) or `system` (a job).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.core.i18n import N_
from bot.core.model import Refused, Text
from bot.schools.registry import Schools
from bot.schools.school import School
from bot.storage import Stores, audit

log = logging.getLogger(__name__)

ActorKind = Literal["coordinator", "reporter", "system"]

COORDINATOR = "coordinator:"  # + the coordinator's id: `storage/audit.history` joins on it
REPORTER = "reporter"
SYSTEM = "system"

ONLY_COORDINATORS = N_("Only anti-bullying coordinators can do that.")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a coordinator (by id), the reporter (by pseudonym) or the system (a job)."""

    kind: ActorKind
    coordinator_id: int | None = None
    reporter_key: str | None = None  # the pseudonym a report is filed under; never audited

    @classmethod
    def coordinator(cls, coordinator_id: int) -> Actor:
        return cls("coordinator", coordinator_id=coordinator_id)

    @classmethod
    def reporter(cls, key: str) -> Actor:
        return cls("reporter", reporter_key=key)

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @property
    def audit(self) -> str:
        """How the audit log names this actor."""
        if self.kind == "coordinator":
            return f"{COORDINATOR}{self.coordinator_id}"
        return REPORTER if self.kind == "reporter" else SYSTEM


@dataclass(frozen=True, slots=True)
class Context:
    """One case action: where it happens (stores, school), who does it, and when (UTC ISO).

    `school` is the school of the conversation or job; `scope` the schools whose cases the actor
    may see (a coordinator's roles; empty: `school` alone). A case's own rules (hours, phases,
    follow-up days) are its school's: `school_of(report)`.
    """

    stores: Stores
    school: School
    actor: Actor
    now: str
    schools: Schools | None = None  # the board's schools (None: `school` is the only one)
    scope: frozenset[int] = frozenset()

    def sees(self) -> frozenset[int]:
        """The school ids whose cases this actor may find."""
        return self.scope or frozenset({self.school.id})

    def school_of(self, school_id: int) -> School:
        if self.schools is None or school_id == self.school.id:
            return self.school
        return self.schools[school_id]

    def coordinator_id(self) -> int:
        """The acting coordinator's id; refused for anyone else (button data can be forged)."""
        if self.actor.kind != "coordinator" or self.actor.coordinator_id is None:
            raise Refused(Text(ONLY_COORDINATORS))
        return self.actor.coordinator_id

    def record(self, action: str, code: str, school: int) -> None:
        """Audit-log what the actor did to case `code` of `school` (never content), and log
        the event."""
        audit.record(self.stores.db, self.now, self.actor.audit, action, code, school)
        if self.actor.kind != "system":  # a job is logged once, by the runner (`job_done`)
            log.info("%s case=%s actor=%s", action, code, self.actor.audit)
