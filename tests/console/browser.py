"""A real Chromium (Debian's /usr/bin/chromium, driven by Playwright's Python API; no browser is
downloaded) against a real ``argus serve``: what the console's browser tests share.

Every page a test opens is watched: an HTTP 5xx answer, an uncaught JavaScript error or a
console error fails the test. With ``ARGUS_SCREENSHOTS=1`` the tests save what they see as PNGs
in ``docs/console/`` (the README links them); otherwise they leave the tree alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
#: Flags for a headless browser on a machine with no network beyond loopback.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_FAILED_LOAD = re.compile(
    r"^Failed to load resource: the server responded with a status of (4\d\d)"
)
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def browser_available() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (make install installs it)"
    if not _playwright_installed():
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


def _playwright_installed() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(kw_only=True)
class PageProblems:
    """What went wrong on the pages of one test."""

    problems: list[str] = field(default_factory=list)
    #: 4xx statuses the test provokes on purpose (a wrong key, an unknown batch): the browser's
    #: console reports each as a failed load, which is then no problem
    expected: set[int] = field(default_factory=set)

    def _expected(self, text: str) -> bool:
        found = _FAILED_LOAD.search(text)
        return found is not None and int(found.group(1)) in self.expected

    def watch(self, page: object) -> None:
        """Record 5xx answers, uncaught errors and console errors of ``page``."""
        from playwright.sync_api import ConsoleMessage, Page, Response

        assert isinstance(page, Page)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and not self._expected(message.text):
                self.problems.append(f"console error on {page.url}: {message.text}")

        def on_response(response: Response) -> None:
            if response.status >= 500:
                self.problems.append(f"HTTP {response.status} for {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"JS error on {page.url}: {exc}"))
        page.on("response", on_response)


def screenshot(page: object, name: str) -> None:
    """Save what ``page`` shows as ``docs/console/<name>.png`` when ARGUS_SCREENSHOTS=1."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    if os.environ.get("ARGUS_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def wait_ready(url: str, alive: object, timeout_s: float = 240) -> None:
    """Until ``url``/readyz answers 200 (AssertionError when ``alive()`` says the process died)."""
    import time

    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            assert callable(alive) and alive(), "argus serve exited"
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    raise AssertionError(f"argus serve not ready in {timeout_s}s")


skip_without_browser = pytest.mark.skipif(
    browser_available() is not None, reason=browser_available() or ""
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for a test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
