"""Time from pressing "Sign in" to the signed-in home feed, in Chromium, against the local provider.

Serves the production build on a throwaway data dir, signs one person up, then signs in 20
times, each in a fresh browser context. Beside it, in the same run, the server-side share: the
same sign-in (SRP with the provider, token checks, session row) called in-process 20 times.
Run: `python bench/bench_signin.py` after `. scripts/setup.sh --test`.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.appserver import serve_app
from tests.support.mailbox import latest_code

RUNS = 20
EMAIL, PASSWORD = "bench@example.com", "Bench-mark-2026!"


def sign_up(app) -> None:
    from cruddur.auth import accounts

    accounts.sign_up(name="Bench Mark", email=EMAIL, handle="bench", password=PASSWORD)
    accounts.confirm_sign_up(email=EMAIL, code=latest_code(app.mailbox_url, EMAIL))


def browser_sign_ins(app) -> list[float]:
    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(RUNS):
            context = browser.new_context()
            page = context.new_page()
            page.goto(app.url + "/signin")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            start = time.perf_counter()
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile")).to_be_visible()
            expect(page.locator("article.cr-crud").first).to_be_visible()
            samples.append(time.perf_counter() - start)
            context.close()
        browser.close()
    return samples


def server_sign_ins() -> list[float]:
    from cruddur.auth import accounts

    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        accounts.sign_in(email=EMAIL, password=PASSWORD)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="cruddur-bench-")) / "data"
    with serve_app(data_dir) as app:
        # This process plays a second backend worker: same data dir, same provider.
        os.environ.update(DATA_DIR=app.env["DATA_DIR"], LOCAL_COGNITO_PORT=app.env["LOCAL_COGNITO_PORT"])
        sign_up(app)
        browser = statistics.median(browser_sign_ins(app)) * 1000
        server = statistics.median(server_sign_ins()) * 1000
    print(f"sign-in, median of {RUNS} runs (local provider, production build)")
    print(f"  press Sign in -> signed-in home feed visible   {browser:7.1f} ms   1.00x")
    print(f"  server-side share (SRP + tokens + session)     {server:7.1f} ms   {server / browser:4.2f}x")


if __name__ == "__main__":
    main()
