"""The coordinators' week as the chat shows it on a phone: a moment of this year without its
year, a moment of an earlier year with it (a case still waiting since December, read in January,
must not look like a date to come)."""

from __future__ import annotations

from support.casefiles import file_report

from bot.core.model import Screen
from bot.stats.monospace import week_texts


def test_a_case_waiting_since_last_year_keeps_its_year(timed_app, clock) -> None:
    clock.set("2026-12-18T09:00:00+00:00")  # Friday 18-12-2026 10:00 in Amsterdam
    december = file_report(timed_app, 7)
    clock.set("2027-01-04T08:00:00+00:00")  # Monday after the holidays, 09:00
    january = file_report(timed_app, 8)
    clock.set("2027-01-06T10:00:00+00:00")  # both wait longer than the promise now

    school = timed_app.board.current()[1]
    texts = week_texts(timed_app.stores, school, "2027-01-06T10:00:00+00:00")
    (shown,) = timed_app.renderer.render([Screen(tuple(texts), monospace=True)], "nl")

    assert december in shown.text and january in shown.text
    assert "18-12-2026 10:00" in shown.text  # last year's: with its year
    assert "04-01 09:00" in shown.text  # this year's: without it
    assert "04-01-2027" not in shown.text
