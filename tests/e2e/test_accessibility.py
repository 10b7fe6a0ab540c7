"""Every page passes axe-core's default rules (WCAG 2.x A/AA and best practices), signed out and
signed in, with forms in their error states; and a keyboard alone reaches every control, in
page order, with a focus ring that can be seen.

People are signed up and in through the UI, exactly as a person would (tests/e2e/test_auth_journey.py).
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e import axe_audit
from tests.e2e.axe_audit import audit
from tests.e2e.test_auth_journey import (
    PASSWORD,
    confirmed_person,
    expect_signed_in,
    latest_code,
    new_person,
    sign_in,
    sign_up,
)
from tests.e2e.test_feed_actions import LIKE

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# axe cannot tell text contrast over the page's radial gradient (assets/cruddur.css, `.radix-themes`)
# and leaves it unjudged. So each page is judged a second time, for contrast only, on a flat
# background of the gradient's brightest colour: the worst case for Cruddur's light text.
BRIGHTEST_BACKGROUND = ".radix-themes { background: #241046 !important; }"
CONTRAST_RULES = ["color-contrast", "link-in-text-block"]


def assert_no_violations(page: Page, what: str) -> None:
    axe_audit.assert_no_violations(page, what)
    flat = page.add_style_tag(content=BRIGHTEST_BACKGROUND)
    try:
        axe_audit.assert_no_violations(page, what + ", on the gradient's brightest colour", CONTRAST_RULES)
    finally:
        flat.evaluate("style => style.remove()")


def hydrated(page: Page) -> None:
    """An account form is ready once its e-mail field stops being read-only."""
    expect(page.get_by_label("Email")).to_be_editable()


def feed_shown(page: Page) -> None:
    expect(page.locator("article.cr-crud", has_text="Cloud is fun!")).to_be_visible()


def signed_out_sidebar(page: Page) -> None:
    expect(page.get_by_role("heading", name="Join the party!")).to_be_visible()


# path, what must be on screen before the page is judged
SIGNED_OUT_PAGES: list[tuple[str, Callable[[Page], None]]] = [
    ("/", lambda page: (feed_shown(page), signed_out_sidebar(page))),
    ("/more", lambda page: (expect(page.get_by_text("About Cruddur")).to_be_visible(), signed_out_sidebar(page))),
    ("/signin", hydrated),
    ("/signup", hydrated),
    ("/confirm", hydrated),
    ("/forgot", hydrated),
    ("/@worf", lambda page: expect(page.locator("article.cr-crud", has_text="prune juice")).to_be_visible()),
    (
        "/@nobody_by_that_name",
        lambda page: expect(page.get_by_role("heading", name="This account doesn't exist")).to_be_visible(),
    ),
    ("/dev/mailbox", lambda page: expect(page.get_by_role("columnheader", name="Code")).to_be_visible()),
]


@pytest.fixture
def page(browser: Browser) -> Page:
    """A tab whose Content-Security-Policy lets the test inject axe: the app's own policy
    refuses any script it did not ship, this one included (every context here does the same)."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def someone_in_the_mailbox(cruddur_app, browser: Browser) -> dict:
    """A signed-up (unconfirmed) person, so the developer mailbox has a letter to list."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    person = new_person()
    sign_up(page, cruddur_app, person)
    context.close()
    return person


@pytest.mark.parametrize(("path", "ready"), SIGNED_OUT_PAGES, ids=[path for path, _ in SIGNED_OUT_PAGES])
def test_signed_out_page_has_no_axe_violations(cruddur_app, someone_in_the_mailbox, page: Page, path, ready):
    page.goto(cruddur_app.url + path)
    ready(page)
    assert_no_violations(page, f"{path}, signed out")


@pytest.mark.parametrize("path", ["/", "/signin"])
def test_signed_out_page_on_a_phone_has_no_axe_violations(cruddur_app, browser: Browser, path):
    context = browser.new_context(viewport=PHONE, is_mobile=True, bypass_csp=True)
    page = context.new_page()
    page.goto(cruddur_app.url + path)
    dict(SIGNED_OUT_PAGES)[path](page)
    assert_no_violations(page, f"{path}, signed out, 390px wide")
    context.close()


def test_account_forms_with_errors_and_notices_have_no_axe_violations(cruddur_app, page: Page):
    app, person = cruddur_app, new_person()
    page.goto(app.url + "/signup")
    hydrated(page)
    page.get_by_label("Password", exact=True).fill("short")
    expect(page.locator(".cr-rule-met")).not_to_have_count(0)
    assert_no_violations(page, "/signup with some password rules met")

    sign_up(page, app, person)
    expect(page.get_by_role("status").first).to_contain_text("We sent a 6-digit code")
    page.get_by_label("Confirmation code").fill("000000")
    page.get_by_role("button", name="Confirm email").click()
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right")
    assert_no_violations(page, "/confirm after a wrong code")

    page.goto(app.url + "/signup")
    hydrated(page)
    page.get_by_label("Name", exact=True).fill(person["name"])
    page.get_by_label("Email").fill(new_person()["email"])
    page.get_by_label("Username").fill(person["handle"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_contain_text("That username is taken")
    assert_no_violations(page, "/signup with a taken username")

    page.goto(app.url + "/confirm")
    hydrated(page)
    page.get_by_label("Email").fill(person["email"])
    page.get_by_label("Confirmation code").fill(latest_code(app, person["email"], "SIGN_UP"))
    page.get_by_role("button", name="Confirm email").click()
    expect(page.get_by_text("Your email is confirmed")).to_be_visible()
    assert_no_violations(page, "/signin with the e-mail-confirmed notice")

    page.get_by_label("Password", exact=True).fill("Wrong-password-1!")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Incorrect email or password")
    page.get_by_role("button", name="Show password").click()
    assert_no_violations(page, "/signin after a wrong password, password shown")

    page.goto(app.url + "/forgot")
    hydrated(page)
    page.get_by_label("Email").fill(person["email"])
    page.get_by_role("button", name="Send code").click()
    page.get_by_label("Code").fill(latest_code(app, person["email"], "FORGOT_PASSWORD"))
    page.get_by_label("New password", exact=True).fill(PASSWORD + "x")
    page.get_by_label("Confirm new password").fill(PASSWORD + "y")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("alert")).to_contain_text("don't match")
    assert_no_violations(page, "/forgot, second step, passwords that don't match")

    page.get_by_label("Confirm new password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("Your password has been reset.")).to_be_visible()
    assert_no_violations(page, "/forgot, done")


@dataclass
class SignedIn:
    context: BrowserContext
    person: dict
    crud_text: str


def reply_toggle(crud):
    return crud.get_by_role("button", name="Reply").first


@pytest.fixture(scope="module")
def signed_in(cruddur_app, browser: Browser) -> Iterator[SignedIn]:
    """A person signed in (in one browser context, shared by its tabs) who has posted a crud that
    someone else has liked and replied to, so every signed-in page has something on it."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    person = confirmed_person(page, cruddur_app)
    sign_in(page, cruddur_app, person["email"], PASSWORD)
    expect_signed_in(page, person)
    crud_text = f"Readable by everyone {uuid.uuid4().hex[:6]}"
    page.get_by_label("What would you like to crud?").fill(crud_text)
    page.locator("#compose").get_by_role("button", name="Crud").click()
    expect(page.locator("article.cr-crud").first).to_contain_text(crud_text)
    page.close()

    fan_context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    fan_page = fan_context.new_page()
    fan_page.set_default_timeout(15_000)
    fan = confirmed_person(fan_page, cruddur_app)
    sign_in(fan_page, cruddur_app, fan["email"], PASSWORD)
    crud = fan_page.locator("article.cr-crud", has_text=crud_text)
    crud.get_by_role("button", name=LIKE, pressed=False).click()
    expect(crud.get_by_role("button", name=LIKE, pressed=True)).to_be_visible()
    reply_toggle(crud).click()
    crud.get_by_label("Reply to @" + person["handle"]).fill("Loud and clear.")
    crud.locator("form").get_by_role("button", name="Reply", exact=True).click()
    expect(crud.locator(".cr-replies")).to_contain_text("Loud and clear.")
    fan_context.close()

    yield SignedIn(context, person, crud_text)
    context.close()


@pytest.fixture
def signed_in_page(signed_in: SignedIn) -> Iterator[Page]:
    page = signed_in.context.new_page()
    page.set_default_timeout(15_000)
    yield page
    page.close()


def test_signed_in_home_with_compose_box_has_no_axe_violations(cruddur_app, signed_in, signed_in_page: Page):
    page = signed_in_page
    page.goto(cruddur_app.url + "/")
    expect_signed_in(page, signed_in.person)
    feed_shown(page)
    expect(page.get_by_label("What would you like to crud?")).to_be_visible()
    assert_no_violations(page, "/, signed in")

    page.get_by_label("What would you like to crud?").fill("x" * 281)
    page.locator("#compose").get_by_role("button", name="Crud").click()
    expect(page.locator("#compose-error")).to_contain_text("at most 280")
    assert_no_violations(page, "/, signed in, a crud that is too long")

    # The expiry is a native select: a combobox named by its label, its choices options in it.
    expiry = page.get_by_role("combobox", name="Expires after")
    expect(expiry).to_have_value("7d")
    expect(expiry.get_by_role("option")).to_have_text(
        ["30 days", "7 days", "3 days", "1 day", "12 hours", "3 hours", "1 hour"]
    )

    garek = page.locator("article.cr-crud", has_text="just a simple tailor")
    reply_toggle(garek).click()
    expect(garek.get_by_label("Reply to @garek")).to_be_focused()
    assert_no_violations(page, "/, signed in, a reply box open")
    garek.locator("form").get_by_role("button", name="Reply", exact=True).click()
    expect(garek.get_by_role("alert")).to_contain_text("Replies are")
    assert_no_violations(page, "/, signed in, an empty reply sent")


@pytest.mark.parametrize("path", ["/notifications", "/messages", "/more", "profile"])
def test_signed_in_page_has_no_axe_violations(cruddur_app, signed_in, signed_in_page: Page, path):
    page, person = signed_in_page, signed_in.person
    url = "/@" + person["handle"] if path == "profile" else path
    page.goto(cruddur_app.url + url)
    expect_signed_in(page, person)
    if path == "/notifications":
        expect(page.get_by_label("Notifications").locator("article")).to_have_count(2)
    elif path == "profile":
        expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
        expect(page.locator("article.cr-crud", has_text=signed_in.crud_text)).to_be_visible()
    else:
        expect(page.locator("main h2")).to_be_visible()
    assert_no_violations(page, f"{url}, signed in")


def test_signed_in_home_on_a_phone_has_no_axe_violations(cruddur_app, signed_in, browser: Browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, bypass_csp=True, storage_state=signed_in.context.storage_state()
    )
    page = context.new_page()
    page.goto(cruddur_app.url + "/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    feed_shown(page)
    expect(page.get_by_label("What would you like to crud?")).to_be_visible()
    assert_no_violations(page, "/, signed in, 390px wide")
    context.close()


def test_the_account_page_on_a_phone_has_no_axe_violations(cruddur_app, signed_in, browser: Browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, bypass_csp=True, storage_state=signed_in.context.storage_state()
    )
    page = context.new_page()
    page.goto(cruddur_app.url + "/account")
    expect(page.get_by_role("region", name="Where you're signed in", exact=True).locator("tbody tr")).not_to_have_count(
        0
    )
    assert_no_violations(page, "/account, 390px wide")
    context.close()


# -- the keyboard --------------------------------------------------------------------------------

# Marks every control a Tab could reach, in document order, and notes how it and the two boxes
# around it (where Radix draws a text field's ring) look while nothing has focus.
MARK_TAB_STOPS = """() => {
  const selector = 'a[href], button, input, select, textarea, [tabindex], [contenteditable="true"]';
  window.__look = el => [el, el.parentElement, el.parentElement && el.parentElement.parentElement]
    .map(n => { if (!n) return null; const s = getComputedStyle(n);
                return {outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                                 ? [s.outlineStyle, s.outlineWidth, s.outlineColor].join(" ") : "",
                        shadow: s.boxShadow}; });
  const stops = [...document.querySelectorAll(selector)].filter(el =>
    !el.disabled && el.tabIndex >= 0 && !el.closest('[inert], [aria-hidden="true"]') &&
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden");
  document.activeElement && document.activeElement.blur();
  window.__unfocused = stops.map((el, i) => { el.dataset.tabStop = String(i); return window.__look(el); });
  return stops.length;
}"""

# What has focus now: its mark, a short name, whether it matches :focus-visible, whether it is
# on screen, and whether an outline or a box-shadow appeared on it (or the boxes around it).
FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = (el.getAttribute("aria-label") || label || el.innerText || el.getAttribute("placeholder") || "")
    .replace(/\\s+/g, " ").trim();
  const stop = el.dataset.tabStop ?? null;
  const before = stop === null ? [] : window.__unfocused[Number(stop)];
  const ring = window.__look(el).some((now, i) => now && before[i] && (
    (now.outline && now.outline !== before[i].outline) ||
    (now.shadow !== "none" && now.shadow !== before[i].shadow)));
  const r = el.getBoundingClientRect();
  const onScreen = r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 &&
                   r.top < innerHeight && r.left < innerWidth;
  return {stop, name, focusVisible: el.matches(":focus-visible"), ring, onScreen};
}"""


def tab_through(page: Page) -> list[dict]:
    """Presses Tab once per control; returns what had focus after each press."""
    count = page.evaluate(MARK_TAB_STOPS)
    assert count > 0
    visited = []
    for _ in range(count):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(FOCUSED))
    return visited


def assert_keyboard_walk(visited: list[dict], expected_start: list[str], where: str) -> None:
    order = [v["stop"] for v in visited]
    assert order == [str(i) for i in range(len(visited))], (
        f"on {where} Tab does not visit every control in page order: {[(v['stop'], v['name']) for v in visited]}"
    )
    names = [v["name"] for v in visited]
    assert names[: len(expected_start)] == expected_start, f"on {where} Tab order starts {names}"
    unseen = [v["name"] for v in visited if not (v["focusVisible"] and v["ring"] and v["onScreen"])]
    assert not unseen, f"on {where} these controls show no visible focus indicator: {unseen}"


def test_keyboard_reaches_every_control_on_signin_with_a_visible_focus_ring(cruddur_app, page: Page):
    page.goto(cruddur_app.url + "/signin")
    hydrated(page)
    visited = tab_through(page)
    expected = [
        "Cruddur home",
        "Email",
        "Sign in with a passkey",
        "Password",
        "Show password",
        "Forgot password?",
        "Sign in",
        "Email me a code",
        "Create an account",
    ]
    assert_keyboard_walk(visited, expected, "/signin")
    assert len(visited) == len(expected), [v["name"] for v in visited]


def test_keyboard_reaches_every_control_on_the_signed_in_home_in_order(cruddur_app, signed_in, signed_in_page: Page):
    page = signed_in_page
    page.goto(cruddur_app.url + "/")
    expect_signed_in(page, signed_in.person)
    feed_shown(page)
    visited = tab_through(page)
    assert_keyboard_walk(
        visited,
        [
            "Skip to content",
            "Cruddur home",
            "Home",
            "Notifications",
            "Messages",
            "Profile",
            "Account",
            "More",
            "Crud",
            "Sign out",
            "What would you like to crud?",
            "Expires after",
            "Crud",
        ],
        "/, signed in",
    )
    names = [v["name"] for v in visited]
    assert any(name.endswith("Like") for name in names), names
    assert any(name.endswith("Reply") for name in names), names


def test_audit_reports_what_is_wrong(cruddur_app, page: Page):
    """The helper itself: a page with a known fault must fail, naming the rule and the element."""
    page.goto(cruddur_app.url + "/more")
    signed_out_sidebar(page)
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img id=\"faulty\" src=\"x.png\">')")
    violations = {v.rule: v for v in audit(page)}
    assert "image-alt" in violations, violations
    assert any("#faulty" in node.target for node in violations["image-alt"].nodes)
