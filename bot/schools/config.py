"""A school's TOML file (`schools/example.toml` explains every key) read into a `School`.

Every problem becomes one `SchoolConfigError` sentence naming the file, the key or the line; the
command line prints it and exits with code 2, as it does for a `SettingsError`.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.i18n import LOCALES
from bot.schools.school import School

_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_KEYS = {
    "name",
    "promise",
    "timezone",
    "hours",
    "promise_hours",
    "followup_days",
    "retention_days",
    "reports_per_hour",
    "pupils",
    "holidays",
}
# What one school of a board may set for itself, beside its name.
OVERRIDABLE = (_KEYS - {"name"}) | {"phases", "exit_url"}


@dataclass(frozen=True)
class _Range:
    """What a number in [school] may be; `schools/example.toml` documents the same figures."""

    low: float
    high: float
    whole: bool
    unit: str


# The bounds keep every figure inside what the bot's arithmetic and the protocol can use: a
# promise from half an hour to about three school weeks; a case kept (60 days or more) past its
# latest follow-up (40 school days: 56 days, when no holiday falls in them).
NUMBERS = {
    "promise_hours": _Range(0.5, 100, whole=False, unit="school hours"),
    "followup_days": _Range(1, 40, whole=True, unit="school days"),
    "retention_days": _Range(60, 3650, whole=True, unit="days"),
    "reports_per_hour": _Range(1, 60, whole=True, unit="reports"),
    "pupils": _Range(1, 5000, whole=True, unit="pupils"),
}
MAX_HOLIDAYS = 30  # a school year has about 6 holidays and some loose days off; 30 is years' worth
HOLIDAY_DAYS = 70  # the longest holiday: a Dutch summer holiday is 6 to 7 weeks (42-49 days)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SchoolConfigError(ValueError):
    """A school's configuration is missing or malformed; the message is one sentence.

    A ValueError like `bot.settings.SettingsError`, which this ring may not import.
    """


def load_school(path: Path) -> School:
    """The school that the TOML file at `path` describes; defaults for what it leaves out."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SchoolConfigError(f"ANTIPEST_CONFIG points to {path}, which does not exist.") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SchoolConfigError(
            f"The school configuration {path} cannot be read: {reason}."
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SchoolConfigError(
            f"The school configuration {path} is not UTF-8 text (line {line})."
        ) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchoolConfigError(_toml_error(path, text, exc)) from exc
    return _school(raw, _Where(path, text))


@dataclass(frozen=True)
class _Where:
    """The file a value came from, to name its line: tomllib gives values without lines."""

    path: Path
    text: str

    def key(self, key: str) -> str:
        """`school.KEY (line N of PATH)`, or `school.KEY in PATH` when the line is not found."""
        # `key = `, `school.key = ` or `{ key = ` in an inline table, quoted or bare.
        written = re.compile(rf"""(?:^|[\s{{,.])["']?{re.escape(key)}["']?\s*=""")
        for number, line in enumerate(self.text.splitlines(), start=1):
            if written.search(line.split("#", 1)[0]):
                return f"school.{key} (line {number} of {self.path})"
        return f"school.{key} in {self.path}"


def _school(raw: dict[str, Any], where: _Where) -> School:
    unknown = set(raw) - {"school", "phases"}
    if unknown:
        raise SchoolConfigError(
            f"The school configuration has unknown sections: {sorted(unknown)}."
        )
    school = raw.get("school", {})
    if not isinstance(school, Mapping):
        raise SchoolConfigError("[school] in the school configuration must be a table.")
    unknown = set(school) - _KEYS
    if unknown:
        raise SchoolConfigError(f"[school] has unknown keys: {sorted(unknown)}.")
    defaults = School()
    parsed = School(
        name=_text(school["name"], "school.name") if "name" in school else None,
        promise=_per_locale(school.get("promise", defaults.promise), "school.promise", str),
        phases=_per_locale(raw.get("phases", defaults.phases), "phases", list),
        timezone=_text(school.get("timezone", defaults.timezone), "school.timezone"),
        hours=_hours(school.get("hours", "08:30-15:00")),
        promise_hours=_number(school, "promise_hours", defaults.promise_hours, where),
        followup_days=int(_number(school, "followup_days", defaults.followup_days, where)),
        retention_days=int(_number(school, "retention_days", defaults.retention_days, where)),
        reports_per_hour=int(_number(school, "reports_per_hour", defaults.reports_per_hour, where)),
        pupils=int(_number(school, "pupils", 0, where)) if "pupils" in school else None,
        holidays=_holidays(school.get("holidays", []), where),
    )
    _check_timezone(parsed.timezone)
    _check_phases(parsed.phases)
    return parsed


def overrides(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The School fields one school of a board sets itself (`antipestbot school set`), checked
    as strictly as the board's TOML file. The name is not among them: it is the row's own."""
    unknown = set(settings) - OVERRIDABLE
    if unknown:
        raise SchoolConfigError(f"A school cannot set {sorted(unknown)}.")
    where = _Where(Path("the school's settings"), "")
    own: dict[str, Any] = {}
    for key, value in settings.items():
        if key in NUMBERS:
            number = _number(settings, key, 0, where)
            own[key] = int(number) if NUMBERS[key].whole else number
        elif key == "promise":
            own[key] = _per_locale(value, "school.promise", str)
        elif key == "phases":
            own[key] = _check_phases(_per_locale(value, "phases", list))
        elif key == "hours":
            own[key] = _hours(value)
        elif key == "timezone":
            own[key] = _check_timezone(_text(value, "school.timezone"))
        elif key == "holidays":
            own[key] = _holidays(value, where)
        else:  # exit_url
            own[key] = _web_address(value)
    return own


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SchoolConfigError(f"school.timezone {name!r} is not a known timezone.") from exc
    return name


def _check_phases(phases: dict[str, Any]) -> dict[str, Any]:
    if any(len(labels) != 6 for labels in phases.values()):
        raise SchoolConfigError("phases must give exactly six labels per language.")
    return phases


def _web_address(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s\"'<>]+", value):
        raise SchoolConfigError("exit_url must be a web address that starts with https://.")
    return value


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
        raise SchoolConfigError('school.hours must look like "08:30-15:00".') from exc
    if start >= end:
        raise SchoolConfigError("school.hours must start before they end.")
    return start, end


def _number(school: Mapping[str, Any], key: str, default: float, where: _Where) -> float:
    """The number `key` of [school] (`default` when it is left out), within its NUMBERS range.

    TOML reads `nan`, `inf` and `1e12` as floats: each is refused with its line, as are
    fractions where a whole number is meant.
    """
    value = school.get(key, default)
    allowed = NUMBERS[key]
    fits = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and allowed.low <= value <= allowed.high
        and (not allowed.whole or float(value).is_integer())
    )
    if not fits:
        kind = "a whole number" if allowed.whole else "a number"
        low, high = (f"{bound:g}" for bound in (allowed.low, allowed.high))
        raise SchoolConfigError(
            f"{where.key(key)} must be {kind} of {allowed.unit} from {low} to {high}."
        )
    return float(value)


def _holidays(value: Any, where: _Where) -> tuple[tuple[date, date], ...]:
    """`[["2026-12-19", "2027-01-03"], ...]`: each holiday's first and last day, inclusive.

    TOML's own dates (`[2026-12-19, 2027-01-03]`) are taken too; a moment with a time is not.
    """
    at = where.key("holidays")
    if not isinstance(value, list):
        raise SchoolConfigError(
            f"{at} must be a list of holidays, each [first day, last day] such as "
            '["2026-12-19", "2027-01-03"].'
        )
    if len(value) > MAX_HOLIDAYS:
        raise SchoolConfigError(f"{at} lists {len(value)} holidays: at most {MAX_HOLIDAYS}.")
    holidays: list[tuple[date, date]] = []
    for number, holiday in enumerate(value, start=1):
        days = _holiday(holiday)
        if days is None:
            raise SchoolConfigError(
                f"{at}: holiday {number} must be two dates, its first and last day, such as "
                '["2026-12-19", "2027-01-03"].'
            )
        first, last = days
        if first > last:
            raise SchoolConfigError(
                f"{at}: holiday {number} ends ({last}) before it starts ({first})."
            )
        if (last - first).days + 1 > HOLIDAY_DAYS:
            raise SchoolConfigError(
                f"{at}: holiday {number} is {(last - first).days + 1} days long, more than "
                f"{HOLIDAY_DAYS} (a summer holiday is 6 to 7 weeks)."
            )
        holidays.append((first, last))
    return tuple(holidays)


def _holiday(value: Any) -> tuple[date, date] | None:
    """A holiday's first and last day, or None when `value` is not two dates."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    days = []
    for day in value:
        if isinstance(day, str) and _ISO_DATE.fullmatch(day.strip()):
            try:
                day = date.fromisoformat(day.strip())
            except ValueError:
                return None
        if not isinstance(day, date) or isinstance(day, datetime):
            return None
        days.append(day)
    return days[0], days[1]


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SchoolConfigError(f"{name} in the school configuration must be a non-empty text.")
    return value.strip()


def _per_locale(value: Any, name: str, kind: type) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not set(value) <= set(LOCALES):
        raise SchoolConfigError(f"{name} must map the language codes nl and en to values.")
    for item in value.values():
        texts = item if kind is list and isinstance(item, list) else [item]
        if not isinstance(item, kind) or not all(isinstance(t, str) and t.strip() for t in texts):
            raise SchoolConfigError(f"{name} must give non-empty texts per language.")
    return dict(value)
