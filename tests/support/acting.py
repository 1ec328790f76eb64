"""Case verbs called the way a job, the command line or a web page calls them: no channel, no Turn.

A test enrols a coordinator or names a reporter, then acts as them at the app's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.cases.context import Actor, Context
from bot.clock import stamp
from bot.storage import audit


def coordinator(app: App, telegram_id: int, name: str) -> Actor:
    """Enrol a coordinator; returns them as an actor."""
    with app.stores.db.transaction():
        enrolled = app.stores.coordinators.add(telegram_id, name, stamp(app.clock))
    return Actor.coordinator(enrolled.id)


def reporter(app: App, user_id: int, channel: str = "telegram") -> Actor:
    """The reporter that `casefiles.file_report(app, user_id)` filed as (the same pseudonym)."""
    return Actor.reporter(app.stores.vault.subject(channel, user_id))


def acting(app: App, actor: Actor) -> Context:
    """`actor` acting now, as the app's clock says."""
    return Context(app.stores, app.school, actor, stamp(app.clock))


def audited(app: App, code: str, school: int = 1) -> list[tuple[str, str]]:
    """A case's audit log as (actor, action), oldest first."""
    return [(row["actor"], row["action"]) for row in audit.history(app.stores.db, code, school)]


def queued(app: App, now: str, channel: str = "telegram") -> list[tuple[int | None, str, str]]:
    """Messages waiting in the outbox as (coordinator id, event, case code); None: the reporter."""
    return [
        (row["coordinator"], row["payload"]["event"], row["payload"]["code"])
        for row in app.stores.outbox.due(now, channel)
    ]


def later(now: str, seconds: float) -> str:
    """The stamp `seconds` after `now` (e.g. past the delay of a reporter's activity notice)."""
    at = datetime.fromisoformat(now) + timedelta(seconds=seconds)
    return at.astimezone(UTC).isoformat(timespec="seconds")
