"""The school poster: its QR codes scan to the school's addresses in every format, it says what
a child needs in the school's language, and a school's name is only ever text."""

from __future__ import annotations

import dataclasses
import io
import re
import zlib
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
import segno
import zxingcpp
from PIL import Image, ImageDraw

from bot.core.i18n import load_catalogs
from bot.core.render import Renderer
from bot.schools import poster_pdf, poster_png, poster_svg
from bot.schools.poster import PosterContent, poster, sheet
from bot.schools.poster_layout import COLUMN, MARGIN, PAGE_H, PAGE_W, Box, Line, Qr, lay_out
from bot.schools.poster_text import PosterError

WEB = "https://meld.bestuur.nl/s/pirouette/"
TELEGRAM = "https://t.me/AntiPestTestBot?start=PIROU7"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(load_catalogs())


def content(**changes: object) -> PosterContent:
    fields: dict = {"school_name": "De Pirouette", "web_url": WEB, "code": "PIROU7"}
    return PosterContent(**{**fields, **changes})


def scanned(image: Image.Image) -> list[str]:
    return sorted(b.text for b in zxingcpp.read_barcodes(image) if b.format.name == "QRCode")


def pdf_texts(pdf: bytes) -> list[str]:
    """Every string the PDF shows (Tj), in order."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        ops = zlib.decompress(stream).decode("latin-1")
        for s in re.findall(r"\(((?:[^()\\]|\\.)*)\) Tj", ops):
            shown.append(re.sub(r"\\(.)", r"\1", s).encode("latin-1").decode("cp1252"))
    return shown


def pdf_rectangles(pdf: bytes) -> Image.Image:
    """The PDF's rectangles (x y w h re, in mm from the top left), filled in black at 6 px/mm:
    the QR codes, as a reader would draw them."""
    image = Image.new("L", (round(PAGE_W * 6), round(PAGE_H * 6)), 255)
    draw = ImageDraw.Draw(image)
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        ops = zlib.decompress(stream).decode("latin-1")
        for x, y, w, h in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re\b", ops):
            left, top = float(x) * 6, float(y) * 6
            draw.rectangle((left, top, left + float(w) * 6 - 1, top + float(h) * 6 - 1), 0)
    return image


def svg_qrs(svg: bytes) -> list[tuple[list[list[bool]], float]]:
    """Each QR path in the SVG as its module matrix, and its printed width in mm."""
    found = []
    for path in ElementTree.fromstring(svg).iter(f"{SVG}path"):
        (scale,) = re.findall(r"scale\(([\d.]+)\)", path.get("transform", ""))
        runs = [
            tuple(map(int, r)) for r in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.get("d"))
        ]
        size = max(x + w for x, _, w in runs) + 4  # the last dark column, then the quiet zone
        matrix = [[False] * size for _ in range(size)]
        for x, y, w in runs:
            for column in range(x, x + w):
                matrix[y][column] = True
        found.append((matrix, size * float(scale)))
    return found


def svg_texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def segno_matrix(url: str) -> list[list[bool]]:
    code = segno.make_qr(url, error="q", boost_error=False)
    return [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=4)]


def assert_apart(items: list, measure) -> None:
    """No QR code or box overlaps another, and no line of text runs over a QR code."""
    squares = [(i.x, i.y, i.size, i.size) for i in items if isinstance(i, Qr)]
    boxes = [(i.x, i.y, i.w, i.h) for i in items if isinstance(i, Box)]
    lines = []
    for i in items:
        if isinstance(i, Line):  # from the top of its capitals to the foot of its descenders
            width, em = measure(i.text, i.size, i.bold), i.size * 25.4 / 72
            lines.append((i.x - width / 2, i.y - 0.75 * em, width, 0.95 * em))

    def meet(a: tuple, b: tuple) -> bool:
        return (
            a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
        )

    shapes = squares + boxes
    for n, a in enumerate(shapes):
        assert not any(meet(a, b) for b in shapes[n + 1 :]), a
    for line in lines:
        assert not any(meet(line, square) for square in squares), line


def test_the_png_scans_to_the_web_chat_and_the_parents_telegram(renderer: Renderer) -> None:
    png = poster(content(telegram_url=TELEGRAM), "png", renderer)
    image = Image.open(io.BytesIO(png))
    assert image.size == (1240, 1754)  # A4 at 150 dpi
    assert round(image.info["dpi"][0]) == 150
    assert scanned(image) == sorted([WEB, TELEGRAM])


def test_without_telegram_there_is_one_code_and_no_word_for_parents(renderer: Renderer) -> None:
    png = poster(content(), "png", renderer)
    assert scanned(Image.open(io.BytesIO(png))) == [WEB]
    assert not any("ouders" in t for t in svg_texts(poster(content(), "svg", renderer)))


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[None]:
    """A machine without TrueType fonts (the python:3.11-slim image): Pillow's own font."""
    missing = tmp_path / "missing.ttf"
    monkeypatch.setattr(poster_png, "FACES", {False: (missing,), True: (missing,)})
    poster_png._face.cache_clear()
    yield
    poster_png._face.cache_clear()


def test_without_fonts_the_png_still_scans_and_drops_accents_it_cannot_draw(
    renderer: Renderer, no_fonts: None
) -> None:
    accented = poster(content(school_name="De Één", telegram_url=TELEGRAM), "png", renderer)
    assert scanned(Image.open(io.BytesIO(accented))) == sorted([WEB, TELEGRAM])
    # Pillow's own font has ASCII only: É would be an empty box, so it is drawn as E.
    assert accented == poster(content(school_name="De Een", telegram_url=TELEGRAM), "png", renderer)


def test_the_pdf_shows_the_name_code_and_address_and_its_codes_scan(renderer: Renderer) -> None:
    pdf = poster(content(telegram_url=TELEGRAM), "pdf", renderer)
    assert pdf.startswith(b"%PDF-")
    shown = " ".join(pdf_texts(pdf))
    for text in ("De Pirouette", "PIROU7", "meld.bestuur.nl/s/pirouette/", "Of typ deze code:"):
        assert text in shown
    assert "Voor ouders: via Telegram" in shown
    assert scanned(pdf_rectangles(pdf)) == sorted([WEB, TELEGRAM])


def test_the_pdf_prints_dutch_letters_and_drops_only_accents_it_has_not(
    renderer: Renderer,
) -> None:
    pdf = poster(content(school_name="Één’s Şahin 😀 school"), "pdf", renderer)
    assert "Één’s Sahin school" in pdf_texts(pdf)


def test_the_svg_holds_segnos_code_large_with_its_quiet_zone(renderer: Renderer) -> None:
    svg = poster(content(telegram_url=TELEGRAM), "svg", renderer)
    (web, web_mm), (telegram, _) = svg_qrs(svg)
    assert web == segno_matrix(WEB)
    assert telegram == segno_matrix(TELEGRAM)
    symbol_mm = web_mm * (len(web) - 8) / len(web)
    assert symbol_mm >= 60  # a child's tablet reads it from a step away
    assert segno.make_qr(WEB, error="q", boost_error=False).error == "Q"


def test_a_schools_name_is_text_never_markup(renderer: Renderer) -> None:
    name = 'De <Pirouette> & Co "x"'
    svg = poster(content(school_name=name), "svg", renderer)
    assert b"<Pirouette>" not in svg
    assert name in svg_texts(svg)  # parses, and reads back exactly
    assert name in pdf_texts(poster(content(school_name=name), "pdf", renderer))


def test_the_poster_is_dutch_by_default_and_english_on_request(renderer: Renderer) -> None:
    dutch = " ".join(svg_texts(poster(content(), "svg", renderer)))
    assert "De Pirouette" in dutch
    assert "Word je gepest, of zie je" in dutch
    assert "Of typ deze code:" in dutch
    assert "Ga naar je juf of meester." in dutch
    assert "0800-0432" in dutch and "Bel 112." in dutch
    english = " ".join(svg_texts(poster(content(locale="en"), "svg", renderer)))
    assert "Are you being bullied, or do you see" in english
    assert "Or type this code:" in english
    assert "Call 112." in english
    assert "Word je" not in english


def test_no_emoji_or_hidden_characters_reach_the_page(renderer: Renderer) -> None:
    name = "De \u202eRegenboog 🌈\u200b"
    texts = svg_texts(poster(content(school_name=name, telegram_url=TELEGRAM), "svg", renderer))
    assert "De Regenboog" in texts
    assert all(ord(ch) < 0x2000 or ch == "…" for text in texts for ch in text)  # 🆘 left off too


def test_the_same_poster_gives_the_same_bytes(renderer: Renderer) -> None:
    for fmt in ("pdf", "png", "svg"):
        one = poster(content(telegram_url=TELEGRAM), fmt, renderer)
        assert one == poster(content(telegram_url=TELEGRAM), fmt, renderer), fmt
    # Two posters made within a second would match anyway: the date itself must be fixed.
    assert b"/CreationDate (D:20260101000000Z)" in poster(content(), "pdf", renderer)


@pytest.mark.parametrize("painter", [poster_pdf, poster_png, poster_svg])
def test_long_texts_stay_on_the_page_and_a_code_is_never_cut(
    renderer: Renderer, painter: object
) -> None:
    address = "https://meld.example-schoolbestuur-met-een-lange-naam.nl/s/" + "x" * 60
    long = content(
        school_name="Openbare Basisschool De Regenboog-Oost en 't Kompas " * 3,
        web_url=address,
        code="ABCDEFGHJKLMNP",
        telegram_url=TELEGRAM,
    )
    items = lay_out(sheet(long, renderer), painter.measure)  # type: ignore[attr-defined]
    lines = [item for item in items if isinstance(item, Line)]
    for line in lines:
        width = painter.measure(line.text, line.size, line.bold)  # type: ignore[attr-defined]
        assert line.x - width / 2 >= MARGIN - 0.01 and line.x + width / 2 <= MARGIN + COLUMN
        assert MARGIN < line.y < PAGE_H - MARGIN
    for item in items:
        if isinstance(item, Box | Qr):
            bottom = item.y + (item.h if isinstance(item, Box) else item.size)
            assert item.y >= MARGIN and bottom <= PAGE_H - MARGIN
    assert_apart(items, painter.measure)  # type: ignore[attr-defined]
    texts = [line.text for line in lines]
    assert "ABCDEFGHJKLMNP" in texts
    assert address.removeprefix("https://") in "".join(texts)
    assert texts[1].endswith("…")  # only a name too long for two lines is cut short


def test_a_code_too_long_to_show_whole_is_refused(renderer: Renderer) -> None:
    with pytest.raises(PosterError):
        poster(content(code="ABCDEFGHJK" * 4), "pdf", renderer)


@pytest.mark.parametrize("painter", [poster_pdf, poster_png, poster_svg])
def test_a_crowded_page_keeps_the_web_code_large_or_is_refused(
    renderer: Renderer, painter: object
) -> None:
    """Longer and longer texts (a translation, say): the web code shrinks, never below 6 cm,
    and nothing leaves the page; past that, the poster is refused."""
    sentence = "Dit is een lange zin die veel ruimte inneemt op de poster."
    steps = [
        {"school": "Basisschool De Lange Naam " * 3},
        {"danger": sentence},
        {"danger": f"{sentence} {sentence}"},
        {"danger": f"{sentence} {sentence} {sentence}"},
        {"help": f"{sentence} {sentence}"},
        {"help": f"{sentence} {sentence} {sentence}"},
        {"address": "meld.example-schoolbestuur-met-een-lange-naam.nl/s/" + "x" * 80},
        {"parents": sentence},
        {"type_code": sentence},
    ]
    crowded = sheet(content(telegram_url=TELEGRAM), renderer)
    sizes, refused = [], 0
    for step in steps:
        crowded = dataclasses.replace(crowded, **step)
        try:
            items = lay_out(crowded, painter.measure)  # type: ignore[attr-defined]
        except PosterError:
            refused += 1
            continue
        assert_apart(items, painter.measure)  # type: ignore[attr-defined]
        web = next(item for item in items if isinstance(item, Qr))
        assert web.size * (len(web.modules) - 8) / len(web.modules) >= 60 - 0.01
        sizes.append(web.size)
        for item in items:
            height = item.h if isinstance(item, Box) else item.size if isinstance(item, Qr) else 0
            assert item.y + height <= PAGE_H - MARGIN + 0.01
    assert refused and min(sizes) < max(sizes)  # both happened: the test is not vacuous
