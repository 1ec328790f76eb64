"""The coordinator's side tells the truth and is quick to work with (issue 9, section 5).

Each test is one thing a coordinator ran into, checked in the Dutch they read, end to end over
the fake Bot API (the terminal test drives `antipestbot chat` itself). Reports are filed
through the report effect (`casefiles.file_report`), so these tests are about the coordinators.
"""

from __future__ import annotations

import os
import pty
import threading
import time
from collections.abc import Iterator
from io import StringIO

from support.casefiles import enrol_coordinator, file_report, nl

from bot.app import build
from bot.app import chat_in_terminal as chat
from bot.cases import casework
from bot.cases.labels import case_label
from bot.chat import caseview
from bot.chat.checklist import ONLINE_LINKS
from bot.core.model import Text
from bot.settings import Settings


def triggers(person) -> list[str]:
    return [data.split(":")[1] for _label, data in person.buttons()]


async def deliver(running, fake) -> None:
    await running.app.outboxes["telegram"].deliver_due()
    await fake.wait_idle()


# --- 1. "Verstuurd" only when true ---------------------------------------------------------


async def test_a_message_to_a_forgotten_reporter_is_not_called_sent(bot, fake, person, coordinator):
    anna = coordinator(501, "Juf Anna")
    pupil = person(9001)
    await pupil.say("/start")
    code = file_report(bot.app, pupil.id, "Ze verstoppen steeds mijn jas.")
    await deliver(bot, fake)  # the new-report notices first, as a coordinator gets them
    await anna.press_data(f"*:open:{code}")
    assert "message" in triggers(anna)
    await anna.press("message")  # Anna starts typing; meanwhile the pupil asks to be forgotten
    await pupil.say("/vergeet")
    await pupil.press("forget_yes")

    replies = await anna.say("Hoe gaat het nu met je?")
    said = "\n".join(replies)
    assert nl(bot.app, "Sent to the reporter of {case}.", case=code) not in said
    assert "Verstuurd" not in said
    not_sent = (
        "Case {case}: the reporter asked the bot to forget them, so nothing can reach them "
        "any more. Your message was not sent; it is kept as a note."
    )
    assert replies[0] == nl(bot.app, not_sent, case=code)
    assert replies[0].startswith(f"Melding {code}: de melder heeft gevraagd om vergeten te worden")
    # Nothing typed is lost: it is a note now, and nothing was queued for the pupil.
    notes = bot.app.stores.reports.notes(code, 1)
    assert [n["text"] for n in notes] == ["Hoe gaat het nu met je?"]
    assert bot.app.stores.threads.of(code, 1) == []
    await deliver(bot, fake)
    assert not any("Hoe gaat het nu" in text for text in fake.texts(pupil.id))

    # The case says the reporter cannot be reached, and offers no way to write to them.
    replies = await anna.press_data(f"*:open:{code}")
    assert nl(bot.app, caseview.UNREACHABLE) in replies[-1]
    assert "message" not in triggers(anna)
    assert "note" in triggers(anna)
    # An old or forged press of the write button is refused kindly, and Anna stays on the case.
    replies = await anna.press_data(f"case:message:{code}")
    assert replies[0] == nl(bot.app, casework.UNREACHABLE, case=code)
    assert "note" in triggers(anna)


# --- 2. Evidence once, actions answer briefly ------------------------------------------------


async def test_opening_shows_the_whole_case_once_and_actions_answer_with_the_header(
    bot, fake, person, coordinator
):
    anna = coordinator(501, "Juf Anna")
    story = "Ze sturen nare berichten over mij in de klassenapp."
    code = file_report(bot.app, 9001, story, photos=("shot-1", "shot-2"))
    await deliver(bot, fake)  # the new-report notices first, as a coordinator gets them

    def photos() -> list[str]:
        return [c.params["photo"] for c in fake.sent(anna.id, "sendPhoto")]

    replies = await anna.press_data(f"*:open:{code}")
    assert photos() == ["shot-1", "shot-2"]
    assert any(story in text for text in replies)

    in_progress = nl(
        bot.app, "Case {case}: status {status}.", case=code, status=Text("in progress")
    )
    steps = [
        (("claim",), nl(bot.app, "Case {case} is yours now.", case=code)),
        (("status", "status_in_progress"), in_progress),
        (("phase", "phase_2"), f"Melding {code}: nu in Fase 2."),
    ]
    for walk, confirmation in steps:
        replies = await anna.walk(*walk)
        assert replies[0] == confirmation
        assert replies[-1].startswith(f"Melding {code} · ")  # the header, with the buttons
        assert not any(story in text for text in replies)
    await anna.press("note")
    replies = await anna.say("Ouders gebeld.")
    assert replies[0] == nl(bot.app, "Note saved for case {case}.", case=code)
    assert replies[-1] == "\n".join(
        [f"Melding {code} · in behandeling", "Opgepakt door: Juf Anna", "Fase: Fase 2"]
    )
    assert not any(story in text or "Ouders gebeld." in text for text in replies)
    assert photos() == ["shot-1", "shot-2"]  # no action re-sent the photos

    await anna.press("evidence")  # 📎 Toon bewijs
    assert photos() == ["shot-1", "shot-2"] * 2
    # Opening the case again shows it all, the note too.
    replies = await anna.press_data(f"*:open:{code}")
    assert any("Ouders gebeld." in text for text in replies)


# --- 3. The queue, most urgent first ---------------------------------------------------------


async def test_the_queue_puts_the_most_urgent_case_first(timed_bot, fake, clock):
    app = timed_bot.app
    anna = enrol_coordinator(app, fake, 501, "Juf Anna")
    clock.set("2026-11-23T08:00:00+00:00")  # Monday 09:00: a pupil about themselves
    oldest = file_report(app, 9001, kind="names", often="daily")
    clock.set("2026-11-23T10:00:00+00:00")  # Monday 11:00: a parent; Anna takes it
    claimed = file_report(app, 9002, role="parent", who="my_child", kind="online", often="few")
    await deliver(timed_bot, fake)  # the new-report notices first, as a coordinator gets them
    await anna.press_data(f"*:open:{claimed}")
    await anna.press("claim")
    clock.set("2026-11-24T09:00:00+00:00")  # Tuesday 10:00: a bystander
    newest = file_report(app, 9003, who="other", kind="excluding", often="weekly")
    clock.set("2026-11-24T10:00:00+00:00")  # Tuesday 11:00: the oldest is past the promise
    await deliver(timed_bot, fake)

    replies = await anna.say("/wachtrij")
    listing = "\n".join(replies)
    assert listing.startswith("Open meldingen, meest dringend eerst:")
    assert listing.index(oldest) < listing.index(newest) < listing.index(claimed)
    assert [d for _l, d in anna.buttons()][:3] == [f"*:open:{c}" for c in (oldest, newest, claimed)]
    lines = {
        code: next(ln for ln in listing.splitlines() if code in ln)
        for code in (oldest, newest, claimed)
    }

    def label(key: str, value: str) -> str:
        return app.renderer.text(case_label(key, value), "nl")

    # Waiting time in school time (Monday 09:00-15:00 is six hours), kind, how often, who.
    assert lines[oldest] == (
        f"⏰ {oldest} · 1 schooldag · {label('kind', 'names')} · {label('often', 'daily')}"
        " · leerling, over zichzelf"
    )
    assert lines[newest] == (
        f"🆕 {newest} · 1 schooluur · {label('kind', 'excluding')} · {label('often', 'weekly')}"
        " · leerling, als omstander"
    )
    assert lines[claimed].startswith(f"👤 {claimed} · 1 schooldag · ")
    assert lines[claimed].endswith(" · ouder · Juf Anna, opgepakt")


async def test_a_long_queue_says_how_many_cases_it_does_not_list(bot, fake, coordinator):
    anna = coordinator(501, "Juf Anna")
    codes = [file_report(bot.app, 9100 + n, f"Melding nummer {n}.") for n in range(23)]
    await deliver(bot, fake)  # the new-report notices first, as a coordinator gets them
    await anna.say("/wachtrij")
    listing = fake.texts(anna.id)[-1]
    assert sum(code in listing for code in codes) == 20
    assert "Niet in deze lijst: nog 3, de minst dringende." in listing
    assert len([t for t in triggers(anna) if t == "open"]) == 20


# --- 4. Closing: outcome, note, confirmation; closed cases offer only what applies ---------


async def test_closing_asks_an_outcome_and_confirms_and_a_closed_case_can_only_reopen(
    bot, fake, person, coordinator
):
    anna = coordinator(501, "Juf Anna")
    code = file_report(bot.app, 9001, "Iemand lacht me steeds uit.")
    await deliver(bot, fake)  # the new-report notices first, as a coordinator gets them
    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")

    replies = await anna.press("close")
    asked = "\n".join(replies)
    assert f"Melding {code}: wat is de uitkomst? Alleen anti-pestcoördinatoren zien die" in asked
    assert "Niet bevestigd: een melding alleen leidt nooit tot een straf." in asked
    assert triggers(anna)[:5] == [
        "outcome_resolved",
        "outcome_referred",
        "outcome_not_confirmed",
        "outcome_not_bullying",
        "outcome_test",
    ]
    replies = await anna.press("outcome_not_confirmed")
    assert replies[0].startswith(f"Melding {code}: typ een toelichting, of tik op Overslaan.")
    # One typed line never closes a case: it asks first.
    replies = await anna.say("Met beide kinderen gepraat; niemand bevestigt het.")
    assert bot.app.stores.reports.get(code, frozenset({1})).status == "claimed"
    assert replies[-1].startswith(f"Melding {code} sluiten met uitkomst ‘Niet bevestigd’?")
    assert "Toelichting: Met beide kinderen gepraat; niemand bevestigt het." in replies[-1]
    assert "de melder niet" in replies[-1]
    assert triggers(anna)[:2] == ["close_yes", "close_no"]
    replies = await anna.press("close_yes")
    report = bot.app.stores.reports.get(code, frozenset({1}))
    assert (report.status, report.outcome_code) == ("closed", "not_confirmed")
    assert report.outcome == "Met beide kinderen gepraat; niemand bevestigt het."
    assert replies[-1].startswith(f"Melding {code} · gesloten")
    assert "Uitkomst: Niet bevestigd — Met beide kinderen gepraat" in replies[-1]

    # A closed case offers reading, a note and reopening: nothing that changes its work. It can
    # still be marked a serious incident: what happened does not change by closing.
    assert triggers(anna) == ["note", "reopen", "serious", "queue", "home"]
    await anna.press_data(f"*:open:{code}")
    assert triggers(anna) == ["note", "reopen", "serious", "queue", "home"]
    # Old or forged buttons are refused once, without a loop and without a change.
    for action in ("close", "claim", "status", "phase"):
        replies = await anna.press_data(f"case:{action}:{code}")
        assert replies[0] == nl(bot.app, "Case {case} is closed. Reopen it first.", case=code)
        assert triggers(anna) == ["note", "reopen", "serious", "queue", "home"]
    assert bot.app.stores.reports.get(code, frozenset({1})).status == "closed"

    replies = await anna.press("reopen")
    assert replies[0] == f"Melding {code} is weer open."
    assert bot.app.stores.reports.get(code, frozenset({1})).status == "claimed"
    assert "close" in triggers(anna) and "reopen" not in triggers(anna)
    pending = "SELECT * FROM jobs WHERE kind = 'followup' AND done IS NULL"
    assert bot.app.stores.db.rows(pending) == []  # reopened: nobody asks "has it stopped?"
    actions = [
        r["action"]
        for r in bot.app.stores.db.rows("SELECT action FROM audit WHERE report = ?", (code,))
    ]
    assert [a for a in actions if a != "case_opened"][-2:] == ["case_closed", "case_reopened"]
    assert "niemand bevestigt" not in str(bot.app.stores.db.rows("SELECT * FROM audit"))


async def test_closing_can_skip_the_explanation_and_be_called_off(bot, fake, coordinator):
    anna = coordinator(501, "Juf Anna")
    code = file_report(bot.app, 9001, "Ze pakken mijn pen af.")
    await deliver(bot, fake)  # the new-report notices first, as a coordinator gets them
    await anna.press_data(f"*:open:{code}")
    await anna.walk("close", "outcome_not_bullying", "skip")
    assert triggers(anna)[:2] == ["close_yes", "close_no"]
    await anna.press("close_no")
    assert bot.app.stores.reports.get(code, frozenset({1})).status == "new"
    await anna.walk("close", "outcome_test", "skip", "close_yes")
    report = bot.app.stores.reports.get(code, frozenset({1}))
    assert (report.status, report.outcome_code, report.outcome) == (
        "closed",
        "test_or_duplicate",
        "",
    )


# --- 5. Claiming your own case ----------------------------------------------------------------


async def test_claiming_a_case_you_have_says_so(bot, fake, coordinator):
    anna = coordinator(501, "Juf Anna")
    code = file_report(bot.app, 9001, "Ze schoppen me op het plein.")
    await deliver(bot, fake)  # the new-report notices first, as a coordinator gets them
    await anna.press_data(f"*:open:{code}")
    await anna.press("claim")
    await anna.press_data(f"*:open:{code}")
    assert "claim" not in triggers(anna)  # the button is gone once someone has the case
    replies = await anna.press_data(f"case:claim:{code}")  # an old button, pressed again
    assert replies[0] == f"Je hebt {code} al."


# --- 6. The terminal coordinator ---------------------------------------------------------------


def _number(shown: str, label: str) -> str:
    """The number the terminal printed last for a button with this label."""
    for line in reversed(shown.splitlines()):
        if line.strip().endswith(f"] {label}"):
            return line.strip()[1:].split("]")[0]
    raise AssertionError(f"no button {label!r} in:\n{shown}")


def test_two_terminals_play_a_case_pupil_and_coordinator(settings: Settings):
    console, other = build(settings), build(settings)  # two processes on one database
    out = StringIO()
    case: dict[str, str] = {}

    def script() -> Iterator[str]:
        # The pupil reports (from the other terminal) while the coordinator's chat runs.
        case["code"] = file_report(other, 1, "Ze lachen me uit in de klas.", channel="terminal")
        yield "\n"  # an empty line: look for news
        yield _number(out.getvalue(), nl(console, "Open {case}", case=case["code"])) + "\n"
        yield _number(out.getvalue(), nl(console, "✉️ Message to the reporter")) + "\n"
        yield "Dank je wel. Wil je vertellen wie het doen?\n"
        yield "/exit\n"

    try:
        # The pupil has chosen their role before: the news then comes with the first screen.
        chat(other, "pupil", "nl", stdin=StringIO("/exit\n"), out=StringIO())
        chat(console, "coordinator", "nl", stdin=script(), out=out)  # type: ignore[arg-type]
        shown = out.getvalue()
        code = case["code"]
        assert f"🔔 {code}: nieuwe melding" in shown
        assert "Ze lachen me uit in de klas." in shown  # the case, opened at the prompt
        assert nl(console, "Sent to the reporter of {case}.", case=code) in shown

        # The pupil's terminal shows "you have a new message" at its prompt; a tap shows it.
        pupil_out = StringIO()

        def pupil_script() -> Iterator[str]:
            yield _number(pupil_out.getvalue(), nl(other, "📖 Read the message")) + "\n"
            yield "/exit\n"

        chat(other, "pupil", "nl", stdin=pupil_script(), out=pupil_out)  # type: ignore[arg-type]
        assert "Dank je wel. Wil je vertellen wie het doen?" in pupil_out.getvalue()
        assert code in pupil_out.getvalue()
        # The console is notified only while its chat runs.
        everyone = console.stores.coordinators.all()
        assert not any(c.channel == "terminal" and c.active for c in everyone)
    finally:
        console.stores.db.close()
        other.stores.db.close()


# --- 7. Online cases show the protocol's links --------------------------------------------


async def test_an_online_case_shows_meldknop_and_helpwanted_beside_the_checklist(
    bot, fake, coordinator
):
    anna = coordinator(501, "Juf Anna")
    online = file_report(bot.app, 9001, "Nare berichten in de groepsapp.", kind="online")
    by_place = file_report(bot.app, 9002, "Uitgescholden in een game.", place="online")
    offline = file_report(bot.app, 9003, "Geduwd op het plein.", place="playground")
    await deliver(bot, fake)  # the new-report notices first, as a coordinator gets them
    links = nl(bot.app, ONLINE_LINKS)
    assert "www.meldknop.nl" in links and "www.helpwanted.nl" in links and "020-261 52 75" in links
    for code in (online, by_place):
        replies = await anna.press_data(f"*:open:{code}")
        details = "\n".join(replies)
        assert links in details and "Checklist cyberpesten: 0/17" in details
        assert "checklist" in triggers(anna)
        replies = await anna.press("checklist")
        assert links in "\n".join(replies)
    replies = await anna.press_data(f"*:open:{offline}")
    assert "meldknop" not in "\n".join(replies)
    assert "checklist" not in triggers(anna)


def test_a_waiting_coordinator_terminal_shows_a_new_report_by_itself(settings: Settings):
    """In a real terminal nothing has to be typed: news appears while the prompt waits."""
    master, slave = pty.openpty()
    out = StringIO()
    started = threading.Event()

    def coordinator_terminal() -> None:
        console = build(settings)  # its own thread, its own connection
        started.set()
        try:
            with os.fdopen(slave, "r", encoding="utf-8", closefd=False) as stdin:
                chat(console, "coordinator", "nl", stdin=stdin, out=out, idle=0.05)
        finally:
            console.stores.db.close()

    pupil_side = build(settings)  # first: it creates the database and the key
    thread = threading.Thread(target=coordinator_terminal, daemon=True)
    thread.start()
    try:
        assert started.wait(10)
        deadline = time.monotonic() + 10
        while "> " not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        code = file_report(pupil_side, 1, "Ze pakken mijn bal af.", channel="terminal")
        while code not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert f"🔔 {code}: nieuwe melding" in out.getvalue()
    finally:
        os.write(master, b"/exit\n")
        thread.join(10)
        os.close(master)
        os.close(slave)
        pupil_side.stores.db.close()
    assert not thread.is_alive()
