"""Browser tests: the system's Chromium (Debian's `chromium`) driven by Playwright, never a downloaded browser.

Without Chromium or Playwright every test here is skipped with the reason; the rest of the suite
runs. Each test's page may reach the emulator only: any other request is refused and fails the
test. Screenshots go to test-artifacts/ui/ (PARAGON_UI_ARTIFACTS elsewhere), to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("PARAGON_UI_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"))


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


# Module-scoped: Playwright's sync API keeps an asyncio loop running in this thread while it is
# started, and the tests of other modules (anyio's, for one) must find no loop running.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright for Python (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        pytest.skip("browser tests need the system's Chromium (Debian: apt-get install chromium); none found at /usr/bin/chromium or on PATH")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class OnlyTheEmulator:
    """Refuses, and remembers, every request a page makes to anything but the emulator."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.elsewhere: list[str] = []

    def __call__(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base_url + "/") or url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()


@pytest.fixture
def page_on(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """`page_on(base_url)` -> a fresh page whose requests may go to that emulator only."""
    opened: list[tuple[Any, OnlyTheEmulator]] = []

    def open_page(base_url: str) -> Any:
        # bypass_csp: the pages' own Content-Security-Policy would stop a request to another host
        # before the guard sees it; the guard is to see what the page tries.
        context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
        guard = OnlyTheEmulator(base_url)
        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(20_000)
        opened.append((context, guard))
        return page

    yield open_page
    for context, guard in opened:
        context.close()
        assert guard.elsewhere == [], f"the page asked hosts other than the emulator: {guard.elsewhere}"


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
