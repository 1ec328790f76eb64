"""Counts per month, role, kind and place, for the school's yearly monitoring.

Purged cases are counted from what retention kept; cases still kept are counted as they are.
"""

from __future__ import annotations

from typing import Any

from bot.storage import Stores


def monthly_counts(stores: Stores, school: int) -> list[dict[str, Any]]:
    """One school's counts per month, role, kind and place: purged cases plus the cases still
    kept."""
    return stores.counts.monthly(school)
