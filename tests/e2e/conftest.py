"""The real app, served as `make run`'s production build would be, driven by Debian's Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.appserver import AppDidNotStart, RunningApp, serve_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def cruddur_app(tmp_path_factory) -> RunningApp:
    try:
        with serve_app(tmp_path_factory.mktemp("app") / "data") as app:
            yield app
    except AppDidNotStart as failure:
        pytest.fail(str(failure))


def launch_chromium(playwright) -> Browser:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run the README's test command, which installs it")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# Per module: a live sync Playwright holds an event loop, which async tests after it cannot share.
@pytest.fixture(scope="module")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
