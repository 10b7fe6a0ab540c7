"""Time from pressing "Sign in" to the signed-in home feed, in Chromium, against the local provider.

Serves the production build on a throwaway data dir, signs 20 people up, then signs each in
once, each in a fresh browser context (one person would meet the per-account limit of 10
sign-ins in 10 minutes). Beside it, in the same run, the server-side share: the same sign-in
(SRP with the provider, token checks, session row) called in-process for each of them.
Run: `python bench/bench_signin.py` after `. scripts/setup.sh --test`.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import expect, sync_playwright

from cruddur import runtime
from cruddur.services.sessions import Client
from cruddur.settings import load_settings
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.appserver import serve_app
from tests.support.mailbox import latest_code

RUNS = 20
EMAILS, PASSWORD = [f"bench{n}@example.com" for n in range(RUNS)], "Bench-mark-2026!"
CLIENT = Client("127.0.0.1", "bench_signin")


def sign_up(app) -> None:
    accounts = runtime.current().accounts
    for n, email in enumerate(EMAILS):
        accounts.sign_up(name="Bench Mark", email=email, handle=f"bench{n}", password=PASSWORD, client=CLIENT)
        accounts.confirm_sign_up(email=email, code=latest_code(app.mailbox_url, email), client=CLIENT)


def browser_sign_ins(app) -> list[float]:
    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for email in EMAILS:
            context = browser.new_context()
            page = context.new_page()
            page.goto(app.url + "/signin")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            start = time.perf_counter()
            page.get_by_role("button", name="Sign in", exact=True).click()
            expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile")).to_be_visible()
            expect(page.locator("article.cr-crud").first).to_be_visible()
            samples.append(time.perf_counter() - start)
            context.close()
        browser.close()
    return samples


def server_sign_ins() -> list[float]:
    accounts = runtime.current().accounts
    samples = []
    for email in EMAILS:
        start = time.perf_counter()
        accounts.sign_in(email=email, password=PASSWORD, client=CLIENT)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="cruddur-bench-")) / "data"
    with serve_app(data_dir, RATE_LIMIT_PER_ADDRESS="1000") as app:
        # This process plays a second backend worker: same data dir and database, same provider.
        settings = load_settings(
            data_dir=data_dir,
            local_cognito_port=int(app.env["LOCAL_COGNITO_PORT"]),
            allow_local_cognito=True,
            rate_limit_per_address=1000,
        )
        runtime.start(settings)
        try:
            sign_up(app)
            browser = statistics.median(browser_sign_ins(app)) * 1000
            server = statistics.median(server_sign_ins()) * 1000
        finally:
            runtime.stop()
    print(f"sign-in, median of {RUNS} runs (local provider, production build)")
    print(f"  press Sign in -> signed-in home feed visible   {browser:7.1f} ms   1.00x")
    print(f"  server-side share (SRP + tokens + session)     {server:7.1f} ms   {server / browser:4.2f}x")


if __name__ == "__main__":
    main()
