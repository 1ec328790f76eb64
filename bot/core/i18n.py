"""gettext catalogs per locale, read from `locales/<lang>/LC_MESSAGES/messages.po` with Babel.

Catalogs are compiled in memory at start-up, so there is no build step and no stale `.mo`, and
nothing is written beside them (an installed bot's site-packages may be read-only). The folder
is found through the package (`bot.resources`), in a wheel as in the repository.
The locale is chosen per update (`pick_locale`), never set globally.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.resources import LOCALES as CATALOGS

LOCALES = ("nl", "en")  # the languages the bot speaks; every catalog and choice follows this
DEFAULT_LOCALE = "nl"


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Marks a msgid for extraction where it is translated later."""
    return msgid


def NC_(audience: str, msgid: str) -> str:  # noqa: N802 - like N_, with a context
    """Marks `msgid` as having its own translation for one audience (a gettext msgctxt).

    Used where one English text needs two Dutch ones: "je" for a pupil, "u" for a parent. The
    renderer picks the audience's entry when it has one, else the plain one.
    """
    return msgid


def load_catalogs(folder: Path = CATALOGS) -> dict[str, NullTranslations]:
    catalogs: dict[str, NullTranslations] = {}
    for locale in LOCALES:
        path = folder / locale / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            catalogs[locale] = NullTranslations()
            continue
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        catalogs[locale] = Translations(fp=buffer)
    return catalogs


def pick_locale(stored: str | None, language_code: str | None) -> str:
    """The user's own choice first, then the app's language, then Dutch."""
    if stored in LOCALES:
        return stored
    base = (language_code or "").split("-")[0].lower()
    return base if base in LOCALES else DEFAULT_LOCALE
