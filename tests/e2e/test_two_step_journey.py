"""Two-step verification in Chromium, against the real app and its embedded provider: turning it
on from the account page, signing in with a code (wrong, then right, remembering the browser),
a recovery code in another browser, signing that browser out from the first one, changing the
e-mail, and deleting the account. Then axe-core on each two-step screen.

Codes come from `Phone`, as an authenticator app shows them for the secret the page shows; each
person has their own secret, so their codes never collide, and no test needs more than the two
a 30-second step gives without waiting.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.test_accessibility import DESKTOP, PHONE, assert_no_violations
from tests.e2e.test_auth_journey import PASSWORD, confirmed_person, expect_signed_in, latest_code, sign_in
from tests.support.totp import Phone

SHOTS = Path("/tmp/shots")
# Another browser, told apart from this Chromium (HeadlessChrome on Linux) on the sessions list.
MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)
BASE32 = re.compile(r"[A-Z2-7]{16,}")
QR_ALT = "QR code to add Cruddur to an authenticator app"


@pytest.fixture
def new_tab(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens a tab in a browser context of its own (its own cookies, so its own device and
    session); `options` for `new_context`. Every context is closed after the test."""
    contexts = []

    def open_tab(**options) -> Page:
        context = browser.new_context(**({"viewport": DESKTOP} | options))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_tab
    for context in contexts:
        context.close()


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky header is drawn mid-page
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def sign_out(page: Page) -> None:
    nav(page).get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Join the party!")).to_be_visible()


def section(page: Page, title: str) -> Locator:
    """One card of /account: a <section> labelled by its heading."""
    return page.get_by_role("region", name=title, exact=True)


def open_account(page: Page) -> Locator:
    """/account, loaded; returns its two-step card."""
    expect(page).to_have_url(re.compile(r"/account/?$"))  # a reload of the static export adds the slash
    two_step = section(page, "Two-step verification")
    expect(two_step).to_be_visible()
    return two_step


def begin_setup(two_step: Locator) -> Phone:
    """Opens the set-up panel and adds the key it shows to a phone; checks the QR code is shown."""
    two_step.get_by_role("button", name="Set up an authenticator app").click()
    key = two_step.locator("#totp-key")
    expect(key).to_have_text(re.compile(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+"))
    secret = key.inner_text().replace(" ", "")
    assert BASE32.fullmatch(secret), secret
    qr = two_step.get_by_role("img", name=QR_ALT)
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    # Drawn, not only in the DOM: the app's Content-Security-Policy lets a data: image load.
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code image did not load"
    expect(two_step.get_by_label("Code from the app")).to_be_focused()
    return Phone(secret)


def turn_on(two_step: Locator, phone: Phone) -> list[str]:
    """Enters the phone's code; returns the recovery codes the page shows."""
    two_step.get_by_label("Code from the app").fill(phone.code())
    two_step.get_by_role("button", name="Turn on").click()
    expect(two_step.get_by_role("status")).to_contain_text("Two-step verification is on")
    codes = two_step.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    shown = [code.strip() for code in codes.all_inner_texts()]
    assert len(set(shown)) == 10 and all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", code) for code in shown), shown
    two_step.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    two_step.get_by_role("button", name="Copy codes").click()
    expect(two_step.page.get_by_text("Recovery codes copied.")).to_be_visible()
    assert two_step.page.evaluate("navigator.clipboard.readText()").split("\n") == shown
    expect(two_step).to_contain_text("On: signing in asks for a code from your authenticator app.")
    expect(two_step).to_contain_text("10 recovery codes left.")
    return shown


def at_the_code_step(page: Page, app, email: str) -> Locator:
    """The right password, so the page asks for the code; returns the code field."""
    sign_in(page, app, email, PASSWORD)
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    field = page.get_by_label("Authentication code")
    expect(field).to_be_focused()
    expect(page.locator("#mfa-hint")).to_contain_text(email)
    return field


def test_two_step_from_set_up_to_deleting_the_account(cruddur_app, new_tab):
    app = cruddur_app
    page = new_tab()
    person = confirmed_person(page, app)
    email = person["email"]
    sign_in(page, app, email, PASSWORD)
    expect_signed_in(page, person)

    # 1. On from the account page: the key as text and as a QR code, a first code, ten recovery codes once.
    account_link = nav(page).get_by_role("link", name="Account")
    expect(account_link).to_have_attribute("href", "/account")
    account_link.click()
    two_step = open_account(page)
    expect(account_link).to_have_attribute("aria-current", "page")
    expect(two_step).to_contain_text("Off.")
    phone = begin_setup(two_step)
    shoot(page, "account-setup")
    recovery_codes = turn_on(two_step, phone)
    shoot(page, "recovery-codes")
    page.reload()
    two_step = open_account(page)
    expect(two_step).to_contain_text("10 recovery codes left.")
    expect(two_step.get_by_role("list", name="Recovery codes")).to_have_count(0)  # shown once only
    shoot(page, "account-desktop")
    on_phone = new_tab(viewport=PHONE, is_mobile=True, storage_state=page.context.storage_state())
    on_phone.goto(app.url + "/account")
    expect(section(on_phone, "Where you're signed in").locator("tbody tr")).to_have_count(1)
    width = on_phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"/account is {width}px wide on a {PHONE['width']}px phone"
    shoot(on_phone, "account-phone")
    on_phone.context.close()

    # 2. Signing in asks for the code: a wrong one is announced, the right one with the browser remembered.
    sign_out(page)
    code = at_the_code_step(page, app, email)
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    shoot(page, "code-step")
    code.fill(phone.wrong_code())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_be_focused()
    expect(page.locator("#mfa-hint")).to_contain_text(email)
    expect(nav(page)).to_have_count(0)  # still signed out: the sign-in card, no app shell
    shoot(page, "code-step-wrong-code")
    code.fill(phone.code())
    page.get_by_label("Remember this browser").check()
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)

    sign_out(page)
    sign_in(page, app, email, PASSWORD)
    expect(page).to_have_url(app.url + "/")  # the remembered browser: no code asked
    expect_signed_in(page, person)

    # 3. Another browser, not remembered: asked for the code, signs in with a recovery code instead.
    other = new_tab(user_agent=MAC_CHROME)
    at_the_code_step(other, app, email)
    other.get_by_role("link", name="Use a recovery code").click()
    expect(other.get_by_label("Recovery code")).to_be_visible()
    other.get_by_role("link", name="Use your authenticator app").click()  # and back: the step is kept
    expect(other.get_by_label("Authentication code")).to_be_visible()
    other.get_by_role("link", name="Use a recovery code").click()
    other.get_by_label("Recovery code").fill(recovery_codes[0])
    other.get_by_role("button", name="Sign in", exact=True).click()
    expect(other).to_have_url(app.url + "/")
    expect_signed_in(other, person)
    expect(other.get_by_text("so two-step verification is now off")).to_be_visible()

    # 4. The first browser's account page lists the other's session, and signs it out.
    nav(page).get_by_role("link", name="Account").click()
    two_step = open_account(page)
    expect(two_step).to_contain_text("Off.")  # the recovery code turned it off
    # ... and forgot the remembered browser, so none would skip a factor set up again
    expect(section(page, "Remembered browsers")).to_contain_text("None yet.")
    sessions = section(page, "Where you're signed in")
    rows = sessions.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This session")).to_contain_text("HeadlessChrome on Linux")
    sessions.get_by_role("button", name=re.compile(r"^Sign out Chrome on Mac OS X since ")).click()
    expect(sessions.get_by_role("status")).to_contain_text("Signed out.")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("This session")

    nav(other).get_by_role("link", name="Account").click()  # its next action
    expect(other).to_have_url(re.compile(r"/signin\?next=/account$"))
    expect(other.get_by_role("heading", name="Sign in to Cruddur")).to_be_visible()
    other.goto(app.url + "/")
    expect(other.get_by_role("heading", name="Join the party!")).to_be_visible()
    expect(other.get_by_role("button", name="Sign out")).to_have_count(0)

    # 5. A new e-mail address: a code to it; the old one signs in until it is entered, then the new one.
    new_email = "new." + email
    change = section(page, "Email address")
    change.get_by_label("New email address").fill(new_email)
    change.get_by_role("button", name="Send a code").click()
    expect(change.get_by_role("status")).to_contain_text("We sent a code to n***@e***")
    change.get_by_label("Code from the email").fill(latest_code(app, new_email, "VERIFY_EMAIL"))
    change.get_by_role("button", name="Verify the new address").click()
    expect(change.get_by_role("status")).to_contain_text(f"Your email address is now {new_email}")
    expect(change).to_contain_text(f"You sign in as {new_email}.")
    expect(section(page, "Security activity")).to_contain_text("Email address changed")
    email = new_email

    # 6. Deleting the account (with the password): signed out, and the account is gone.
    delete = section(page, "Delete your account")
    delete.get_by_label("Password to delete it").fill(PASSWORD)
    delete.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(app.url + "/")
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    expect(page.get_by_role("heading", name="Join the party!")).to_be_visible()
    expect(nav(page).get_by_role("button", name="Sign out")).to_have_count(0)
    sign_in(page, app, email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Incorrect email or password")
    expect(page.get_by_label("Authentication code")).to_have_count(0)


def test_two_step_screens_have_no_axe_violations(cruddur_app, new_tab):
    """axe-core on the account page (set-up panel open, on with the recovery codes, on) and on
    the sign-in code and recovery-code steps, each also after a wrong code. The tabs bypass the
    app's Content-Security-Policy, which would refuse the injected axe script."""
    app = cruddur_app
    page = new_tab(bypass_csp=True)
    person = confirmed_person(page, app)
    sign_in(page, app, person["email"], PASSWORD)
    expect_signed_in(page, person)
    page.goto(app.url + "/account")
    two_step = open_account(page)
    phone = begin_setup(two_step)
    assert_no_violations(page, "/account, two-step set-up panel open")
    two_step.get_by_label("Code from the app").fill(phone.wrong_code())
    two_step.get_by_role("button", name="Turn on").click()
    expect(two_step.get_by_role("alert")).to_contain_text("isn't right")
    assert_no_violations(page, "/account, two-step set-up after a wrong code")
    turn_on(two_step, phone)
    assert_no_violations(page, "/account, two-step just turned on, recovery codes shown")
    page.reload()
    expect(open_account(page)).to_contain_text("10 recovery codes left.")
    assert_no_violations(page, "/account, two-step on")

    other = new_tab(bypass_csp=True)
    code = at_the_code_step(other, app, person["email"])
    assert_no_violations(other, "/signin, code step")
    code.fill(phone.wrong_code())
    other.get_by_role("button", name="Verify").click()
    expect(other.get_by_role("alert")).to_contain_text("That code isn't right")
    assert_no_violations(other, "/signin, code step after a wrong code")
    other.get_by_role("link", name="Use a recovery code").click()
    recovery = other.get_by_label("Recovery code")
    expect(recovery).to_be_visible()
    shoot(other, "recovery-step")
    assert_no_violations(other, "/signin, recovery-code step")
    recovery.fill("aaaaa-bbbbb")
    other.get_by_role("button", name="Sign in", exact=True).click()
    expect(other.get_by_role("alert")).to_contain_text("That recovery code isn't right")
    assert_no_violations(other, "/signin, recovery-code step after a wrong code")
