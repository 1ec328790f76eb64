"""Extract every msgid into `locales/messages.pot` and bring each `messages.po` up to date.

    python tools/update_catalogs.py          # write the .pot, create or update every catalog
    python tools/update_catalogs.py --check  # exit 1 if the .pot is out of date; writes nothing

What is extracted is configured in `babel.cfg`. Output is stable: sorted by msgid, no source
locations, and a file is only rewritten when its messages change. Catalogs are updated without
fuzzy matching, so a changed msgid becomes a new, empty entry (never a fuzzy guess). English
msgids are the English text: empty `en` entries are filled with the msgid. Entries that need a
translation are listed at the end; `tests/test_i18n.py` fails until they have one.
"""

from __future__ import annotations

import argparse
import io
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # babel.cfg names the flow extractor as `bot.core.i18n_extract`

from bot.core.i18n import LOCALES  # noqa: E402

LOCALES_DIR = ROOT / "locales"
POT = LOCALES_DIR / "messages.pot"
SOURCE_LOCALE = "en"  # the language msgids are written in
PROJECT = "antipestbot"


def extract() -> Catalog:
    """The template: every msgid that `babel.cfg` finds, brace placeholders flagged."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = new_catalog(None, "template")
    for filename, lineno, msgid, comments, context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        flags = ("python-brace-format",) if "{" in msgid else ()
        template.add(
            msgid, None, [(filename, lineno)], auto_comments=comments, flags=flags, context=context
        )
    return template


def new_catalog(locale: str | None, what: str) -> Catalog:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return Catalog(
        locale=locale,
        header_comment=f"# {PROJECT}: {what}. Update with python tools/update_catalogs.py",
        project=PROJECT,
        version=version,
        msgid_bugs_address=PROJECT,
        last_translator=PROJECT,
        language_team=PROJECT,
        fuzzy=False,
    )


def render(catalog: Catalog, *, header: bool = True) -> bytes:
    out = io.BytesIO()
    write_po(
        out,
        catalog,
        no_location=True,
        omit_header=not header,
        sort_output=True,
        ignore_obsolete=True,
    )
    return out.getvalue()


def load(path: Path, locale: str | None = None) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def save(path: Path, catalog: Catalog, old: Catalog | None, now: datetime) -> bool:
    """Write `catalog` if its messages differ from `old`; stamp the date only then."""
    if old is not None and render(catalog, header=False) == render(old, header=False):
        return False
    if catalog.locale is None:
        catalog.creation_date = now
    else:
        catalog.revision_date = now
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(catalog))
    return True


def update(locale: str, template: Catalog, now: datetime) -> tuple[bool, list[str]]:
    """Create or update one catalog; returns (written, msgids still untranslated)."""
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    old = load(path, locale)
    catalog = load(path, locale) or new_catalog(locale, f"{locale!r} catalog")
    catalog.update(template, no_fuzzy_matching=True)
    for message in catalog:
        if message.id and not message.string and locale == SOURCE_LOCALE:
            message.string = message.id
    missing = [m.id for m in catalog if m.id and not m.string]
    return save(path, catalog, old, now), missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the .pot is out of date")
    args = parser.parse_args(argv)
    now = datetime.now(UTC).replace(microsecond=0)
    template, committed = extract(), load(POT)
    stale = committed is None or render(template, header=False) != render(committed, header=False)
    if args.check:
        if stale:
            print(f"{POT.relative_to(ROOT)} is out of date: run python tools/update_catalogs.py")
        return int(stale)
    if not save(POT, template, committed, now) and committed is not None:
        template = committed  # keep the committed header (and date) in every catalog
    print(f"{POT.relative_to(ROOT)}: {len(template)} msgids" + (" (updated)" if stale else ""))
    for locale in LOCALES:
        written, missing = update(locale, template, now)
        note = " (updated)" if written else ""
        print(f"{locale}: {len(missing)} untranslated{note}")
        for msgid in missing:
            print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
