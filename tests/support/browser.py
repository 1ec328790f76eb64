"""Debian's chromium under Playwright, for the web chat's real-browser tests.

Playwright's own browser download cannot be reached (nor is it needed): the README's test
command installs Debian's `chromium` (tools/install-browser). A missing browser fails the tests;
it never skips them.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags chromium keeps calling out (updates, sync), which a
# closed network refuses many times a second; no test may touch the internet anyway.
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if shutil.which("chromium") is None:
        pytest.fail(
            "Debian's chromium is missing: run tools/install-browser "
            "(the README's test command does)."
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()
