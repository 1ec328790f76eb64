"""The composition root: builds the object graph from settings and wires nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.background.jobs import JobRunner
from bot.chat.service import EFFECTS, VIEWS, Service
from bot.clock import Clock, system_clock
from bot.core.crisis import load_crisis_words
from bot.core.engine import Engine
from bot.core.flowspec import FlowError, load_flows, validate
from bot.core.i18n import load_catalogs
from bot.core.render import Renderer
from bot.crypto import Vault, load_or_create_key
from bot.schools.school import School
from bot.settings import Settings
from bot.storage import Stores
from bot.storage.db import Database


@dataclass
class App:
    settings: Settings
    school: School
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
    stores = Stores.open(db, vault)
    school = settings.school
    renderer = Renderer(load_catalogs(settings.locales_dir))
    crisis = load_crisis_words(settings.flows_dir / "shared" / "crisis.yaml")
    service = Service(stores, school, Engine(flows), renderer, crisis, clock)
    jobs = JobRunner(stores, school, clock)
    return App(settings, school, stores, renderer, service, jobs, clock)
