"""Fixtures for the browser tests: one headless Chromium per session, a fresh context and page per test."""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django's ORM would refuse to run
# inside it without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pw-for-tests-only"


def save_screenshot(page, name: str) -> None:
    """Save what the page shows now as test-artifacts/<name>.png, for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png")


def _unavailable(reason: str):
    """Skip when there is no browser to drive, except under CI, where a missing browser is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        _unavailable(f"Playwright is not installed: {exc}")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        except Error as exc:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {exc.message.splitlines()[0]}")
        yield browser
        browser.close()


@pytest.fixture
def migrated_rows(transactional_db):
    """The rows the migrations create: the default provenance kinds and the two groups.

    Live-server tests run in transactional mode, and the flush after each of them removes these.
    Serialized rollback cannot restore them here: once Playwright's event loop runs in this thread,
    Django hands the test a fresh set of database connections that lack the serialized snapshot.
    """
    from tests.factories import seed_migrated_rows

    seed_migrated_rows()


@pytest.fixture
def page(browser, live_server, migrated_rows, request):
    """A page in a fresh browser context against the live server; its final state is saved as a screenshot."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    # Whatever the Content-Security-Policy blocks is a bug of ours: Chromium reports each on the console.
    page.on("console", lambda m: page_errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    try:
        save_screenshot(page, request.node.name)
    finally:
        context.close()
    if page_errors:
        pytest.fail("JavaScript errors on the page:\n" + "\n".join(page_errors), pytrace=False)


@pytest.fixture
def reviewer(migrated_rows):
    from tests.factories import make_user

    return make_user("rita", role="reviewer", password=PASSWORD)
