"""The exports of a school's figures, read back: the CSV as a spreadsheet reads it, the XLSX from
its own XML, the PDF with pypdf. Built from sample tables (bot/stats/views.py makes the real ones;
tests/stats/test_exports_cli.py runs those end to end).

A cell that could start a formula (a configured label, a school's name: anything) is shown as
text everywhere, and never runs.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from bot.core.i18n import load_catalogs
from bot.core.model import Text
from bot.core.render import Renderer
from bot.stats.export_csv import to_csv
from bot.stats.export_pdf import to_pdf
from bot.stats.export_xlsx import to_xlsx
from bot.stats.render import Document, Export, heading_for, render, spreadsheet_safe
from bot.stats.table import Table

ROOT = Path(__file__).resolve().parents[2]
RENDERER = Renderer(load_catalogs(ROOT / "locales"))
SCHOOL = "Basisschool De Pirouette"
# Each starts a formula in some spreadsheet (OWASP's list, also after spaces, full-width). A
# carriage return never reaches a file: like every control character, it is dropped first.
FORMULAS = ["=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "\tx", "  =HYPERLINK(x)", "＝1+1"]
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def stopped() -> Table:
    return Table(
        Text("Is het gestopt?"),
        (Text("antwoord"), Text("aantal"), Text("deel")),
        (("ja, gestopt", 12, "67 %"), ("een beetje", 4, "22 %"), ("nee", 2, "11 %")),
        notes=(Text("Gevraagd na het sluiten."),),
        chart="bars",
    )


def places(chart: str | None = "bars") -> Table:
    return Table(
        Text("Plaats"),
        (Text("plaats"), Text("meldingen")),
        (("klas", 14), ("plein", 9), ("gang", 0), ("online", "< 5")),
        chart=chart,
    )


def hostile() -> Table:
    """Every formula-like text as a label from configuration, in each place a table has one."""
    return Table(
        Text("=Fasen"),
        (Text("-fase"), Text("@aantal"), Text("mediaan")),
        tuple((label, n, 2.5) for n, label in enumerate([*FORMULAS, "\r=x"])),
        notes=(Text("+een noot"),),
    )


def document(*tables: Table, scope: str = SCHOOL, locale: str = "nl") -> Document:
    export = Export(heading_for("2026-08", "2027-07"), scope, "2026-08", "2027-07", tables, TODAY)
    return render(export, RENDERER, locale)


TODAY = date(2026, 12, 5)


@pytest.mark.parametrize("text", [*FORMULAS, "\rx"])
def test_a_text_that_could_start_a_formula_gets_an_apostrophe(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["klas", "< 5", "≤ 5 %", "67 %", "2026-08", "", "'al", "a=b"])
def test_other_texts_stay_as_they_are(text):
    assert spreadsheet_safe(text) == text


# CSV ---------------------------------------------------------------------------------------


def read_csv(data: bytes, delimiter: str = ";") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 by it
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_the_csv_holds_every_table_and_says_what_it_is():
    rows = read_csv(to_csv(document(stopped(), places())))

    assert rows[:5] == [
        ["Jaaroverzicht"],
        [SCHOOL],
        ["augustus 2026 – juli 2027"],
        ["Gemaakt op 5 december 2026"],
        [
            "Deze cijfers tellen de meldingen bij de anti-pesthelper. Dit is niet de jaarlijkse "
            "monitor sociale veiligheid: die neemt de school af met een eigen instrument."
        ],
    ]
    assert rows[5:11] == [
        [],
        ["Is het gestopt?"],
        ["antwoord", "aantal", "deel"],
        ["ja, gestopt", "12", "67 %"],
        ["een beetje", "4", "22 %"],
        ["nee", "2", "11 %"],
    ]
    assert ["online", "< 5"] in rows


def test_every_formula_like_csv_cell_is_text_labels_and_the_schools_name_too():
    rows = read_csv(to_csv(document(hostile(), scope="=cmd|' /C calc'!A0")))

    assert rows[1] == ["'=cmd|' /C calc'!A0"]
    assert ["'=Fasen"] in rows
    assert ["'-fase", "'@aantal", "mediaan"] in rows
    assert ["'+een noot"] in rows
    labels = [row[0] for row in rows if len(row) == 3 and row[2] == "2,5"]
    assert labels == ["'" + text for text in [*FORMULAS, "=x"]]
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "＝")), cell


def test_the_csv_writes_numbers_as_its_reader_does():
    table = Table(Text("t"), (Text("a"), Text("b")), (("x", 2.5), ("y", 1234)))
    dutch = read_csv(to_csv(document(table)))
    english = read_csv(to_csv(document(table, locale="en")), delimiter=",")

    assert ["x", "2,5"] in dutch and ["y", "1.234"] in dutch
    assert ["x", "2.5"] in english and english[0] == ["Yearly overview"]


def test_hidden_characters_in_a_configured_name_are_dropped():
    rows = read_csv(to_csv(document(stopped(), scope="De \u202eetteuoriP\u202c\u200b")))

    assert rows[1] == ["De etteuoriP"]


# XLSX --------------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> dict[str, list[tuple[str, str, str, bool]]]:
    """Each sheet's cells as (reference, type, shown value, has a formula), by the sheet's name."""
    book = zipfile.ZipFile(io.BytesIO(data))
    shared = [
        "".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t"))
        for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("x:si", NS)
    ]
    names = [
        sheet.get("name")
        for sheet in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(
            f"{{{NS['x']}}}sheet"
        )
    ]
    sheets = {}
    for n, name in enumerate(names, start=1):
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{n}.xml"))
        cells = []
        for c in root.iter(f"{{{NS['x']}}}c"):
            kind, value = c.get("t", "n"), c.findtext("x:v", "", NS)
            shown = shared[int(value)] if kind == "s" else value
            cells.append((c.get("r"), kind, shown, c.find("x:f", NS) is not None))
        sheets[name] = cells
    return sheets


def test_the_workbook_has_a_sheet_per_table_with_numbers_as_numbers():
    sheets = read_xlsx(to_xlsx(document(stopped(), places(), places())))

    assert list(sheets) == ["Is het gestopt", "Plaats", "Plaats (2)"]
    cells = {ref: (kind, shown) for ref, kind, shown, _ in sheets["Plaats"]}
    assert cells["A1"] == (
        "s",
        f"Jaaroverzicht · {SCHOOL} · augustus 2026 – juli 2027 · Gemaakt op 5 december 2026",
    )
    assert cells["A3"] == ("s", "Plaats")
    assert (cells["A4"], cells["B4"]) == (("s", "plaats"), ("s", "meldingen"))
    assert (cells["A5"], cells["B5"]) == (("s", "klas"), ("n", "14"))
    assert cells["B8"] == ("s", "< 5")
    assert any("monitor sociale veiligheid" in shown for _, _, shown, _ in sheets["Plaats"])


def test_formula_like_workbook_cells_are_text_and_never_formulas():
    sheets = read_xlsx(to_xlsx(document(hostile(), scope="=cmd|' /C calc'!A0")))

    (name,) = sheets
    assert name == "=Fasen"  # a sheet's name is never run
    cells = sheets[name]
    assert not any(formula for *_, formula in cells)
    texts = [shown for _, kind, shown, _ in cells if kind == "s"]
    escaped = ["'=Fasen", "'-fase", "'@aantal", "'+een noot", "'=x"]
    for text in escaped + ["'" + f for f in FORMULAS]:
        assert text in texts
    assert texts[0].startswith("Jaaroverzicht · =cmd")  # the school's name, inside a line
    assert all(not t.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)


# PDF ---------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_jaaroverzicht_opens_with_the_school_the_period_and_what_it_is_not():
    data = to_pdf(document(stopped(), places()))

    reader = PdfReader(io.BytesIO(data))
    first = reader.pages[0].extract_text()
    assert first.index("Jaaroverzicht") < first.index(SCHOOL) < first.index("augustus 2026")
    assert "Gemaakt op 5 december 2026" in first
    assert "Dit is niet de jaarlijkse monitor sociale veiligheid" in " ".join(first.split())
    assert "Is het gestopt?" in first
    assert re.search(r"ja, gestopt\s+12\s+67 %", first)
    assert reader.metadata.title == f"Jaaroverzicht {SCHOOL}"


def test_a_long_jaaroverzicht_runs_over_pages_with_every_table():
    tables = [stopped(), places()] * 8
    data = to_pdf(document(*tables))

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 2
    text = pdf_text(data)
    assert text.count("Is het gestopt?") == 8
    assert f"1/{len(reader.pages)}" in reader.pages[0].extract_text()


def filled_rectangles(data: bytes) -> int:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return len(re.findall(rb" re f\b", page.get_contents().get_data()))


def test_a_table_asking_for_bars_gets_one_bar_per_figure_above_zero():
    with_bars = filled_rectangles(to_pdf(document(places("bars"))))
    without = filled_rectangles(to_pdf(document(places(None))))

    assert with_bars - without == 2  # klas 14, plein 9; not gang 0, not a hidden "< 5"


def test_signs_and_letters_helvetica_lacks_are_written_out():
    table = Table(Text("Deel"), (Text("wie"), Text("deel")), (("Şükrü 😀", "≤ 5 %"),))
    text = pdf_text(to_pdf(document(table, scope="De Ğolf ≥ 1")))

    assert "De Golf >= 1" in text  # Ğ is not in Windows-1252; ü is
    assert re.search(r"Sükrü\s+<= 5 %", text)
