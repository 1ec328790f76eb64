"""Two schools of one board side by side: the world the cross-school tests attack.

School A and school B each have their own name, hours, phases and follow-up days. Coordinators:
`a1` (A), `b1` (B), `ab` (both) and `ex` (had B, that role was removed; still A). Reporters: a
pupil and a parent in each school. Each school has an open unclaimed case, a claimed one and a
closed one, all about online bullying, with photos, a thread both ways, notes, ticks, pending
jobs (reminders, the follow-up question) and pending outbox rows.

Everything is made as users make it: through `Service.handle`, the conversation every channel
feeds, so the sessions, jobs, audit and outbox rows are the real ones. Only the schools and the
coordinators' roles are made as the operator makes them (the stores, in one transaction).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.app import App
from bot.channels.web.traits import WEB
from bot.clock import stamp
from bot.core.engine import Session
from bot.core.model import Identity, Inbound, Outbound, parse_button_data
from bot.core.ratelimit import FloodGate
from bot.storage.threads import FROM_REPORTER, TO_REPORTER

NOW = "2026-11-23T08:00:00+00:00"  # a Monday morning in term time: 09:00 in A, 08:00 in B
# Entry codes from the case codes' alphabet; what the poster of each school shows.
ENTRY = {"A": "PRW4KA", "B": "KMP7QX"}
NAMES = {"A": "De Pirouette", "B": "Het Kompas"}
SETTINGS: dict[str, dict[str, Any]] = {
    "A": {
        "hours": "08:15-14:45",
        "followup_days": 5,
        "phases": {
            "nl": ["A-signaal", "A-gesprek", "A-ouders", "A-plan", "A-zorg", "A-extern"],
            "en": ["A-signal", "A-talk", "A-parents", "A-plan", "A-care", "A-external"],
        },
    },
    "B": {
        "hours": "09:00-15:30",
        "followup_days": 15,
        "timezone": "Europe/London",
        "phases": {
            "nl": ["B-melding", "B-hoor", "B-wederhoor", "B-aanpak", "B-nazorg", "B-verwijzing"],
            "en": ["B-report", "B-hear", "B-reply", "B-approach", "B-aftercare", "B-referral"],
        },
    },
}
# name -> (Telegram id, display name, schools that gave them a role)
COORDINATORS = {
    "a1": (1001, "Juf Anna", ("A",)),
    "b1": (2001, "Meester Bas", ("B",)),
    "ab": (3001, "Mevrouw Ada", ("A", "B")),
    "ex": (4001, "Meester Evert", ("A", "B")),  # B's role is removed once the world is made
}
# name -> (Telegram id, school, role)
REPORTERS = {
    "pupil_a": (5001, "A", "pupil"),
    "parent_a": (5002, "A", "parent"),
    "pupil_b": (6001, "B", "pupil"),
    "parent_b": (6002, "B", "parent"),
}
WEB_PUPIL = "web-pupil-a"  # a pupil on A's own web address, /s/a/
PUPIL_PATH = ("report", "me", "online", "kinds_done", "online", "daily", "months")
PARENT_PATH = ("report", "my_child", "online", "kinds_done", "online", "weekly", "weeks")
NOBODY = "QQQQ-QQ"  # a case code in the right shape that no school has
NO_MESSAGE = "987654"  # a message id no thread has


class Chatter:
    """Someone talking to `Service.handle` in this process: commands, buttons by trigger id,
    text and photos, and the replies exactly as a channel would get them."""

    def __init__(self, app: App, who: Identity) -> None:
        self.app, self.who = app, who
        self.last: list[Outbound] = []

    @property
    def key(self) -> str:
        return self.app.stores.vault.subject(self.who.channel, self.who.user_id)

    def send(self, inbound: Inbound) -> list[Outbound]:
        self.last = self.app.service.handle(self.who, inbound)
        return self.last

    def command(self, trigger: str, arg: str | None = None) -> list[Outbound]:
        return self.send(Inbound(kind="command", trigger=trigger, arg=arg))

    def say(self, text: str) -> list[Outbound]:
        return self.send(Inbound(kind="text", text=text))

    def photo(self, file_id: str) -> list[Outbound]:
        return self.send(Inbound(kind="photo", file_id=file_id, file_size=50_000))

    def press_data(self, data: str) -> list[Outbound]:
        inbound = parse_button_data(data)
        assert inbound is not None, data
        return self.send(inbound)

    def press(self, trigger: str) -> list[Outbound]:
        shown = [data for out in self.last for row in out.rows for _label, data in row]
        data = next((d for d in shown if d.split(":")[1] == trigger), None)
        assert data is not None, f"no button {trigger!r} in {shown}"
        return self.press_data(data)

    def walk(self, *triggers: str) -> list[Outbound]:
        for trigger in triggers:
            self.press(trigger)
        return self.last

    def texts(self) -> list[str]:
        return [out.text for out in self.last]

    def plant(self, flow: str, state: str, answers: dict[str, Any], school: int | None) -> None:
        """Put this user's conversation at `state` with `answers`, as an old session of theirs
        would be (e.g. a case opened before their role in its school was removed)."""
        stores = self.app.stores
        with stores.db.transaction():
            self.app.service.sessions.save(
                self.key, Session(flow, state, dict(answers)), stamp(self.app.clock), "nl", school
            )


@dataclass
class SchoolWorld:
    key: str  # "A" or "B"
    id: int
    name: str
    entry_code: str
    cases: dict[str, str] = field(default_factory=dict)  # unclaimed/claimed/closed -> code
    messages: dict[str, int] = field(default_factory=dict)  # to_reporter/from_reporter -> id


@dataclass
class World:
    app: App
    clock: Any  # the app's FakeClock
    schools: dict[str, SchoolWorld]
    coordinators: dict[str, Chatter]
    reporters: dict[str, Chatter]
    ids: dict[str, int]  # coordinator name -> coordinator id

    def codes(self, school: str) -> list[str]:
        return list(self.schools[school].cases.values())


def telegram(app: App, user_id: int) -> Chatter:
    return Chatter(app, Identity("telegram", str(user_id), str(user_id), "nl"))


def add_schools(app: App) -> dict[str, SchoolWorld]:
    """Schools A and B, as the operator adds them."""
    stores, now = app.stores, stamp(app.clock)
    made = {}
    with stores.db.transaction():
        for key in ("A", "B"):
            school = stores.schools.add(key.lower(), NAMES[key], ENTRY[key], now)
            stores.schools.update(school, now, settings=SETTINGS[key])
            made[key] = SchoolWorld(key, school, NAMES[key], ENTRY[key])
    return made


def add_coordinators(app: App, schools: dict[str, SchoolWorld]) -> dict[str, int]:
    stores, now = app.stores, stamp(app.clock)
    ids = {}
    with stores.db.transaction():
        for name, (telegram_id, display, roles) in COORDINATORS.items():
            for school in roles:
                ids[name] = stores.coordinators.add(
                    telegram_id, display, now, schools[school].id
                ).id
    return ids


def walk_report(reporter: Chatter, role: str, story: str, photos: tuple[str, ...]) -> str:
    """A whole report, from the reporter's menu; returns its case code."""
    reporter.command("menu")
    reporter.walk(*(PUPIL_PATH if role == "pupil" else PARENT_PATH))
    reporter.say(story)
    reporter.press("story_done")
    for file_id in photos:
        reporter.photo(file_id)
    reporter.press("photos_done")
    reporter.press("anonymous")
    reporter.press("send")
    code = reporter.app.stores.db.row(
        "SELECT code FROM reports WHERE reporter = ? ORDER BY id DESC LIMIT 1", (reporter.key,)
    )
    assert code is not None, reporter.texts()
    return code["code"]


def work_on(coordinator: Chatter, code: str, *, claim: bool, message: str | None) -> None:
    """Open, (claim,) set phase 2, note, tick items 1 and 3, (write to the reporter)."""
    coordinator.press_data(f"*:open:{code}")
    if claim:
        coordinator.press("claim")
        coordinator.walk("phase", "phase_2")
    coordinator.press("note")
    coordinator.say(f"Notitie over {code}: gesprek met de mentor gepland.")
    coordinator.press("checklist")
    coordinator.walk("tick_1", "tick_3", "back")
    if message is not None:
        coordinator.press("message")
        coordinator.say(message)


def make_world(app: App) -> World:
    """The whole world, at the app's clock (a Monday morning in term time)."""
    app.service.flood = FloodGate(burst=1_000_000)  # one test user sends hundreds of updates
    schools = add_schools(app)
    ids = add_coordinators(app, schools)
    coordinators = {name: telegram(app, tid) for name, (tid, _n, _r) in COORDINATORS.items()}
    reporters = {name: telegram(app, tid) for name, (tid, _s, _r) in REPORTERS.items()}
    app.service.channels.setdefault("web", WEB)  # as App.start adds it for the web chat
    web = Chatter(app, Identity("web", WEB_PUPIL, WEB_PUPIL, "nl", school="a"))
    web.command("start")
    web.press("pupil")
    reporters["web_a"] = web
    claimer = {"A": coordinators["a1"], "B": coordinators["ex"]}
    closer = {"A": coordinators["ab"], "B": coordinators["ab"]}
    for key, school in schools.items():
        pupil, parent = reporters[f"pupil_{key.lower()}"], reporters[f"parent_{key.lower()}"]
        for reporter, role in ((pupil, "pupil"), (parent, "parent")):
            reporter.command("start", school.entry_code)
            reporter.press(role)
        tag = key.lower()
        school.cases["unclaimed"] = walk_report(
            pupil, "pupil", f"Ze pesten me online in de klassenapp ({tag}).", (f"{tag}-photo-1",)
        )
        school.cases["claimed"] = walk_report(
            parent, "parent", f"Mijn kind wordt online buitengesloten ({tag}).", (f"{tag}-photo-2",)
        )
        school.cases["closed"] = walk_report(
            pupil, "pupil", f"Iemand zet nare foto's van mij online ({tag}).", (f"{tag}-photo-3",)
        )
        # The unclaimed case: a note, and the reporter writes more.
        work_on(coordinators["ab"], school.cases["unclaimed"], claim=False, message=None)
        pupil.press_data(f"*:write:{school.cases['unclaimed']}")
        pupil.say(f"Het gebeurde vandaag weer ({tag}).")
        # The claimed case: its coordinator writes to the reporter, who answers.
        work_on(
            claimer[key], school.cases["claimed"], claim=True, message=f"Kunnen we bellen? ({tag})"
        )
        parent.press_data(f"*:write:{school.cases['claimed']}")
        parent.say(f"Ja, morgen na school ({tag}).")
        # The closed case: worked on, then closed (its follow-up question is planned).
        closing = closer[key]
        work_on(closing, school.cases["closed"], claim=True, message=f"Hoe gaat het nu? ({tag})")
        closing.walk("close", "outcome_resolved", "skip", "close_yes")
        school.messages = thread_ids(app, school.cases["claimed"])
    # Meester Evert stops coordinating B; his conversation still shows B's case he had open.
    coordinators["ex"].press_data(f"*:open:{schools['B'].cases['claimed']}")
    with app.stores.db.transaction():
        app.stores.coordinators.deactivate(ids["ex"], schools["B"].id)
    world = World(app, app.clock, schools, coordinators, reporters, ids)
    check(world)
    return world


def thread_ids(app: App, code: str) -> dict[str, int]:
    """The first message each way in a case's thread, by direction."""
    rows = app.stores.db.rows(
        "SELECT m.id, m.direction FROM messages m JOIN reports r ON r.id = m.report"
        " WHERE r.code = ? ORDER BY m.id",
        (code,),
    )
    found: dict[str, int] = {}
    for row in rows:
        found.setdefault(row["direction"], row["id"])
    return {"to_reporter": found[TO_REPORTER], "from_reporter": found[FROM_REPORTER]}


def check(world: World) -> None:
    """The world is what the tests assume: fail here, not in a hundred tests."""
    db = world.app.stores.db
    for key, school in world.schools.items():
        rows = {
            row["code"]: row
            for row in db.rows(
                "SELECT code, status, school FROM reports WHERE school = ?", (school.id,)
            )
        }
        statuses = {name: rows[code]["status"] for name, code in school.cases.items()}
        assert statuses == {"unclaimed": "new", "claimed": "claimed", "closed": "closed"}, (
            key,
            statuses,
        )
        for code in school.cases.values():
            for table in ("evidence", "notes", "messages", "checklist", "jobs"):
                n = db.row(
                    f"SELECT COUNT(*) AS n FROM {table} t JOIN reports r ON r.id = t.report"
                    " WHERE r.code = ?",
                    (code,),
                )
                assert n is not None and n["n"] > 0, (key, code, table)
        pending = db.row(
            "SELECT COUNT(*) AS n FROM outbox WHERE school = ? AND status = 'pending'", (school.id,)
        )
        assert pending and pending["n"] > 0, key
    assert db.row("SELECT 1 FROM reports WHERE code = ?", (NOBODY,)) is None


def outbound_json(outbounds: list[Outbound]) -> str:
    """The replies as one exact string: texts, buttons (labels and data), photos, flags."""
    return json.dumps([asdict(out) for out in outbounds], ensure_ascii=False, sort_keys=True)
