"""The figures as a file from /cijfers (issue 14), end to end through python-telegram-bot and the
fake Bot API: 📄 Jaaroverzicht (PDF) and 📄 Als spreadsheet (CSV) send this school year's
overview of the coordinator's school as a document (sendDocument, multipart), the same the
school leader's `antipestbot stats` makes: exact figures, never a case code, a name, a note or
a story. Every file asked for is in the audit log; nobody but a coordinator gets one.

The clock stands on Monday 23 November 2026: the school year is August 2026 to July 2027.
"""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader
from support.canary import assert_absent, canary_pupil
from support.fakebotapi import Call, FakeBotApi
from support.running import add_coordinator, run_jobs
from support.texts import say
from support.walks import report_as

from bot.core import replies
from bot.core.ratelimit import FloodGate

NOW = "2026-11-23T08:00:00+00:00"
ONLINE = ("report", "me", "online", "kinds_done", "online", "daily", "months")
NOTE = "Notitie-kanarie: ouders van Sanne gebeld."
PDF_NAME = "jaaroverzicht-pirouette-2026-2027.pdf"
HEADLINE = "Is het gestopt?"


@pytest.fixture(autouse=True)
def unhurried(timed_bot):
    timed_bot.app.service.flood = FloodGate(burst=10**6)
    stores = timed_bot.app.stores
    with stores.db.transaction():
        stores.schools.update(1, NOW, name="De Pirouette", slug="pirouette")


def documents(fake: FakeBotApi, chat_id: int) -> list[Call]:
    return fake.delivered(chat_id, "sendDocument")


def exports(bot) -> list[tuple[str, int]]:
    rows = bot.app.stores.db.rows(
        "SELECT actor, school FROM audit WHERE action = 'stats_exported' ORDER BY id"
    )
    return [(row["actor"], row["school"]) for row in rows]


def actor(bot, telegram_id: int) -> str:
    coordinator = bot.app.stores.coordinators.by_telegram_id(telegram_id)
    assert coordinator is not None
    return f"coordinator:{coordinator.id}"


def pdf_text(data: bytes) -> str:
    """The PDF's text on one line: a name wrapped in a table cell is still found."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def csv_rows(data: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


async def a_case(person, anna, clock) -> tuple[str, set[str]]:
    """A canary pupil's report with Anna's note, unclaimed and waiting longer than the promise by
    the time the file is asked for (so the coordinators' own view would name it); returns its
    code and what no file may hold (names, the story, the note, the coordinator's name)."""
    sanne, canaries = canary_pupil(person, 9001, "Sanne")
    story = "Ze lachen me uit in de groepsapp, zegt Sanne-kanarie."
    code = await report_as(sanne, "pupil", ONLINE, story)
    await anna.press_data(f"*:open:{code}")
    await anna.press("note")
    await anna.say(NOTE)
    clock.set("2026-11-24T10:00:00+00:00")  # Tuesday 11:00: the promise has passed
    return code, canaries | {story, NOTE, "kanarie", "Juf Anna"}


async def test_a_coordinator_gets_the_jaaroverzicht_as_a_pdf(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    code, canaries = await a_case(person, anna, clock)

    await anna.say("/cijfers")
    buttons = [data for _label, data in anna.buttons()]
    assert buttons == ["figures:figures_pdf", "figures:figures_csv", "*:queue", "*:home"]
    said = await anna.press("figures_pdf")

    (sent,) = documents(fake, anna.id)
    upload = sent.params["document"]
    assert upload.filename == PDF_NAME and upload.data.startswith(b"%PDF-")
    caption = "📄 Jaaroverzicht van De Pirouette, 2026-2027"
    assert sent.params["caption"] == caption
    # First what can be read and pressed, then the file.
    assert said[-1] == caption and said[0].startswith("📄 Het bestand volgt hieronder")
    # The other file, or back to the figures, the queue or the start.
    assert [data for _label, data in anna.buttons()] == [
        "figures_file:figures_pdf",
        "figures_file:figures_csv",
        "*:figures",
        "*:queue",
        "*:home",
    ]
    text = pdf_text(upload.data)
    assert text.startswith("Jaaroverzicht De Pirouette augustus 2026 – juli 2027")
    assert code not in text
    assert_absent(canaries, pdf=text)
    assert HEADLINE in text and "Wie meldde" in text  # the school leader's view
    assert exports(timed_bot) == [(actor(timed_bot, 501), 1)]


async def test_the_csv_comes_in_the_readers_language(timed_bot, fake, person, clock):
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    code, canaries = await a_case(person, anna, clock)

    await anna.say("/cijfers")
    await anna.press("figures_csv")
    (sent,) = documents(fake, anna.id)
    upload = sent.params["document"]
    assert upload.filename == "jaaroverzicht-pirouette-2026-2027.csv"
    rows = csv_rows(upload.data, ";")  # as Dutch Excel reads it
    assert rows[:2] == [["Jaaroverzicht"], ["De Pirouette"]]
    cells = [cell for row in rows for cell in row]
    shown = "\n".join(cells)
    assert code not in shown
    assert_absent(canaries, csv=shown)
    assert HEADLINE in cells

    # The same coordinator, with an English app: an English file, named in English.
    english = person(501, language_code="en")
    await english.say("/figures")
    await english.press("figures_csv")
    upload = documents(fake, anna.id)[-1].params["document"]
    assert upload.filename == "yearly-overview-pirouette-2026-2027.csv"
    rows = csv_rows(upload.data, ",")
    assert rows[:2] == [["Yearly overview"], ["De Pirouette"]]
    assert "Is it stopped?" in [cell for row in rows for cell in row]
    assert exports(timed_bot) == [(actor(timed_bot, 501), 1)] * 2


async def test_a_coordinator_of_two_schools_gets_a_file_for_each(timed_bot, fake, person):
    stores = timed_bot.app.stores
    with stores.db.transaction():
        kompas = stores.schools.add("kompas", "Het Kompas", "KMP7QX", NOW)
        for school in (1, kompas):
            stores.coordinators.add(3001, "Mevrouw Ada", NOW, school)
    ada = person(3001)

    await ada.say("/cijfers")
    await ada.press("figures_pdf")
    uploads = [c.params["document"] for c in documents(fake, 3001)]
    names = {upload.filename: upload.data for upload in uploads}
    assert sorted(names) == ["jaaroverzicht-kompas-2026-2027.pdf", PDF_NAME]
    assert "De Pirouette" in pdf_text(names[PDF_NAME])
    kompas_text = pdf_text(names["jaaroverzicht-kompas-2026-2027.pdf"])
    assert "Het Kompas" in kompas_text and "Pirouette" not in kompas_text
    assert exports(timed_bot) == [(actor(timed_bot, 3001), 1), (actor(timed_bot, 3001), kompas)]


async def test_a_forged_file_button_from_a_pupil_is_refused(timed_bot, fake, person):
    pupil = person(9002)
    await pupil.start()

    for data in ("figures:figures_pdf", "figures_file:figures_csv", "*:figures_pdf"):
        said = await pupil.press_data(data)
        assert said[0] == say(timed_bot, replies.STALE)
        assert not any("📄" in text for text in said)
    assert documents(fake, 9002) == []
    assert exports(timed_bot) == []


async def test_a_file_that_could_not_be_sent_comes_later_through_the_outbox(
    timed_bot, fake, person
):
    """The reply is kept in the outbox as it was rendered (JSON: the file's token, no bytes),
    and the file is made when it goes out."""
    anna = add_coordinator(timed_bot, person, 501, "Juf Anna")
    await anna.say("/cijfers")
    fake.fail_next("sendDocument", chat_id=anna.id, status=500)

    await anna.press("figures_pdf")
    await run_jobs(timed_bot, fake)
    assert [c.ok for c in fake.sent(anna.id, "sendDocument")] == [False, True]
    (sent,) = documents(fake, anna.id)
    assert sent.params["document"].filename == PDF_NAME
    assert HEADLINE in pdf_text(sent.params["document"].data)
    assert exports(timed_bot) == [(actor(timed_bot, 501), 1)]  # asked for once
