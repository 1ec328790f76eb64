"""The figures as a file from the chat, apart from Telegram: the token an order crosses the
outbox as, the file's name, and the channels that cannot send a file and so never offer one
(the terminal's coordinator is pointed to `antipestbot stats`)."""

from __future__ import annotations

from io import StringIO

import pytest

from bot.app import build
from bot.app import chat_in_terminal as chat
from bot.channels.web.traits import WEB
from bot.core.model import FILE_BUTTONS, MADE_FILE
from bot.settings import Settings
from bot.stats.files import Order, file_name

NOW = "2026-11-23T08:00:00+00:00"


def test_an_order_crosses_the_outbox_as_a_token_and_comes_back_the_same() -> None:
    order = Order("pdf", 12, "2026-08", "2027-07", "en")

    assert order.token == f"{MADE_FILE}figures:pdf:12:2026-08:2027-07:en"
    assert Order.from_token(order.token) == order


@pytest.mark.parametrize(
    "token",
    [
        "AgACAgQAAxkBAAIBZ2V",  # a Telegram file id
        "web-3f2a9c",  # a photo uploaded in the web chat
        f"{MADE_FILE}figures:exe:1:2026-08:2027-07:nl",
        f"{MADE_FILE}figures:pdf:one:2026-08:2027-07:nl",
        f"{MADE_FILE}figures:pdf:1:2026-13:2027-07:nl",
        f"{MADE_FILE}figures:pdf:1:2027-07:2026-08:nl",
        f"{MADE_FILE}figures:pdf:1:2026-08:2027-07:de",
        f"{MADE_FILE}figures:pdf:1:2026-08:2027-07",
        f"{MADE_FILE}cases:pdf:1:2026-08:2027-07:nl",
    ],
)
def test_anything_else_is_no_order(token: str) -> None:
    assert Order.from_token(token) is None


def test_the_file_is_named_by_its_heading_the_school_and_the_years() -> None:
    year = Order("csv", 1, "2026-08", "2027-07", "nl")

    assert file_name("Jaaroverzicht", "pirouette", year) == "jaaroverzicht-pirouette-2026-2027.csv"
    assert file_name("Yearly overview", "pirouette", year) == (
        "yearly-overview-pirouette-2026-2027.csv"
    )
    autumn = Order("pdf", 1, "2026-09", "2026-12", "nl")
    assert file_name("Überblick – Herbst", "kompas", autumn) == "uberblick-herbst-kompas-2026.pdf"


def test_the_terminal_and_the_web_chat_offer_no_file(settings: Settings) -> None:
    assert WEB.without >= FILE_BUTTONS
    app = build(settings)
    try:
        with app.stores.db.transaction():
            app.stores.schools.update(1, NOW, name="De Pirouette", slug="pirouette")
        out = StringIO()
        chat(app, "coordinator", "nl", stdin=StringIO("/cijfers\n/hulp\n/exit\n"), out=out)
        shown = out.getvalue()
    finally:
        app.stores.db.close()

    assert "Cijfers van De Pirouette" in shown  # the week's tables are there
    assert "Jaaroverzicht (PDF)" not in shown and "Als spreadsheet (CSV)" not in shown
    assert "maakt antipestbot stats dezelfde bestanden" in shown  # the help says where instead
