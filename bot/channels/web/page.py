"""The chat page: one HTML template, filled with the page's own texts (its "chrome") in one locale.

The page carries no inline script or style (the CSP allows only files from this server), so the
texts that chat.js shows (idle warning, offline notice, ...) travel as data- attributes of one
hidden element. Every value put into the template is HTML-escaped here, once.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.channels.web import answers
from bot.core.i18n import DEFAULT_LOCALE, LOCALES, N_
from bot.core.model import Text
from bot.core.render import Renderer

TEMPLATES = Path(__file__).parent / "templates"
PLACEHOLDER = re.compile(r"\{\{ *([a-z_]+) *\}\}")

# The page's own texts, by the template's placeholder name. Where the conversation names a
# button of the page ("tap 🔑 I have a secret code", "tap ✅ Done"), the msgid is that label.
CHROME: dict[str, str] = {
    "title": N_("Report bullying"),
    "heading": N_("Anti-bullying helper"),
    "skip": N_("Go to the message box"),
    "quick_exit": N_("Quick exit"),
    "done": N_("✅ Done"),
    "exit_note": N_("Quick exit closes this page at once. It does not erase your browser history."),
    "exit_tip": N_("With a keyboard: press Shift three times."),
    "note_ok": N_("OK, got it"),
    "have_code": N_("🔑 I have a secret code"),
    "code_label": N_("Your secret code"),
    "code_hint": N_("Type the words of your code, with a space between them."),
    "code_submit": N_("Go on"),
    "code_cancel": N_("Back"),
    "log_label": N_("Conversation"),
    "message_label": N_("Your message"),
    "message_hint": N_("Enter sends. Shift and Enter start a new line."),
    "send": N_("Send"),
    "photo_label": N_("Send a photo"),
    "idle_question": N_("Are you still there?"),
    "idle_text": N_("If nobody uses the chat, it closes soon. That is safer."),
    "idle_yes": N_("Yes, I am still here"),
    "restart": N_("Start again"),
    "secret_label": N_("Your secret code"),
    "write_down": N_("Write it down"),
    "print": N_("🖨️ Print"),
    "noscript": N_(
        "This chat needs JavaScript. Ask a grown-up for help. Or call De Kindertelefoon: "
        "0800-0432. It is free."
    ),
    # Texts chat.js shows (data- attributes of #chrome-text).
    "you": N_("You:"),
    "bot": N_("Helper:"),
    "photo_line": N_("📷 A photo"),
    "read_aloud": N_("🔊 Read aloud"),
    "stop_reading": N_("⏹️ Stop reading"),
    "sending": N_("Sending…"),
    "retrying": N_("Not sent yet. I am trying again…"),
    "not_sent": N_("It was not sent. Check the internet, then tap Try again."),
    "text_kept": N_("Your text is still in the box."),
    "try_again": N_("Try again"),
    "offline": N_("There is no internet right now. What you type stays here."),
    "unreachable": N_("I cannot reach the chat right now. Try again in a moment."),
    "help_now": N_(
        "Need help now? Go to your teacher. Or call De Kindertelefoon: 0800-0432. It is free."
    ),
    "goodbye": N_("The chat is closed now. Thank you for coming."),
    "goodbye_more": N_("Want to tell more? Go to your teacher, or start again here."),
    "closed_idle": N_("You did nothing for a while, so the chat is closed. That is safer."),
    "photo_too_big": answers.PHOTO_TOO_BIG,  # the server's own words, checked here first
    "code_sending": N_("Looking for your code…"),
}
CHROME_MSGIDS = tuple(CHROME.values())

# The page at an address no live school has (a typo, a removed school): kind, with help right
# now and the way to the chat, and never a list of schools (it would tell a stranger which
# schools use the chat, and a child would pick one at random).
NOT_FOUND = N_("I cannot find this chat. Maybe the address is not quite right.")
MISSING: dict[str, str] = {
    "title": N_("Chat not found"),
    "heading": CHROME["heading"],
    "quick_exit": CHROME["quick_exit"],
    "not_found": NOT_FOUND,
    "ask": N_("Ask your teacher for the right address."),
    "help_now": CHROME["help_now"],
    "danger": N_("🆘 Is someone in danger right now? Call 112."),
    "to_chat": N_("💬 Go to the chat"),
}
MISSING_MSGIDS = tuple(MISSING.values())


def page_locale(query_lang: str | None, accept_language: str | None) -> str:
    """`?lang=` if we speak it, else the first language of Accept-Language we speak (by its
    q weight, as the browser ranks them), else Dutch."""
    if query_lang and query_lang.lower() in LOCALES:
        return query_lang.lower()
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        base = tag.strip().split("-")[0].lower()
        if weight > 0 and base in LOCALES:
            ranked.append((-weight, order, base))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


def text_direction(locale: str) -> str:
    """The text direction of `locale`: rtl for Arabic, Hebrew ...; ltr otherwise."""
    try:
        order = Locale.parse(locale).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def render_page(
    renderer: Renderer,
    locale: str,
    *,
    exit_url: str,
    max_photo_bytes: int,
    school: str,
    slug: str = "",
) -> str:
    """The whole page in `locale`; `school` (configuration, may be empty) is shown as given.
    `slug`: the school whose address this is, which the page's tab belongs to ("": the bare
    address)."""
    values = {name: renderer.text(Text(msgid), locale) for name, msgid in CHROME.items()}
    if school:
        values["title"] = f"{values['title']} · {school}"
    values |= {
        "lang": locale,
        "dir": text_direction(locale),
        "school": school,
        "slug": slug,
        "exit_url": exit_url,
        "max_photo": str(max_photo_bytes),
    }
    return _fill("chat.html", values)


def render_missing(renderer: Renderer, locale: str, *, exit_url: str) -> str:
    """The page for an address no live school has, in `locale`."""
    values = {name: renderer.text(Text(msgid), locale) for name, msgid in MISSING.items()}
    values |= {"lang": locale, "dir": text_direction(locale), "exit_url": exit_url}
    return _fill("missing.html", values)


def _fill(template: str, values: dict[str, str]) -> str:
    escaped = {name: html.escape(value, quote=True) for name, value in values.items()}
    return PLACEHOLDER.sub(lambda found: escaped[found.group(1)], _template(template))


@cache
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")
