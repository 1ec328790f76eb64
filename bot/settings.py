"""Settings from the environment and an optional `.env` file: paths, tokens, addresses.

Every problem becomes one `SettingsError` sentence; the CLI prints it and exits with code 2. No
message repeats a secret's value: it names the setting (and, for a file, the line) instead.
A leaf: it imports nothing of ours, so the school's TOML file is only named here and read by
`bot.schools.config`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# Telegram allows 1-256 characters A-Za-z0-9_- for a webhook's secret token; fewer than 16 would
# be guessable, so a shorter one is refused.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
# @BotFather's tokens are "<bot id>:<key>", e.g. 110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw.
# Only the shape is checked, so that a typo, a stray space or quote is named at once; whether
# Telegram knows the token is asked at start-up (bot/channels/telegram/channel.py).
BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
ENV_FILE = Path(".env")  # in the working directory, as docker's --env-file and compose read it
_ENV_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one sentence for the operator."""


@dataclass(frozen=True)
class WebSettings:
    """The web chat's settings (ANTIPEST_PUBLIC_URL, ANTIPEST_EXIT_URL, ...)."""

    public_url: str | None = None  # the https:// address people use, behind a proxy
    exit_url: str = "https://www.google.com/"  # where "Quick exit" goes: a neutral page
    frame_origins: tuple[str, ...] = ()  # sites that may show the chat in an iframe
    max_photo_mb: int = 10
    max_text: int = 4000  # characters in one typed message
    idle_minutes: int = 60  # a tab nobody uses for this long is closed (with a warning first)


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_url: str
    db_path: Path
    key_file: Path
    school_config: Path | None  # the school's TOML file (ANTIPEST_CONFIG); None: the defaults
    webhook_secret: str | None = None  # None: derived from the secret key (webhook mode only)
    web: WebSettings = field(default_factory=lambda: WebSettings())

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
        school_config=Path(config) if config else None,
        webhook_secret=webhook_secret,
        web=_web_settings(env),
    )


def _web_settings(env: Mapping[str, str]) -> WebSettings:
    public = env.get("ANTIPEST_PUBLIC_URL") or None
    if public is not None and not _is_http(public, https=True):
        raise SettingsError(
            "ANTIPEST_PUBLIC_URL must be an https:// address, e.g. https://meld.school.nl."
        )
    exit_url = env.get("ANTIPEST_EXIT_URL") or WebSettings.exit_url
    if not _is_http(exit_url, https=True):
        raise SettingsError("ANTIPEST_EXIT_URL must be an https:// address of a neutral page.")
    origins = tuple((env.get("ANTIPEST_FRAME_ORIGINS") or "").split())
    for origin in origins:
        parts = urlparse(origin)
        if parts.scheme != "https" or not parts.netloc or parts.path not in ("", "/"):
            raise SettingsError(
                "ANTIPEST_FRAME_ORIGINS takes https:// origins separated by spaces, e.g. "
                "https://www.school.nl."
            )
    return WebSettings(
        public_url=public.rstrip("/") if public else None,
        exit_url=exit_url,
        frame_origins=tuple(origin.rstrip("/") for origin in origins),
        max_photo_mb=_number(env, "ANTIPEST_PHOTO_MAX_MB", WebSettings.max_photo_mb, 1, 20),
        max_text=_number(env, "ANTIPEST_TEXT_MAX", WebSettings.max_text, 100, 4000),
        idle_minutes=_number(env, "ANTIPEST_IDLE_MINUTES", WebSettings.idle_minutes, 10, 240),
    )


def _is_http(address: str, *, https: bool) -> bool:
    try:
        parts = urlparse(address)
    except ValueError:
        return False
    schemes = ("https",) if https else ("http", "https")
    return parts.scheme in schemes and bool(parts.netloc)


def _number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = env.get(name) or str(default)
    if not value.isdigit() or not low <= int(value) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}.")
    return int(value)
