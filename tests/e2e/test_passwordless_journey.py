"""Signing in without a password in Chromium, against the real app and its embedded provider:
a passkey made by Chromium's virtual authenticator (CTAP2, internal, resident keys, user
verification; the Chrome DevTools Protocol's WebAuthn domain) when it is offered after the
password, then "Sign in with a passkey" with no password and no code, the passkey removed and the
sign-in then refused plainly, and one added again on the account page; the passkey picked from
the e-mail field's autofill list with nothing typed; "Email me a code" (the
offer declined). axe-core on each new screen."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect

from tests.e2e.test_accessibility import DESKTOP, assert_no_violations
from tests.e2e.test_auth_journey import (
    PASSWORD,
    confirmed_person,
    expect_signed_in,
    latest_code,
    new_person,
    sign_in,
)
from tests.e2e.test_two_step_journey import nav, section, sign_out

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@dataclass
class Laptop:
    """A tab in a browser with a platform authenticator (a fingerprint reader, say)."""

    page: Page
    cdp: CDPSession
    authenticator: str

    def passkeys(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})["credentials"]

    def open_signin(self, app, *, pick_from_autofill: bool) -> None:
        """/signin, its passkey autofill armed; the person picks their passkey from the e-mail
        field's list, or leaves it. (The virtual authenticator answers a conditional request at
        once, unless presence is off as the request starts: then it waits for good.)"""
        self._presence(pick_from_autofill)
        self.page.goto(app.url + "/signin")
        self.page.wait_for_function("window.autofillArmed === true")
        self._presence(True)

    def passkey_sign_in(self, app, email: str) -> None:
        """ "Sign in with a passkey" with the e-mail typed (the autofill list left alone)."""
        self.open_signin(app, pick_from_autofill=False)
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_role("button", name="Sign in with a passkey").click()

    def _presence(self, on: bool) -> None:
        self.cdp.send("WebAuthn.setAutomaticPresenceSimulation", {"authenticatorId": self.authenticator, "enabled": on})


# Notes in the page when a conditional (autofill) passkey request is made: the browser's own API,
# observed, not replaced.
NOTE_AUTOFILL_ARMED = """(() => {
  const get = navigator.credentials.get.bind(navigator.credentials);
  navigator.credentials.get = (options) => {
    if (options?.mediation === "conditional") window.autofillArmed = true;
    return get(options);
  };
})()"""


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Laptop]:
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # bypass: axe is injected
    context.add_init_script(NOTE_AUTOFILL_ARMED)
    page = context.new_page()
    page.set_default_timeout(15_000)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]
    yield Laptop(page, cdp, authenticator)
    context.close()


def expect_the_offer(page: Page) -> None:
    expect(page.get_by_role("heading", name="Sign in faster next time")).to_be_visible()


def test_a_passkey_offered_after_the_password_signs_in_with_one_tap_until_it_is_removed(cruddur_app, laptop: Laptop):
    app, page = cruddur_app, laptop.page
    person = confirmed_person(page, app)
    sign_in(page, app, person["email"], PASSWORD)
    expect_the_offer(page)  # this browser can make a passkey, and she has none
    assert_no_violations(page, "/signin, the passkey offer")
    page.get_by_role("button", name="Create a passkey").click()
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)
    assert len(laptop.passkeys()) == 1
    nav(page).get_by_role("link", name="Account").click()
    passkeys = section(page, "Passkeys")
    expect(passkeys.locator("tbody tr")).to_have_count(1)
    expect(passkeys.locator("tbody tr")).to_contain_text("never")
    assert_no_violations(page, "/account with a passkey")

    sign_out(page)
    laptop.passkey_sign_in(app, person["email"])
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)

    sign_out(page)
    laptop.open_signin(app, pick_from_autofill=True)  # nothing typed: picked from the e-mail field's list
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)

    nav(page).get_by_role("link", name="Account").click()
    passkeys = section(page, "Passkeys")
    expect(passkeys.locator("tbody tr")).to_contain_text("UTC")
    expect(passkeys.locator("tbody tr")).not_to_contain_text("never")  # last used: just now
    passkeys.get_by_role("button", name=re.compile(r"^Remove passkey ")).click()
    expect(passkeys.get_by_role("status")).to_contain_text("Passkey removed")
    expect(passkeys).to_contain_text("None yet.")
    sign_out(page)
    laptop.open_signin(app, pick_from_autofill=True)  # the browser still lists it; the pool no longer takes it
    expect(page.get_by_role("alert")).to_contain_text("No passkey was used")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()  # the other ways in stay
    laptop.passkey_sign_in(app, person["email"])
    expect(page.get_by_role("alert")).to_contain_text("No passkey was used")
    expect(page.get_by_label("Email")).to_have_value(person["email"])
    expect(page.get_by_role("button", name="Email me a code")).to_be_visible()  # another way in
    assert_no_violations(page, "/signin after a refused passkey")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_signed_in(page, person)  # the offer came once: straight to the feed
    nav(page).get_by_role("link", name="Account").click()
    passkeys = section(page, "Passkeys")
    passkeys.get_by_label("Password to add a passkey").fill(PASSWORD)
    passkeys.get_by_role("button", name="Add a passkey").click()
    expect(passkeys.get_by_role("status")).to_contain_text("Passkey added")
    expect(passkeys.locator("tbody tr")).to_have_count(1)


def test_an_emailed_code_signs_in(cruddur_app, laptop: Laptop):
    app, page = cruddur_app, laptop.page
    person = confirmed_person(page, app)
    page.goto(app.url + "/signin")
    expect(page.get_by_label("Email")).to_have_attribute("autocomplete", "username webauthn")  # passkeys listed
    page.get_by_label("Email").fill(person["email"])
    assert_no_violations(page, "/signin, its three ways in")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    code = page.get_by_label("Code from the email")
    expect(code).to_be_focused()
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    code.fill("000000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right")
    assert_no_violations(page, "/signin, the e-mailed code step after a wrong code")
    code.fill(latest_code(app, person["email"], "EMAIL_OTP"))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_the_offer(page)
    page.get_by_role("button", name="Not now").click()
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)


def test_a_passwordless_sign_up_confirms_its_email_then_makes_a_passkey(cruddur_app, laptop: Laptop):
    app, page, person = cruddur_app, laptop.page, new_person()
    page.goto(app.url + "/signup")
    page.get_by_label("Name", exact=True).fill(person["name"])
    page.get_by_label("Email").fill(person["email"])
    page.get_by_label("Username").fill(person["handle"])
    page.get_by_label("Sign up without a password").check()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    assert_no_violations(page, "/signup without a password")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(app.url + "/confirm")
    page.get_by_label("Confirmation code").fill(latest_code(app, person["email"], "SIGN_UP"))
    page.get_by_role("button", name="Confirm email").click()
    expect(page.get_by_role("heading", name="You're in. Add a passkey?")).to_be_visible()
    assert_no_violations(page, "/confirm, the passkey offer after a passwordless sign-up")
    page.get_by_role("button", name="Create a passkey").click()
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)
    sign_out(page)
    laptop.passkey_sign_in(app, person["email"])
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)
