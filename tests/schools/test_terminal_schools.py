"""The terminal on one school's own computer (`antipestbot chat --school <slug>`) serves that
school only: its pupils report to it, and its console coordinator sees its cases, never another
school's, and is told only of its news."""

from __future__ import annotations

from io import StringIO

from support.casefiles import file_report

from bot.app import build
from bot.app import chat_in_terminal as chat
from bot.settings import Settings

NOW = "2026-11-23T08:00:00+00:00"


def test_the_console_coordinator_of_one_school_sees_only_its_cases(settings: Settings) -> None:
    app = build(settings)
    try:
        stores = app.stores
        with stores.db.transaction():
            stores.schools.update(1, NOW, name="De Pirouette", slug="pirouette")
            regenboog = stores.schools.add("regenboog", "De Regenboog", "KTR4M9", NOW)
        ours = file_report(app, 9001, "Ze pakken mijn pet af.", school=1)
        theirs = file_report(app, 9002, "Ze schelden in de gymles.", school=regenboog)

        out = StringIO()
        chat(
            app,
            "coordinator",
            "nl",
            stdin=StringIO("/wachtrij\n/exit\n"),
            out=out,
            school="pirouette",
        )
        shown = out.getvalue()
        assert ours in shown and "De Pirouette" in shown
        assert theirs not in shown and "Regenboog" not in shown

        # Typing the other school's case code reads as a code that exists nowhere.
        out = StringIO()
        script = StringIO(f"/open {theirs}\n/open QQQQ-QQ\n/exit\n")
        chat(app, "coordinator", "nl", stdin=script, out=out, school="pirouette")
        said = out.getvalue()
        assert "Ze schelden in de gymles." not in said
        assert f"Melding {theirs} niet gevonden." in said
        assert "Melding QQQQ-QQ niet gevonden." in said
    finally:
        app.stores.db.close()


def test_a_pupil_at_one_schools_terminal_reports_to_that_school(settings: Settings) -> None:
    app = build(settings)
    try:
        stores = app.stores
        with stores.db.transaction():
            stores.schools.update(1, NOW, name="De Pirouette", slug="pirouette")
            stores.schools.add("regenboog", "De Regenboog", "KTR4M9", NOW)
        out = StringIO()
        chat(app, "pupil", "nl", stdin=StringIO("/exit\n"), out=out, school="regenboog")
        assert "anti-pesthelper van De Regenboog" in out.getvalue()
        assert "Typ de code van de poster" not in out.getvalue()
    finally:
        app.stores.db.close()
