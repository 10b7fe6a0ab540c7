"""Federated sign-in in Chromium: the real app with DEV_OIDC (npm's oidc-provider as "Dev OIDC",
registered with the embedded pool by the app itself), its login and consent pages, managed login
in between, and back signed in; sign-out ends both sessions; linking to a password account only
after its password. axe-core judges the changed pages."""

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_accessibility import assert_no_violations
from tests.e2e.test_auth_journey import PASSWORD, assert_no_token_in_browser, latest_code, sign_up
from tests.support.appserver import AppDidNotStart, free_port, serve_app

SHOTS = Path("/tmp/shots-fed")


@pytest.fixture(scope="module")
def fed_app(tmp_path_factory):
    try:
        with serve_app(tmp_path_factory.mktemp("fedapp") / "data", DEV_OIDC="1", DEV_OIDC_PORT=str(free_port())) as app:
            yield app
    except AppDidNotStart as failure:
        pytest.fail(str(failure))


@pytest.fixture
def page(browser: Browser) -> Page:
    """axe's script is injected inline: the app's CSP (rightly) refuses it unless bypassed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def at(app, path: str) -> re.Pattern:
    """The URL of `path`, with or without the trailing slash a directly loaded page gets."""
    route, _, query = path.partition("?")
    return re.compile(re.escape(app.url + route) + "/?" + (re.escape("?" + query) if query else "") + "$")


def session_cookies(page: Page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"].endswith("cruddur_session") and c["value"]]


def managed_login_cookies(page: Page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"].startswith("lc-session-") and c["value"]]


def at_dev_oidc(page: Page, login: str) -> None:
    """Dev OIDC's own pages: the login (any password), then consent if it asks."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    consent = page.get_by_role("button", name="Continue")
    consent.wait_for(timeout=15_000)
    consent.click()


def continue_with_dev_oidc(page: Page, app, login: str, *, consent: bool = True) -> None:
    page.goto(app.url + "/signin")
    expect(page.get_by_label("Email")).to_be_editable()
    page.get_by_role("link", name="Continue with Dev OIDC", exact=True).click()
    if consent:
        at_dev_oidc(page, login)


def sign_out(page: Page, app) -> None:
    """Sign out, and wait for the way back through managed login's /logout to land home."""
    with page.expect_response(lambda answer: "/logout?" in answer.url):
        page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(at(app, "/"))
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Join the party!")).to_be_visible()


def shoot(page: Page, name: str, part=None) -> None:
    """The page (or `part` of it) at desktop width and at 390 px, for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "390")):
        page.set_viewport_size({"width": width, "height": height})
        path = str(SHOTS / f"{name}-{label}.png")
        if part is None:
            page.screenshot(path=path, full_page=True)
        else:
            part.scroll_into_view_if_needed()
            part.screenshot(path=path)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_continue_with_dev_oidc_makes_a_profile_signs_out_of_both_and_in_again(fed_app, page: Page):
    app = fed_app
    page.goto(app.url + "/signin")
    expect(page.get_by_role("link", name="Continue with Dev OIDC", exact=True)).to_be_visible()
    expect(page.get_by_label("Email")).to_be_editable()
    assert_no_violations(page, "/signin with a provider")
    shoot(page, "signin")
    page.goto(app.url + "/signup")
    expect(page.get_by_role("link", name="Continue with Dev OIDC", exact=True)).to_be_visible()
    expect(page.get_by_label("Email")).to_be_editable()
    assert_no_violations(page, "/signup with a provider")

    continue_with_dev_oidc(page, app, "alice")
    expect(page).to_have_url(at(app, "/welcome"))  # Dev OIDC gives no username the app can use
    expect(page.get_by_label("Name", exact=True)).to_have_value("Alice Liddell")
    page.get_by_label("Username").fill("alice_in_oidc")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(at(app, "/"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_contain_text("@alice_in_oidc")
    assert session_cookies(page) and managed_login_cookies(page)
    assert_no_token_in_browser(page)

    page.goto(app.url + "/account")
    expect(page.get_by_role("heading", name="Linked sign-ins")).to_be_visible()
    expect(page.get_by_text("How this account signs in")).to_be_visible()
    for none in ("Password", "Passkeys", "Remembered browsers"):  # it has no password, passkey or second step
        expect(page.get_by_role("region", name=none, exact=True)).to_have_count(0)
    expect(page.get_by_role("region", name="Delete your account", exact=True)).to_contain_text(
        "You sign in with Dev OIDC"
    )
    assert_no_violations(page, "/account of an account Dev OIDC made")

    sign_out(page, app)
    assert not session_cookies(page) and not managed_login_cookies(page)  # the app's and managed login's

    # Again: Dev OIDC remembers the browser, so no login there; the same profile, straight home.
    page.goto(app.url + "/signin")
    expect(page.get_by_label("Email")).to_be_editable()
    page.get_by_role("link", name="Continue with Dev OIDC", exact=True).click()
    consent = page.get_by_role("button", name="Continue")
    login = page.locator("input[name=login]")
    expect(consent.or_(login).or_(nav)).to_be_visible()
    if login.is_visible():
        at_dev_oidc(page, "alice")
    elif consent.is_visible():
        consent.click()
    expect(page).to_have_url(at(app, "/"))
    expect(nav).to_contain_text("@alice_in_oidc")


def test_a_verified_email_links_to_the_password_account_after_its_password(fed_app, page: Page):
    app = fed_app
    person = {"name": "Bob Builder", "email": "bob@example.com", "handle": f"bob_{uuid.uuid4().hex[:6]}"}
    sign_up(page, app, person)
    page.get_by_label("Confirmation code").fill(latest_code(app, person["email"], "SIGN_UP"))
    page.get_by_role("button", name="Confirm email").click()
    expect(page).to_have_url(at(app, "/signin"))

    continue_with_dev_oidc(page, app, "bob")
    expect(page).to_have_url(at(app, "/signin/link"))
    expect(page.get_by_role("heading", name="Connect your sign-in")).to_be_visible()
    expect(page.get_by_text("bob@example.com")).to_be_visible()
    assert not session_cookies(page)  # not signed in before the password
    expect(page.get_by_label("Password", exact=True)).to_be_editable()
    assert_no_violations(page, "/signin/link")
    shoot(page, "signin-link")

    page.get_by_label("Password", exact=True).fill("Not-the-password-1!")
    page.get_by_role("button", name="Connect and sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Incorrect email or password")
    assert not session_cookies(page)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Connect and sign in", exact=True).click()
    expect(page).to_have_url(at(app, "/"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_contain_text("@" + person["handle"])

    page.goto(app.url + "/account")
    card = page.get_by_role("region", name="Linked sign-ins")
    expect(card.get_by_role("button", name="Unlink Dev OIDC")).to_be_visible()
    assert_no_violations(page, "/account with a linked sign-in")
    shoot(page, "account", card)

    # Signed out and in again through Dev OIDC: the password account, no password asked.
    sign_out(page, app)
    page.goto(app.url + "/signin")
    expect(page.get_by_label("Email")).to_be_editable()
    page.get_by_role("link", name="Continue with Dev OIDC", exact=True).click()
    expect(nav).to_contain_text("@" + person["handle"])

    page.goto(app.url + "/account")
    card.get_by_role("button", name="Unlink Dev OIDC").click()
    expect(card.get_by_role("status")).to_contain_text("Removed")
    expect(card.get_by_role("button", name="Unlink Dev OIDC")).to_have_count(0)


def test_a_forged_callback_is_refused_with_a_plain_message(fed_app, page: Page):
    page.goto(fed_app.url + "/_federation/callback?code=made-up&state=forged")
    expect(page).to_have_url(at(fed_app, "/signin?federation_error=StateMismatch"))
    expect(page.get_by_role("alert")).to_contain_text("didn't start in this browser")
