"""The whole account journey in Chromium, against the real app and the real local provider."""

import re
import uuid

from playwright.sync_api import Page, expect

from tests.support.mailbox import latest_code as mailbox_code

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.")
PASSWORD = "Crud-dur-2026!"
NEW_PASSWORD = "Even-better-2027?"


def new_person() -> dict:
    tag = uuid.uuid4().hex[:8]
    return {"name": f"Ada {tag}", "email": f"ada.{tag}@example.com", "handle": f"ada_{tag}"}


def latest_code(app, email: str, kind: str) -> str:
    return mailbox_code(app.mailbox_url, email, kind)


def assert_no_token_in_browser(page: Page) -> None:
    storage = page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    cookies = str(page.context.cookies())
    for where in (storage, cookies, page.url):
        assert not JWT.search(where), "a JWT reached the browser"
    assert PASSWORD not in storage + cookies + page.url and NEW_PASSWORD not in storage + cookies + page.url


def wait_until(condition, page: Page, timeout_ms: int = 5000) -> None:
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("condition not met in time")


def sign_up(page: Page, app, person: dict) -> None:
    page.goto(app.url + "/signup")
    page.get_by_label("Name", exact=True).fill(person["name"])
    page.get_by_label("Email").fill(person["email"])
    page.get_by_label("Username").fill(person["handle"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    expect(page.locator(".cr-rule-met")).to_have_count(5)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(app.url + "/confirm")


def sign_in(page: Page, app, email: str, password: str, path: str = "/signin") -> None:
    page.goto(app.url + path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def expect_signed_in(page: Page, person: dict) -> None:
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Profile")).to_have_attribute("href", "/@" + person["handle"])
    expect(nav).to_contain_text(person["name"])
    expect(nav).to_contain_text("@" + person["handle"])
    expect(nav.get_by_role("link", name="Crud", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Join the party!")).to_have_count(0)


def test_sign_up_confirm_sign_in_reload_sign_out_recover(cruddur_app, page: Page):
    app, person = cruddur_app, new_person()
    sign_up(page, app, person)
    expect(page.get_by_label("Email")).to_have_value(person["email"])
    expect(page.get_by_role("status").first).to_contain_text("We sent a 6-digit code to a***@e")
    assert_no_token_in_browser(page)

    page.get_by_label("Confirmation code").fill("000000")
    page.get_by_role("button", name="Confirm email").click()
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right")
    expect(page.get_by_label("Email")).to_have_value(person["email"])

    page.get_by_label("Confirmation code").fill(latest_code(app, person["email"], "SIGN_UP"))
    page.get_by_role("button", name="Confirm email").click()
    expect(page).to_have_url(app.url + "/signin")
    expect(page.get_by_text("Your email is confirmed")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(person["email"])

    page.get_by_label("Password", exact=True).fill("Wrong-password-1!")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Incorrect email or password")
    expect(page.get_by_label("Email")).to_have_value(person["email"])
    expect(page.get_by_label("Password", exact=True)).to_be_focused()

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)
    assert_no_token_in_browser(page)

    page.reload()
    expect_signed_in(page, person)
    [old_cookie] = [c for c in page.context.cookies() if c["name"].endswith("cruddur_session")]

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Join the party!")).to_be_visible()
    wait_until(lambda: not [c for c in page.context.cookies() if c["name"].endswith("cruddur_session")], page)
    page.context.add_cookies([old_cookie])  # the ended session's cookie, replayed
    page.reload()
    expect(page.get_by_role("heading", name="Join the party!")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto(app.url + "/forgot")
    page.get_by_label("Email").fill(person["email"])
    page.get_by_role("button", name="Send code").click()
    page.get_by_label("Code").fill(latest_code(app, person["email"], "FORGOT_PASSWORD"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("alert")).to_contain_text("don't match")
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("Your password has been reset.")).to_be_visible()
    assert_no_token_in_browser(page)

    sign_in(page, app, person["email"], PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Incorrect email or password")
    sign_in(page, app, person["email"], NEW_PASSWORD)
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)
    assert_no_token_in_browser(page)


def test_unconfirmed_sign_in_sends_a_code_and_goes_to_confirm(cruddur_app, page: Page):
    app, person = cruddur_app, new_person()
    sign_up(page, app, person)
    sign_in(page, app, person["email"], PASSWORD)
    expect(page).to_have_url(app.url + "/confirm")
    expect(page.get_by_label("Email")).to_have_value(person["email"])
    expect(page.get_by_role("button", name=re.compile(r"Resend code in \d+s"))).to_be_disabled()
    page.reload()
    expect(page.get_by_role("button", name=re.compile(r"Resend code in \d+s"))).to_be_disabled()


def test_sign_in_returns_to_next_but_never_off_site(cruddur_app, page: Page):
    app, person = cruddur_app, new_person()
    sign_up(page, app, person)
    page.get_by_label("Confirmation code").fill(latest_code(app, person["email"], "SIGN_UP"))
    page.get_by_role("button", name="Confirm email").click()
    expect(page).to_have_url(app.url + "/signin")

    sign_in(page, app, person["email"], PASSWORD, path="/signin?next=/more")
    expect(page).to_have_url(app.url + "/more")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(app.url + "/")

    sign_in(page, app, person["email"], PASSWORD, path="/signin?next=//evil.example/steal")
    expect(page).to_have_url(app.url + "/")


def confirmed_person(page: Page, app) -> dict:
    person = new_person()
    sign_up(page, app, person)
    page.get_by_label("Confirmation code").fill(latest_code(app, person["email"], "SIGN_UP"))
    page.get_by_role("button", name="Confirm email").click()
    expect(page).to_have_url(app.url + "/signin")
    return person


def test_signing_out_in_one_tab_signs_out_the_others(cruddur_app, page: Page):
    person = confirmed_person(page, cruddur_app)
    sign_in(page, cruddur_app, person["email"], PASSWORD)
    expect_signed_in(page, person)
    other_tab = page.context.new_page()
    other_tab.goto(cruddur_app.url + "/more")
    expect_signed_in(other_tab, person)

    page.get_by_role("button", name="Sign out").click()
    expect(other_tab.get_by_role("heading", name="Join the party!")).to_be_visible()
    expect(other_tab.get_by_role("button", name="Sign out")).to_have_count(0)


def test_the_developer_mailbox_lists_codes_newest_first(cruddur_app, page: Page):
    first, second = new_person(), new_person()
    for person in (first, second):
        sign_up(page, cruddur_app, person)
    page.goto(cruddur_app.url + "/dev/mailbox")
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text(second["email"])
    expect(rows.nth(1)).to_contain_text(latest_code(cruddur_app, second["email"], "SIGN_UP"))
    expect(page.get_by_role("row", name=re.compile(first["email"]))).to_be_visible()


def test_keyboard_alone_can_sign_in(cruddur_app, page: Page):
    person = confirmed_person(page, cruddur_app)
    page.goto(cruddur_app.url + "/signin")
    expect(page.get_by_label("Email")).to_be_editable()
    page.get_by_label("Email").focus()
    page.keyboard.press("Control+A")  # the e-mail carried from the confirm form
    page.keyboard.type(person["email"])
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(cruddur_app.url + "/")
    expect_signed_in(page, person)


def test_opening_forgot_directly_starts_at_the_first_step(cruddur_app, page: Page):
    page.goto(cruddur_app.url + "/forgot")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    page.goto(cruddur_app.url + "/forgot")  # a fresh visit in the same tab starts over
    expect(page.get_by_role("button", name="Send code")).to_be_visible()


# Records, from the first byte of the page on, whether the signed-out sidebar is ever shown.
WATCH_FOR_JOIN_PANEL = """
window.__joinPanelSeen = false;
new MutationObserver(() => {
  if (document.body && document.body.innerText.includes("Join the party!")) window.__joinPanelSeen = true;
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def test_a_signed_in_reload_and_a_new_tab_never_flash_the_signed_out_page(cruddur_app, page: Page):
    person = confirmed_person(page, cruddur_app)
    sign_in(page, cruddur_app, person["email"], PASSWORD)
    expect_signed_in(page, person)
    page.context.add_init_script(WATCH_FOR_JOIN_PANEL)

    page.reload()
    expect_signed_in(page, person)
    new_tab = page.context.new_page()
    new_tab.goto(cruddur_app.url + "/more")
    expect_signed_in(new_tab, person)
    assert page.evaluate("window.__joinPanelSeen") is False
    assert new_tab.evaluate("window.__joinPanelSeen") is False
