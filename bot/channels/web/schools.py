"""What the web chat knows of the board's schools: plain values the app hands it.

A channel may not read the board itself (the rings of ../shared/layout.md), so the root gives it
a callable that returns the live schools now; schools can be added while the process runs, so
the chat asks again for every page and every request, never keeps a list. A page never lists
schools: these are looked up by the slug in a school's own address, or by a tab's school id.
"""

from __future__ import annotations

from dataclasses import dataclass

SLUG_CHARS = 64  # longer is no slug (a school's slug is at most 40 characters)


@dataclass(frozen=True)
class PageSchool:
    """One live school as its page shows it."""

    id: int
    slug: str  # its address: /s/<slug>/
    name: str  # "" when it has none (the conversation then says "our school")
    exit_url: str | None = None  # its own quick exit; None: the server's ANTIPEST_EXIT_URL


@dataclass(frozen=True)
class PageSchools:
    """The board's live schools at one moment (removed ones are not here)."""

    live: tuple[PageSchool, ...] = ()

    def by_slug(self, slug: str | None) -> PageSchool | None:
        wanted = (slug or "").lower()
        return next((s for s in self.live if wanted and s.slug == wanted), None)

    def by_id(self, school: int | None) -> PageSchool | None:
        return next((s for s in self.live if school is not None and s.id == school), None)

    @property
    def only(self) -> PageSchool | None:
        """The one school of a one-school board: its bare address is that school's page."""
        return self.live[0] if len(self.live) == 1 else None
