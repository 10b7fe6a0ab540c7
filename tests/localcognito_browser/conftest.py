"""Fixtures for driving localcognito from a real browser: the provider (with a CORS allow-list),
amazon-cognito-identity-js bundled with bun from the pinned lockfile, a static page served on
another port (so every call is cross-origin), and headless Debian Chromium.

Nothing here is ever skipped: a missing bun, a failed `bun install` or bundle, or a missing
Chromium fails the tests (in CI and on a laptop alike).
"""

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.localcognito.support import Pool, start_pool

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>localcognito browser test</title>
<link rel="icon" href="data:,">
<script>globalThis.global = globalThis.global || globalThis;</script>
<script src="bundle.js"></script>
</head><body><p id="ready">ready</p></body></html>
"""


def _bun() -> str:
    bun = shutil.which(
        "bun", path=os.pathsep.join([str(ROOT / ".tools/node_modules/.bin"), os.environ.get("PATH", "")])
    )
    if bun is None:
        pytest.fail("bun is missing: run the README's test command (scripts/setup.sh --test installs it into .tools)")
    return bun


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=180, check=False)
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """A directory with index.html and bundle.js (amazon-cognito-identity-js + entry.js)."""
    bun = _bun()
    _run([bun, "install", "--frozen-lockfile", "--no-progress"], "bun install --frozen-lockfile")
    site = tmp_path_factory.mktemp("site")
    _run([bun, "build", "entry.js", "--outfile", str(site / "bundle.js"), "--target", "browser"], "bun build")
    (site / "index.html").write_text(PAGE)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site_origin(site_dir) -> Iterator[str]:
    """The page's origin: python's http.server on its own loopback port."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir))
    )
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(scope="session")
def browser_pool(tmp_path_factory, site_origin) -> Iterator[Pool]:
    """A provider that lets only the test page's origin call it cross-origin."""
    pool = start_pool(tmp_path_factory.mktemp("browser-pool"), allowed_origins=(site_origin,))
    yield pool
    pool.handle.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: a live sync Playwright keeps an event loop running on this thread, which
    would break the asyncio tests (pytest-asyncio) that run after this package."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run the README's test command, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class SpaPage:
    """The test page, loaded in Chromium, with the pool settings an SPA would be built with."""

    page: Page
    config: dict
    console: list[str]

    def call(self, helper: str, *args) -> dict:
        """`window.localcognito[helper](config, ...args)`: {ok, value} or {ok: False, error}."""
        return self.page.evaluate(
            "([helper, config, args]) => window.localcognito[helper](config, ...args)",
            [helper, self.config, list(args)],
        )

    def ok(self, helper: str, *args):
        outcome = self.call(helper, *args)
        assert outcome["ok"], f"{helper} failed in the browser: {outcome['error']}\nconsole: {self.console}"
        return outcome["value"]


@contextlib.contextmanager
def spa_page(browser: Browser, site_origin: str, pool: Pool) -> Iterator[SpaPage]:
    """The test page in a fresh browser context (its own localStorage), configured for `pool`."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.goto(f"{site_origin}/index.html")
    page.wait_for_function("() => window.localcognito !== undefined")
    handle = pool.handle
    config = {"userPoolId": handle.user_pool_id, "clientId": handle.client_id, "endpoint": handle.endpoint_url}
    try:
        yield SpaPage(page=page, config=config, console=console)
    finally:
        context.close()


@pytest.fixture
def spa(browser, site_origin, browser_pool) -> Iterator[SpaPage]:
    with spa_page(browser, site_origin, browser_pool) as page:
        yield page


@pytest.fixture(scope="module")
def browser_free_pool(tmp_path_factory):
    """A default provider (no browser, no bundle) with one confirmed user: (pool, email)."""
    pool = start_pool(tmp_path_factory.mktemp("plain-pool"))
    email = "one-piece@example.com"
    pool.confirmed_user(email)
    yield pool, email
    pool.handle.stop()
