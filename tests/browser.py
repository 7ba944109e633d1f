"""Headless Chromium for tests, through Playwright for Python (reusable fixtures).

Playwright drives the Debian Chromium (``/usr/bin/chromium``, or ``$FEEDPUB_CHROMIUM``);
its own browser download is never used. Without Chromium the browser tests skip locally
but fail under CI (``CI=true``), so a CI machine that lost its browser cannot pass quietly.

Use from a test::

    def test_x(browser_page):
        page = browser_page("dist/index.html", width=375)   # a path or an http:// URL
        save_screenshot(page, "index-375")
        with reloads_itself(page):                           # the page must reload on its own
            edit_something()
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"  # gitignored; CI keeps it as the run's artefacts
CHROMIUM = Path(os.environ.get("FEEDPUB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium browser shared by one test module (skips locally, fails under CI, if absent).

    Not by the session: playwright's event loop and driver process, left alive while other
    tests fork worker processes, hung a later test (the main thread waiting in the loop).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install '.[test]')")
    if not CHROMIUM.is_file():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Callable[..., Any]]:
    """Open a URL or file path in a fresh page of the given viewport width; return the page."""
    contexts: list[Any] = []

    def open_page(target: str | Path, *, width: int = 1280, height: int = 800) -> Any:
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        url = (
            Path(target).resolve().as_uri()
            if not str(target).startswith(("http://", "https://", "file:"))
            else str(target)
        )
        response = page.goto(url)
        assert response is None or response.ok, f"{url}: HTTP {response.status}"
        return page

    yield open_page
    for context in contexts:
        context.close()


def save_screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot (of the full page, unless told not to) as test-artifacts/<name>.png; return its path.

    An XML document styled by CSS has no body for Playwright to measure a full page by (its
    full-page screenshot then waits forever): take those at the window's size.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@contextmanager
def reloads_itself(page: Any, *, timeout: float = 10.0) -> Iterator[None]:
    """Expect the page to load a new document by itself during (or soon after) the block, within timeout seconds.

    A mark left in the old document's window proves the document was replaced, not merely
    changed by its own script; the test never calls page.reload().
    """
    page.evaluate("window.__feedpubOldDocument = true")
    with page.expect_event("load", timeout=timeout * 1000):
        yield
    assert page.evaluate("window.__feedpubOldDocument === undefined"), "the page did not reload"
