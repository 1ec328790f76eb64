"""Settings from the environment, an optional `.env` file and the school's optional TOML file.

Every problem becomes one `SettingsError` sentence; the CLI prints it and exits with code 2. No
message repeats a secret's value: it names the setting (and, for a file, the line) instead.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.schools.school import School

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("nl", "en")
# Telegram allows 1-256 characters A-Za-z0-9_- for a webhook's secret token; fewer than 16 would
# be guessable, so a shorter one is refused.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
# @BotFather's tokens are "<bot id>:<key>", e.g. 110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw.
# Only the shape is checked, so that a typo, a stray space or quote is named at once; whether
# Telegram knows the token is asked at start-up (bot/channels/telegram/__init__.py).
BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
ENV_FILE = Path(".env")  # in the working directory, as docker's --env-file and compose read it
_ENV_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")
_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one sentence for the operator."""


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_url: str
    db_path: Path
    key_file: Path
    school: School
    flows_dir: Path = ROOT / "flows"
    locales_dir: Path = ROOT / "locales"
    webhook_secret: str | None = None  # None: derived from the secret key (webhook mode only)

    def require_token(self) -> str:
        if not self.token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: ask @BotFather for a token, or try the bot "
                "without one with `antipestbot chat`."
            )
        return self.token


def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """The settings in a `.env` file: `NAME=value` lines; {} when there is no such file.

    Blank lines and lines starting with # are skipped. A value is taken as written, spaces
    around it aside; quotes around the whole value are removed. Nothing else is interpreted (no
    escapes, no ${VARIABLES}, no comment after a value), as docker's --env-file reads it too.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")  # Windows editors may write a BOM
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"The settings file {path} cannot be read as UTF-8 text.") from exc
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        # The line itself is never quoted in a message: it may hold the token.
        matched = _ENV_LINE.fullmatch(line)
        if matched is None:
            raise SettingsError(f"Line {number} of {path} is not of the form NAME=value.")
        name, value = matched.groups()
        if value[:1] in ("'", '"'):
            if len(value) < 2 or value[-1] != value[0]:
                raise SettingsError(f"Line {number} of {path} opens a quote it does not close.")
            value = value[1:-1]
        found[name] = value
    return found


def _school(path: Path) -> School:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SettingsError(f"ANTIPEST_CONFIG points to {path}, which does not exist.") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SettingsError(f"The school configuration {path} cannot be read: {reason}.") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"The school configuration {path} is not UTF-8 text (line {line})."
        ) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(_toml_error(path, text, exc)) from exc
    unknown = set(raw) - {"school", "phases"}
    if unknown:
        raise SettingsError(f"The school configuration has unknown sections: {sorted(unknown)}.")
    school = raw.get("school", {})
    if not isinstance(school, Mapping):
        raise SettingsError("[school] in the school configuration must be a table.")
    unknown = set(school) - {
        "name",
        "promise",
        "timezone",
        "hours",
        "promise_hours",
        "followup_days",
        "retention_days",
        "reports_per_hour",
    }
    if unknown:
        raise SettingsError(f"[school] has unknown keys: {sorted(unknown)}.")
    defaults = School()
    parsed = School(
        name=_text(school["name"], "school.name") if "name" in school else None,
        promise=_per_locale(school.get("promise", defaults.promise), "school.promise", str),
        phases=_per_locale(raw.get("phases", defaults.phases), "phases", list),
        timezone=_text(school.get("timezone", defaults.timezone), "school.timezone"),
        hours=_hours(school.get("hours", "08:30-15:00")),
        promise_hours=_number(school.get("promise_hours", defaults.promise_hours), "promise_hours"),
        followup_days=int(
            _number(school.get("followup_days", defaults.followup_days), "followup_days")
        ),
        retention_days=int(
            _number(school.get("retention_days", defaults.retention_days), "retention_days")
        ),
        reports_per_hour=int(
            _number(school.get("reports_per_hour", defaults.reports_per_hour), "reports_per_hour")
        ),
    )
    try:
        ZoneInfo(parsed.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"school.timezone {parsed.timezone!r} is not a known timezone."
        ) from exc
    if any(len(labels) != 6 for labels in parsed.phases.values()):
        raise SettingsError("phases must give exactly six labels per language.")
    return parsed


def _toml_error(path: Path, text: str, error: tomllib.TOMLDecodeError) -> str:
    """One sentence naming the file, line and column of a TOML syntax error.

    Python 3.11's TOMLDecodeError has no line attribute (3.14 adds one); its message ends in
    "(at line L, column C)" or "(at end of document)", which is read here.
    """
    message = str(error)
    where = _TOML_AT.search(message)
    reason = message[: where.start()] if where else message
    reason = reason[:1].lower() + reason[1:]
    if where is None:
        return f"The school configuration {path} is not valid TOML: {reason}."
    if where.group(1) is None:
        last = max(len(text.splitlines()), 1)
        return (
            f"The school configuration {path} is not valid TOML at its end (line {last}): {reason}."
        )
    line, column = where.groups()
    return (
        f"The school configuration {path} is not valid TOML at line {line}, column {column}: "
        f"{reason}."
    )


def _hours(value: Any) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in str(value).split("-"))
    except ValueError as exc:
        raise SettingsError('school.hours must look like "08:30-15:00".') from exc
    if start >= end:
        raise SettingsError("school.hours must start before they end.")
    return start, end


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise SettingsError(f"school.{name} must be a positive number.")
    return float(value)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{name} in the school configuration must be a non-empty text.")
    return value.strip()


def _per_locale(value: Any, name: str, kind: type) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not set(value) <= set(LOCALES):
        raise SettingsError(f"{name} must map the language codes nl and en to values.")
    for item in value.values():
        texts = item if kind is list and isinstance(item, list) else [item]
        if not isinstance(item, kind) or not all(isinstance(t, str) and t.strip() for t in texts):
            raise SettingsError(f"{name} must give non-empty texts per language.")
    return dict(value)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    # An empty variable counts as unset, as in most shells' ${VAR:-default}.
    api_url = (env.get("TELEGRAM_API_URL") or "https://api.telegram.org").rstrip("/")
    try:
        parsed = urlparse(api_url)
        valid = parsed.scheme in ("http", "https") and bool(parsed.netloc) and parsed.port != 0
    except ValueError:
        valid = False
    if not valid:
        raise SettingsError(f"TELEGRAM_API_URL {api_url!r} is not an http(s) address.")
    config = env.get("ANTIPEST_CONFIG")
    webhook_secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
    if webhook_secret is not None and not WEBHOOK_SECRET.fullmatch(webhook_secret):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET must be 16 to 256 characters from A-Z, a-z, 0-9, _ and -."
        )
    token = env.get("TELEGRAM_BOT_TOKEN") or None
    if token is not None and not BOT_TOKEN.fullmatch(token):
        # The value is not repeated: it may be a real token with one stray character.
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is malformed: a token from @BotFather is digits, a colon and "
            "letters, digits, _ or -, with no spaces or quotes around it."
        )
    return Settings(
        token=token,
        api_url=api_url,
        db_path=Path(env.get("ANTIPEST_DB") or "data/antipest.db"),
        key_file=Path(env.get("ANTIPEST_SECRET_KEY_FILE") or "data/secret.key"),
        school=_school(Path(config)) if config else School(),
        webhook_secret=webhook_secret,
    )
