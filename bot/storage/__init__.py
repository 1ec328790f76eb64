"""SQLite storage, the only place with SQL: one connection, migrations at start-up, one
transaction per inbound, and a repository per kind of record."""

from __future__ import annotations

from dataclasses import dataclass

from bot.crypto import Vault
from bot.storage.checklists import ChecklistStore
from bot.storage.coordinators import CoordinatorStore
from bot.storage.counts import CountStore
from bot.storage.db import Database
from bot.storage.deliveries import DeliveryStore
from bot.storage.figures import FigureStore
from bot.storage.hourly import HourlyStore
from bot.storage.jobs import JobStore
from bot.storage.meta import MetaStore
from bot.storage.outbox import OutboxStore
from bot.storage.reporter_prefs import ReporterPrefStore
from bot.storage.reports import ReportStore
from bot.storage.schools import SchoolStore
from bot.storage.sessions import SessionStore
from bot.storage.threads import ThreadStore
from bot.storage.web import WebStore


@dataclass
class Stores:
    """The database and its repositories, nothing else."""

    db: Database
    vault: Vault
    reports: ReportStore
    coordinators: CoordinatorStore
    outbox: OutboxStore
    threads: ThreadStore
    checklists: ChecklistStore
    jobs: JobStore
    sessions: SessionStore
    deliveries: DeliveryStore
    counts: CountStore
    meta: MetaStore
    reporter_prefs: ReporterPrefStore
    hourly: HourlyStore  # reports sent per person in the last hour; survives /vergeet
    web: WebStore  # the web chat's tabs, messages, secret codes and photos
    schools: SchoolStore  # the board's schools and what each sets itself
    figures: FigureStore  # counters that outlive cases (bot/cases/figures.py)

    @classmethod
    def open(cls, db: Database, vault: Vault) -> Stores:
        return cls(
            db=db,
            vault=vault,
            reports=ReportStore(db, vault),
            coordinators=CoordinatorStore(db),
            outbox=OutboxStore(db, vault),
            threads=ThreadStore(db, vault),
            checklists=ChecklistStore(db),
            jobs=JobStore(db),
            sessions=SessionStore(db, vault),
            deliveries=DeliveryStore(db),
            counts=CountStore(db),
            meta=MetaStore(db),
            reporter_prefs=ReporterPrefStore(db),
            hourly=HourlyStore(db, vault),
            web=WebStore(db, vault),
            schools=SchoolStore(db),
            figures=FigureStore(db),
        )
