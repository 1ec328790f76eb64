"""The chat page as the server renders it: its language, its texts, and nothing the CSP blocks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.support import NullTranslations

from bot.channels.web import page
from bot.core.i18n import load_catalogs
from bot.core.model import Text
from bot.core.render import Renderer

STATIC = Path(__file__).resolve().parents[2] / "bot" / "channels" / "web" / "static"
OPTIONS = {"exit_url": "https://www.google.com/", "max_photo_bytes": 10_000_000, "school": ""}


class Parsed(HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>/<style>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.inside: dict[str, str] = {}
        self._open: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._open = tag if tag in ("script", "style") else None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.inside[self._open] = self.inside.get(self._open, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
        ]

    def by_id(self, element_id: str) -> dict[str, str]:
        found = [attrs for _, attrs in self.tags if attrs.get("id") == element_id]
        assert len(found) == 1, element_id
        return found[0]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(load_catalogs())


def render(renderer: Renderer, locale: str = "nl", **options: object) -> str:
    return page.render_page(renderer, locale, **{**OPTIONS, **options})  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_page_speaks_its_locale(renderer: Renderer, locale: str) -> None:
    parsed = Parsed(render(renderer, locale))
    assert parsed.find("html") == [{"lang": locale, "dir": "ltr"}]


def test_a_right_to_left_language_gets_dir_rtl() -> None:
    renderer = Renderer({"ar": NullTranslations(), "nl": NullTranslations()})
    assert Parsed(render(renderer, "ar")).find("html") == [{"lang": "ar", "dir": "rtl"}]
    assert page.text_direction("he") == "rtl"
    assert page.text_direction("nl") == "ltr"
    assert page.text_direction("not a language") == "ltr"


def test_every_chrome_text_is_translated_into_dutch(renderer: Renderer) -> None:
    untranslated = [m for m in page.CHROME_MSGIDS if renderer.text(Text(m), "nl") == m]
    assert untranslated == []


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_chrome_text_is_on_the_page(renderer: Renderer, locale: str) -> None:
    html = render(renderer, locale)
    parsed, texts = Parsed(html), _texts(html)
    values = {value for _, attrs in parsed.tags for value in attrs.values()}
    for msgid in page.CHROME_MSGIDS:
        said = renderer.text(Text(msgid), locale)
        assert said in values or any(said in t for t in texts), msgid
    assert "{{" not in html


def test_what_the_script_reads_is_on_the_page(renderer: Renderer) -> None:
    """chat.js reads its texts as T.name from #chrome-text's data-name attributes."""
    names = set(re.findall(r"\bT\.([a-zA-Z]+)", (STATIC / "chat.js").read_text()))
    strings = Parsed(render(renderer, "nl")).by_id("chrome-text")
    for name in names:
        attribute = "data-" + re.sub(r"([A-Z])", r"-\1", name).lower()
        assert strings.get(attribute), attribute


def test_configuration_is_escaped(renderer: Renderer) -> None:
    school = '<script>alert("x")</script> & Co'
    exit_url = 'https://example.org/?a="b"&c=<d>'
    html = render(renderer, school=school, exit_url=exit_url)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    parsed = Parsed(html)
    assert parsed.by_id("app")["data-exit-url"] == exit_url
    assert parsed.by_id("app")["data-max-photo"] == "10000000"
    assert [a["src"] for a in parsed.find("script")] == ["/static/chat.js"]
    assert parsed.by_id("quick-exit")["href"] == exit_url


def test_nothing_inline_that_the_csp_would_block(renderer: Renderer) -> None:
    for locale in ("nl", "en"):
        parsed = Parsed(render(renderer, locale, school="Basisschool De Test"))
        scripts = parsed.find("script")
        assert scripts and all(a.get("src", "").startswith("/static/") for a in scripts)
        assert parsed.inside.get("script", "").strip() == ""
        assert parsed.find("style") == []
        for tag, attrs in parsed.tags:
            assert "style" not in attrs, tag
            assert not [name for name in attrs if name.startswith("on")], tag
            if attrs.get("id") == "quick-exit":
                continue  # the one way off the page: the configured neutral site
            for name in ("src", "href"):
                assert not attrs.get(name, "/").startswith(("http:", "https:", "//")), tag


def test_zoom_is_never_disabled(renderer: Renderer) -> None:
    (viewport,) = Parsed(render(renderer)).find("meta", name="viewport")
    content = viewport["content"].replace(" ", "")
    assert "width=device-width" in content
    assert "user-scalable" not in content and "maximum-scale" not in content


def test_every_control_has_a_label(renderer: Renderer) -> None:
    parsed = Parsed(render(renderer))
    labelled = {attrs["for"] for attrs in parsed.find("label")}
    controls = [a for tag, a in parsed.tags if tag in ("input", "textarea", "select")]
    assert controls
    for attrs in controls:
        assert attrs["id"] in labelled or attrs.get("aria-label"), attrs
    assert parsed.by_id("log")["role"] == "log"
    assert parsed.by_id("log")["aria-live"] == "polite"
    assert parsed.by_id("code-input")["autocomplete"] == "off"
    assert "capture" not in parsed.by_id("photo")


@pytest.mark.parametrize("name", ["chat.js", "widget.js"])
def test_scripts_never_write_html(name: str) -> None:
    header, code = (STATIC / name).read_text().split("*/", 1)  # the opening comment may name them
    assert header.lstrip().startswith("/*") and code.lstrip().startswith('"use strict";')
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert forbidden not in code, forbidden
    assert "new Function" not in code and "iframe" not in code


@pytest.mark.parametrize(
    ("query", "accept", "chosen"),
    [
        ("en", "nl", "en"),
        ("EN", None, "en"),
        ("fr", "en-GB,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.8, nl;q=0.5", "en"),
        (None, "en;q=0.2, nl;q=0.9", "nl"),
        (None, "en;q=0", "nl"),
        (None, "en;q=bad", "nl"),
        (None, "de, fr", "nl"),
        (None, None, "nl"),
        (None, "", "nl"),
    ],
)
def test_the_page_language(query: str | None, accept: str | None, chosen: str) -> None:
    assert page.page_locale(query, accept) == chosen


def _texts(html: str) -> list[str]:
    found: list[str] = []

    class Texts(HTMLParser):
        def handle_data(self, data: str) -> None:
            if data.strip():
                found.append(" ".join(data.split()))

    Texts(convert_charrefs=True).feed(html)
    return found
