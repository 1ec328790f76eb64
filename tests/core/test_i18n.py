"""The catalogs: in step with the code and flows, complete, never fuzzy, placeholders intact."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES, load_catalogs, pick_locale
from bot.core.i18n_extract import extract_flow

ROOT = Path(__file__).resolve().parents[2]
LOCALES_DIR = ROOT / "locales"
UPDATE = "run: python tools/update_catalogs.py"


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def mapping() -> tuple[list, dict]:
    with (ROOT / "babel.cfg").open() as cfg:
        return parse_mapping_cfg(cfg)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def template() -> Catalog:
    return read(LOCALES_DIR / "messages.pot")


@pytest.fixture(scope="module", params=LOCALES)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    return read(LOCALES_DIR / request.param / "LC_MESSAGES" / "messages.po", request.param)


def test_pot_is_up_to_date(template):
    found = {msgid for _file, _line, msgid, _notes, _ctx in extract_from_dir(ROOT, *mapping())}
    committed = {m.id for m in template if m.id}
    assert sorted(found - committed) == [], f"msgids missing from messages.pot; {UPDATE}"
    assert sorted(committed - found) == [], f"stale msgids in messages.pot; {UPDATE}"


def test_flow_extractor_finds_says_and_labels_once():
    flow = b"""\
flow: demo
globals:
  - {trigger: help, label: "Help", say: ["Call 112."]}
states:
  a:
    say:
      - "Hi {name}."
    buttons: &both
      - {trigger: go, label: "Go", save: {label: "not a msgid"}}
    text: {trigger: story, save: story, label: "Typed"}
  b:
    say: "One line"
    buttons: *both
"""
    found = list(extract_flow(io.BytesIO(flow), {}, [], {}))
    assert [(line, msgid) for line, _, msgid, _ in found] == [
        (3, "Help"),
        (3, "Call 112."),
        (7, "Hi {name}."),
        (9, "Go"),
        (10, "Typed"),
        (12, "One line"),
    ]


def test_python_keywords_are_n_and_text():
    method_map, options_map = mapping()
    options = options_map[next(pattern for pattern, method in method_map if method == "python")]
    code = b'N_("marked")\nText("shown", {"a": 1})\nText(label)\nText(N_("nested"))\n'
    found = [m[1] for m in extract("python", io.BytesIO(code), options["keywords"])]
    assert found == ["marked", "shown", "nested"]


def test_every_msgid_is_translated(template, catalog):
    untranslated = [m.id for m in template if m.id and not getattr(catalog.get(m.id), "string", "")]
    assert untranslated == [], f"{catalog.locale}: translate these in its messages.po"


def test_nothing_is_fuzzy(catalog):
    assert [m.id for m in catalog if m.fuzzy] == []


def test_translations_keep_placeholders(catalog):
    broken = [m.id for m in catalog if m.id and m.string and fields(m.string) != fields(m.id)]
    assert broken == []


def test_runtime_reads_the_catalogs():
    catalogs = load_catalogs(LOCALES_DIR)
    assert catalogs["nl"].gettext("🏠 Back to the start") == "🏠 Terug naar het begin"
    assert catalogs["nl"].gettext("Okay, I will speak English now.").endswith("Nederlands.")
    assert catalogs["en"].gettext("🏠 Back to the start") == "🏠 Back to the start"


@pytest.mark.parametrize(
    ("stored", "language_code", "expected"),
    [
        ("en", "nl", "en"),
        ("nl", "en-GB", "nl"),
        (None, "en", "en"),
        (None, "en-GB", "en"),
        (None, "nl", "nl"),
        (None, "de", "nl"),
        (None, "", "nl"),
        (None, None, "nl"),
        ("fr", "en-US", "en"),
    ],
)
def test_pick_locale(stored, language_code, expected):
    assert pick_locale(stored, language_code) == expected
