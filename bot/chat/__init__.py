"""The conversation surface: one inbound handled (`service.py`), and the capabilities whose
effects and views the flows' `do:` and `view:` name.

Each capability module ends with its EFFECTS and VIEWS; `tables()` merges them for the root to
pass to the service, which imports no capability. A name two capabilities claim fails at start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from bot.chat import (
    casequeue,
    caseview,
    casework,
    checklist,
    closing,
    entry,
    figures,
    onboarding,
    privacy,
    reporter,
    reporting,
    secret_code,
    signals,
)

CAPABILITIES: tuple[ModuleType, ...] = (
    entry,
    onboarding,
    privacy,
    signals,
    reporting,
    reporter,
    secret_code,
    casequeue,
    caseview,
    casework,
    closing,
    checklist,
    figures,
)


def merged(tables: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """One table from several; raises ValueError when two claim the same name."""
    found: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for source, table in tables:
        for name, function in table.items():
            if name in found:
                raise ValueError(f"{name!r} is declared by both {owner[name]} and {source}.")
            found[name], owner[name] = function, source
    return found


def tables(
    capabilities: Iterable[ModuleType] = CAPABILITIES,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(effects, views) of the capabilities, by the names flows use."""
    capabilities = tuple(capabilities)
    effects = merged((m.__name__, getattr(m, "EFFECTS", {})) for m in capabilities)
    views = merged((m.__name__, getattr(m, "VIEWS", {})) for m in capabilities)
    return effects, views
