"""The composition root: builds the object graph from settings and wires nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.background.jobs import JobRunner
from bot.chat.service import EFFECTS, VIEWS, Service
from bot.chat.turn import Stores
from bot.clock import Clock, system_clock
from bot.core.crisis import load_crisis_words
from bot.core.engine import Engine
from bot.core.flowspec import FlowError, load_flows, validate
from bot.core.i18n import load_catalogs
from bot.core.render import Renderer
from bot.crypto import Vault, load_or_create_key
from bot.settings import Settings
from bot.storage.checklists import ChecklistStore
from bot.storage.coordinators import CoordinatorStore
from bot.storage.db import Database
from bot.storage.jobs import JobStore
from bot.storage.outbox import OutboxStore
from bot.storage.reports import ReportStore
from bot.storage.threads import ThreadStore


@dataclass
class App:
    settings: Settings
    stores: Stores
    renderer: Renderer
    service: Service
    jobs: JobRunner
    clock: Clock


def build(settings: Settings, clock: Clock = system_clock) -> App:
    flows = load_flows(settings.flows_dir)
    missing = {"welcome", "pupil", "coordinator"} - set(flows)
    if missing:
        raise FlowError(f"The flows {sorted(missing)} are missing from {settings.flows_dir}.")
    for flow in flows.values():
        problems = validate(flow, EFFECTS, VIEWS)
        if problems:
            raise FlowError(f"flow {flow.name}: {problems[0]}")
    vault = Vault(load_or_create_key(settings.key_file))
    db = Database(settings.db_path)
    stores = Stores(
        db=db,
        vault=vault,
        school=settings.school,
        flows=flows,
        reports=ReportStore(db, vault),
        coordinators=CoordinatorStore(db),
        outbox=OutboxStore(db),
        threads=ThreadStore(db, vault),
        checklists=ChecklistStore(db),
        jobs=JobStore(db),
    )
    renderer = Renderer(load_catalogs(settings.locales_dir))
    crisis = load_crisis_words(settings.flows_dir / "shared" / "crisis.yaml")
    service = Service(stores, Engine(flows), renderer, crisis, clock)
    return App(settings, stores, renderer, service, JobRunner(stores, clock), clock)
