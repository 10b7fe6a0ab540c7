"""The session as an attacker sees it, in Chromium against the real app: nothing a script in the
page can read signs anyone in, tokens are not kept in the clear, and ended sessions stay ended."""

import re
import sqlite3

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_auth_journey import (
    NEW_PASSWORD,
    PASSWORD,
    confirmed_person,
    expect_signed_in,
    latest_code,
    sign_in,
)
from tests.e2e.test_rest_api import access_token

JWT = re.compile(rb"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")
SIGNED_OUT = "Join the party!"

READ_EVERYTHING_A_SCRIPT_CAN = """() => ({
  local: Object.entries(localStorage),
  session: Object.entries(sessionStorage),
  cookie: document.cookie,
})"""

WRITE_IT_BACK = """(stolen) => {
  for (const [k, v] of stolen.local) localStorage.setItem(k, v);
  for (const [k, v] of stolen.session) sessionStorage.setItem(k, v);
  for (const c of stolen.cookie.split("; ").filter(Boolean)) document.cookie = c + "; path=/";
}"""


def signed_in_page(page: Page, app) -> dict:
    person = confirmed_person(page, app)
    sign_in(page, app, person["email"], PASSWORD)
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)
    return person


def test_the_session_cookie_is_http_only_and_hidden_from_scripts(cruddur_app, page: Page):
    signed_in_page(page, cruddur_app)
    stolen = page.evaluate(READ_EVERYTHING_A_SCRIPT_CAN)
    session_cookies = [c for c in page.context.cookies() if "cruddur_session" in c["name"]]
    assert len(session_cookies) == 1, page.context.cookies()
    cookie = session_cookies[0]
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert cookie["value"] not in str(stolen)


def test_everything_a_script_can_read_copied_into_a_fresh_browser_signs_no_one_in(
    cruddur_app, page: Page, browser: Browser
):
    signed_in_page(page, cruddur_app)
    stolen = page.evaluate(READ_EVERYTHING_A_SCRIPT_CAN)
    page.close()  # the victim's tab is gone, so its tab token is free to be reused

    thief = browser.new_context().new_page()
    thief.goto(cruddur_app.url + "/more")
    thief.evaluate(WRITE_IT_BACK, stolen)
    thief.goto(cruddur_app.url + "/")
    expect(thief.get_by_role("heading", name=SIGNED_OUT)).to_be_visible()
    expect(thief.get_by_role("button", name="Sign out")).to_have_count(0)
    thief.context.close()


def test_no_token_is_kept_in_the_clear_in_any_database_or_state_file(cruddur_app, page: Page):
    signed_in_page(page, cruddur_app)
    page.reload()  # a refresh-capable restore has run and written whatever it writes
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    app_db = cruddur_app.data_dir / "cruddur.db"
    with sqlite3.connect(app_db) as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
    files = [p for p in cruddur_app.data_dir.rglob("*") if p.is_file() and not p.name.startswith("localcognito")]
    files += [p for p in cruddur_app.states_dir.rglob("*") if p.is_file()]
    assert files, "nothing to look at"
    leaks = [str(p) for p in files if JWT.search(p.read_bytes())]
    assert not leaks, f"JWT-shaped strings at rest in {leaks}"


def test_signing_out_ends_the_api_access_tokens_of_that_person_too(cruddur_app, page: Page):
    person = signed_in_page(page, cruddur_app)
    bearer = {"Authorization": "Bearer " + access_token(cruddur_app, person["email"])}
    api = cruddur_app.url + "/api/activities"
    assert httpx.post(api, json={"message": "before sign-out", "ttl": "1d"}, headers=bearer).status_code == 201

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name=SIGNED_OUT)).to_be_visible()
    refused = httpx.post(api, json={"message": "after sign-out", "ttl": "1d"}, headers=bearer)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")


def test_a_password_reset_ends_the_sessions_on_every_device(cruddur_app, browser: Browser):
    laptop = browser.new_context().new_page()
    person = signed_in_page(laptop, cruddur_app)
    phone = browser.new_context().new_page()
    sign_in(phone, cruddur_app, person["email"], PASSWORD)
    expect_signed_in(phone, person)

    reset = browser.new_context().new_page()
    reset.goto(cruddur_app.url + "/forgot")
    reset.get_by_label("Email").fill(person["email"])
    reset.get_by_role("button", name="Send code").click()
    reset.get_by_label("Code").fill(latest_code(cruddur_app, person["email"], "FORGOT_PASSWORD"))
    reset.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    reset.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    reset.get_by_role("button", name="Reset password").click()
    expect(reset.get_by_text("Your password has been reset.")).to_be_visible()

    for device in (laptop, phone):
        device.reload()
        expect(device.get_by_role("heading", name=SIGNED_OUT)).to_be_visible()
        expect(device.get_by_role("button", name="Sign out")).to_have_count(0)
    for context in (laptop.context, phone.context, reset.context):
        context.close()


def test_sign_in_shows_the_feed_without_a_reload_and_the_other_tabs_follow(cruddur_app, page: Page):
    person = confirmed_person(page, cruddur_app)
    other_tab = page.context.new_page()
    other_tab.goto(cruddur_app.url + "/more")
    expect(other_tab.get_by_role("heading", name=SIGNED_OUT)).to_be_visible()

    page.goto(cruddur_app.url + "/signin")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    page.get_by_label("Email").fill(person["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(cruddur_app.url + "/")
    expect_signed_in(page, person)
    assert page.evaluate("window.__sameDocument") is True

    expect_signed_in(other_tab, person)  # it reloaded with the new cookie
    other_tab.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name=SIGNED_OUT)).to_be_visible()
