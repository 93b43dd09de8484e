"""Headless Chromium for the page tests (imported as ``from browser import ...``).

Debian's ``chromium`` package driven by Playwright: ``playwright install`` is never
needed. Tests that use :func:`chromium` skip, saying why, when either is missing; CI
installs both (apt-get install chromium; pip install -e '.[test]').
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("GENART_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# No network, no first-run screens, no sandbox (CI containers run as root).
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium(width: int = 1280, height: int = 800) -> Iterator[object]:
    """A Playwright browser context on the system Chromium with a fresh profile."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="genart-chromium-")
    try:
        with sync_api.sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                viewport={"width": width, "height": height},
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
