"""`antipestbot school ...`: the board administrator adds, changes, lists and removes schools and
makes their posters; and `--school SLUG` for the other commands.

The board administrator configures; they read no case: what is printed about a school's cases is
a count. A school's settings are checked as strictly as the board's TOML file, and every problem
is one SettingsError sentence (exit code 2).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.clock import stamp, system_clock
from bot.schools.config import OVERRIDABLE, SchoolConfigError
from bot.schools.poster import PosterContent, PosterError, poster
from bot.schools.registry import (
    SLUG,
    SchoolRow,
    Schools,
    new_entry_code,
    school_from,
    shown_entry_code,
)
from bot.schools.school import School
from bot.settings import SettingsError
from bot.storage import audit

if TYPE_CHECKING:
    from bot.app import App

MAX_NAME = 100  # characters: a poster shows two lines of it; a longer name is a mistake
LOCAL_URL = "http://127.0.0.1:8080"  # `antipestbot run`'s own address, without a proxy
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_HOLIDAY = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
HOLIDAYS_EXAMPLE = "2026-12-19..2027-01-03,2027-02-13..2027-02-21"
# `--reset KEY`: a setting's name as its flag spells it (promise-hours), stored as promise_hours.
RESETTABLE = sorted(key.replace("_", "-") for key in OVERRIDABLE)


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `school` command and its actions, added to the CLI's parser."""
    school = commands.add_parser("school", help="manage the board's schools (no case content)")
    actions = school.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a school; prints its address, code and links")
    add.add_argument("--name", required=True, help='the school\'s name, e.g. "De Pirouette"')
    add.add_argument("--slug", help="its web address /s/SLUG/ (default: made from the name)")
    add.add_argument("--bot-username", help="the bot's @username, for the Telegram link")
    actions.add_parser("list", help="list schools: slug, name, code, coordinators, open cases")
    change = actions.add_parser("set", help="change a school's name, address, code or settings")
    change.add_argument("slug")
    change.add_argument("--name")
    change.add_argument("--slug", dest="new_slug", metavar="SLUG", help="a new web address")
    change.add_argument("--new-code", action="store_true", help="a new entry code")
    change.add_argument("--timezone", help="e.g. Europe/Amsterdam")
    change.add_argument("--hours", help="school hours, e.g. 08:30-15:00")
    change.add_argument("--promise-hours", type=float, help="school hours until a case is claimed")
    change.add_argument("--promise-nl", help="the promise in Dutch, e.g. binnen 1 schooldag")
    change.add_argument("--promise-en", help="the promise in English")
    change.add_argument("--followup-days", type=int, help="school days until the follow-up")
    change.add_argument("--retention-days", type=int, help="at most the board's retention")
    change.add_argument("--reports-per-hour", type=int)
    change.add_argument("--pupils", type=int, help="pupils at the school (figures per 100)")
    change.add_argument("--exit-url", help="the web chat's quick exit, an https:// address")
    change.add_argument(
        "--holidays",
        help=f'first..last day of each holiday, e.g. "{HOLIDAYS_EXAMPLE}"; "" for none',
    )
    change.add_argument("--phases-nl", help='six labels: "a|b|c|d|e|f"')
    change.add_argument("--phases-en", help='six labels: "a|b|c|d|e|f"')
    change.add_argument(
        "--reset",
        action="append",
        default=[],
        choices=RESETTABLE,
        metavar="KEY",
        help=f"use the board's setting again: {', '.join(RESETTABLE)}",
    )
    remove = actions.add_parser("remove", help="remove a school that has no open cases")
    remove.add_argument("slug")
    sign = actions.add_parser("poster", help="an A4 poster with the school's QR code and code")
    sign.add_argument("slug")
    sign.add_argument("--out", type=Path, required=True, help="poster.pdf, poster.png or .svg")
    sign.add_argument("--telegram", action="store_true", help="add a Telegram code for parents")
    sign.add_argument("--lang", choices=["nl", "en"], default="nl")
    sign.add_argument("--bot-username", help="the bot's @username, for the Telegram code")


def board(app: App) -> Schools:
    """The board's schools now; a school whose stored settings no longer pass is one sentence."""
    try:
        return app.board.current()
    except SchoolConfigError as exc:
        raise SettingsError(str(exc)) from exc


def school_for(schools: Schools, slug: str | None) -> School:
    """The live school `--school SLUG` names; without it, the board's only school."""
    if slug is None:
        only = schools.only
        if only is None:
            raise SettingsError(
                f"This board has {len(schools.live)} schools: say which with --school SLUG "
                "(`antipestbot school list` shows them)."
            )
        return only
    found = schools.by_slug(slug)
    if found is not None:
        return found
    if any(s.slug == slug.lower() for s in schools.by_id.values()):
        raise SettingsError(f"The school {slug} was removed.")
    raise SettingsError(f"There is no school {slug}: `antipestbot school list` shows them.")


def of_school(school: School | None, several: bool) -> str:
    """ " of De Pirouette (pirouette)" when the board has several schools; else nothing."""
    if school is None or not several:
        return ""
    return f" of {school.name} ({school.slug})" if school.name else f" of {school.slug}"


def web_address(public_url: str | None, school: School) -> str:
    return f"{public_url or LOCAL_URL}/s/{school.slug}/"


def telegram_link(username: str, school: School) -> str:
    return f"https://t.me/{username}?start={school.entry_code}"


def run(app: App, args: argparse.Namespace) -> int:
    """`antipestbot school ACTION`; `args.bot_username` is resolved already (or None)."""
    if args.action == "add":
        return _add(app, args)
    if args.action == "list":
        return _list(app)
    if args.action == "set":
        return _set(app, args)
    if args.action == "remove":
        return _remove(app, args.slug)
    return _poster(app, args)


def _add(app: App, args: argparse.Namespace) -> int:
    stores, now = app.stores, stamp(system_clock)
    name = _name(args.name)
    slug = _slug(args.slug) if args.slug is not None else _slug_from(name)
    with stores.db.transaction():
        if stores.schools.taken(slug=slug):
            raise SettingsError(
                f"The address /s/{slug}/ belongs to another school (perhaps a removed one): "
                "choose another with --slug."
            )
        code = _fresh_code(app)
        if _first_of_a_new_board(app):
            # A fresh installation starts with school 1, nameless and unused: the board's first
            # school becomes it, rather than leaving an empty school beside it.
            school_id = 1
            stores.schools.update(school_id, now, slug=slug, name=name, entry_code=code)
        else:
            school_id = stores.schools.add(slug, name, code, now)
        audit.record(stores.db, now, "operator", "school_added", school=school_id)
    school = _checked(app.school, SchoolRow(school_id, slug, code, name, {}))
    print(f"School {school.slug} added: {name}.")
    print(f"Entry code (on the poster, typed by hand): {shown_entry_code(school.entry_code)}")
    _print_addresses(app, school, args.bot_username)
    print(f"Coordinators: `antipestbot coordinator invite --school {slug} --name NAME`.")
    print(f"Poster: `antipestbot school poster {slug} --out poster.pdf`.")
    return 0


def _first_of_a_new_board(app: App) -> bool:
    """Only school 1 exists, as the installation made it (no name of its own, slug `school`,
    nobody's), and the board's file names no school either."""
    rows = app.stores.schools.listed()
    return (
        len(rows) == 1
        and rows[0]["id"] == 1
        and rows[0]["name"] is None
        and rows[0]["slug"] == "school"
        and app.school.name is None
        and app.stores.schools.untouched(1)
    )


def _print_addresses(app: App, school: School, username: str | None) -> None:
    public = app.settings.web.public_url
    print(f"Web chat: {web_address(public, school)}")
    if public is None:
        print(
            f"(Set ANTIPEST_PUBLIC_URL to the address people use: {LOCAL_URL} is only "
            "this computer's own default.)"
        )
    base = public or LOCAL_URL
    print("For the school's website, one line:")
    print(f'<script src="{base}/widget.js" data-school="{school.slug}" defer></script>')
    if username is not None:
        print(f"Telegram (parents): {telegram_link(username, school)}")
    else:
        print("Telegram: give --bot-username NAME (or set TELEGRAM_BOT_TOKEN) for its link.")


def _list(app: App) -> int:
    stores, schools = app.stores, board(app)
    for school_id, school in sorted(schools.by_id.items()):
        coordinators = [c for c in stores.coordinators.active_in(school_id) if c.telegram_id]
        open_cases = stores.reports.count_open(frozenset({school_id}))
        line = [
            school.slug,
            school.name or "(no name)",
            f"code {shown_entry_code(school.entry_code)}",
            f"coordinators {len(coordinators)}",
            f"open cases {open_cases}",
        ]
        if school_id in schools.removed:
            line.append("removed")
        print("\t".join(line))
    return 0


def _set(app: App, args: argparse.Namespace) -> int:
    stores, now = app.stores, stamp(system_clock)
    school = school_for(board(app), args.slug)
    current = _settings_of(app, school.id)
    changes: dict[str, Any] = {}
    if args.name is not None:
        changes["name"] = _name(args.name)
    if args.new_slug is not None and _slug(args.new_slug) != school.slug:
        changes["slug"] = _slug(args.new_slug)
    settings = _new_settings(current, args)
    if settings is not None:
        changes["settings"] = settings
    if not changes and not args.new_code:
        raise SettingsError("Say what to change: see `antipestbot school set --help`.")
    with stores.db.transaction():
        if "slug" in changes and stores.schools.taken(slug=changes["slug"]):
            raise SettingsError(
                f"The address /s/{changes['slug']}/ belongs to another school (perhaps a "
                "removed one): choose another."
            )
        if args.new_code:
            changes["entry_code"] = _fresh_code(app)
        # Checked whole, as the bot will read it: retention against the board's, for one.
        row = SchoolRow(
            school.id,
            changes.get("slug", school.slug),
            changes.get("entry_code", school.entry_code),
            changes.get("name", school.name),
            changes.get("settings", current),
        )
        changed = _checked(app.school, row)
        stores.schools.update(school.id, now, **changes)
        audit.record(stores.db, now, "operator", "school_changed", school=school.id)
    print(f"School {changed.slug} changed: {', '.join(_changed(changes, current)) or 'nothing'}.")
    if "slug" in changes or "entry_code" in changes:
        print(f"Entry code: {shown_entry_code(changed.entry_code)}")
        print(f"Web chat: {web_address(app.settings.web.public_url, changed)}")
        print(
            "Posters, links and website lines with the old address or code no longer work: "
            f"make new ones (`antipestbot school poster {changed.slug} --out poster.pdf`)."
        )
    return 0


def _changed(changes: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What `school set` changed, as its flags name it: name, retention-days, entry code."""
    words = [key.replace("entry_", "entry ") for key in changes if key != "settings"]
    new = changes.get("settings", current)
    words += [
        key for key in sorted(new.keys() | current.keys()) if new.get(key) != current.get(key)
    ]
    return [word.replace("_", "-") for word in words]


def _settings_of(app: App, school_id: int) -> dict[str, Any]:
    """What the school's row overrides now, as stored (the board's snapshot keeps only the
    result, in which an override equal to the board's value cannot be told apart)."""
    row = next(row for row in app.stores.schools.listed() if row["id"] == school_id)
    return dict(row["settings"])


def _new_settings(current: dict[str, Any], args: argparse.Namespace) -> dict[str, Any] | None:
    """The school's overrides after `school set`'s flags; None when no flag is about them."""
    given: dict[str, Any] = {
        "timezone": args.timezone,
        "hours": args.hours,
        "promise_hours": args.promise_hours,
        "followup_days": args.followup_days,
        "retention_days": args.retention_days,
        "reports_per_hour": args.reports_per_hour,
        "pupils": args.pupils,
        "exit_url": args.exit_url,
        "holidays": _holidays(args.holidays),
    }
    given = {key: value for key, value in given.items() if value is not None}
    for key, per_locale in (
        ("promise", {"nl": args.promise_nl, "en": args.promise_en}),
        ("phases", {"nl": _labels(args.phases_nl), "en": _labels(args.phases_en)}),
    ):
        texts = {locale: text for locale, text in per_locale.items() if text is not None}
        if texts:  # one language changed keeps the school's other one
            given[key] = {**current.get(key, {}), **texts}
    resets = {key.replace("-", "_") for key in args.reset}
    both = sorted(resets & set(given))
    if both:
        flag = both[0].replace("_", "-")
        raise SettingsError(f"--reset {flag} and a new {flag} cannot go together.")
    if not given and not resets:
        return None
    return {k: v for k, v in {**current, **given}.items() if k not in resets}


def _holidays(text: str | None) -> list[list[str]] | None:
    """`--holidays "2026-12-19..2027-01-03,..."` as the school's settings store it (the TOML's
    form, checked there); an empty text is no holidays at all (`--reset holidays`: the board's)."""
    if text is None:
        return None
    pieces = [piece.strip() for piece in text.split(",")] if text.strip() else []
    found = [_HOLIDAY.fullmatch(piece) for piece in pieces]
    if not all(found):
        raise SettingsError(f'--holidays must look like "{HOLIDAYS_EXAMPLE}".')
    return [list(match.groups()) for match in found if match]


def _labels(text: str | None) -> list[str] | None:
    return None if text is None else [label.strip() for label in text.split("|")]


def _remove(app: App, slug: str) -> int:
    stores, now = app.stores, stamp(system_clock)
    schools = board(app)
    school = school_for(schools, slug)
    with stores.db.transaction():
        open_cases = stores.reports.count_open(frozenset({school.id}))
        if open_cases:
            raise SettingsError(
                f"The school {school.slug} still has {open_cases} open "
                f"case{'s' if open_cases != 1 else ''}: its coordinators close them first."
            )
        if len(schools.live) == 1:
            raise SettingsError(f"{school.slug} is the board's only school: add another first.")
        for invite in stores.coordinators.invites(school.id):
            if invite.state(now) == "pending":  # a role in a removed school would be no use
                stores.coordinators.revoke(invite.id, now)
        stores.schools.remove(school.id, now)
        audit.record(stores.db, now, "operator", "school_removed", school=school.id)
    print(
        f"School {school.slug} removed: it can no longer be reached. Its closed cases are "
        "kept until their retention ends; its address and code stay reserved."
    )
    return 0


def _poster(app: App, args: argparse.Namespace) -> int:
    school = school_for(board(app), args.slug)
    fmt = args.out.suffix.lower().removeprefix(".")
    if fmt not in ("pdf", "png", "svg"):
        raise SettingsError("--out must end in .pdf, .png or .svg.")
    public = app.settings.web.public_url
    if public is None:
        # A printed code that leads to this computer's own address would reach nobody.
        raise SettingsError(
            "A poster needs the address people use: set ANTIPEST_PUBLIC_URL, e.g. "
            "https://meld.bestuur.nl."
        )
    if not school.name:
        raise SettingsError(
            f"The school {school.slug} has no name yet: `antipestbot school set "
            f'{school.slug} --name "..."`.'
        )
    content = PosterContent(
        school_name=school.name,
        web_url=web_address(public, school),
        code=shown_entry_code(school.entry_code),
        telegram_url=telegram_link(args.bot_username, school) if args.telegram else None,
        locale=args.lang,
    )
    try:
        made = poster(content, fmt, app.renderer)  # type: ignore[arg-type]
    except PosterError as exc:
        raise SettingsError(f"The poster cannot be made: {exc}") from exc
    try:
        args.out.write_bytes(made)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SettingsError(f"The poster cannot be written to {args.out}: {reason}.") from exc
    print(f"Poster for {school.slug} written to {args.out.resolve()}.")
    return 0


def _name(given: str) -> str:
    name = " ".join(given.split())
    if not name or len(name) > MAX_NAME:
        raise SettingsError(f"--name must be the school's name, 1 to {MAX_NAME} characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise SettingsError("--name must be plain text, without control characters.")
    return name


def _slug(given: str) -> str:
    if not SLUG.fullmatch(given):
        raise SettingsError(
            "--slug must be 1 to 40 lowercase letters a-z, digits and hyphens, e.g. pirouette."
        )
    return given


def _slug_from(name: str) -> str:
    """ "Basisschool Één & Twee" -> "basisschool-een-twee": the name in lowercase ascii."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")[:40].rstrip("-")
    if not SLUG.fullmatch(slug):
        raise SettingsError("No address can be made from this name: give one with --slug.")
    return slug


def _fresh_code(app: App) -> str:
    """An entry code no school, live or removed, has had."""
    while True:  # 3e8 codes for a few dozen schools: a second try is already rare
        code = new_entry_code()
        if not app.stores.schools.taken(entry_code=code):
            return code


def _checked(defaults: School, row: SchoolRow) -> School:
    """The school a changed row would describe; a bad value is one SettingsError sentence."""
    try:
        return school_from(defaults, row)
    except SchoolConfigError as exc:
        raise SettingsError(str(exc)) from exc
